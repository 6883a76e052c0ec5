"""Job openings in the staff web (issue 9): the list (filtered by state), the form
(``opening_form`` parses and validates it), and the actions on an opening: publish (matching
once, in the same transaction), match again, invite the leads who meet it or nearly do,
shortlist interested workers, close or mark filled (interested workers are told). Viewers
see; officers and admins change. Every change is in the audit log (``opening.*``). The
opening's own page is ``opening_page``.

The SQL is ``bot.storage.openings``; the matching is ``bot.ssw.matching``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from bot import prefectures
from bot.i18n import N_, gettext
from bot.ssw import catalogue
from bot.staff.accounts import has_role
from bot.staff.web import opening_form as form_
from bot.staff.web.forms import fields, int_param, redirect
from bot.staff.web.render import render
from bot.staff.web.state import client_address, db, now, signed_in, today
from bot.storage import opening_staff
from bot.storage import openings as store
from bot.storage import staff as staff_store
from bot.storage.opening_models import (
    CLOSED,
    DRAFT,
    FILLED,
    OPEN,
    OPENING_STATES,
    Opening,
)

STATE_LABELS: dict[str, str] = {
    DRAFT: N_("Draft"),
    OPEN: N_("Open"),
    CLOSED: N_("Closed"),
    FILLED: N_("Filled"),
}
NOT_EDITABLE = N_("This opening is closed: it can no longer be changed.")
INVITE_WHICH = {"meets": ["meets"], "nearly": ["nearly"]}


async def opening_of(request: web.Request, *, for_update: bool = False) -> Opening:
    found = await store.get(db(request), int_param(request, "opening_id"), for_update=for_update)
    if found is None:
        raise web.HTTPNotFound()
    return found


async def _audit(request: web.Request, action: str, opening_id: int, **detail: Any) -> None:
    await staff_store.audit(
        db(request),
        action,
        now(request),
        account=signed_in(request),
        target=f"opening {opening_id}",
        detail={"opening": opening_id, **detail},
        address=client_address(request),
    )


def state_label(state: str) -> str:
    return gettext(STATE_LABELS.get(state, state))


def sector_label(opening: Opening) -> str:
    """The field, and its job type when it has one: "Automobile transportation · Truck"."""
    try:
        sector = catalogue.sector(opening.sector)
    except KeyError:
        return opening.sector
    name = gettext(sector.name).strip()
    category = sector.category(opening.category) if opening.category else None
    return f"{name} · {gettext(category.name)}" if category is not None else name


# -- the list ---------------------------------------------------------------------------------


async def list_page(request: web.Request) -> web.StreamResponse:
    state = request.query.get("state", "")
    if state not in OPENING_STATES:
        state = ""
    session = db(request)
    rows = await opening_staff.listing(session, state or None)
    pipeline = await opening_staff.pipeline_counts(session, [o.id for o in rows])
    items = [
        {
            "id": o.id,
            "title": o.title,
            "sector": sector_label(o),
            "prefecture": prefectures.label(o.prefecture),
            "places": o.places,
            "deadline": o.deadline,
            "state": o.state,
            "state_text": state_label(o.state),
            "matched": o.matched_at is not None,
            "meets": int((o.match_counts or {}).get("meets", 0)),
            "nearly": int((o.match_counts or {}).get("nearly", 0)),
            "invited": pipeline[o.id]["invited"],
            "interested": pipeline[o.id]["interested"],
        }
        for o in rows
    ]
    account = signed_in(request)
    return render(
        request,
        "openings.html",
        {
            "items": items,
            "state": state,
            "states": [(s, state_label(s)) for s in OPENING_STATES],
            "can_change": has_role(account.role, "officer"),
        },
    )


# -- the form ---------------------------------------------------------------------------------

DEFAULTS = {"route": "ssw1", "skills_test": "passed", "places": "1"}


def _form_page(
    request: web.Request,
    opening: Opening | None,
    typed: Mapping[str, str],
    errors: Mapping[str, str],
    status: int = 200,
) -> web.Response:
    descriptions = {
        lang: typed.get(f"description_{lang}", "").strip() for lang in form_.DESCRIPTION_LANGUAGES
    }
    return render(
        request,
        "opening_edit.html",
        {
            "opening": opening,
            "action": f"/openings/{opening.id}" if opening is not None else "/openings",
            "typed": typed,
            "errors": errors,
            "choices": form_.choices(),
            "missing": form_.missing_descriptions(descriptions),
            "max_description": form_.MAX_DESCRIPTION,
            "legal_age": catalogue.programme().min_age_at_entry,
        },
        status=status,
    )


async def new_page(request: web.Request) -> web.StreamResponse:
    return _form_page(request, None, DEFAULTS, {})


async def edit_page(request: web.Request) -> web.StreamResponse:
    opening = await opening_of(request)
    if opening.state not in (DRAFT, OPEN):
        return redirect(f"/openings/{opening.id}")
    return _form_page(request, opening, form_.typed_from(opening), {})


async def create(request: web.Request) -> web.StreamResponse:
    parsed = form_.parse(await fields(request))
    if not parsed.ok:
        return _form_page(request, None, parsed.typed, parsed.errors, status=400)
    account = signed_in(request)
    opening = await opening_staff.create(db(request), parsed.values, now(request), account.id)
    await _audit(request, "opening.create", opening.id)
    return redirect(f"/openings/{opening.id}?done=created")


async def save(request: web.Request) -> web.StreamResponse:
    """Save the form; an open opening must stay publishable, and is matched again when its
    requirements changed."""
    opening = await opening_of(request, for_update=True)
    if opening.state not in (DRAFT, OPEN):
        raise web.HTTPConflict(text=gettext(NOT_EDITABLE))
    parsed = form_.parse(await fields(request))
    if parsed.ok and opening.state == OPEN:
        values = parsed.values
        if form_.missing_descriptions(values["descriptions"]):
            parsed.errors["descriptions"] = gettext(form_.MISSING_DESCRIPTIONS).format(
                languages=", ".join(form_.missing_descriptions(values["descriptions"]))
            )
        if values["deadline"] < today(request):
            parsed.errors["deadline"] = gettext(form_.DEADLINE_PASSED)
    if not parsed.ok:
        return _form_page(request, opening, parsed.typed, parsed.errors, status=400)
    session, at = db(request), now(request)
    changed = await opening_staff.save(session, opening, parsed.values, at)
    matched = opening.state == OPEN and bool(changed & store.REQUIREMENT_COLUMNS)
    if matched:
        await store.run_matching(session, opening, today=today(request), now=at)
    if changed:
        await _audit(request, "opening.update", opening.id, fields=sorted(changed), matched=matched)
    done = "rematched" if matched else "saved"
    return redirect(f"/openings/{opening.id}?done={done}")


# -- actions ----------------------------------------------------------------------------------


async def publish(request: web.Request) -> web.StreamResponse:
    opening = await opening_of(request, for_update=True)
    if opening.state != DRAFT:
        return redirect(f"/openings/{opening.id}")
    if form_.publish_problems(opening, today(request)):
        return redirect(f"/openings/{opening.id}?done=not_published")
    result = await opening_staff.publish(
        db(request), opening, today=today(request), now=now(request)
    )
    if result is not None:
        await _audit(request, "opening.publish", opening.id, **result.counts)
    return redirect(f"/openings/{opening.id}?done=published")


async def match_again(request: web.Request) -> web.StreamResponse:
    opening = await opening_of(request, for_update=True)
    if opening.state not in (DRAFT, OPEN):
        return redirect(f"/openings/{opening.id}")
    result = await store.run_matching(db(request), opening, today=today(request), now=now(request))
    await _audit(request, "opening.match", opening.id, **result.counts)
    return redirect(f"/openings/{opening.id}?done=matched")


async def invite(request: web.Request) -> web.StreamResponse:
    form = await fields(request)
    which = form.get("which", "")
    if which not in INVITE_WHICH:
        raise web.HTTPBadRequest(text="unknown group")
    opening = await opening_of(request, for_update=True)
    if opening.state != OPEN:
        return redirect(f"/openings/{opening.id}")
    queued = await store.queue_invitations(db(request), opening, INVITE_WHICH[which], now(request))
    await _audit(request, "opening.invite", opening.id, which=which, queued=queued)
    return redirect(f"/openings/{opening.id}?done={'invited' if queued else 'none_invited'}")


async def close(request: web.Request) -> web.StreamResponse:
    form = await fields(request)
    state = form.get("state", "")
    if state not in (CLOSED, FILLED):
        raise web.HTTPBadRequest(text="unknown state")
    opening = await opening_of(request, for_update=True)
    if opening.state != OPEN:
        return redirect(f"/openings/{opening.id}")
    notices = await store.close(db(request), opening, state, now(request))
    await _audit(request, "opening.close", opening.id, state=state, notices=notices)
    return redirect(f"/openings/{opening.id}?done={state}")


async def shortlist(request: web.Request) -> web.StreamResponse:
    """Put an interested candidate on the shortlist (``on=1``) or take them off (``on=0``)."""
    form = await fields(request)
    opening = await opening_of(request)
    found = await opening_staff.candidate(
        db(request), opening.id, int_param(request, "candidate_id"), for_update=True
    )
    if found is None:
        raise web.HTTPNotFound()
    on = form.get("on", "1") == "1"
    if await opening_staff.set_shortlisted(db(request), found, on, now(request)):
        await staff_store.audit(
            db(request),
            "opening.shortlist",
            now(request),
            account=signed_in(request),
            lead_id=found.lead_id,
            target=f"opening {opening.id}",
            detail={"opening": opening.id, "candidate": found.id, "on": on},
            address=client_address(request),
        )
    done = "shortlisted" if on else "unshortlisted"
    return redirect(f"/openings/{opening.id}?done={done}#c{found.id}")
