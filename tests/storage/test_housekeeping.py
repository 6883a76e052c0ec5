"""The background jobs' SQL on SQLite and PostgreSQL: which conversations get a reminder
(and in what batches), what the retention purge empties and keeps, which old outbox rows go,
and that an opt-out or a /delete drops a reminder still waiting to be sent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage import housekeeping, outbox
from bot.storage.db import session_factory
from bot.storage.models import Conversation, FunnelEvent, OutboxMessage, User
from bot.storage.repository import Repository
from tests.staff.factory import add_lead, add_user

NOW = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)  # noon in Pakistan
FLOWS = ["registration"]


async def conversation(
    database: AsyncEngine,
    idle: timedelta,
    flow: str | None = "registration",
    user_id: int | None = None,
    reminded_at: datetime | None = None,
    **user: Any,
) -> int:
    """A user whose conversation (in ``flow``, with personal answers) was last touched
    ``idle`` before NOW; returns the user id."""
    if user_id is None:
        user_id = await add_user(database, **user)
    state = {
        "flow": flow,
        "step": "mobile",
        "answers": {"registration": {"full_name": "Test Person", "cnic": "4210148172635"}},
    }
    async with database.begin() as connection:
        await connection.execute(
            insert(Conversation).values(
                user_id=user_id,
                state=state,
                flow=flow,
                updated_at=NOW - idle,
                reminded_at=reminded_at,
            )
        )
    return user_id


async def conversations(database: AsyncEngine) -> dict[int, Conversation]:
    async with session_factory(database)() as db:
        return {c.user_id: c for c in (await db.scalars(select(Conversation))).all()}


async def test_reminders_go_to_idle_unfinished_registrations_only(database: AsyncEngine) -> None:
    day = timedelta(hours=25)
    due = [
        await conversation(database, day, language="ur"),
        await conversation(database, day * 2, language="ja"),
        await conversation(database, day * 3, language=None),
    ]
    not_due = [
        await conversation(database, timedelta(hours=2)),  # idle for too short a time
        await conversation(database, day, opted_out_at=NOW - day),
        await conversation(database, day, blocked_at=NOW - day),
        await conversation(database, day, flow="eligibility"),  # not a registration
        await conversation(database, day, flow=None),  # nothing in progress
        await conversation(database, day, reminded_at=NOW - day),  # reminded already
        await conversation(database, day, channel="terminal"),  # no sender there
    ]
    registered = await add_lead(database)  # their lead's user, registering again
    async with session_factory(database)() as db:
        lead_user = await db.scalar(select(User.id).order_by(User.id.desc()).limit(1))
    assert registered and lead_user is not None
    await conversation(database, day, user_id=lead_user)
    sessions = session_factory(database)
    before = await conversations(database)

    counted = []
    key = None
    for _ in range(3):  # batches of two, each going on after the last: 2, 1, then none left
        queued, key = await housekeeping.queue_reminders(
            sessions, FLOWS, ["telegram"], NOW - timedelta(hours=24), NOW, 2, key
        )
        counted.append(queued)
    assert counted == [2, 1, 0]
    again, _ = await housekeeping.queue_reminders(  # from the start: all reminded already
        sessions, FLOWS, ["telegram"], NOW - timedelta(hours=24), NOW, 10
    )
    assert again == 0
    rows = await outbox.messages(sessions, housekeeping.REMINDER)
    assert sorted(row.user_id or 0 for row in rows) == sorted(due)
    by_user = {row.user_id: row for row in rows}
    assert [by_user[u].language for u in due] == ["ur", "ja", "en"]
    assert all(row.payload == {"flow": "registration"} for row in rows)
    assert all(row.state == "pending" and outbox.as_utc(row.next_attempt_at) == NOW for row in rows)
    after = await conversations(database)
    for user_id in due:  # marked, and the worker's last activity unchanged
        assert after[user_id].reminded_at is not None
        assert after[user_id].updated_at == before[user_id].updated_at
    for user_id in not_due:
        assert after[user_id].reminded_at == before[user_id].reminded_at


async def test_the_purge_empties_old_unfinished_conversations(database: AsyncEngine) -> None:
    old = timedelta(days=31)
    purged = [await conversation(database, old, language="ur"), await conversation(database, old)]
    kept_recent = await conversation(database, timedelta(days=29))
    kept_idle = await conversation(database, old, flow=None)  # nothing in progress
    await add_lead(database)
    async with session_factory(database)() as db:
        lead_user = await db.scalar(select(User.id).order_by(User.id.desc()).limit(1))
    assert lead_user is not None
    await conversation(database, old, user_id=lead_user)  # registered: not "unfinished"
    async with database.begin() as connection:
        await connection.execute(
            insert(FunnelEvent).values(user_id=purged[0], flow="registration", kind="step")
        )
    sessions = session_factory(database)

    assert await housekeeping.flows_in_progress(sessions) == ["registration"]
    counted, key = [], None
    for _ in range(3):
        purged_now, key = await housekeeping.purge_unfinished(
            sessions, "registration", NOW - timedelta(days=30), 1, key
        )
        counted.append(purged_now)
    assert counted == [1, 1, 0]
    after = await conversations(database)
    for user_id in purged:
        assert after[user_id].state == {} and after[user_id].flow is None
    for user_id in (kept_recent, kept_idle, lead_user):
        assert after[user_id].state["answers"]["registration"]["cnic"] == "4210148172635"
    async with session_factory(database)() as db:  # the user and the anonymous events stay
        user = await db.get(User, purged[0])
        assert user is not None and user.language == "ur"
        events = (await db.scalars(select(FunnelEvent.user_id))).all()
        assert list(events) == [purged[0]]


async def test_old_finished_reminders_and_announcements_are_deleted(database: AsyncEngine) -> None:
    sessions = session_factory(database)
    user_id = await add_user(database)
    old, recent = NOW - timedelta(days=91), NOW - timedelta(days=89)
    rows = [
        ("reminder", "sent", old, True),
        ("reminder", "failed", old, True),
        ("reminder", "blocked", old, True),
        ("new_leads", "sent", old, True),
        ("reminder", "pending", old, False),  # not finished
        ("reminder", "sent", recent, False),
        ("status", "sent", old, False),  # the lead's timeline shows it
        ("broadcast", "sent", old, False),  # a broadcast's counts
    ]
    async with database.begin() as connection:
        for kind, state, at, _ in rows:
            await connection.execute(
                insert(OutboxMessage).values(
                    kind=kind,
                    channel="telegram",
                    chat_id="1",
                    user_id=user_id,
                    language="en",
                    payload={},
                    state=state,
                    next_attempt_at=at,
                    created_at=at,
                )
            )
    assert await housekeeping.purge_outbox(sessions, NOW - timedelta(days=90), 3) == 3
    assert await housekeeping.purge_outbox(sessions, NOW - timedelta(days=90), 3) == 1
    assert await housekeeping.purge_outbox(sessions, NOW - timedelta(days=90), 3) == 0
    left = [(row.kind, row.state) for row in await outbox.messages(sessions)]
    assert left == [(k, s) for k, s, _, gone in rows if not gone]


async def test_an_opt_out_or_a_delete_drops_a_queued_reminder(database: AsyncEngine) -> None:
    sessions = session_factory(database)
    repository = Repository(sessions)
    users = []
    for name in ("opts-out", "deletes", "stays"):
        users.append(await conversation(database, timedelta(hours=30), external_id=name))
    await housekeeping.queue_reminders(
        sessions, FLOWS, ["telegram"], NOW - timedelta(hours=24), NOW, batch=10
    )
    assert len(await outbox.messages(sessions, housekeeping.REMINDER)) == 3
    async with repository.user("telegram", "opts-out") as unit:
        await unit.opt_out(NOW)
    async with repository.user("telegram", "deletes") as unit:
        await unit.erase()
    (left,) = await outbox.messages(sessions, housekeeping.REMINDER)
    assert left.user_id == users[2]
    async with session_factory(database)() as db:
        user = await db.get(User, users[0])
        assert user is not None and outbox.as_utc(user.opted_out_at or NOW) == NOW
        assert user.opted_out_at is not None
        assert await db.get(User, users[1]) is None


async def test_a_worker_who_comes_back_is_not_sent_the_queued_reminder(
    database: AsyncEngine,
) -> None:
    """The reminder was queued (say at night, for the morning) and the worker wrote before it
    went: it is dropped as they write; someone else's stays."""
    sessions = session_factory(database)
    repository = Repository(sessions)
    back = await conversation(database, timedelta(hours=30), external_id="comes-back")
    away = await conversation(database, timedelta(hours=30), external_id="stays-away")
    await housekeeping.queue_reminders(
        sessions, FLOWS, ["telegram"], NOW - timedelta(hours=24), NOW, batch=10
    )
    assert len(await outbox.messages(sessions, housekeeping.REMINDER)) == 2
    async with repository.user("telegram", "comes-back") as unit:
        await unit.came_back()
    (left,) = await outbox.messages(sessions, housekeeping.REMINDER)
    assert left.user_id == away != back
    async with repository.user("telegram", "comes-back") as unit:  # and once more: nothing
        await unit.came_back()
    assert len(await outbox.messages(sessions, housekeeping.REMINDER)) == 1
