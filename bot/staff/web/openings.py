"""Job openings in the staff web (issue 9): the list, the form (``opening_form`` parses and
validates it), the opening's page with its matched leads, and the actions on it: publish
(matching once, in the same transaction), match again, invite the leads who meet it or nearly
do (after a confirmation that shows how many), shortlist interested workers, close or mark
filled (interested workers are told). Viewers see; officers and admins change. Every change
is in the audit log (``opening.*``). The answers refresh from a small JSON endpoint.

The SQL is ``bot.storage.openings``; the matching is ``bot.ssw.matching``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from bot.i18n import N_, gettext
from bot.ssw import catalogue
from bot.ssw.matching import EDUCATION_LABELS, age_on
from bot.staff import prefectures
from bot.staff.accounts import has_role
from bot.staff.pipeline import STATUSES
from bot.staff.web import labels
from bot.staff.web import opening_form as form_
from bot.staff.web.forms import fields, int_param, redirect
from bot.staff.web.render import KARACHI, isolate, render
from bot.staff.web.state import client_address, db, now, signed_in
from bot.storage import openings as store
from bot.storage import staff as staff_store
from bot.storage.opening_models import (
    CLOSED,
    DECLINED,
    DRAFT,
    FILLED,
    INTERESTED,
    OPEN,
    OPENING_STATES,
    Opening,
)

PAGE_SIZE = 50
STATE_LABELS: dict[str, str] = {
    DRAFT: N_("Draft"),
    OPEN: N_("Open"),
    CLOSED: N_("Closed"),
    FILLED: N_("Filled"),
}
MATCH_LABELS = {"meets": N_("Meets it"), "nearly": N_("Nearly"), "no": N_("Does not meet it")}
ANSWER_LABELS = {
    INTERESTED: N_("Interested"),
    DECLINED: N_("Not for me"),
    store.WAITING: N_("Invited, no answer yet"),
    store.NOT_INVITED: N_("Not invited"),
    store.SHORTLISTED: N_("Shortlisted"),
}
SORT_LABELS = {
    "match": N_("Meets it first"),
    "name": N_("Name"),
    "age": N_("Youngest first"),
    "answered": N_("Latest answer first"),
    "invited": N_("Latest invited first"),
}
# What the page says after an action (``?done=``): fixed messages, never text from the URL.
DONE: dict[str, str] = {
    "created": N_("The opening is saved as a draft."),
    "saved": N_("Changes saved."),
    "rematched": N_("Changes saved, and the leads were matched again."),
    "published": N_("Published: the leads were matched. You can invite them now."),
    "matched": N_("The leads were matched again."),
    "invited": N_("The invitations are on their way."),
    "none_invited": N_("Nobody was invited: everyone was asked already."),
    "closed": N_("Closed. The workers who were interested are told."),
    "filled": N_("Marked filled. The workers who were interested are told."),
    "shortlisted": N_("Put on the shortlist."),
    "unshortlisted": N_("Taken off the shortlist."),
}
NOT_PUBLISHED = N_("Not published yet:")
NOT_EDITABLE = N_("This opening is closed: it can no longer be changed.")
INVITE_WHICH = {"meets": ["meets"], "nearly": ["nearly"]}


def today(request: web.Request) -> date:
    """Today in Pakistan, where OEC works: deadlines are Pakistan days."""
    return now(request).astimezone(KARACHI).date()


async def _opening(request: web.Request, *, for_update: bool = False) -> Opening:
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


def criterion_text(criterion: Mapping[str, Any]) -> str:
    """A stored criterion (``missing``) in the current language, its values translated and
    isolated, as ``bot.ssw.rendering`` shows one; a broken translation falls back to English."""
    msgid = str(criterion.get("label_msgid", ""))
    params = {k: isolate(gettext(str(v))) for k, v in (criterion.get("params") or {}).items()}
    text = gettext(msgid)
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        try:
            return msgid.format(**params)
        except (KeyError, IndexError, ValueError):
            return msgid


def _tests(answers: Mapping[str, Any] | None) -> str:
    tests = (answers or {}).get("jp_tests")
    names = []
    for test in tests if isinstance(tests, list) else []:
        try:
            names.append(gettext(catalogue.japanese_test(str(test)).name))
        except KeyError:
            continue
    return ", ".join(names) or "—"


def _facts(opening: Opening) -> list[tuple[str, str]]:
    """The opening's facts as (label, value), in the staff's language."""
    legal = catalogue.programme().min_age_at_entry
    low = max(opening.min_age or 0, legal)
    ages = f"{low}–{opening.max_age}" if opening.max_age is not None else f"{low}+"
    japanese = (
        gettext(catalogue.japanese_test(opening.japanese).name)
        if opening.japanese
        else gettext(N_("Only what the programme asks"))
    )
    pay = (
        gettext(N_("¥{amount} a month")).format(amount=f"{opening.pay_yen:,}")
        if opening.pay_yen
        else "—"
    )
    entry = opening.entry_date or opening.deadline
    return [
        (gettext(N_("Work")), sector_label(opening)),
        (gettext(N_("Route")), gettext(form_.ROUTE_LABELS.get(opening.route, opening.route))),
        (gettext(N_("Employer or partner")), opening.employer),
        (gettext(N_("Prefecture")), prefectures.label(opening.prefecture)),
        (gettext(N_("Places")), str(opening.places)),
        (gettext(N_("Age on the day of entry")), ages),
        (gettext(N_("Japanese")), japanese),
        (
            gettext(N_("Skills test")),
            gettext(form_.SKILLS_LABELS.get(opening.skills_test, opening.skills_test)),
        ),
        (
            gettext(N_("Work experience")),
            gettext(N_("{years} years or more")).format(years=opening.min_experience_years)
            if opening.min_experience_years
            else "—",
        ),
        (
            gettext(N_("Lowest education")),
            gettext(EDUCATION_LABELS[opening.education]) if opening.education else "—",
        ),
        (gettext(N_("Monthly pay")), pay),
        (gettext(N_("Pay includes")), opening.pay_includes or "—"),
        (gettext(N_("Deadline")), opening.deadline.isoformat()),
        (gettext(N_("Expected entry")), entry.isoformat()),
    ]


# -- the list ---------------------------------------------------------------------------------


async def list_page(request: web.Request) -> web.StreamResponse:
    state = request.query.get("state", "")
    if state not in OPENING_STATES:
        state = ""
    session = db(request)
    rows = await store.listing(session, state or None)
    pipeline = await store.pipeline_counts(session, [o.id for o in rows])
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
    opening = await _opening(request)
    if opening.state not in (DRAFT, OPEN):
        return redirect(f"/openings/{opening.id}")
    return _form_page(request, opening, form_.typed_from(opening), {})


async def create(request: web.Request) -> web.StreamResponse:
    parsed = form_.parse(await fields(request))
    if not parsed.ok:
        return _form_page(request, None, parsed.typed, parsed.errors, status=400)
    account = signed_in(request)
    opening = await store.create(db(request), parsed.values, now(request), account.id)
    await _audit(request, "opening.create", opening.id)
    return redirect(f"/openings/{opening.id}?done=created")


async def save(request: web.Request) -> web.StreamResponse:
    """Save the form; an open opening must stay publishable, and is matched again when its
    requirements changed."""
    opening = await _opening(request, for_update=True)
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
    changed = await store.save(session, opening, parsed.values, at)
    matched = opening.state == OPEN and bool(changed & store.REQUIREMENT_COLUMNS)
    if matched:
        await store.run_matching(session, opening, today=today(request), now=at)
    if changed:
        await _audit(request, "opening.update", opening.id, fields=sorted(changed), matched=matched)
    done = "rematched" if matched else "saved"
    return redirect(f"/openings/{opening.id}?done={done}")


# -- the opening's page -----------------------------------------------------------------------


def _page_number(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and 0 < int(raw) < 1_000_000 else 1


def _candidate(candidate: Any, lead: Any, entry: date) -> dict[str, Any]:
    return {
        "id": candidate.id,
        "lead_id": lead.id,
        "name": lead.full_name,
        "reference": lead.reference,
        "province": labels.province(lead.province),
        "age": age_on(lead.birth_date, entry) if lead.birth_date else None,
        "tests": _tests(lead.answers),
        "match": candidate.match,
        "match_text": gettext(MATCH_LABELS.get(candidate.match, candidate.match)),
        "missing": [criterion_text(c) for c in candidate.missing or []],
        "answer": candidate.answer,
        "answer_text": gettext(ANSWER_LABELS[candidate.answer])
        if candidate.answer in ANSWER_LABELS
        else (gettext(ANSWER_LABELS[store.WAITING]) if candidate.invited_at else "—"),
        "invited_at": candidate.invited_at,
        "answered_at": candidate.answered_at,
        "shortlisted_at": candidate.shortlisted_at,
        "status": lead.status,
        "deleted": lead.deleted_at is not None,
    }


async def detail(request: web.Request) -> web.StreamResponse:
    opening = await _opening(request)
    account = signed_in(request)
    session = db(request)
    query = request.query
    match = query.get("class", "")
    if match not in MATCH_LABELS:
        match = ""
    answer = query.get("answer", "")
    if answer not in ANSWER_LABELS:
        answer = ""
    sort = query.get("sort", "match")
    if sort not in store.CANDIDATE_SORTS:
        sort = "match"
    counts = (await store.pipeline_counts(session, [opening.id]))[opening.id]
    page = _page_number(query.get("page"))

    async def one_page(page: int) -> tuple[Any, int]:
        return await store.candidates(
            session, opening.id, match=match or None, answer=answer or None, sort=sort,
            limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE,
        )  # fmt: skip

    rows, total = await one_page(page)
    pages = max(1, -(-total // PAGE_SIZE))
    if page > pages:  # past the end (the list got shorter): the last page
        page = pages
        rows, total = await one_page(page)
    entry = opening.entry_date or opening.deadline
    kept = {"class": match, "answer": answer, "sort": "" if sort == "match" else sort}

    def link(**changes: str | int) -> str:
        values = {k: v for k, v in {**kept, **changes}.items() if v and v != 1}
        query_text = "?" + urlencode(values) if values else ""
        return f"/openings/{opening.id}{query_text}#candidates"

    can_change = has_role(account.role, "officer")
    invitable = {
        which: await store.invitable(session, opening.id, classes)
        for which, classes in INVITE_WHICH.items()
    }
    done = query.get("done", "")
    return render(
        request,
        "opening.html",
        {
            "o": opening,
            "state_text": state_label(opening.state),
            "facts": _facts(opening),
            "descriptions": [
                (code, name, (opening.descriptions or {}).get(code) or "")
                for code, name in form_.choices()["languages"]
            ],
            "missing": form_.missing_descriptions(opening.descriptions),
            "problems": form_.publish_problems(opening, today(request))
            if opening.state == DRAFT
            else [],
            "match_counts": {k: int((opening.match_counts or {}).get(k, 0)) for k in MATCH_LABELS},
            "counts": counts,
            "candidates": [_candidate(c, lead, entry) for c, lead in rows],
            "total": total,
            "page": page,
            "pages": pages,
            "first": (page - 1) * PAGE_SIZE + 1 if total else 0,
            "last": min(page * PAGE_SIZE, total),
            "link": link,
            "filter": {"class": match, "answer": answer},
            "sort": sort,
            "match_choices": [(k, gettext(v)) for k, v in MATCH_LABELS.items()],
            "answer_choices": [(k, gettext(v)) for k, v in ANSWER_LABELS.items()],
            "sort_choices": [(k, gettext(v)) for k, v in SORT_LABELS.items()],
            "statuses": STATUSES,
            "can_change": can_change,
            "invitable": invitable,
            "live": opening.state == OPEN and counts["invited"] > 0,
            "done": gettext(DONE[done]) if done in DONE else None,
            "not_published": done == "not_published",
        },
    )


async def answers_json(request: web.Request) -> web.StreamResponse:
    """The opening's counts, for the page's small poll while invitations are out."""
    opening = await _opening(request)
    counts = (await store.pipeline_counts(db(request), [opening.id]))[opening.id]
    return web.json_response({"state": opening.state, **counts})


async def invite_page(request: web.Request) -> web.StreamResponse:
    """The confirmation: how many would be invited now (``?which=meets|nearly``)."""
    opening = await _opening(request)
    which = request.query.get("which", "meets")
    if which not in INVITE_WHICH:
        raise web.HTTPNotFound()
    count = await store.invitable(db(request), opening.id, INVITE_WHICH[which])
    return render(
        request,
        "opening_invite.html",
        {"o": opening, "which": which, "count": count, "open": opening.state == OPEN},
    )


# -- actions ----------------------------------------------------------------------------------


async def publish(request: web.Request) -> web.StreamResponse:
    opening = await _opening(request, for_update=True)
    if opening.state != DRAFT:
        return redirect(f"/openings/{opening.id}")
    if form_.publish_problems(opening, today(request)):
        return redirect(f"/openings/{opening.id}?done=not_published")
    result = await store.publish(db(request), opening, today=today(request), now=now(request))
    if result is not None:
        await _audit(request, "opening.publish", opening.id, **result.counts)
    return redirect(f"/openings/{opening.id}?done=published")


async def match_again(request: web.Request) -> web.StreamResponse:
    opening = await _opening(request, for_update=True)
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
    opening = await _opening(request, for_update=True)
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
    opening = await _opening(request, for_update=True)
    if opening.state != OPEN:
        return redirect(f"/openings/{opening.id}")
    notices = await store.close(db(request), opening, state, now(request))
    await _audit(request, "opening.close", opening.id, state=state, notices=notices)
    return redirect(f"/openings/{opening.id}?done={state}")


async def shortlist(request: web.Request) -> web.StreamResponse:
    """Put an interested candidate on the shortlist (``on=1``) or take them off (``on=0``)."""
    form = await fields(request)
    opening = await _opening(request)
    found = await store.candidate(
        db(request), opening.id, int_param(request, "candidate_id"), for_update=True
    )
    if found is None:
        raise web.HTTPNotFound()
    on = form.get("on", "1") == "1"
    if await store.set_shortlisted(db(request), found, on, now(request)):
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
