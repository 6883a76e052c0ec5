"""The openings' deadline job through the runner, on SQLite and PostgreSQL: an opening stays
open through its deadline day in Pakistan and closes after it, once, whichever of two
instances runs the job; the interested workers get one closing notice each; an opening closed
by hand before the job gets to it is left as it is."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.jobs.deadlines import ACTOR, NAME, deadline_job
from bot.jobs.runner import JobRunner
from bot.storage import openings
from bot.storage.db import session_factory
from bot.storage.models import Lead, OutboxMessage
from bot.storage.opening_models import Opening
from bot.storage.staff_models import AuditEntry
from tests.staff import factory
from tests.staff.factory import add_lead

CREATED = datetime(2026, 11, 20, 9, tzinfo=UTC)
# 23:30 in Pakistan on the deadline day, then 00:30 the day after (UTC+5)
LAST_EVENING = datetime(2026, 12, 1, 18, 30, tzinfo=UTC)
AFTER_MIDNIGHT = datetime(2026, 12, 1, 19, 30, tzinfo=UTC)


async def _opening(database: AsyncEngine, title: str, state: str = "open") -> int:
    return await factory.add_opening(
        database,
        title=title, places=5, skills_test="not_needed", deadline=date(2026, 12, 1),
        state=state, created_at=CREATED, updated_at=CREATED,
    )  # fmt: skip


async def _interested(database: AsyncEngine, opening_id: int) -> None:
    reference = await add_lead(database, answers={"sectors": ["food_manufacturing"]})
    async with session_factory(database)() as db, db.begin():
        lead = (await db.scalars(select(Lead).where(Lead.reference == reference))).one()
        opening = await openings.get(db, opening_id)
        assert opening is not None and lead.user_id is not None
        await openings.answer(
            db, opening, lead_id=lead.id, user_id=lead.user_id, interested=True,
            match_class="meets", missing=[], now=CREATED,
        )  # fmt: skip


async def test_openings_close_after_their_deadline_day_once(database: AsyncEngine) -> None:
    due = await _opening(database, "Test opening due")
    by_hand = await _opening(database, "Test opening filled", state="filled")
    for opening_id in (due, due, by_hand):
        await _interested(database, opening_id)
    sessions = session_factory(database)

    evening = JobRunner(sessions, [deadline_job(sessions)], "instance-a", now=lambda: LAST_EVENING)
    assert await evening.run_once() == [NAME]
    async with sessions() as db:
        opening = await openings.get(db, due)
        assert opening is not None and opening.state == "open"  # its last evening

    runners = [
        JobRunner(sessions, [deadline_job(sessions)], name, now=lambda: AFTER_MIDNIGHT)
        for name in ("instance-a", "instance-b")
    ]
    ran = await asyncio.gather(*(runner.run_once() for runner in runners))
    assert sorted(len(names) for names in ran) == [0, 1]  # one instance ran it
    async with sessions() as db:
        states = {i: state for i, state in (await db.execute(select(Opening.id, Opening.state)))}
        notices = (await db.scalars(select(OutboxMessage.kind))).all()
        audit = (await db.scalars(select(AuditEntry))).all()
    assert states == {due: "closed", by_hand: "filled"}
    assert notices == ["opening_closed", "opening_closed"]  # the two interested in it
    assert [(a.action, a.actor, a.target) for a in audit] == [
        ("opening.close", ACTOR, f"opening {due}")
    ]
