"""The fake Bot API's strict modes, through python-telegram-bot over real HTTP: a rate limit
that answers 429 beyond N messages in any second (as Telegram does for bulk sending), and a
hold under which a call whose client goes away never takes effect."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from telegram.error import RetryAfter

from tests.fake_bot_api import TOKEN, FakeBotApi


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=api.base_url, base_file_url=api.base_file_url) as ptb:
        yield ptb


async def test_beyond_the_rate_a_message_gets_429(api: FakeBotApi, bot: Bot) -> None:
    api.user(3101)
    api.rate_limit = 5
    for n in range(5):
        await bot.send_message(3101, f"message {n}")
    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(3101, "one too many")
    assert raised.value._retry_after.total_seconds() == 1
    assert len(api.too_many) == 1 and len(api.messages(3101)) == 5
    await bot.get_me()  # not a message: not limited
    await asyncio.sleep(1.05)
    await bot.send_message(3101, "after a second")
    assert len(api.messages(3101)) == 6


async def test_a_held_call_whose_client_left_has_no_effect(api: FakeBotApi, bot: Bot) -> None:
    api.user(3102)
    api.hold()
    task = asyncio.create_task(bot.send_message(3102, "never arrives"))
    await asyncio.sleep(0.3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.sleep(0.1)
    api.release()
    await asyncio.sleep(0.1)
    assert api.messages(3102) == []
    await bot.send_message(3102, "arrives")
    assert [m.text for m in api.messages(3102)] == ["arrives"]
