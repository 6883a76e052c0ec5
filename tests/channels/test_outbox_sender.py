"""The outbox sender over real HTTP: python-telegram-bot's ``Bot`` against the fake Bot API,
on SQLite and PostgreSQL. A blocked chat is marked blocked after one try; a 429 is waited out
and the notice delivered once; transient errors are retried a bounded number of times; two
senders on PostgreSQL never send a notice twice; the staff group hears of new leads in one
batched message without personal data."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram import Bot

from bot.channels.sender import Background, OutboxSender, SenderSettings
from bot.storage import outbox
from bot.storage import staff as store
from bot.storage.db import create_engine, session_factory
from bot.storage.models import Lead, OutboxMessage, User
from bot.storage.staff_models import StaffAccount
from tests.conftest import _truncate
from tests.fake_bot_api import TOKEN, FakeBotApi
from tests.staff import factory

FAST = SenderSettings(
    worker="sender-test",
    poll_seconds=0.05,
    backoff_seconds=0.0,
    per_second=1000.0,
    chat_interval=0.0,
    group_interval=0.0,
)
GROUP = -1001234


class Clock:
    def __init__(self) -> None:
        self.at = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@pytest.fixture
async def ptb_bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=api.base_url, base_file_url=api.base_file_url) as bot:
        yield bot


async def officer(sessions: async_sessionmaker[AsyncSession]) -> StaffAccount:
    async with sessions() as db, db.begin():
        return await store.add_account(db, "officer1", "not-a-real-hash", "officer", Clock()())


async def notice_for(
    api: FakeBotApi, database: AsyncEngine, account: StaffAccount, chat: int, **lead: str
) -> int:
    """A worker on Telegram (chat ``chat``) whose lead an officer moves to "contacted"."""
    api.user(chat)
    reference = await factory.add_lead(database, **lead)
    sessions = session_factory(database)
    async with sessions() as db, db.begin():
        row = await db.scalar(select(Lead).where(Lead.reference == reference))
        assert row is not None and row.user_id is not None
        await db.execute(update(User).where(User.id == row.user_id).values(external_id=str(chat)))
        await store.change_status(db, row, "contacted", account, Clock()(), notify=("telegram",))
    messages = await outbox.messages(sessions)
    return messages[-1].id


async def row(database: AsyncEngine, message_id: int) -> OutboxMessage:
    async with session_factory(database)() as db:
        found = await db.get(OutboxMessage, message_id)
    assert found is not None
    return found


async def test_a_blocked_chat_is_marked_blocked_after_one_try(
    api: FakeBotApi, ptb_bot: Bot, database: AsyncEngine
) -> None:
    sessions = session_factory(database)
    account = await officer(sessions)
    api.user(2101).blocked = True
    blocked = await notice_for(api, database, account, 2101)
    delivered = await notice_for(api, database, account, 2102)
    sender = OutboxSender(ptb_bot, sessions, FAST)

    assert await sender.run_once() == 2
    for _ in range(3):
        assert await sender.run_once() == 0  # nothing is tried again
    assert len(api.calls_to("sendMessage")) == 2
    stopped = await row(database, blocked)
    assert (stopped.state, stopped.attempts, stopped.last_error) == ("blocked", 1, "Forbidden")
    assert (await row(database, delivered)).state == "sent"
    assert api.messages(2101) == [] and len(api.messages(2102)) == 1


async def test_a_429_is_waited_out_and_the_notice_delivered_once(
    api: FakeBotApi, ptb_bot: Bot, database: AsyncEngine
) -> None:
    sessions = session_factory(database)
    account = await officer(sessions)
    message_id = await notice_for(api, database, account, 2201)
    api.retry_after_once("sendMessage", 1)
    background = Background(OutboxSender(ptb_bot, sessions, FAST))
    background.start()
    try:
        notice = await api.user(2201).reply(timeout=10)
    finally:
        await background.stop()
    refused, accepted = api.times_of("sendMessage")  # exactly two calls: refused, then sent
    assert accepted - refused >= 1.0  # it waited as long as Telegram asked
    assert "OEC has tried to contact you" in notice.text
    assert len(api.messages(2201)) == 1
    sent = await row(database, message_id)
    assert (sent.state, sent.attempts) == ("sent", 1)  # the 429 was not counted as an attempt


async def test_transient_errors_are_retried_a_bounded_number_of_times(
    api: FakeBotApi, ptb_bot: Bot, database: AsyncEngine
) -> None:
    sessions = session_factory(database)
    account = await officer(sessions)
    message_id = await notice_for(api, database, account, 2301)
    api.fail_methods["sendMessage"] = (502, "Bad Gateway")
    sender = OutboxSender(ptb_bot, sessions, replace(FAST, max_attempts=3))
    for _ in range(6):
        await sender.run_once()
    assert len(api.calls_to("sendMessage")) == 3
    failed = await row(database, message_id)
    assert (failed.state, failed.attempts) == ("failed", 3)


async def test_backoff_doubles_between_transient_failures(
    api: FakeBotApi, ptb_bot: Bot, database: AsyncEngine
) -> None:
    sessions = session_factory(database)
    account = await officer(sessions)
    message_id = await notice_for(api, database, account, 2401)
    api.fail_methods["sendMessage"] = (502, "Bad Gateway")
    clock = Clock()
    sender = OutboxSender(ptb_bot, sessions, replace(FAST, backoff_seconds=10.0), now=clock)
    await sender.run_once()
    first = await row(database, message_id)
    waited = first.next_attempt_at.replace(tzinfo=UTC) - clock.at.replace(tzinfo=UTC)
    assert waited == timedelta(seconds=10)
    clock.advance(seconds=5)
    assert await sender.run_once() == 0  # not due yet
    clock.advance(seconds=5)
    assert await sender.run_once() == 1
    second = await row(database, message_id)
    waited = second.next_attempt_at.replace(tzinfo=UTC) - clock.at.replace(tzinfo=UTC)
    assert waited == timedelta(seconds=20) and second.attempts == 2


async def test_the_group_hears_of_new_leads_in_one_batch_without_personal_data(
    api: FakeBotApi, ptb_bot: Bot, database: AsyncEngine
) -> None:
    api.group(GROUP)
    for answers in (
        {"sectors": ["construction", "agriculture"]},
        {"sectors": ["construction"], "province": "sindh"},
        {"province": "sindh"},
    ):
        await factory.add_lead(database, answers=answers)
    clock = Clock()
    settings = replace(FAST, group_chat_id=GROUP, announce_every=timedelta(minutes=10))
    sender = OutboxSender(ptb_bot, session_factory(database), settings, now=clock)

    await sender.run_once()
    (announcement,) = api.messages(GROUP)
    assert announcement.text == (
        "3 new registrations\nWork: Construction 3, Agriculture 1\nProvinces: Sindh 2, Punjab 1"
    )
    async with session_factory(database)() as db:
        leads = (await db.scalars(select(Lead))).all()
    for lead in leads:
        for secret in (lead.full_name, lead.cnic, lead.mobile[3:], lead.reference):
            assert secret not in announcement.text

    await factory.add_lead(database, answers={"sectors": ["caregiving"]})
    clock.advance(minutes=5)
    await sender.run_once()
    assert len(api.messages(GROUP)) == 1  # one message per ten minutes at most
    clock.advance(minutes=5)
    await sender.run_once()
    assert api.messages(GROUP)[-1].text.startswith("1 new registration\n")
    clock.advance(minutes=10)
    await sender.run_once()
    assert len(api.messages(GROUP)) == 2  # nothing new: nothing said


async def test_the_group_announcement_in_urdu_reads_right_to_left(
    api: FakeBotApi, ptb_bot: Bot, database: AsyncEngine
) -> None:
    api.group(GROUP)
    await factory.add_lead(database)
    settings = replace(FAST, group_chat_id=GROUP, group_language="ur")
    await OutboxSender(ptb_bot, session_factory(database), settings).run_once()
    (announcement,) = api.messages(GROUP)
    for line in announcement.text.split("\n"):
        assert line.startswith("\u200f") and "\u0600" <= line[1] <= "\u06ff", line


async def test_a_bare_bot_is_paced_by_limits_of_its_own(
    api: FakeBotApi, ptb_bot: Bot, database: AsyncEngine
) -> None:
    """A ``Bot`` without a limiter (``per_second`` 5): ``bot.channels.limits`` paces it all
    the same, as the fake counts arrivals: 5 at once, then 5 a second later, then 2."""
    sessions = session_factory(database)
    account = await officer(sessions)
    chats = list(range(2701, 2713))
    for chat in chats:
        await notice_for(api, database, account, chat)
    sender = OutboxSender(ptb_bot, sessions, replace(FAST, per_second=5.0))
    assert not sender.limited
    assert await sender.run_once() == len(chats)
    times = api.times_of("sendMessage")
    assert len(times) == len(chats) and api.too_many == []
    assert max(sum(1 for u in times if t - 1.0 < u <= t) for t in times) == 5
    assert times[-1] - times[0] >= 2.0
    assert [len(api.messages(chat)) for chat in chats] == [1] * len(chats)


@pytest.fixture
def pg_url(postgres_url: str) -> str:
    _truncate(postgres_url)
    return postgres_url


async def test_two_senders_on_postgresql_never_send_a_notice_twice(
    api: FakeBotApi, ptb_bot: Bot, pg_url: str
) -> None:
    database = create_engine(pg_url)
    try:
        sessions = session_factory(database)
        account = await officer(sessions)
        chats = list(range(2501, 2541))
        for chat in chats:
            await notice_for(api, database, account, chat)
        senders = [
            Background(OutboxSender(ptb_bot, sessions, replace(FAST, worker=name, batch=3)))
            for name in ("sender-a", "sender-b")
        ]
        for background in senders:
            background.start()
        deadline = time.monotonic() + 20
        while (await outbox.counts(sessions)).get("sent", 0) < len(chats):
            assert time.monotonic() < deadline, await outbox.counts(sessions)
            await asyncio.sleep(0.05)
        for background in senders:
            await background.stop()
        assert [len(api.messages(chat)) for chat in chats] == [1] * len(chats)
        assert len(api.calls_to("sendMessage")) == len(chats)
    finally:
        await database.dispose()


async def test_a_second_sender_does_not_announce_before_the_interval(
    api: FakeBotApi, ptb_bot: Bot, database: AsyncEngine
) -> None:
    """A restarted or second instance looks at the outbox: one announcement per interval."""
    api.group(GROUP)
    clock = Clock()
    settings = replace(FAST, group_chat_id=GROUP, announce_every=timedelta(minutes=10))
    await factory.add_lead(database)
    await OutboxSender(ptb_bot, session_factory(database), settings, now=clock).run_once()
    await factory.add_lead(database)
    clock.advance(minutes=3)
    restarted = OutboxSender(ptb_bot, session_factory(database), settings, now=clock)
    await restarted.run_once()
    assert len(api.messages(GROUP)) == 1
    clock.advance(minutes=7)
    await restarted.run_once()
    assert [m.text.split("\n")[0] for m in api.messages(GROUP)] == ["1 new registration"] * 2


async def test_after_a_429_the_rest_of_the_batch_waits_too(
    api: FakeBotApi, ptb_bot: Bot, database: AsyncEngine
) -> None:
    """The claimed batch is given back until Telegram's wait is over (so no claim outlives
    its lease while waiting), then every notice goes once."""
    sessions = session_factory(database)
    account = await officer(sessions)
    ids = [await notice_for(api, database, account, chat) for chat in (2601, 2602, 2603)]
    api.retry_after_once("sendMessage", 1)
    sender = OutboxSender(ptb_bot, sessions, replace(FAST, concurrency=1))  # one at a time
    assert await sender.run_once() == 3
    assert len(api.calls_to("sendMessage")) == 1  # refused; the other two were not tried
    for message_id in ids:
        waiting = await row(database, message_id)
        assert (waiting.state, waiting.attempts, waiting.claimed_by) == ("pending", 0, None)
    assert await sender.run_once() == 0  # not before the wait is over
    await asyncio.sleep(1.05)
    assert await sender.run_once() == 3
    times = api.times_of("sendMessage")
    assert len(times) == 4 and min(times[1:]) - times[0] >= 1.0
    assert [len(api.messages(chat)) for chat in (2601, 2602, 2603)] == [1, 1, 1]
