"""Job openings in the staff web, over HTTP with the real app, on SQLite and PostgreSQL:
the form's validation (messages by field, nothing typed lost), publishing (refused without
the three descriptions or after the deadline; it matches the leads once), the opening's page
(counts, candidates with what they miss, filters and sorting kept in the links), inviting
(a confirmation with the count; never twice), shortlisting and moving a shortlisted lead's
status from the opening page, closing (interested workers are told), roles and the audit."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from html import unescape
from typing import Any

import pytest
from sqlalchemy import select

from bot import prefectures
from bot.i18n import using_language
from bot.staff.web import opening_page
from bot.storage.db import session_factory
from bot.storage.models import OutboxMessage
from bot.storage.opening_models import Opening, OpeningCandidate
from tests.staff.web.conftest import StaffWeb
from tests.staff.web.openings_data import (
    PASSED,
    add_answer,
    add_opening,
    opening_form,
)


async def _outbox(web: StaffWeb, kind: str) -> list[OutboxMessage]:
    async with session_factory(web.engine)() as db:
        query = select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        return list((await db.scalars(query)).all())


async def _opening(web: StaffWeb, opening_id: int) -> Opening:
    async with session_factory(web.engine)() as db:
        found = await db.get(Opening, opening_id)
        assert found is not None
        return found


async def _candidates(web: StaffWeb, opening_id: int) -> dict[int, OpeningCandidate]:
    async with session_factory(web.engine)() as db:
        rows = await db.scalars(
            select(OpeningCandidate).where(OpeningCandidate.opening_id == opening_id)
        )
        return {c.lead_id: c for c in rows.all()}


async def _leads(web: StaffWeb) -> dict[str, int]:
    """Fake workers: one meets the opening of ``opening_form``, two nearly do, one does not."""
    return {
        "meets": await web.lead(full_name="Test Meets Ahmad", answers=PASSED),
        "nearly": await web.lead(
            full_name="Test Nearly Bilal", answers={**PASSED, "skills_test": "no"}
        ),
        "nearly_tests": await web.lead(
            full_name="Test Nearly Chand",
            answers={**PASSED, "skills_test": "no", "jp_tests": ["none"]},
        ),
        "too_old": await web.lead(
            full_name="Test Too Old Danish", answers=PASSED, birth_date=date(1980, 1, 1)
        ),
        "other_field": await web.lead(
            full_name="Test Other Field Ejaz", answers={**PASSED, "sectors": ["construction"]}
        ),
    }


def _id_from(location: str | None) -> int:
    found = re.match(r"/openings/(\d+)", location or "")
    assert found, location
    return int(found.group(1))


def _text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", html))


async def test_the_form_says_what_is_wrong_next_to_each_field_and_keeps_it(
    staff_web: StaffWeb,
) -> None:
    officer = await staff_web.signed_in("officer1", "officer")
    page = await officer.get("/openings/new")
    assert page.status == 200 and 'name="deadline"' in page.text
    form = opening_form(
        title="",
        places="many",
        min_age="40",
        max_age="30",
        route="ssw2",
        sector="nursing_care",  # no SSW (ii) in nursing care
        deadline="",
        pay_includes="Fake typed text kept",
    )
    page = await officer.post("/openings", form)
    assert page.status == 400
    text = _text(page.text)
    assert 'id="error-title"' in page.text and "Please fill this in." in text
    assert 'id="error-places"' in page.text and "Please write a whole number, like 20." in text
    assert "The lowest age is above the highest." in text
    assert "SSW (ii) is not available for this kind of work." in text
    assert 'id="error-deadline"' in page.text
    assert 'value="Fake typed text kept"' in page.text  # nothing typed is lost
    assert 'value="many"' in page.text
    assert "Nothing you typed is lost" in text
    # a job type is needed where the field has them, and only there
    page = await officer.post("/openings", opening_form(sector="auto_transport"))
    assert page.status == 400 and "Please choose the job type." in _text(page.text)
    page = await officer.post("/openings", opening_form(category="truck"))
    assert "This kind of work has no job types" in _text(page.text)
    page = await officer.post("/openings", opening_form(entry_date="2027-02-01"))
    assert "The entry date cannot be before the deadline." in _text(page.text)
    page = await officer.post("/openings", opening_form(max_age="16"))
    assert 'id="error-max_age"' in page.text
    # Urdu digits are numbers too
    page = await officer.post("/openings", opening_form(places="۲۰", title="Test Urdu digits"))
    assert page.status == 303
    opening = await _opening(staff_web, _id_from(page.location))
    assert opening.places == 20 and opening.state == "draft"
    assert await _outbox(staff_web, "invitation") == []


async def test_publish_matches_then_invite_shortlist_and_close(staff_web: StaffWeb) -> None:
    web = staff_web
    leads = await _leads(web)
    officer = await web.signed_in("officer1", "officer")
    page = await officer.post(
        "/openings", opening_form(description_ja="", title="Test Aichi food factory")
    )
    assert page.status == 303 and page.location and page.location.endswith("?done=created")
    opening_id = _id_from(page.location)

    page = await officer.get(page.location)
    text = _text(page.text)
    assert "The opening is saved as a draft." in text
    assert "Not published yet:" in text and "日本語" in text  # the Japanese one is missing
    assert "Aichi" in text and "Food and beverage manufacturing" in text
    page = await officer.post(f"/openings/{opening_id}/publish")
    assert page.location == f"/openings/{opening_id}?done=not_published"
    assert (await _opening(web, opening_id)).state == "draft"

    page = await officer.get(f"/openings/{opening_id}/edit")
    assert page.status == 200 and "Test Aichi food factory" in page.text
    page = await officer.post(
        f"/openings/{opening_id}", opening_form(title="Test Aichi food factory")
    )
    assert page.location == f"/openings/{opening_id}?done=saved"
    page = await officer.post(f"/openings/{opening_id}/publish")
    assert page.location == f"/openings/{opening_id}?done=published"
    opening = await _opening(web, opening_id)
    assert opening.state == "open" and opening.matched_at is not None
    assert opening.match_counts == {"meets": 1, "nearly": 2, "no": 1}

    page = await officer.get(f"/openings/{opening_id}")
    text = _text(page.text)
    for name in ("Test Meets Ahmad", "Test Nearly Bilal", "Test Nearly Chand"):
        assert name in text
    assert "Test Too Old Danish" not in text and "Test Other Field Ejaz" not in text
    assert "Skills test for this work passed" in text  # what the nearly ones miss
    assert "Workers 1–3 of 3" in text
    assert "Invite the 1 who meets it" in text
    assert "Invite the 2 who nearly meet it" in text
    # the filter and the sort are kept in the links
    page = await officer.get(f"/openings/{opening_id}", **{"class": "nearly", "sort": "name"})
    text = _text(page.text)
    assert "Test Meets Ahmad" not in text and "Workers 1–2 of 2" in text
    assert text.index("Test Nearly Bilal") < text.index("Test Nearly Chand")

    page = await officer.get(f"/openings/{opening_id}/invite", which="meets")
    assert "1 worker meets this opening and was not asked yet." in _text(page.text)
    page = await officer.post(f"/openings/{opening_id}/invite", {"which": "meets"})
    assert page.location == f"/openings/{opening_id}?done=invited"
    page = await officer.post(f"/openings/{opening_id}/invite", {"which": "meets"})
    assert page.location == f"/openings/{opening_id}?done=none_invited"  # never twice
    invitations = await _outbox(web, "invitation")
    assert len(invitations) == 1
    page = await officer.post(f"/openings/{opening_id}/invite", {"which": "nearly"})
    assert len(await _outbox(web, "invitation")) == 3
    candidates = await _candidates(web, opening_id)
    assert invitations[0].payload == {
        "opening_id": opening_id,
        "candidate_id": candidates[leads["meets"]].id,
    }

    # two answer: one interested, one not
    await add_answer(web.engine, opening_id, leads["meets"], interested=True)
    await add_answer(web.engine, opening_id, leads["nearly"], interested=False)
    answers: Any = await (
        await officer.session.get(web.base + f"/openings/{opening_id}/answers")
    ).json()
    assert answers["invited"] == 3 and answers["interested"] == 1 and answers["declined"] == 1
    assert answers["waiting"] == 1
    page = await officer.get(f"/openings/{opening_id}", answer="interested")
    text = _text(page.text)
    assert "Test Meets Ahmad" in text and "Test Nearly Bilal" not in text
    assert 'data-poll="/openings/' in page.text  # the answers refresh while invitations are out

    meets = candidates[leads["meets"]].id
    declined = candidates[leads["nearly"]].id
    await officer.post(f"/openings/{opening_id}/candidates/{declined}/shortlist", {"on": "1"})
    await officer.post(f"/openings/{opening_id}/candidates/{meets}/shortlist", {"on": "1"})
    candidates = await _candidates(web, opening_id)
    assert candidates[leads["meets"]].shortlisted_at is not None
    assert candidates[leads["nearly"]].shortlisted_at is None  # only the interested
    page = await officer.get(f"/openings/{opening_id}")
    assert f"/openings/{opening_id}/shortlist.csv" in page.text
    assert f"/openings/{opening_id}/shortlist.xlsx" in page.text

    # the shortlisted lead moves on from the opening page, the worker is told as usual
    back = f"/openings/{opening_id}?done=saved#c{meets}"
    page = await officer.post(
        f"/leads/{leads['meets']}/status", {"status": "contacted", "next": back}
    )
    assert page.location == back
    assert (await web.get_lead(leads["meets"])).status == "contacted"
    assert len(await _outbox(web, "status")) == 1
    page = await officer.post(
        f"/leads/{leads['meets']}/status", {"status": "documents", "next": "//elsewhere.example"}
    )
    assert page.location == f"/leads/{leads['meets']}#timeline"  # never another site

    page = await officer.post(f"/openings/{opening_id}/close", {"state": "filled"})
    assert page.location == f"/openings/{opening_id}?done=filled"
    assert (await _opening(web, opening_id)).state == "filled"
    closed = await _outbox(web, "opening_closed")
    assert len(closed) == 1  # the one interested worker
    page = await officer.get(f"/openings/{opening_id}/edit")
    assert page.status == 303  # closed: no more changes
    page = await officer.post(f"/openings/{opening_id}", opening_form())
    assert page.status == 409

    actions = [entry.action for entry in await web.audit() if entry.action.startswith("opening.")]
    assert actions == [
        "opening.create",
        "opening.update",
        "opening.publish",
        "opening.invite",
        "opening.invite",  # the second press for "meets" queued nothing, and says so
        "opening.invite",
        "opening.shortlist",
        "opening.close",
    ]
    publish = (await web.audit("opening.publish"))[0]
    assert publish.detail == {"opening": opening_id, "meets": 1, "nearly": 2, "no": 1}
    assert (await web.audit("opening.invite"))[1].detail["queued"] == 0


async def test_editing_an_open_opening_matches_again_and_keeps_it_publishable(
    staff_web: StaffWeb,
) -> None:
    web = staff_web
    await _leads(web)
    opening_id = await add_opening(web.engine, state="open")
    assert (await _opening(web, opening_id)).match_counts == {"meets": 1, "nearly": 2, "no": 1}
    officer = await web.signed_in("officer1", "officer")
    page = await officer.post(f"/openings/{opening_id}", opening_form(skills_test="not_needed"))
    assert page.location == f"/openings/{opening_id}?done=rematched"
    assert (await _opening(web, opening_id)).match_counts == {"meets": 2, "nearly": 1, "no": 1}
    assert (await web.audit("opening.update"))[0].detail == {
        "opening": opening_id,
        "fields": ["skills_test"],
        "matched": True,
    }
    page = await officer.post(f"/openings/{opening_id}", opening_form(description_ur=""))
    assert page.status == 400 and "All three are needed to publish." in _text(page.text)
    page = await officer.post(f"/openings/{opening_id}", opening_form(deadline="2026-11-01"))
    assert page.status == 400 and 'id="error-deadline"' in page.text
    page = await officer.post(f"/openings/{opening_id}", opening_form(skills_test="not_needed"))
    assert page.location == f"/openings/{opening_id}?done=saved"  # nothing changed
    assert len(await web.audit("opening.update")) == 1
    page = await officer.post(f"/openings/{opening_id}/match")
    assert page.location == f"/openings/{opening_id}?done=matched"


async def test_a_past_deadline_cannot_be_published(staff_web: StaffWeb) -> None:
    opening_id = await add_opening(staff_web.engine, deadline=date(2026, 11, 20))
    officer = await staff_web.signed_in("officer1", "officer")
    page = await officer.get(f"/openings/{opening_id}")
    assert "The deadline has passed" in _text(page.text)
    page = await officer.post(f"/openings/{opening_id}/publish")
    assert page.location == f"/openings/{opening_id}?done=not_published"
    assert (await _opening(staff_web, opening_id)).state == "draft"


async def test_the_list_filters_by_state_newest_first(staff_web: StaffWeb) -> None:
    web = staff_web
    await web.lead(answers=PASSED)
    first = await add_opening(web.engine, title="Test first opening", state="open")
    later = datetime(2026, 11, 25, 6, tzinfo=UTC)
    await add_opening(web.engine, title="Test second opening (draft)", created_at=later)
    viewer = await web.signed_in("viewer1", "viewer")
    page = await viewer.get("/openings")
    text = _text(page.text)
    assert text.index("Test second opening") < text.index("Test first opening")  # newest first
    assert "New job opening" not in text  # a viewer does not create
    page = await viewer.get("/openings", state="open")
    text = _text(page.text)
    assert "Test first opening" in text and "Test second opening" not in text
    page = await viewer.get(f"/openings/{first}")
    assert page.status == 200 and "Invite the" not in page.text and "Publish" not in page.text
    assert "Test Worker" in _text(page.text)  # a viewer sees the candidates
    for path, form in (
        ("/openings", opening_form()),
        (f"/openings/{first}/invite", {"which": "meets"}),
        (f"/openings/{first}/close", {"state": "closed"}),
    ):
        assert (await viewer.post(path, form)).status == 403
    assert (await web.browser().get("/openings")).location.startswith("/sign-in")  # type: ignore[union-attr]
    officer = await web.signed_in("officer1", "officer")
    forged = await officer.post(f"/openings/{first}/close", {"state": "closed"}, csrf="0" * 32)
    assert forged.status == 403
    assert (await _opening(web, first)).state == "open"


async def test_the_candidates_come_in_pages_with_the_filter_in_the_links(
    staff_web: StaffWeb, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(opening_page, "PAGE_SIZE", 1)
    await _leads(staff_web)
    opening_id = await add_opening(staff_web.engine, state="open")
    viewer = await staff_web.signed_in("viewer1", "viewer")
    page = await viewer.get(f"/openings/{opening_id}", **{"class": "nearly", "sort": "name"})
    text = _text(page.text)
    assert "Workers 1–1 of 2" in text and "Test Nearly Bilal" in text
    assert f'href="/openings/{opening_id}?class=nearly&amp;sort=name&amp;page=2#candidates"' in (
        page.text
    )
    page = await viewer.get(f"/openings/{opening_id}", **{"class": "nearly", "page": "9"})
    assert "Workers 2–2 of 2" in _text(page.text)  # past the end: the last page
    answers = await (
        await viewer.session.get(f"{staff_web.base}/openings/{opening_id}/answers")
    ).json()
    assert answers == {
        "state": "open",
        "meets": 1,
        "nearly": 2,
        "invited": 0,
        "interested": 0,
        "declined": 0,
        "waiting": 0,
        "shortlisted": 0,
    }


def test_the_47_prefectures_are_data_with_their_japanese_names() -> None:
    every = prefectures.prefectures()
    assert len(every) == 47 and len({p.id for p in every}) == 47
    assert every[0].name_ja == "北海道" and every[-1].id == "okinawa"
    assert all(p.name_ja[-1] in "都道府県" for p in every)
    assert prefectures.label("aichi") == "Aichi" and prefectures.label("atlantis") == "atlantis"
    with using_language("ur"):
        assert prefectures.label("aichi") == "آئچی"
    with using_language("ja"):
        assert prefectures.label("tokyo") == "東京都"
