"""One lead: every answer in plain words, the eligibility result as the worker saw it (in
English), times, source, the follow-up timeline, and (for officers) status, notes and
assignment; under each status change, whether the worker was told of it. Opening a lead is
recorded in the audit log."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot import ssw
from bot.i18n import N_, gettext, using_language
from bot.staff.accounts import has_role
from bot.staff.pipeline import MAX_NOTE, NOTICE_CHANNELS, NOTIFY_STATUSES, STATUSES
from bot.staff.privacy import show_cnic, show_mobile
from bot.staff.web import labels
from bot.staff.web.forms import fields, int_param, redirect, safe_path
from bot.staff.web.render import render
from bot.staff.web.state import FLOWS, client_address, db, now, signed_in
from bot.storage import duplicates, outbox
from bot.storage import staff as store
from bot.storage.models import Lead

REGISTRATION = "registration"
HIDDEN_STEPS = {"consent"}  # asked, not an answer about the worker
NO_CHECK = N_("No eligibility check is stored with this lead.")
# How the worker's notice of a status change went (the outbox row's state)
NOTICE_LABELS: dict[str, str] = {
    outbox.PENDING: N_("Worker's notice: waiting to be sent"),
    outbox.SENT: N_("Worker told on Telegram"),
    outbox.BLOCKED: N_("Worker not told: they have blocked the bot"),
    outbox.FAILED: N_("Worker's notice could not be sent"),
}
UNREADABLE = N_("The stored eligibility check cannot be read.")


async def _lead(request: web.Request, for_update: bool = False) -> Lead:
    lead = await store.lead_by_id(db(request), int_param(request, "lead_id"), for_update=for_update)
    if lead is None:
        raise web.HTTPNotFound()
    return lead


async def _changeable(request: web.Request) -> Lead:
    """The lead, locked, for a change: never a tombstone (the worker deleted it)."""
    lead = await _lead(request, for_update=True)
    if lead.deleted_at is not None:
        raise web.HTTPConflict(text="this lead was deleted at the worker's request")
    return lead


LTR_KINDS = {"cnic", "pk_mobile", "number"}  # digits keep their order in an Urdu page
ISOLATES = str.maketrans("", "", "\u2066\u2067\u2068\u2069\u200f")


def _answers(request: web.Request, lead: Lead, full: bool) -> list[tuple[str, str, str]]:
    """(label, answer, direction) in the flow's order, as the worker would read them; CNIC
    and mobile masked unless ``full``. The page sets each answer's direction itself, so the
    bot's isolation marks are dropped."""
    engine = request.app[FLOWS]
    flow = engine.flows[REGISTRATION]
    answers = dict(lead.answers or {})
    shown: list[tuple[str, str, str]] = []
    for step in flow.steps:
        if step.id in HIDDEN_STEPS or step.id not in answers:
            continue
        value = answers[step.id]
        if step.kind == "cnic":
            text = show_cnic(str(value), full)
        elif step.kind == "pk_mobile":
            text = show_mobile(str(value), full)
        else:
            try:
                text = engine.display(REGISTRATION, step.id, value, answers)
            except (ValueError, TypeError, KeyError):
                text = str(value)
        direction = "ltr" if step.kind in LTR_KINDS else "auto"
        shown.append((gettext(step.label or step.id), text.translate(ISOLATES), direction))
    return shown


def _eligibility(lead: Lead) -> tuple[list[list[str]], str | None]:
    """Each route as the lines the worker saw (in English), or a reason there are none."""
    if lead.eligibility is None:
        return [], gettext(NO_CHECK)
    try:
        assessment = ssw.Assessment.from_dict(lead.eligibility)
    except ValueError:
        return [], gettext(UNREADABLE)
    with using_language("en"):
        routes = [ssw.render_route(route).split("\n") for route in assessment.routes]
    return routes, None


DUPLICATE_REASONS = {
    "cnic": N_("the same CNIC"),
    "mobile": N_("the same mobile number"),
}


def _other(raw: str | None, references: dict[int, str]) -> tuple[int, str] | None:
    """(id, reference) of a linked lead that still exists."""
    if not raw or not raw.isdigit() or int(raw) not in references:
        return None
    return int(raw), references[int(raw)]


