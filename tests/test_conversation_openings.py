"""Job openings in the conversation service, without a channel: a tap on a job button in the
middle of a form is answered and the form's question comes again; a tap on an opening that
does not exist says it closed; the last answer counts, with the class the worker's own
registration gives (from ``bot.ssw.matching``) when they were never invited."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select, update

from bot import openings as jobs
from bot.app import Services, build_services
from bot.conversation import Incoming
from bot.engine.model import Press, Reply
from bot.oec_time import oec_today
from bot.storage.db import session_factory
from bot.storage.models import Lead, User
from bot.storage.opening_models import OpeningCandidate
from tests.staff import factory
from tests.staff.factory import add_lead

AT = datetime(2026, 11, 20, tzinfo=UTC)


async def tap(services: Services, key: str, data: str) -> list[Reply]:
    return await services.conversations.handle(Incoming("terminal", key, action=Press(data)))


async def _opening(services: Services, **values: object) -> int:
    return await factory.add_opening(
        services.database,
        **{
            "title": "Test kitchen helpers", "sector": "food_service", "prefecture": "osaka",
            "places": 3, "deadline": date(2027, 1, 31), "descriptions": {"en": "Test"},
            "created_at": AT, "updated_at": AT, **values,
        },
    )  # fmt: skip


async def _registered(services: Services, key: str, answers: dict[str, object]) -> int:
    reference = await add_lead(services.database, answers=answers)
    async with session_factory(services.database)() as db, db.begin():
        lead = (await db.scalars(select(Lead).where(Lead.reference == reference))).one()
        await db.execute(
            update(User).where(User.id == lead.user_id).values(channel="terminal", external_id=key)
        )
        return lead.id


async def test_a_job_tap_mid_form_answers_then_asks_the_question_again(
    services: Services,
) -> None:
    opening_id = await _opening(services)
    lead_id = await _registered(services, "worker-1", {"jp_tests": ["jft_a2"]})
    asked = (await tap(services, "worker-1", "m:check"))[-1].text  # the check's first question
    replies = await tap(services, "worker-1", f"{jobs.YES}{opening_id}")
    assert replies[0].text.startswith("Thank you. OEC has noted that you are interested")
    assert replies[-1].text == asked  # the question they were at
    replies = await tap(services, "worker-1", f"{jobs.NO}{opening_id}")
    assert replies[0].text == jobs.DECLINED
    async with session_factory(services.database)() as db:
        candidate = (
            await db.scalars(select(OpeningCandidate).where(OpeningCandidate.lead_id == lead_id))
        ).one()
    # never invited: the class is the worker's own (the skills test not passed: "nearly")
    assert (candidate.answer, candidate.match) == ("declined", "nearly")
    assert [c["label_msgid"] for c in candidate.missing] == ["Skills test for this work passed"]


async def test_a_tap_on_an_unknown_or_closed_opening_says_it_closed(services: Services) -> None:
    await _registered(services, "worker-2", {})
    closed = await _opening(services, state="closed")
    for opening_id in (closed, 999_999):
        replies = await tap(services, "worker-2", f"{jobs.YES}{opening_id}")
        assert replies[0].text == jobs.CLOSED
        assert replies[0].buttons[-1][0].data == "m:"  # and a way to the main menu


async def test_the_workers_day_is_oecs_day(sqlite_url: str) -> None:
    """No ``today`` given: the conversation's date is OEC's at ``now``. At 19:30 UTC on the
    deadline day it is already the next day in Karachi, so a tap says the opening closed; in
    a zone where the deadline day is not over, the same tap is taken."""
    after_midnight = datetime(2026, 12, 1, 19, 30, tzinfo=UTC)  # 00:30 on 2 December there
    for timezone, first in (("Asia/Karachi", jobs.CLOSED), ("UTC", "Thank you.")):
        built = build_services(sqlite_url, now=lambda: after_midnight, timezone=timezone)
        try:
            assert built.conversations.engine.today() == oec_today(after_midnight, timezone)
            opening_id = await _opening(built, deadline=date(2026, 12, 1))
            key = f"worker-{timezone}"
            await _registered(built, key, {"jp_tests": ["jft_a2"]})
            replies = await tap(built, key, f"{jobs.YES}{opening_id}")
            assert replies[0].text.startswith(first)
        finally:
            await built.close()
