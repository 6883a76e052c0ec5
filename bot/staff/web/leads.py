"""The leads list: search, filters (``LeadFilter``, kept in the URL), sort and pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from sqlalchemy import func, select

from bot.staff.accounts import has_role
from bot.staff.filters import FilterError, LeadFilter
from bot.staff.privacy import show_cnic, show_mobile
from bot.staff.web import labels
from bot.staff.web.render import render
from bot.staff.web.state import db, signed_in
from bot.storage import staff as store
from bot.storage.lead_queries import lead_conditions, through_list_index
from bot.storage.models import Lead

PAGE_SIZE = 50
SORTS: dict[str, tuple[Any, ...]] = {
    "newest": (Lead.created_at.desc(), Lead.id.desc()),
    "oldest": (Lead.created_at, Lead.id),
    "name": (Lead.full_name, Lead.id),
    "status": (Lead.status, Lead.created_at.desc(), Lead.id.desc()),
}


def _page_number(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and 0 < int(raw) < 1_000_000 else 1


async def list_page(request: web.Request) -> web.StreamResponse:
    account = signed_in(request)
    full = has_role(account.role, "officer")
    error: str | None = None
    try:
        where = LeadFilter.from_query(request.query)
    except FilterError as exc:
        where, error = LeadFilter(), exc.field
    if where.unfinished:  # the list shows leads; unfinished registrations are an export
        where = where.replace(unfinished=False)
    sort = request.query.get("sort", "newest")
    if sort not in SORTS:
        sort = "newest"
    session = db(request)
    conditions = lead_conditions(where, session.get_bind().dialect.name)
    counting = through_list_index(select(func.count()).select_from(Lead).where(*conditions))
    total = int(await session.scalar(counting) or 0)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(_page_number(request.query.get("page")), pages)
    rows = (
        await session.scalars(
            through_list_index(
                select(Lead)
                .where(*conditions)
                .order_by(*SORTS[sort])
                .limit(PAGE_SIZE)
                .offset((page - 1) * PAGE_SIZE)
            )
        )
    ).all()
    names = await store.account_names(session)
    officers = await store.assignable_accounts(session)
    leads = [
        {
            "id": lead.id,
            "reference": lead.reference,
            "name": lead.full_name,
            "cnic": show_cnic(lead.cnic, full),
            "mobile": show_mobile(lead.mobile, full),
            "province": labels.province(lead.province),
            "sectors": labels.sectors((lead.answers or {}).get("sectors")),
            "status": lead.status,
            "status_text": labels.status(lead.status),
            "outcome": labels.lead_outcome(lead.eligibility),
            "officer": names.get(lead.assigned_officer_id or 0),
            "registered": lead.created_at,
        }
        for lead in rows
    ]
    query = where.as_dict()

    def link(**changes: str | int) -> str:
        values: dict[str, str | int] = {**query, "sort": sort, **changes}
        if values.get("sort") == "newest":
            values.pop("sort")
        if values.get("page") == 1:
            values.pop("page")
        return "/leads" + ("?" + urlencode(values) if values else "")

    return render(
        request,
        "leads.html",
        {
            "leads": leads,
            "filter": query,
            "can_export": full,  # officers: the export buttons (bot.staff.web.exports)
            "error_field": error,
            "choices": labels.choices(),
            "officers": [(o.id, o.name) for o in officers],
            "sort": sort,
            "sorts": list(SORTS),
            "page": page,
            "pages": pages,
            "total": total,
            "first": (page - 1) * PAGE_SIZE + 1 if total else 0,
            "last": min(page * PAGE_SIZE, total),
            "link": link,
            "filter_count": len([k for k in query if k != "q"]),
            "filter_open": bool([k for k in query if k != "q"]) or sort != "newest" or error,
        },
    )