async def detail(request: web.Request) -> web.StreamResponse:
    account = signed_in(request)
    full = has_role(account.role, "officer")
    session = db(request)
    lead = await _lead(request)
    await store.audit(
        session,
        "lead_view",
        now(request),
        account=account,
        lead_id=lead.id,
        address=client_address(request),
    )
    names = await store.account_names(session)
    routes, no_routes = _eligibility(lead)
    timeline = await store.lead_events(session, lead.id)
    linked = {  # the other lead of each duplicate decision, and the pair's leads
        int(value)
        for event in timeline
        if event.kind == duplicates.EVENT and (value := event.old_value or "").isdigit()
    } | {i for i in (lead.duplicate_of_id, lead.merged_into_id) if i}
    references = await duplicates.references(session, linked)
    notices = await outbox.notice_states(session, [e.id for e in timeline if e.kind == "status"])
    events: list[dict[str, Any]] = [
        {
            "at": event.at,
            "actor": event.actor or "—",
            "kind": event.kind,
            "old": event.old_value,
            "new": event.new_value,
            "note": event.note,
            "other": _other(event.old_value, references)
            if event.kind == duplicates.EVENT
            else None,
            "notice": gettext(NOTICE_LABELS[notices[event.id]]) if event.id in notices else None,
            "notice_state": notices.get(event.id),
        }
        for event in timeline
    ]
    return render(
        request,
        "lead.html",
        {
            "lead": lead,
            "cnic": show_cnic(lead.cnic, full),
            "mobile": show_mobile(lead.mobile, full),
            "answers": _answers(request, lead, full),
            "routes": routes,
            "no_routes": no_routes,
            "times": await store.lead_times(session, lead),
            "officer": names.get(lead.assigned_officer_id or 0),
            "officers": [(o.id, o.name) for o in await store.assignable_accounts(session)],
            "statuses": STATUSES,
            "events": events,
            "can_change": full and lead.deleted_at is None,
            "province": labels.province(lead.province),
            "language": labels.language(lead.language),
            "outcome": labels.lead_outcome(lead.eligibility),
            "max_note": MAX_NOTE,
            "duplicate_of": _other(str(lead.duplicate_of_id or ""), references),
            "duplicate_reason": gettext(DUPLICATE_REASONS.get(lead.duplicate_reason or "", "")),
            "merged_into": _other(str(lead.merged_into_id or ""), references),
            "merged_here": await duplicates.merged_into(session, lead.id),
        },
    )


def _note(form: dict[str, str]) -> str | None:
    note = form.get("note", "").replace("\r\n", "\n").strip()
    return note[:MAX_NOTE] or None


async def _add_note(request: web.Request, lead: Lead, note: str) -> None:
    """A note on the lead's timeline by the signed-in officer, and its audit entry."""
    session, at, account = db(request), now(request), signed_in(request)
    await store.add_note(session, lead, note, account, at)
    await store.audit(
        session, "lead_note", at, account=account, lead_id=lead.id, address=client_address(request)
    )


async def change_status(request: web.Request) -> web.StreamResponse:
    """A new status, with an optional note; the same status with a note is just a note. A
    stage the worker should know of queues a notice to them in the same transaction."""
    account = signed_in(request)
    form = await fields(request)
    status = form.get("status", "")
    if status not in STATUSES:
        raise web.HTTPBadRequest(text="unknown status")
    session, at = db(request), now(request)
    lead = await _changeable(request)
    note = _note(form)
    if status != lead.status:
        old = lead.status
        notify = NOTICE_CHANNELS if status in NOTIFY_STATUSES else ()
        await store.change_status(session, lead, status, account, at, note, notify=notify)
        await store.audit(
            session,
            "lead_status",
            at,
            account=account,
            lead_id=lead.id,
            detail={"from": old, "to": status, "note": note is not None},
            address=client_address(request),
        )
    elif note:
        await _add_note(request, lead, note)
    # a page of this site to come back to (the job opening's page changes statuses too)
    return redirect(safe_path(form.get("next"), f"/leads/{lead.id}#timeline"))


async def add_note(request: web.Request) -> web.StreamResponse:
    note = _note(await fields(request))
    lead = await _changeable(request)
    if note:
        await _add_note(request, lead, note)
    return redirect(f"/leads/{lead.id}#timeline")


async def assign(request: web.Request) -> web.StreamResponse:
    """Give the lead to an officer (or to nobody: an empty choice)."""
    account = signed_in(request)
    form = await fields(request)
    session, at = db(request), now(request)
    lead = await _changeable(request)
    raw = form.get("officer", "")
    officer = None
    if raw:
        officers = {o.id: o for o in await store.assignable_accounts(session)}
        officer = officers.get(int(raw)) if raw.isdigit() else None
        if officer is None:
            raise web.HTTPBadRequest(text="unknown officer")
    if (officer.id if officer else None) != lead.assigned_officer_id:
        await store.assign(session, lead, officer, account, at)
        await store.audit(
            session,
            "lead_assign",
            at,
            account=account,
            lead_id=lead.id,
            target=officer.name if officer else None,
            address=client_address(request),
        )
    return redirect(f"/leads/{lead.id}#timeline")
