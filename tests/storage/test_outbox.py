"""The outbox in storage, on SQLite and PostgreSQL: a status change queues its notice in the
same transaction, claims are leased (a dead sender's rows are taken over, a live one's are
not), finishing needs the claim, new leads are announced once and without personal data, and
on PostgreSQL concurrent claimers never claim the same row."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.storage import outbox
from bot.storage import staff as store
from bot.storage.db import create_engine, session_factory
from bot.storage.models import Lead, User
from bot.storage.repository import Repository
from bot.storage.staff_models import StaffAccount
from tests.conftest import _truncate
from tests.staff import factory

AT = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
LEASE = timedelta(minutes=2)
HALF = timedelta(minutes=1)
TELEGRAM = ("telegram",)


async def officer(sessions: async_sessionmaker[AsyncSession]) -> StaffAccount:
    async with sessions() as db, db.begin():
        return await store.add_account(db, "officer1", "not-a-real-hash", "officer", AT)


async def lead_of(sessions: async_sessionmaker[AsyncSession], reference: str) -> Lead:
    async with sessions() as db:
        lead = await db.scalar(select(Lead).where(Lead.reference == reference))
    assert lead is not None
    return lead


async def move(
    sessions: async_sessionmaker[AsyncSession],
    reference: str,
    status: str,
    account: StaffAccount,
    notify: tuple[str, ...] = TELEGRAM,
    fail: bool = False,
) -> None:
    async with sessions() as db, db.begin():
        lead = await store.lead_by_id(db, (await lead_of(sessions, reference)).id, for_update=True)
        assert lead is not None
        await store.change_status(db, lead, status, account, AT, "Fake note", notify=notify)
        if fail:
            raise RuntimeError("the request failed after the change")


async def test_a_status_change_queues_its_notice_in_the_same_transaction(
    database: AsyncEngine,
) -> None:
    sessions = session_factory(database)
    account = await officer(sessions)
    reference = await factory.add_lead(database, language="ur")

    with pytest.raises(RuntimeError):
        await move(sessions, reference, "contacted", account, fail=True)
    assert await outbox.messages(sessions) == []  # rolled back with the status change
    assert (await lead_of(sessions, reference)).status == "new"

    await move(sessions, reference, "contacted", account)
    (message,) = await outbox.messages(sessions)
    lead = await lead_of(sessions, reference)
    assert lead.status == "contacted"
    async with sessions() as db:
        user = await db.get(User, lead.user_id)
    assert user is not None
    assert (message.kind, message.channel, message.chat_id) == (
        "status",
        "telegram",
        user.external_id,
    )
    assert message.payload == {"lead_id": lead.id, "reference": reference, "status": "contacted"}
    assert message.state == "pending" and message.attempts == 0 and message.user_id == user.id
    assert "Fake note" not in json.dumps(message.payload)  # the staff's note never goes out

    await move(sessions, reference, "documents", account, notify=())  # a stage not told
    assert len(await outbox.messages(sessions)) == 1


async def test_no_notice_for_a_worker_on_a_channel_without_a_sender(database: AsyncEngine) -> None:
    sessions = session_factory(database)
    account = await officer(sessions)
    reference = await factory.add_lead(database)
    lead = await lead_of(sessions, reference)
    async with database.begin() as connection:
        await connection.execute(
            update(User).where(User.id == lead.user_id).values(channel="terminal")
        )
    await move(sessions, reference, "contacted", account)
    assert await outbox.messages(sessions) == []


async def queue_notices(database: AsyncEngine, count: int) -> list[int]:
    sessions = session_factory(database)
    account = await officer(sessions)
    for _ in range(count):
        await move(sessions, await factory.add_lead(database), "contacted", account)
    return [m.id for m in await outbox.messages(sessions)]


async def test_claims_are_leased_and_a_dead_senders_rows_are_taken_over(
    database: AsyncEngine,
) -> None:
    sessions = session_factory(database)
    ids = await queue_notices(database, 3)

    first = await outbox.claim(sessions, "sender-a", "telegram", 2, AT, LEASE)
    assert [c.id for c in first] == ids[:2] and first[0].language == "en"
    second = await outbox.claim(sessions, "sender-b", "telegram", 10, AT + HALF, LEASE)
    assert [c.id for c in second] == ids[2:]  # a's rows are held while its lease runs
    assert await outbox.claim(sessions, "sender-b", "telegram", 10, AT + LEASE, LEASE) == []
    assert await outbox.claim(sessions, "sender-b", "other", 10, AT, LEASE) == []

    later = AT + LEASE + timedelta(seconds=1)  # sender a died: its lease ran out
    taken = await outbox.claim(sessions, "sender-b", "telegram", 10, later, LEASE)
    assert [c.id for c in taken] == ids[:2]
    assert not await outbox.finish(sessions, ids[0], "sender-a", outbox.SENT, later)  # too late
    assert await outbox.finish(sessions, ids[0], "sender-b", outbox.SENT, later)
    assert await outbox.finish(sessions, ids[1], "sender-b", outbox.BLOCKED, later, error="403")
    assert not await outbox.finish(sessions, ids[1], "sender-b", outbox.SENT, later)  # done

    soon = later + timedelta(seconds=30)
    assert await outbox.finish(
        sessions, ids[2], "sender-b", outbox.PENDING, later, next_attempt_at=soon
    )
    assert await outbox.claim(sessions, "sender-c", "telegram", 10, later, LEASE) == []
    (again,) = await outbox.claim(sessions, "sender-c", "telegram", 10, soon, LEASE)
    assert again.id == ids[2] and again.attempts == 1

    rows = {m.id: m for m in await outbox.messages(sessions)}
    assert rows[ids[0]].state == "sent" and rows[ids[0]].sent_at is not None
    assert rows[ids[1]].state == "blocked" and rows[ids[1]].attempts == 1
    assert await outbox.counts(sessions) == {"sent": 1, "blocked": 1, "pending": 1}


async def test_the_workers_current_language_is_used(database: AsyncEngine) -> None:
    sessions = session_factory(database)
    (message_id,) = await queue_notices(database, 1)
    async with database.begin() as connection:
        await connection.execute(update(User).values(language="ja"))
    (claimed,) = await outbox.claim(sessions, "sender-a", "telegram", 1, AT, LEASE)
    assert claimed.id == message_id and claimed.language == "ja"


async def test_new_leads_are_announced_once_without_personal_data(database: AsyncEngine) -> None:
    sessions = session_factory(database)
    references = [
        await factory.add_lead(database, answers={"sectors": ["construction", "agriculture"]}),
        await factory.add_lead(
            database, answers={"sectors": ["construction"], "province": "sindh"}
        ),
        await factory.add_lead(database, answers={"province": "sindh"}),
    ]
    async with sessions() as db, db.begin():
        message = await outbox.queue_new_leads(db, "telegram", "-100123", "en", AT)
    assert message is not None and message.kind == "new_leads" and message.user_id is None
    assert message.payload == {
        "count": 3,
        "sectors": {"construction": 3, "agriculture": 1},
        "provinces": {"sindh": 2, "punjab": 1},
    }
    stored = json.dumps(message.payload)
    for reference in references:
        lead = await lead_of(sessions, reference)
        assert lead.announced_at is not None
        assert lead.updated_at == datetime(2026, 11, 10, 12, tzinfo=UTC).replace(
            tzinfo=lead.updated_at.tzinfo
        )  # announcing is not the worker updating their registration
        for secret in (lead.full_name, lead.cnic, lead.mobile, lead.reference):
            assert secret not in stored

    async with sessions() as db, db.begin():
        assert await outbox.queue_new_leads(db, "telegram", "-100123", "en", AT) is None
    await factory.add_lead(database)
    async with sessions() as db, db.begin():
        message = await outbox.queue_new_leads(db, "telegram", "-100123", "en", AT)
    assert message is not None and message.payload["count"] == 1


@pytest.fixture
def pg_url(postgres_url: str) -> str:
    _truncate(postgres_url)
    return postgres_url


@pytest.fixture
async def pg_engine(pg_url: str) -> AsyncIterator[AsyncEngine]:
    database = create_engine(pg_url)
    try:
        yield database
    finally:
        await database.dispose()


async def test_concurrent_claimers_never_claim_the_same_row_on_postgresql(
    pg_engine: AsyncEngine,
) -> None:
    sessions = session_factory(pg_engine)
    ids = await queue_notices(pg_engine, 60)
    claimed: dict[str, list[int]] = {}

    async def sender(name: str) -> None:
        while batch := await outbox.claim(sessions, name, "telegram", 7, AT, LEASE):
            claimed.setdefault(name, []).extend(c.id for c in batch)
            await asyncio.sleep(0)

    await asyncio.gather(*(sender(f"sender-{n}") for n in range(4)))
    every = [i for got in claimed.values() for i in got]
    assert sorted(every) == sorted(ids)  # each row claimed exactly once
    assert len(claimed) > 1  # and they really ran side by side


async def test_concurrent_announcers_announce_each_lead_once_on_postgresql(
    pg_engine: AsyncEngine,
) -> None:
    sessions = session_factory(pg_engine)
    for _ in range(20):
        await factory.add_lead(pg_engine)

    async def announce() -> int:
        async with sessions() as db, db.begin():
            message = await outbox.queue_new_leads(db, "telegram", "-100123", "en", AT)
            await asyncio.sleep(0.05)  # hold the rows while the others try
            return int(message.payload["count"]) if message else 0

    counts = await asyncio.gather(*(announce() for _ in range(3)))
    assert sum(counts) == 20


async def test_a_worker_who_deletes_their_data_takes_their_notices_along(
    database: AsyncEngine,
) -> None:
    sessions = session_factory(database)
    await queue_notices(database, 1)
    (message,) = await outbox.messages(sessions)
    async with sessions() as db:
        user = await db.get(User, message.user_id)
    assert user is not None
    repository = Repository(sessions, single_writer=database.dialect.name == "sqlite")
    async with repository.user(user.channel, user.external_id) as unit:
        await unit.erase()  # /delete
    assert await outbox.messages(sessions) == []
