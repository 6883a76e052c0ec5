"""Telegram's limits on the way out (``bot.channels.limits``), through a real PTB ``ExtBot``
over real HTTP to the fake Bot API, timed by the fake's clock of arrivals: the overall and
per-chat rates hold, replies overtake a bulk backlog, a 429 pauses what it concerns and is
waited out, timeouts, 5xx and dropped connections are retried a bounded number of times,
refusals never. Then ``Limits`` alone on a virtual clock, for what must hold exactly: no
second ever holds more than 30 sends, however replies and bulk mix, and replies are never
starved; bulk keeps its rate when sleeps wake late; per-chat and per-group paces."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import AsyncIterator, Awaitable, Callable

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
    """As the fake counts arrivals: 40 at once go as 20, then 20 more a second later."""
    settings = LimitSettings(per_second=20.0)
    for chat in range(1, 41):
        api.user(chat)
    async with make_bot(settings) as bot:
        await asyncio.gather(*(bot.send_message(chat, "hi") for chat in range(1, 41)))
    times = api.times_of("sendMessage")
    assert len(times) == 40
    assert times[-1] - times[0] >= 1.0
    assert most_in_a_window(times, 1.0) == 20
    assert api.too_many == []


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
    settings = LimitSettings(per_second=20.0, bulk_per_second=20.0)
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


# -- Limits alone, on a virtual clock ------------------------------------------------------------


class VirtualTime:
    """A clock and a sleep for ``Limits`` in which time moves only when every task sleeps:
    the earliest sleeper then wakes at its time (plus ``late``, as event loops wake late)."""

    def __init__(self, late: float = 0.0) -> None:
        self.now = 1000.0
        self.late = late
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        woken = asyncio.get_running_loop().create_future()
        at = self.now + max(1e-6, seconds) + self.late  # as a real clock, always moves on
        heapq.heappush(self._sleepers, (at, next(self._order), woken))
        await woken

    async def run(self, *work: Awaitable[None]) -> None:
        tasks = [asyncio.ensure_future(w) for w in work]
        while not all(task.done() for task in tasks):
            for _ in range(20):  # let every task that can go on run up to its next sleep
                await asyncio.sleep(0)
            if self._sleepers:
                at, _, woken = heapq.heappop(self._sleepers)
                self.now = max(self.now, at)
                woken.set_result(None)
            else:
                assert all(task.done() for task in tasks), "every task waits for nothing"
        for task in tasks:
            task.result()

    def limits(self, settings: LimitSettings | None = None) -> Limits:
        return Limits(settings, clock=self.clock, sleep=self.sleep)

    async def send(self, limits: Limits, chat: str, bulk: bool = False, trip: float = 0.0) -> float:
        """One send through ``limits``, answered ``trip`` seconds after it left; when it left."""
        sent = await limits.acquire(chat, bulk=bulk)
        left = self.now
        await self.sleep(trip)
        limits.answered(sent)
        return left


def busiest_second(times: list[float]) -> int:
    """The most sends in any ``(t - 1, t]``: the window Telegram and the fake count in."""
    ordered = sorted(times)
    return max(sum(1 for u in ordered if t - 1.0 < u <= t) for t in ordered)


async def test_no_second_holds_more_than_30_sends_under_replies_and_bulk() -> None:
    """A broadcast backlog, and replies of three messages (burst per chat) four times a
    second, which is more than the 30 can carry along with bulk's 28: the window still
    never holds 31 (a bucket with a burst of 5 lets 35 through in the first second, and
    its refill one more now and then), replies go first and never wait behind the
    backlog, and bulk gets what is left."""
    clock = VirtualTime()
    limits = clock.limits(LimitSettings(bulk_per_second=28.0))
    bulk: list[float] = []
    replies: list[tuple[float, float]] = []  # (asked, sent)

    async def broadcast(chat: int) -> None:
        bulk.append(await clock.send(limits, str(chat), bulk=True))

    async def reply(chat: int, at: float) -> None:
        await clock.sleep(at)
        asked = clock.now
        for _ in range(3):
            replies.append((asked, await clock.send(limits, str(chat), trip=0.0)))

    await clock.run(
        *(broadcast(chat) for chat in range(10_000, 10_300)),
        *(reply(chat, 0.5 + 0.25 * n) for n, chat in enumerate(range(20, 40))),
    )
    sent = bulk + [at for _, at in replies]
    assert len(sent) == 300 + 60
    assert busiest_second(sent) <= 30
    assert max(at - asked for asked, at in replies) < 0.2  # a few places of the window
    replying = [t for t in bulk if 0.5 + 1000 < t <= 5.5 + 1000]  # bulk while replies came
    assert (29 - 12) * 5 <= len(replying) <= (30 - 12) * 5 + 1  # what replies left, no more


async def test_a_reply_goes_first_when_the_window_is_full() -> None:
    """30 bulk sends filled the window; a reply asked then goes at the first free place,
    before the bulk sends waiting since long before it."""
    clock = VirtualTime()
    limits = clock.limits(LimitSettings(bulk_per_second=30.0))
    order: list[str] = []

    async def broadcast(chat: int) -> None:
        await clock.send(limits, str(chat), bulk=True)
        order.append("bulk")

    async def reply() -> None:
        await clock.sleep(0.999)  # the window is full, 30 more bulk are waiting
        asked = clock.now
        await clock.send(limits, "7", trip=0.0)
        order.append("reply")
        assert clock.now - asked < 0.05

    await clock.run(*(broadcast(chat) for chat in range(100, 160)), reply())
    assert order.index("reply") == 30


async def test_bulk_keeps_its_rate_when_sleeps_wake_late() -> None:
    """Every sleep wakes 3 ms late: 281 bulk sends at 28 a second still take 10 s (a bucket
    of one token loses the 3 ms at every send: 25.8 a second), none closer than the gap
    minus the lateness, and no second holds more than 29."""
    clock = VirtualTime(late=0.003)
    limits = clock.limits(LimitSettings(bulk_per_second=28.0))
    sent: list[float] = []

    async def broadcast(chat: int) -> None:
        sent.append(await clock.send(limits, str(chat), bulk=True))

    await clock.run(*(broadcast(chat) for chat in range(1000, 1281)))
    assert 9.99 < sent[-1] - sent[0] < 10.05
    assert min(b - a for a, b in itertools.pairwise(sent)) > 1 / 28 - 0.0031
    assert busiest_second(sent) <= 29


async def test_a_chat_gets_three_at_once_then_one_a_second_and_a_group_one_in_three() -> None:
    clock = VirtualTime()
    limits = clock.limits(LimitSettings(bulk_per_second=28.0))
    sent: dict[str, list[float]] = {"7": [], "-100": []}

    async def send(chat: str, count: int) -> None:
        for _ in range(count):
            sent[chat].append(await clock.send(limits, chat, chat.startswith("-"), 0.0) - 1000)

    await clock.run(send("7", 5), send("-100", 3))
    assert [round(t, 3) for t in sent["7"]] == [0.0, 0.0, 0.0, 1.0, 2.0]
    assert [round(t, 3) for t in sent["-100"]] == [0.0, 3.0, 6.0]


async def test_a_pause_holds_bulk_and_that_chat_not_other_replies() -> None:
    clock = VirtualTime()
    limits = clock.limits(LimitSettings(bulk_per_second=28.0))
    sent: dict[str, float] = {}

    async def send(chat: str, bulk: bool) -> None:
        sent[chat] = await clock.send(limits, chat, bulk) - 1000

    limits.pause("7", 5.0)
    assert limits.bulk_paused_for() == 5.0
    await clock.run(send("7", False), send("8", False), send("9", True))
    assert sent == {"7": 5.0, "8": 0.0, "9": 5.0}


async def test_a_send_answered_late_counts_from_when_it_arrived() -> None:
    """Once 100 answers came in 50 ms: 60 replies asked at once, one of them answered 250 ms
    later than the others (it waited on the way): it may have arrived 250 ms after it left,
    so it counts from then. 30 go at once, 29 a second later, the last 250 ms after those."""
    clock = VirtualTime()
    limits = clock.limits(LimitSettings(margin_seconds=0.0))
    sent: list[float] = []

    async def reply(chat: int, trip: float = 0.05) -> None:
        sent.append(await clock.send(limits, str(chat), trip=trip))

    await clock.run(*(reply(chat) for chat in range(1, 101)))  # what the way takes
    await clock.run(clock.sleep(2.0))
    sent.clear()
    await clock.run(*(reply(chat, 0.3 if chat == 129 else 0.05) for chat in range(100, 160)))
    start = min(sent)
    assert [round(t - start, 3) for t in sorted(sent)] == [0.0] * 30 + [1.0] * 29 + [1.25]


async def test_sends_in_flight_fill_the_window_until_answered() -> None:
    """30 sends not yet answered may all still arrive: the 31st waits for an answer. In a new
    process (no round trip known yet) they count from their answers: it waits a second more."""
    clock = VirtualTime()
    limits = clock.limits(LimitSettings(bulk_per_second=1000.0, margin_seconds=0.0))
    sent: list[float] = []

    async def slow(chat: int) -> None:
        sent.append(await clock.send(limits, str(chat), bulk=True, trip=2.0))

    await clock.run(*(slow(chat) for chat in range(100, 131)))
    assert 3.0 <= max(sent) - min(sent) < 3.1


async def test_bulk_keeps_its_rate_across_the_senders_pauses_between_batches() -> None:
    """The outbox sender sends batches of 28 and claims the next between two (0.15 s, the
    round trip and the database): the missed turns are taken late, so ten batches still
    take 10 s (not 11.5), and no second holds more than 28 bulk sends."""
    clock = VirtualTime()
    limits = clock.limits(LimitSettings(bulk_per_second=28.0))
    sent: list[float] = []

    async def broadcast(chat: int) -> None:
        sent.append(await clock.send(limits, str(chat), bulk=True))

    async def sender() -> None:
        for first in range(1000, 1000 + 280, 28):
            await asyncio.gather(*(broadcast(chat) for chat in range(first, first + 28)))
            await clock.sleep(0.15)

    await clock.run(sender())
    assert len(sent) == 280
    assert max(sent) - min(sent) < 10.1
    assert busiest_second(sent) <= 28


async def test_a_webhook_reply_holds_its_place_until_it_left_then_counts_from_then() -> None:
    """A message left to a webhook response takes a reply's place (``place``), in flight
    while the handling goes on, counted from when the response was written (``left``):
    with one place a second, a send asked meanwhile goes a second after the response."""
    clock = VirtualTime()
    limits = clock.limits(LimitSettings(per_second=1.0, margin_seconds=0.0))
    assert await limits.place("answerCallbackQuery", "7") is None  # not limited
    sent: list[float] = []

    async def webhook_reply() -> None:
        place = await limits.place("sendMessage", "7")
        assert place is not None
        await clock.sleep(2.0)  # the handler's other calls, then the response is written
        limits.left(place)

    async def other() -> None:
        await clock.sleep(0.5)
        sent.append(await clock.send(limits, "8") - 1000)

    await clock.run(webhook_reply(), other())
    assert sent and 3.0 <= sent[0] < 3.01
