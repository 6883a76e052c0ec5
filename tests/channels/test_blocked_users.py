"""A worker who blocked the bot (403 "bot was blocked by the user") is marked, by a failed
reply and by a failed outbox send alike; the outbox then skips them until they write again.
And the outbox sender on the application's bot goes through the shared limiter (bulk class).
Real PTB over real HTTP to the fake Bot API, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram.ext import ExtBot

from bot.app import Services
from bot.channels.limits import Limits, TelegramLimiter
from bot.channels.request import AiohttpRequest
from bot.channels.sender import OutboxSender
from bot.storage import outbox
from bot.storage.db import session_factory
from bot.storage.models import User
from tests.channels.conftest import Person
from tests.channels.test_outbox_sender import FAST, notice_for, officer, row
from tests.fake_bot_api import TOKEN, FakeBotApi

LEASE = timedelta(minutes=2)


async def blocked_at(sessions: async_sessionmaker[AsyncSession], chat: int) -> datetime | None:
    async with sessions() as db:
        return await db.scalar(select(User.blocked_at).where(User.external_id == str(chat)))


async def queue_notice(sessions: async_sessionmaker[AsyncSession], chat: int) -> int:
    """A status notice for the user of this chat, due now; its id."""
    async with sessions() as db, db.begin():
        user_id = await db.scalar(select(User.id).where(User.external_id == str(chat)))
        payload = {"lead_id": 0, "reference": "SSW-XXXX-XXXX", "status": "contacted"}
        message = await outbox.queue(
            db,
            outbox.STATUS_NOTICE,
            "telegram",
            str(chat),
            "en",
            payload,
            datetime.now(UTC),
            user_id,
        )
        return message.id


async def claimable(sessions: async_sessionmaker[AsyncSession]) -> list[int]:
    now = datetime.now(UTC) + timedelta(seconds=1)
    claimed = await outbox.claim(sessions, f"probe-{now.timestamp()}", "telegram", 10, now, LEASE)
    for message in claimed:  # let it go again
        await outbox.finish(
            sessions,
            message.id,
            f"probe-{now.timestamp()}",
            outbox.PENDING,
            now,
            count_attempt=False,
        )
    return [message.id for message in claimed]


async def test_a_refused_reply_marks_the_user_and_writing_again_clears_it(
    api: FakeBotApi, bot: Services
) -> None:
    sessions = session_factory(bot.database)
    person = Person(api.user(3101))
    await person.user.send("/start")
    await person.turn()
    assert await blocked_at(sessions, 3101) is None
    person.user.blocked = True
    await person.user.tap_data("l:en")
    await api.wait_idle()
    for _ in range(50):
        if await blocked_at(sessions, 3101) is not None:
            break
        await asyncio.sleep(0.05)
    assert await blocked_at(sessions, 3101) is not None
    notice = await queue_notice(sessions, 3101)
    assert notice not in await claimable(sessions)  # skipped while blocked
    person.user.blocked = False
    await person.user.send("/start")
    await person.turn()
    assert await blocked_at(sessions, 3101) is None
    assert notice in await claimable(sessions)  # and sent again once they write


async def test_an_outbox_send_refused_marks_the_user(
    api: FakeBotApi, database: AsyncEngine
) -> None:
    sessions = session_factory(database)
    account = await officer(sessions)
    api.user(3201).blocked = True
    first = await notice_for(api, database, account, 3201)
    limits = Limits()
    async with ExtBot(
        TOKEN,
        base_url=api.base_url,
        request=AiohttpRequest(),
        rate_limiter=TelegramLimiter(limits),
    ) as ptb_bot:
        sender = OutboxSender(ptb_bot, sessions, FAST)
        assert sender.limited  # paced by the shared limiter, as bulk
        assert await sender.run_once() == 1
        assert (await row(database, first)).state == "blocked"
        assert await blocked_at(sessions, 3201) is not None
        second = await queue_notice(sessions, 3201)  # a later notice waits
        assert await sender.run_once() == 0
        assert (await row(database, second)).state == "pending"
        assert len(api.calls_to("sendMessage")) == 1


async def test_the_limited_outbox_hands_a_429_back_without_counting_it(
    api: FakeBotApi, database: AsyncEngine
) -> None:
    sessions = session_factory(database)
    account = await officer(sessions)
    message_id = await notice_for(api, database, account, 3301)
    api.retry_after_once("sendMessage", 1)
    limits = Limits()
    async with ExtBot(
        TOKEN,
        base_url=api.base_url,
        request=AiohttpRequest(),
        rate_limiter=TelegramLimiter(limits),
    ) as ptb_bot:
        sender = OutboxSender(ptb_bot, sessions, FAST)
        assert await sender.run_once() == 1
        waiting = await row(database, message_id)
        assert (waiting.state, waiting.attempts, waiting.last_error) == ("pending", 0, "RetryAfter")
        assert limits.bulk_paused_for() > 0.5  # bulk waits as Telegram asked
        assert len(api.calls_to("sendMessage")) == 1  # a bulk send is not retried in place
