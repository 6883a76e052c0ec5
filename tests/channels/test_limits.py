"""Telegram's limits on the way out (``bot.channels.limits``), through a real PTB ``ExtBot``
over real HTTP to the fake Bot API, timed by the fake's clock of arrivals: the overall and
per-chat rates hold, replies overtake a bulk backlog, a 429 pauses what it concerns and is
waited out, timeouts, 5xx and dropped connections are retried a bounded number of times,
refusals never."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.ext import ExtBot

from bot.channels.limits import BULK, Limits, LimitSettings, TelegramLimiter
from bot.channels.request import AiohttpRequest
from bot.metrics import REGISTRY
from tests.fake_bot_api import TOKEN, FakeBotApi

QUICK = LimitSettings(backoff_seconds=0.05, max_backoff_seconds=0.1)


def retries() -> float:
    return REGISTRY.get_sample_value("ssw_api_retries_total", {"method": "sendMessage"}) or 0.0


@pytest.fixture
def make_bot(api: FakeBotApi) -> Callable[[LimitSettings], ExtBot[None]]:
    def make(settings: LimitSettings) -> ExtBot[None]:
        return ExtBot(
            TOKEN,
            base_url=api.base_url,
            request=AiohttpRequest(read_timeout=0.3),
            rate_limiter=TelegramLimiter(Limits(settings)),
        )

    return make


@pytest.fixture
async def bot(make_bot: Callable[[LimitSettings], ExtBot[None]]) -> AsyncIterator[ExtBot[None]]:
    async with make_bot(QUICK) as ptb_bot:
        yield ptb_bot


def most_in_a_window(times: list[float], window: float) -> int:
    return max(sum(1 for t in times if start <= t < start + window) for start in times)


async def test_the_overall_rate_holds(
    api: FakeBotApi, make_bot: Callable[[LimitSettings], ExtBot[None]]
) -> None:
    settings = LimitSettings(per_second=20.0, overall_burst=2)
    for chat in range(1, 41):
        api.user(chat)
    async with make_bot(settings) as bot:
        await asyncio.gather(*(bot.send_message(chat, "hi") for chat in range(1, 41)))
    times = api.times_of("sendMessage")
    assert len(times) == 40
    assert times[-1] - times[0] >= (40 - 2) / 20 * 0.95
    assert most_in_a_window(times, 1.0) <= 20 + 2


async def test_one_chat_gets_a_short_burst_then_one_a_second(
    api: FakeBotApi, bot: ExtBot[None]
) -> None:
    api.user(7)
    await asyncio.gather(*(bot.send_message(7, f"m{i}") for i in range(5)))
    times = api.times_of("sendMessage")
    assert times[2] - times[0] < 0.2  # an answer and the next question: at once
    assert times[3] - times[0] >= 0.9 and times[4] - times[3] >= 0.9
    assert [m.text for m in api.messages(7)] == [f"m{i}" for i in range(5)]  # in order


async def test_edits_and_tap_answers_are_not_held_per_chat(
    api: FakeBotApi, bot: ExtBot[None]
) -> None:
    api.user(8)
    sent = [await bot.send_message(8, f"m{i}") for i in range(3)]  # the burst is spent
    started = time.monotonic()
    for i, message in enumerate(sent):
        await bot.edit_message_text(f"e{i}", chat_id=8, message_id=message.message_id)
    assert time.monotonic() - started < 0.5


async def test_replies_overtake_a_bulk_backlog(
    api: FakeBotApi, make_bot: Callable[[LimitSettings], ExtBot[None]]
) -> None:
    settings = LimitSettings(per_second=20.0, overall_burst=1, bulk_per_second=20.0)
    for chat in range(100, 160):
        api.user(chat)
    async with make_bot(settings) as bot:
        bulk = [
            asyncio.create_task(bot.send_message(chat, "news", rate_limit_args=BULK))
            for chat in range(100, 140)
        ]  # two seconds' worth at 20 a second
        await asyncio.sleep(0.3)
        started = time.monotonic()
        await asyncio.gather(*(bot.send_message(chat, "reply") for chat in range(140, 145)))
        replied = time.monotonic() - started
        await asyncio.gather(*bulk)
    assert replied < 0.5  # 5 replies at 20 a second, not behind the 35 bulk left
    texts = [params["text"] for params in api.calls_to("sendMessage")]
    assert texts.index("reply") < len(texts) - 20  # well before the backlog's end
    assert len(texts) == 45


async def test_a_429_is_waited_out_by_a_reply_and_handed_back_to_bulk(
    api: FakeBotApi, bot: ExtBot[None]
) -> None:
    api.user(9)
    api.user(10)
    before = retries()
    api.retry_after_once("sendMessage", 1)
    started = time.monotonic()
    await bot.send_message(9, "reply")
    assert time.monotonic() - started >= 0.95
    assert [m.text for m in api.messages(9)] == ["reply"]  # sent once
    assert retries() - before == 1
    api.retry_after_once("sendMessage", 1)
    with pytest.raises(RetryAfter):
        await bot.send_message(10, "news", rate_limit_args=BULK)
    started = time.monotonic()
    await bot.send_message(10, "news again", rate_limit_args=BULK)  # bulk is paused too
    assert time.monotonic() - started >= 0.9
    started = time.monotonic()
    await bot.send_message(9, "another reply")  # a reply to another chat is not held
    assert time.monotonic() - started < 0.3


async def test_a_long_429_is_not_waited_by_a_reply(api: FakeBotApi, bot: ExtBot[None]) -> None:
    api.user(11)
    api.retry_after_once("sendMessage", 60)
    with pytest.raises(RetryAfter):
        await bot.send_message(11, "reply")  # the caller learns at once, nothing hangs


async def test_transient_failures_are_retried_a_bounded_number_of_times(
    api: FakeBotApi, bot: ExtBot[None]
) -> None:
    api.user(12)
    before = retries()
    api.fail_once("sendMessage", "500")
    api.fail_once("sendMessage", "reset")
    await bot.send_message(12, "third time")
    assert [m.text for m in api.messages(12)] == ["third time"]
    assert retries() - before == 2
    for fault in ("slow", "502", "reset"):
        api.fail_once("sendMessage", fault, seconds=1.0)
    calls = len(api.calls_to("sendMessage"))
    with pytest.raises(NetworkError):
        await bot.send_message(12, "never")
    assert len(api.calls_to("sendMessage")) - calls == QUICK.reply_attempts


async def test_refusals_are_not_retried(api: FakeBotApi, bot: ExtBot[None]) -> None:
    api.user(13).blocked = True
    with pytest.raises(Forbidden):
        await bot.send_message(13, "blocked")
    api.user(14)
    with pytest.raises(BadRequest):
        await bot.send_message(14, "")
    assert len(api.calls_to("sendMessage")) == 2
