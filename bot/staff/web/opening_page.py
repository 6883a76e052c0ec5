"""One job opening's page in the staff web: its facts and descriptions, the last matching's
counts, the invitations and answers (refreshed from a small JSON endpoint while invitations
are out), and its candidates who meet it or nearly do, paginated, sorted and filtered by class
and answer (the filter is kept in the links), each with what they miss in the staff's
language; and the confirmation before inviting (how many would be asked now).

The actions are in ``bot.staff.web.openings``; the SQL is ``bot.storage.openings``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from bot import prefectures, ssw
from bot.i18n import N_, gettext
from bot.ssw import catalogue
from bot.ssw.matching import EDUCATION_LABELS, age_on
from bot.staff.accounts import has_role
from bot.staff.pipeline import STATUSES
from bot.staff.web import labels
from bot.staff.web import opening_form as form_
from bot.staff.web.openings import INVITE_WHICH, opening_of, sector_label, state_label
from bot.staff.web.render import render
from bot.staff.web.state import db, signed_in, today
from bot.storage import opening_staff
from bot.storage import openings as store
from bot.storage.opening_models import DECLINED, DRAFT, INTERESTED, OPEN, Opening

PAGE_SIZE = 50
MATCH_LABELS = {"meets": N_("Meets it"), "nearly": N_("Nearly"), "no": N_("Does not meet it")}
ANSWER_LABELS = {
    INTERESTED: N_("Interested"),
    DECLINED: N_("Not for me"),
    opening_staff.WAITING: N_("Invited, no answer yet"),
    opening_staff.NOT_INVITED: N_("Not invited"),
    opening_staff.SHORTLISTED: N_("Shortlisted"),
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
        "missing": [ssw.render_criterion(c) for c in candidate.missing or []],
        "answer": candidate.answer,
        "answer_text": gettext(ANSWER_LABELS[candidate.answer])
        if candidate.answer in ANSWER_LABELS
        else (gettext(ANSWER_LABELS[opening_staff.WAITING]) if candidate.invited_at else "—"),
        "invited_at": candidate.invited_at,
        "answered_at": candidate.answered_at,
        "shortlisted_at": candidate.shortlisted_at,
        "status": lead.status,
        "deleted": lead.deleted_at is not None,
    }


async def detail(request: web.Request) -> web.StreamResponse:
    opening = await opening_of(request)
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
    if sort not in opening_staff.CANDIDATE_SORTS:
        sort = "match"
    counts = (await opening_staff.pipeline_counts(session, [opening.id]))[opening.id]
    page = _page_number(query.get("page"))

    async def one_page(page: int) -> tuple[Any, int]:
        return await opening_staff.candidates(
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
    opening = await opening_of(request)
    counts = (await opening_staff.pipeline_counts(db(request), [opening.id]))[opening.id]
    return web.json_response({"state": opening.state, **counts})


async def invite_page(request: web.Request) -> web.StreamResponse:
    """The confirmation: how many would be invited now (``?which=meets|nearly``)."""
    opening = await opening_of(request)
    which = request.query.get("which", "meets")
    if which not in INVITE_WHICH:
        raise web.HTTPNotFound()
    count = await store.invitable(db(request), opening.id, INVITE_WHICH[which])
    return render(
        request,
        "opening_invite.html",
        {"o": opening, "which": which, "count": count, "open": opening.state == OPEN},
    )
