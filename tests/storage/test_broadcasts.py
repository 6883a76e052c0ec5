"""Broadcasts in storage, on SQLite and PostgreSQL: a segment's count is exactly the rows its
sending queues (one INSERT ... SELECT), opted-out and blocked users are never reached, a
pause holds the rows back, a cancel marks them cancelled, an opt-out after queueing is
honoured at claim time, notices go before broadcast rows, and a broadcast with nothing left
becomes done."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.staff.segments import Segment
from bot.storage import broadcasts, outbox
from bot.storage.db import session_factory
from bot.storage.models import OutboxMessage, User
from bot.storage.repository import Repository
from tests.staff import factory

AT = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
LEASE = timedelta(minutes=2)
TEXTS = {"en": "Test announcement", "ur": "آزمائشی اعلان", "ja": "テストのお知らせ"}


async def _people(engine: AsyncEngine) -> dict[str, int]:
    """A small population: user ids by a name saying what they are."""
    ids: dict[str, int] = {}
    leads = {
        "punjab_construction_ur": dict(province="punjab", sectors=["construction"], lang="ur"),
        "punjab_food_en": dict(province="punjab", sectors=["food_service"], lang="en"),
        "sindh_construction_ja": dict(province="sindh", sectors=["construction"], lang="ja"),
        "sindh_contacted_en": dict(province="sindh", sectors=["agriculture"], lang="en"),
        "opted_out_punjab": dict(province="punjab", sectors=["construction"], lang="en"),
        "blocked_punjab": dict(province="punjab", sectors=["construction"], lang="ur"),
        "deleted_lead": dict(province="punjab", sectors=["construction"], lang="en"),
    }
    for name, spec in leads.items():
        reference = await factory.add_lead(
            engine,
            answers={"province": spec["province"], "sectors": spec["sectors"]},
            status="contacted" if "contacted" in name else "new",
            deleted_at=AT if name == "deleted_lead" else None,
        )
        async with session_factory(engine)() as db, db.begin():
            user_id = await db.scalar(
                select(User.id)
                .join_from(User, factory.Lead)
                .where(factory.Lead.reference == reference)
            )
            assert user_id is not None
            await db.execute(
                update(User)
                .where(User.id == user_id)
                .values(
                    language=spec["lang"],
                    opted_out_at=AT if name.startswith("opted_out") else None,
                    blocked_at=AT if name.startswith("blocked") else None,
                )
            )
        ids[name] = user_id
    ids["unregistered_ur"] = await factory.add_user(engine, language="ur")
    ids["unregistered_none"] = await factory.add_user(engine, language=None)
    ids["terminal_user"] = await factory.add_user(engine, channel="terminal", language="en")
    return ids


SEGMENTS: dict[str, tuple[dict[str, str], set[str]]] = {
    "everyone": (
        {},
        {
            "punjab_construction_ur",
            "punjab_food_en",
            "sindh_construction_ja",
            "sindh_contacted_en",
            "deleted_lead",
            "unregistered_ur",
            "unregistered_none",
        },
    ),
    "punjab": ({"province": "punjab"}, {"punjab_construction_ur", "punjab_food_en"}),
    "construction": (
        {"sector": "construction"},
        {"punjab_construction_ur", "sindh_construction_ja"},
    ),
    "urdu": ({"language": "ur"}, {"punjab_construction_ur", "unregistered_ur"}),
    "english_no_choice": (
        {"language": "en"},
        {"punjab_food_en", "sindh_contacted_en", "deleted_lead", "unregistered_none"},
    ),
    "contacted": ({"status": "contacted"}, {"sindh_contacted_en"}),
    "not_checked": (
        {"eligible": "none", "province": "sindh"},
        {"sindh_construction_ja", "sindh_contacted_en"},
    ),
    "registered": (
        {"registered": "yes"},
        {"punjab_construction_ur", "punjab_food_en", "sindh_construction_ja", "sindh_contacted_en"},
    ),
    "not_registered": (
        {"registered": "no"},
        {"deleted_lead", "unregistered_ur", "unregistered_none"},
    ),
    "impossible": ({"registered": "no", "province": "punjab"}, set()),
}


@pytest.mark.parametrize("name", list(SEGMENTS))
async def test_the_count_is_exactly_who_gets_a_row(database: AsyncEngine, name: str) -> None:
    ids = await _people(database)
    values, expected = SEGMENTS[name]
    segment = Segment.from_mapping(values)
    sessions = session_factory(database)
    async with sessions() as db, db.begin():
        count = await broadcasts.reach(db, segment)
        draft = await broadcasts.create(db, TEXTS, segment, AT, None)
        queued = await broadcasts.start(db, draft, AT)
    assert count == queued == len(expected)
    rows = await outbox.messages(sessions, outbox.BROADCAST)
    by_id = {v: k for k, v in ids.items()}
    assert {by_id[row.user_id or 0] for row in rows} == expected
    assert all(row.broadcast_id == draft.id and row.state == outbox.PENDING for row in rows)
    languages = {by_id[row.user_id or 0]: row.language for row in rows}
    if "unregistered_none" in languages:
        assert languages["unregistered_none"] == "en"  # no choice yet: English
    async with sessions() as db:
        stored = await broadcasts.get(db, draft.id)
    assert stored is not None and stored.total == len(expected)
    assert stored.state == (broadcasts.SENDING if expected else broadcasts.DONE)


def test_a_segment_keeps_known_values_only() -> None:
    segment = Segment.from_mapping(
        {"province": "punjab", "language": "xx", "sector": "Construction", "page": "2"}
    )
    assert segment.as_dict() == {"province": "punjab"}
    assert Segment.from_mapping(segment.as_dict()) == segment


async def _sending(database: AsyncEngine, segment: Segment | None = None) -> int:
    async with session_factory(database)() as db, db.begin():
        draft = await broadcasts.create(db, TEXTS, segment or Segment(), AT, None)
        await broadcasts.start(db, draft, AT)
        return draft.id


async def test_a_second_start_queues_nothing(database: AsyncEngine) -> None:
    await _people(database)
    broadcast_id = await _sending(database)
    async with session_factory(database)() as db, db.begin():
        again = await broadcasts.get(db, broadcast_id)
        assert again is not None
        assert await broadcasts.start(db, again, AT) is None
    assert len(await outbox.messages(session_factory(database), outbox.BROADCAST)) == 7


async def test_pause_resume_cancel_and_done(database: AsyncEngine) -> None:
    await _people(database)
    sessions = session_factory(database)
    broadcast_id = await _sending(database)
    async with sessions() as db, db.begin():
        assert await broadcasts.pause(db, broadcast_id, AT)
        assert not await broadcasts.pause(db, broadcast_id, AT)  # already paused
    assert await outbox.claim(sessions, "w1", "telegram", 100, AT, LEASE) == []
    async with sessions() as db, db.begin():
        assert await broadcasts.resume(db, broadcast_id, AT)
    claimed = await outbox.claim(sessions, "w1", "telegram", 3, AT, LEASE)
    assert len(claimed) == 3 and {c.broadcast_id for c in claimed} == {broadcast_id}
    for message in claimed:
        assert await outbox.finish(sessions, message.id, "w1", outbox.SENT, AT)
    async with sessions() as db, db.begin():
        assert await broadcasts.cancel(db, broadcast_id, AT) == 4
        assert await broadcasts.cancel(db, broadcast_id, AT) is None
        progress = (await broadcasts.progress(db, [broadcast_id]))[broadcast_id]
    assert progress.as_dict() == {
        "queued": 7,
        "sent": 3,
        "blocked": 0,
        "opted_out": 0,
        "failed": 0,
        "cancelled": 4,
        "remaining": 0,
    }
    assert await outbox.claim(sessions, "w1", "telegram", 100, AT, LEASE) == []

    done_id = await _sending(database, Segment(province="punjab"))
    claimed = await outbox.claim(sessions, "w1", "telegram", 100, AT, LEASE)
    assert await broadcasts.settle(sessions, AT) == 0  # claimed, not finished
    for message in claimed:
        await outbox.finish(sessions, message.id, "w1", outbox.SENT, AT)
    assert await broadcasts.settle(sessions, AT) == 1
    async with sessions() as db:
        done = await broadcasts.get(db, done_id)
    assert done is not None and done.state == broadcasts.DONE and done.finished_at is not None


async def test_an_opt_out_after_queueing_is_honoured_at_claim(database: AsyncEngine) -> None:
    ids = await _people(database)
    sessions = session_factory(database)
    broadcast_id = await _sending(database, Segment(province="punjab"))
    async with sessions() as db, db.begin():
        await db.execute(
            update(User).where(User.id == ids["punjab_food_en"]).values(opted_out_at=AT)
        )
        await db.execute(
            update(User).where(User.id == ids["punjab_construction_ur"]).values(blocked_at=AT)
        )
    assert await outbox.claim(sessions, "w1", "telegram", 100, AT, LEASE) == []
    async with sessions() as db:
        progress = (await broadcasts.progress(db, [broadcast_id]))[broadcast_id]
    assert (progress.opted_out, progress.blocked, progress.remaining) == (1, 1, 0)
    assert await broadcasts.settle(sessions, AT) == 1


async def test_notices_go_before_broadcast_rows(database: AsyncEngine) -> None:
    ids = await _people(database)
    sessions = session_factory(database)
    await _sending(database)
    async with sessions() as db, db.begin():  # queued after the broadcast, due later
        notice = await outbox.queue(
            db, outbox.STATUS_NOTICE, "telegram", "u1", "en", {"status": "contacted"},
            AT + timedelta(seconds=1), ids["punjab_food_en"],
        )  # fmt: skip
    claimed = await outbox.claim(sessions, "w1", "telegram", 2, AT + timedelta(seconds=1), LEASE)
    assert claimed[0].id == notice.id
    assert claimed[1].kind == outbox.BROADCAST


async def test_expanding_many_rows_is_one_statement(database: AsyncEngine) -> None:
    """5,000 users queued in one INSERT ... SELECT (the benchmark does 100,000)."""
    async with database.begin() as connection:
        await connection.execute(
            User.__table__.insert(),
            [
                {
                    "channel": "telegram",
                    "external_id": str(900_000 + n),
                    "language": ("en", "ur", "ja")[n % 3],
                    "created_at": AT,
                    "last_seen_at": AT,
                }
                for n in range(5_000)
            ],
        )
    broadcast_id = await _sending(database, Segment(language="ja"))
    async with session_factory(database)() as db:
        rows = await db.scalar(
            select(OutboxMessage.id).where(OutboxMessage.broadcast_id == broadcast_id).limit(1)
        )
        progress = (await broadcasts.progress(db, [broadcast_id]))[broadcast_id]
    assert rows is not None and progress.queued == progress.remaining == 1_666


async def test_a_blocked_user_who_writes_again_is_reached_again(database: AsyncEngine) -> None:
    sessions = session_factory(database)
    repository = Repository(sessions, single_writer=database.dialect.name == "sqlite")
    async with repository.user("telegram", "7777") as unit:
        unit.seen("en")
    async with sessions() as db, db.begin():
        await db.execute(update(User).values(blocked_at=AT))
        assert await broadcasts.reach(db, Segment()) == 0
    async with repository.user("telegram", "7777") as unit:  # a message from them
        unit.seen("en")
    async with sessions() as db:
        assert await broadcasts.reach(db, Segment()) == 1
