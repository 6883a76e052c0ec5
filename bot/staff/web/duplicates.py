"""Possible duplicates, for officers: each marked pair side by side with the matching fields
highlighted, paginated, and the decisions on them (keep both, merge, mark one invalid; undo).

The marks and decisions are ``bot.storage.duplicates``; this module shows them and records
each decision in the audit log. A pair is shown as it is marked now: a form names both leads,
and a decision on a pair that is no longer marked so (another officer was quicker, the bot
re-checked) changes nothing.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from bot.i18n import N_, gettext
from bot.staff.privacy import show_cnic, show_mobile
from bot.staff.web import labels
from bot.staff.web.forms import fields, redirect
from bot.staff.web.render import pk_time, render
from bot.staff.web.state import client_address, db, language, now, signed_in
from bot.storage import duplicates as store
from bot.storage import staff as staff_store
from bot.storage.models import Lead
from bot.storage.staff_models import DuplicateDecision

PAGE_SIZE = 20
REASONS = {"cnic": N_("Same CNIC"), "mobile": N_("Same mobile number")}
DECISION_LABELS = {
    "keep_both": N_("Kept both (not the same person)"),
    "merge": N_("Merged"),
    "invalid": N_("Marked one invalid"),
}
ACCOUNT_SAME = N_("Both from the same account")
ACCOUNT_OTHER = N_("From two different accounts")


def _page_number(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and 0 < int(raw) < 1_000_000 else 1


def _id(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and 0 < int(raw) < 2**31 else None


def _norm(text: str | None) -> str:
    return " ".join(unicodedata.normalize("NFKC", text or "").casefold().split())


@dataclass(frozen=True)
class Field:
    label: str  # msgid
    get: Callable[[Lead], str]  # the shown text
    same: Callable[[Lead, Lead], bool] | None = None  # when the two leads match on it
    direction: str = "auto"  # of the value: ltr (numbers), auto, or "" (the page's)


def _answer(lead: Lead, key: str) -> Any:
    return (lead.answers or {}).get(key)


def _district(lead: Lead) -> str:
    """District · province, each isolated (an Urdu district beside an English province
    keeps this order in either page direction)."""
    district = str(_answer(lead, "district") or "").strip()
    parts = (district, labels.province(lead.province))
    return " · ".join(f"\u2068{part}\u2069" for part in parts if part)


def _same_place(a: Lead, b: Lead) -> bool:
    return (
        bool(a.province)
        and a.province == b.province
        and (_norm(str(_answer(a, "district") or "")) == _norm(str(_answer(b, "district") or "")))
    )


def _sectors(lead: Lead) -> str:
    return labels.sectors(_answer(lead, "sectors")) or "—"


def _same_sectors(a: Lead, b: Lead) -> bool:
    return bool(_answer(a, "sectors")) and set(_answer(a, "sectors") or ()) == set(
        _answer(b, "sectors") or ()
    )


def _same_name(a: Lead, b: Lead) -> bool:
    return _norm(a.full_name) == _norm(b.full_name)


def _same_source(a: Lead, b: Lead) -> bool:
    return bool(a.source) and a.source == b.source


FIELDS: tuple[Field, ...] = (  # officers only: CNIC and mobile in full
    Field(N_("Name"), lambda lead: lead.full_name, _same_name),
    Field(
        N_("CNIC"), lambda lead: show_cnic(lead.cnic, True), lambda a, b: a.cnic == b.cnic, "ltr"
    ),
    Field(
        N_("Mobile"),
        lambda lead: show_mobile(lead.mobile, True),
        lambda a, b: a.mobile == b.mobile,
        "ltr",
    ),
    Field(N_("District and province"), _district, _same_place, ""),  # the page's direction
    Field(N_("Work"), _sectors, _same_sectors),
    Field(N_("Source"), lambda lead: lead.source or "—", _same_source, "ltr"),
    Field(N_("Status"), lambda lead: labels.status(lead.status)),
)


def _side(lead: Lead) -> dict[str, Any]:
    return {"id": lead.id, "reference": lead.reference, "name": lead.full_name}


def _rows(lead: Lead, other: Lead, language: str) -> list[dict[str, Any]]:
    """The comparison: one row per field, the marked lead first, matches flagged."""
    rows: list[dict[str, Any]] = [
        {
            "label": gettext(f.label),
            "values": (f.get(lead), f.get(other)),
            "same": bool(f.same and f.same(lead, other)),
            "dir": f.direction,
        }
        for f in FIELDS
    ]
    rows.insert(
        5,
        {
            "label": gettext(N_("Registered")),
            "values": (pk_time(lead.created_at, language), pk_time(other.created_at, language)),
            "same": False,
            "dir": "auto",
        },
    )
    account = ACCOUNT_SAME if lead.user_id == other.user_id else ACCOUNT_OTHER
    rows.append(
        {
            "label": gettext(N_("Accounts")),
            "values": (gettext(account),),  # one cell across both leads
            "same": False,
            "dir": "auto",
        }
    )
    return rows


def _decision(row: DuplicateDecision, references: Mapping[int, str]) -> dict[str, Any]:
    return {
        "id": row.id,
        "at": row.at,
        "actor": row.actor or "—",
        "what": gettext(DECISION_LABELS.get(row.decision, row.decision)),
        "decision": row.decision,
        "lead": (row.lead_id, references.get(row.lead_id, "")),
        "other": (row.other_id, references.get(row.other_id, "")),
        "kept": (row.kept_id, references.get(row.kept_id or 0, "")) if row.kept_id else None,
        "changed": (row.changed_id, references.get(row.changed_id or 0, ""))
        if row.changed_id
        else None,
        "undone_at": row.undone_at,
        "undone_by": row.undone_by,
    }


async def page(request: web.Request) -> web.StreamResponse:
    signed_in(request)
    session = db(request)
    query = request.query
    show_decided = query.get("show") == "decided"
    lead_id = _id(query.get("lead"))
    wanted = _page_number(query.get("page"))
    done = _id(query.get("done"))
    context: dict[str, Any] = {
        "show_decided": show_decided,
        "lead_filter": lead_id,
        "stale": query.get("stale") == "1",
        "reasons": {key: gettext(text) for key, text in REASONS.items()},
        "done": None,
        "pairs": [],
        "decisions": [],
        "by_reason": {},
    }
    if show_decided:
        rows, total = await store.decisions(session, PAGE_SIZE, (wanted - 1) * PAGE_SIZE)
        pages = max(1, -(-total // PAGE_SIZE))
        ids = {i for r in rows for i in (r.lead_id, r.other_id) if i}
        references = await store.references(session, ids)
        context["decisions"] = [_decision(r, references) for r in rows]
        base: dict[str, str | int] = {"show": "decided"}
    else:
        found = await store.pairs(session, PAGE_SIZE, (wanted - 1) * PAGE_SIZE, lead_id)
        total = found.total
        pages = max(1, -(-total // PAGE_SIZE))
        context["pairs"] = [
            {
                "lead": _side(lead),
                "other": _side(other),
                "reason": lead.duplicate_reason or "",
                "rows": _rows(lead, other, language(request)),
            }
            for lead, other in found.pairs
        ]
        context["by_reason"] = found.by_reason
        base = {"lead": lead_id} if lead_id else {}
    if done:
        row = await store.decision_by_id(session, done)
        if row is not None:
            references = await store.references(session, (row.lead_id, row.other_id))
            context["done"] = _decision(row, references)
    page_number = min(wanted, pages)

    def link(**changes: str | int) -> str:
        values = {**base, **changes}
        if values.get("page") == 1:
            values.pop("page")
        return "/duplicates" + ("?" + urlencode(values) if values else "")

    first = (page_number - 1) * PAGE_SIZE + 1 if total else 0
    context.update(
        {
            "total": total,
            "page": page_number,
            "pages": pages,
            "first": first,
            "last": min(page_number * PAGE_SIZE, total),
            "link": link,
            "next_path": request.path_qs,
        }
    )
    return render(request, "duplicates.html", context)


async def resolve(request: web.Request) -> web.StreamResponse:
    """One decision on one pair; then back to the list with the decision shown (and its
    undo button)."""
    account = signed_in(request)
    form = await fields(request)
    lead_id, other_id = _id(form.get("lead")), _id(form.get("other"))
    decision = form.get("decision", "")
    target_id = _id(form.get("target"))
    if lead_id is None or other_id is None or decision not in store.DECISIONS:
        raise web.HTTPBadRequest(text="lead, other and decision are needed")
    if decision != "keep_both" and target_id not in (lead_id, other_id):
        raise web.HTTPBadRequest(text="the target must be one of the pair")
    session, at = db(request), now(request)
    try:
        row = await store.decide(
            session,
            lead_id,
            other_id,
            decision,  # a Decision: checked against DECISIONS above
            account,
            at,
            target_id=target_id if decision != "keep_both" else None,
        )
    except store.StalePair:
        await session.rollback()
        return redirect("/duplicates?stale=1")
    await staff_store.audit(
        session,
        f"duplicate_{decision}",
        at,
        account=account,
        lead_id=lead_id,
        detail={
            "decision": row.id,
            "other": other_id,
            "reason": row.reason,
            **({"kept": row.kept_id} if row.kept_id else {}),
            **({"changed": row.changed_id} if row.changed_id else {}),
        },
        address=client_address(request),
    )
    return redirect(f"/duplicates?done={row.id}")


async def undo(request: web.Request) -> web.StreamResponse:
    account = signed_in(request)
    form = await fields(request)
    decision_id = _id(form.get("decision"))
    session, at = db(request), now(request)
    row = await store.decision_by_id(session, decision_id) if decision_id else None
    if row is None:
        raise web.HTTPNotFound()
    if await store.undo(session, row, account, at):
        await staff_store.audit(
            session,
            "duplicate_undo",
            at,
            account=account,
            lead_id=row.lead_id,
            detail={"decision": row.id, "undid": row.decision, "other": row.other_id},
            address=client_address(request),
        )
    return redirect("/duplicates?show=decided")
