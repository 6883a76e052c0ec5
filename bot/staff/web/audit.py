"""The audit log, for admins: newest first, filtered by person, action, lead and days."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from sqlalchemy import select

from bot.i18n import N_, gettext, ngettext
from bot.staff.accounts import ROLE_LABELS
from bot.staff.web import labels
from bot.staff.web.render import render
from bot.staff.web.state import db
from bot.storage import staff as store
from bot.storage.lead_queries import day_start_utc
from bot.storage.models import Lead

PAGE_SIZE = 100
ACTIONS: dict[str, str] = {
    "sign_in": N_("Signed in"),
    "sign_in_failed": N_("Sign-in failed"),
    "sign_in_blocked": N_("Sign-in blocked (too many failures)"),
    "sign_out": N_("Signed out"),
    "lead_view": N_("Opened a lead"),
    "lead_status": N_("Changed a lead's status"),
    "lead_note": N_("Wrote a note"),
    "lead_assign": N_("Assigned a lead"),
    "export": N_("Exported leads"),
    "duplicate_keep_both": N_("Kept both possible duplicates"),
    "duplicate_merge": N_("Merged possible duplicates"),
    "duplicate_invalid": N_("Marked a possible duplicate invalid"),
    "duplicate_undo": N_("Undid a duplicate decision"),
    "staff_add": N_("Added an account"),
    "staff_role": N_("Changed a role"),
    "staff_disable": N_("Disabled an account"),
    "staff_enable": N_("Enabled an account"),
    "staff_password": N_("Set a password"),
    "broadcast_create": N_("Wrote a broadcast"),
    "broadcast_edit": N_("Changed a broadcast"),
    "broadcast_send": N_("Sent a broadcast"),
    "broadcast_pause": N_("Paused a broadcast"),
    "broadcast_resume": N_("Resumed a broadcast"),
    "broadcast_cancel": N_("Cancelled a broadcast"),
    "opening.create": N_("Wrote a job opening"),
    "opening.update": N_("Changed a job opening"),
    "opening.publish": N_("Published a job opening"),
    "opening.match": N_("Matched a job opening again"),
    "opening.invite": N_("Invited workers to a job opening"),
    "opening.shortlist": N_("Changed a job opening's shortlist"),
    "opening.close": N_("Closed a job opening"),
}


def _day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _detail(detail: dict[str, Any] | None) -> str:
    """Ids and statuses only (the log holds no personal data): "new → contacted"."""
    if not detail:
        return ""
    if "from" in detail and "to" in detail:
        old, new = str(detail["from"]), str(detail["to"])
        if old in ROLE_LABELS and new in ROLE_LABELS:
            return f"{gettext(ROLE_LABELS[old])} → {gettext(ROLE_LABELS[new])}"
        return f"{labels.status(old)} → {labels.status(new)}"
    if "format" in detail and "rows" in detail:  # an export: format, rows, its filter
        where = detail.get("filter") or {}
        shown = ", ".join(f"{key}={value}" for key, value in sorted(where.items()))
        text = ngettext("{format}: {n} row", "{format}: {n} rows", int(detail["rows"])).format(
            format=str(detail["format"]).upper(), n=detail["rows"]
        )
        if detail.get("complete") is False:
            text += " (" + gettext(N_("not completed")) + ")"
        return f"{text}; {shown}" if shown else text
    if "role" in detail and str(detail["role"]) in ROLE_LABELS:
        return gettext(ROLE_LABELS[str(detail["role"])])
    return ", ".join(f"{key}: {value}" for key, value in sorted(detail.items()))


async def page(request: web.Request) -> web.StreamResponse:
    session = db(request)
    query = request.query
    actor = query.get("actor") or None
    action = query.get("action") if query.get("action") in ACTIONS else None
    since, until = _day(query.get("since")), _day(query.get("until"))
    lead_id: int | None = None
    lead_ref = (query.get("lead") or "").strip().upper()
    if lead_ref:
        lead_id = await session.scalar(select(Lead.id).where(Lead.reference == lead_ref))
        if lead_id is None and lead_ref.isdigit():
            lead_id = int(lead_ref)
        if lead_id is None:
            lead_id = -1  # no such lead: nothing matches
    page_number = int(query["page"]) if query.get("page", "").isdigit() else 1
    page_number = max(1, min(page_number, 100_000))
    filters = store.AuditQuery(
        actor=actor,
        action=action,
        lead_id=lead_id,
        since=day_start_utc(since) if since else None,
        until=day_start_utc(until + timedelta(days=1)) if until else None,
    )
    rows, total = await store.audit_entries(
        session, filters, PAGE_SIZE, (page_number - 1) * PAGE_SIZE
    )
    lead_ids = {row.lead_id for row in rows if row.lead_id is not None}
    references = (
        dict(
            (
                await session.execute(select(Lead.id, Lead.reference).where(Lead.id.in_(lead_ids)))
            ).all()
        )
        if lead_ids
        else {}
    )
    entries = [
        {
            "at": row.at,
            "actor": row.actor or "—",
            "action": gettext(ACTIONS.get(row.action, row.action)),
            "lead_id": row.lead_id,
            "reference": references.get(row.lead_id) if row.lead_id else None,
            "target": row.target or "",
            "detail": _detail(row.detail),
            "address": row.address or "",
        }
        for row in rows
    ]
    shown = {
        key: value
        for key, value in {
            "actor": actor or "",
            "action": action or "",
            "lead": lead_ref,
            "since": since.isoformat() if since else "",
            "until": until.isoformat() if until else "",
        }.items()
        if value
    }
    pages = max(1, -(-total // PAGE_SIZE))
    return render(
        request,
        "audit.html",
        {
            "entries": entries,
            "filter": shown,
            "actions": [(key, gettext(label)) for key, label in ACTIONS.items()],
            "actors": sorted((await store.account_names(session)).values()),
            "total": total,
            "page": page_number,
            "pages": pages,
            "prev_link": "/audit?" + urlencode({**shown, "page": page_number - 1}),
            "next_link": "/audit?" + urlencode({**shown, "page": page_number + 1}),
        },
    )
