"""Telegram's limits on the way out, shared by replies and bulk (outbox) sends, and retries:
the one place that paces sends to Telegram.

One ``Limits`` per process, plugged into python-telegram-bot as its rate limiter
(``TelegramLimiter``), so every Bot API call of the application's bot goes through it; a
bare ``Bot`` (tests, benchmarks) gets a ``Limits`` of its own from the outbox sender.

* **Overall**: at most ``per_second`` (30) messages in any one second (``Window``: the times
  of the last 30 sends are kept, and a send waits until the oldest is a second old). That is
  how Telegram and ``tests/fake_bot_api.py`` count (a message arriving at ``t`` is refused
  when 30 arrived in ``(t - 1, t]``), so unlike a token or leaky bucket (which saves up a
  burst on top of its rate: 35 in a second with a burst of 5, 31 now and then with a burst
  of 1) no second ever holds 31. ``margin_seconds`` lengthens the window a little, for the
  jitter between leaving this limiter and arriving at Telegram (a message that leaves later
  but arrives sooner than the one before it); 30 in 1.01 s still allows 29.7 a second.
* **Replies first**: a reply to a worker takes the next free place in the window; a bulk
  send takes one only when no reply is waiting for it, and bulk sends start on a schedule of
  their own, evenly spaced at ``bulk_per_second`` (28.6, ``OUTBOX_PER_SECOND``; the turn of
  each reserved in the order of asking, so a late wake-up loses nothing; turns missed in
  the last 0.25 s, while the sender claimed its next batch, are taken late rather than
  lost), and never more than 29 (28.6 rounded up) in any second, a window of their own for
  turns caught up. So bulk takes at most 29 of the 30 places of any second and 28.6 on
  average: replies always find one place free at once and 1.4 a second on average, and
  more by taking bulk's turn: a reply waits at most until a place frees, about 1/30 s as
  bulk is evenly spread, never behind a bulk backlog. With no reply waiting a broadcast
  goes at 28.6 a second; measured against the fake at its 30 enforced, 28.3 to 28.5 arrive
  a second with no 429 (``bench/broadcast_bench.py``: the window's margin, and sends
  counted from their answers when the machine is busy, take the rest). A bulk rate of 28
  would give 27.7 to 27.8 there.
* **Per chat**: one message a second to a private chat, with a burst of ``chat_burst`` so
  that a reply of two or three messages (an answer, then the next question) goes at once;
  20 a minute to a group (no burst). Only new messages count per chat; edits count overall.
  Calls that send nothing (``answerCallbackQuery``, ``getUpdates``, ...) are not held.
* **Webhook responses**: a reply's last message may ride in the webhook's HTTP response
  (``bot.channels.deferred``), which Telegram executes as an ordinary call, counted alike. It
  takes its place as a reply does (``place``: per chat, then overall, before bulk; waiting if
  need be) before it is put in the response, and is in flight until the response is written
  (``left``); it counts from then, as a call that left then would (no answer comes back).
* **429**: ``retry_after`` pauses the sends it concerns: that chat, and all bulk sending
  (a 429 usually means the bot as a whole went too fast). A reply waits it out and is tried
  again when the wait is short (``max_reply_wait``); bulk gets the ``RetryAfter`` back at
  once (the outbox sender gives its batch back for later, ``bulk_paused_for``).
* **Timeouts, dropped connections, 5xx**: tried again with exponential backoff and full
  jitter, ``reply_attempts`` / ``bulk_attempts`` times in all; never forever. A 400 or 403
  is not tried again (the caller marks a blocked chat).

Bulk callers pass ``rate_limit_args=BULK`` to the bot's methods.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter

from bot.config import Settings
from bot.metrics import API_RETRIES

BULK: dict[str, Any] = {"bulk": True}
UNLIMITED = frozenset({"getupdates", "answercallbackquery", "getme", "sendchataction"})


@dataclass(frozen=True)
class LimitSettings:
    per_second: float = 30.0  # Telegram's overall limit for one bot, in any one second
    margin_seconds: float = 0.01  # the window is this much longer than a second (jitter)
    bulk_per_second: float = 28.6  # bulk's most: replies keep the rest (see the docstring)
    bulk_catch_up_seconds: float = 0.25  # bulk turns missed this recently may still be taken
    chat_per_second: float = 1.0
    chat_burst: int = 3  # a reply of up to three messages is not held back
    group_per_minute: float = 20.0
    reply_attempts: int = 3
    bulk_attempts: int = 2
    backoff_seconds: float = 0.5  # before the first retry; doubles each time, with jitter
    max_backoff_seconds: float = 5.0
    max_reply_wait: float = 10.0  # a reply waits out a 429 this long at most


@dataclass
class Send:
    """One send in the window: counted from ``at`` (when it left; moved later once its answer
    shows it arrived later), in flight until ``answered``."""

    at: float
    left: float
    answered: bool = False


class Window:
    """At most ``limit`` sends in any ``seconds``, counted as Telegram counts, by arrival: a
    send arriving at ``t`` may go when fewer than ``limit`` arrived in ``(t - seconds, t]``.

    A send counts from when it left here, and stays counted while in flight (it may arrive
    any time until its answer comes). Once answered, it counts from ``answer - fastest``,
    when that is later: ``fastest``, the quickest round trip of the last ``LATENCIES``, is
    what the network and Telegram take at least, so an answer slower than that says the
    send waited somewhere (this process or the server busy, a slow link) before it was
    counted there, later than it left. Without that, a pause of 50 ms on the way lets the
    next second hold 31 at Telegram's end although none here held more than 30. Until
    ``LATENCIES`` answers are known (a new process), a send counts from its answer: a slow
    start is all that can be known of the way yet."""

    LATENCIES = 100
    POLL = 0.005  # how often to look again while only sends in flight fill the window

    def __init__(self, limit: int, seconds: float) -> None:
        self.limit = limit
        self.seconds = seconds
        self.sends: list[Send] = []
        # until LATENCIES answers are known, a send counts from its answer (0 s at least)
        self._latencies: deque[float] = deque([0.0], maxlen=self.LATENCIES)

    @classmethod
    def of(cls, per_second: float, margin_seconds: float = 0.0) -> Window:
        """``per_second`` as a window: 30 in a second; under one a second, one in 1/rate s."""
        if per_second >= 1.0:
            return cls(math.floor(per_second), 1.0 + margin_seconds)
        return cls(1, 1.0 / per_second + margin_seconds)

    def wait(self, now: float) -> float:
        """Seconds until a send may go (0: now)."""
        since = now - self.seconds
        self.sends = [send for send in self.sends if not send.answered or send.at > since]
        over = len(self.sends) - self.limit  # this many must leave the window first
        if over < 0:
            return 0.0
        leaving = sorted(send.at for send in self.sends if send.answered)
        if over >= len(leaving):  # sends in flight fill it: look again soon
            return self.POLL
        return max(1e-6, leaving[over] + self.seconds - now)

    def take(self, now: float, answered: bool = False) -> Send:
        """Count a send that leaves now (``answered``: count it from now, whatever comes)."""
        send = Send(now, now, answered)
        self.sends.append(send)
        return send

    def answered(self, send: Send, now: float) -> None:
        """``send``'s answer came (or it failed) at ``now``."""
        self._latencies.append(now - send.left)
        send.at = max(send.at, now - min(self._latencies))
        send.answered = True

    def left(self, send: Send, now: float) -> None:
        """``send`` left only now, and no answer will come (a webhook response): it counts
        from now, as a send taken now and answered in no time would."""
        send.at = send.left = max(send.at, now)
        send.answered = True


class Bucket:
    """A token bucket: ``rate`` tokens a second, at most ``capacity`` saved up (one chat's
    pace: its burst is wanted there, and Telegram's per-chat limit is looser than a window)."""

    def __init__(self, rate: float, capacity: float, now: float) -> None:
        self.rate = rate
        self.capacity = capacity
        self.tokens = capacity
        self.at = now

    def reserve(self, now: float) -> float:
        """Take the next token, even one still to come: seconds until it is there. Callers
        are served in the order they reserve (several messages to one chat stay in order)."""
        self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.rate)
        self.at = now
        self.tokens -= 1.0
        return 0.0 if self.tokens >= 0.0 else -self.tokens / self.rate

    def full(self, now: float) -> bool:
        return self.tokens + (now - self.at) * self.rate >= self.capacity


class Schedule:
    """Evenly spaced turns, ``per_second`` of them a second, each taken by one caller in the
    order of asking; the next turn is reserved before waiting for it, so a late wake-up
    does not push the ones after it back. Turns missed in the last ``catch_up`` seconds
    may still be taken, at once (the outbox sender claims its next batch between two:
    without them a broadcast would lose a few per cent of its rate); older ones are gone,
    so an idle schedule starts again from now."""

    def __init__(self, per_second: float, catch_up: float = 0.0) -> None:
        self.gap = 1.0 / per_second
        self.catch_up = catch_up
        self.next = -math.inf

    def reserve(self, now: float) -> float:
        """Take the next turn: seconds until it."""
        at = self.next if self.next >= now - self.catch_up else now
        self.next = at + self.gap
        return max(0.0, at - now)


def _kind(method: str) -> tuple[bool, bool]:
    """Whether a call to ``method`` is limited at all, and whether per chat too."""
    name = method.lower()
    limited = name not in UNLIMITED and not name.startswith(("get", "set", "delete"))
    return limited, name.startswith(("send", "copy", "forward"))


def _seconds(value: float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def is_transient(exc: BaseException) -> bool:
    """A timeout, a dropped connection or a 5xx (PTB raises ``NetworkError`` for those; a 400
    is a ``BadRequest``, which PTB also derives from ``NetworkError``)."""
    return isinstance(exc, NetworkError) and not isinstance(exc, BadRequest)


class Limits:
    """The process's outgoing limits (see the module docstring)."""

    def __init__(
        self,
        settings: LimitSettings | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.settings = s = settings or LimitSettings()
        self._clock = clock
        self._sleep = sleep
        self._overall = Window.of(s.per_second, s.margin_seconds)
        bulk_rate = min(s.bulk_per_second, s.per_second)
        self._bulk = Schedule(bulk_rate, s.bulk_catch_up_seconds)
        # 29 in any second (28.6 rounded up), turns caught up or not
        self._bulk_window = (
            Window(math.ceil(bulk_rate), 1.0) if bulk_rate >= 1 else Window.of(bulk_rate)
        )
        self._chats: dict[str, Bucket] = {}
        self._paused: dict[str, float] = {}  # chat → until
        self._bulk_paused = 0.0
        self._replies_waiting = 0  # replies waiting for an overall token only

    # -- slots ---------------------------------------------------------------------------------

    def _chat(self, chat: str, now: float) -> Bucket:
        bucket = self._chats.get(chat)
        if bucket is None:
            if len(self._chats) > 10_000:  # forget chats that are back to a full bucket
                self._chats = {k: b for k, b in self._chats.items() if not b.full(now)}
                self._paused = {k: t for k, t in self._paused.items() if t > now}
            s = self.settings
            if chat.startswith("-"):  # Telegram's group and channel ids are negative
                bucket = Bucket(s.group_per_minute / 60.0, 1, now)
            else:
                bucket = Bucket(s.chat_per_second, s.chat_burst, now)
            self._chats[chat] = bucket
        return bucket

    async def acquire(self, chat: str | None, bulk: bool = False, per_chat: bool = True) -> Send:
        """Wait until a message to ``chat`` (None: no chat) may go, and take its place: the
        chat's turn first (in order of asking), then, for bulk, bulk's next turn once no 429
        holds it, then a place in the overall window (a reply's before any bulk send's).
        Tell ``answered`` when its answer comes; until then it counts as in flight."""
        if chat is not None and per_chat:
            turn = self._chat(chat, self._clock()).reserve(self._clock())
            if turn > 0:
                await self._sleep(turn)
        turn_taken = not bulk
        while True:
            now = self._clock()
            held = self._paused.get(chat, 0.0) - now if chat is not None else 0.0
            if bulk:
                held = max(held, self._bulk_paused - now)
            if held > 0:
                await self._sleep(held)
                continue
            if not turn_taken:  # after any pause, so that turns are not saved up through it
                turn_taken = True
                turn = self._bulk.reserve(now)
                if turn > 0:
                    await self._sleep(turn)
                    continue
            overall = self._overall.wait(now)
            if bulk:
                overall = max(overall, self._bulk_window.wait(now))
            if bulk and self._replies_waiting:
                overall = max(overall, 1.0 / self.settings.per_second)
            if overall <= 0:
                break
            if bulk:
                await self._sleep(overall)
                continue
            self._replies_waiting += 1
            try:
                await self._sleep(overall)
            finally:
                self._replies_waiting -= 1
        if bulk:
            self._bulk_window.take(now, answered=True)
        return self._overall.take(now)

    def answered(self, send: Send) -> None:
        """The answer to ``send`` came (or the call failed): see ``Window``."""
        self._overall.answered(send, self._clock())

    async def place(self, method: str, chat: str | None) -> Send | None:
        """Take a reply's place for ``method`` to ``chat`` that will leave by another way
        than a call (a webhook response), waiting for it as a call would; None: ``method``
        is not limited. Tell ``left`` when it goes (see the module docstring)."""
        limited, per_chat = _kind(method)
        return await self.acquire(chat, per_chat=per_chat) if limited else None

    def left(self, send: Send) -> None:
        """``send``, a place from ``place``, left now (or will not leave: counted anyway)."""
        self._overall.left(send, self._clock())

    def pause(self, chat: str | None, seconds: float) -> None:
        """Telegram asked to wait: nothing more to ``chat``, and no bulk send, for ``seconds``."""
        until = self._clock() + seconds
        if chat is not None:
            self._paused[chat] = max(self._paused.get(chat, 0.0), until)
        self._bulk_paused = max(self._bulk_paused, until)

    def bulk_paused_for(self) -> float:
        return max(0.0, self._bulk_paused - self._clock())

    # -- a call, with its retries ---------------------------------------------------------

    def backoff(self, attempt: int) -> float:
        """Full jitter: a random wait up to the doubled base (attempt 0 is the first retry)."""
        s = self.settings
        return random.uniform(0, min(s.max_backoff_seconds, s.backoff_seconds * 2**attempt))

    async def call(
        self,
        method: str,
        chat: str | None,
        send: Callable[[], Awaitable[Any]],
        bulk: bool = False,
    ) -> Any:
        """Make one Bot API call under the limits, retrying what may succeed later."""
        s = self.settings
        limited, per_chat = _kind(method)
        attempts = s.bulk_attempts if bulk else s.reply_attempts
        if method.lower() == "getupdates":
            attempts = 1  # the updater polls again by itself
        attempt = 0
        while True:
            sent = await self.acquire(chat, bulk, per_chat) if limited else None
            try:
                try:
                    return await send()
                finally:
                    if sent is not None:
                        self.answered(sent)
            except RetryAfter as exc:
                wait = _seconds(exc.retry_after)
                self.pause(chat, wait)
                if bulk or wait > s.max_reply_wait or attempt + 1 >= attempts:
                    raise
            except Exception as exc:
                if not is_transient(exc) or attempt + 1 >= attempts:
                    raise
                await self._sleep(self.backoff(attempt))
            API_RETRIES.labels(method[:32]).inc()
            attempt += 1


def limits_from(settings: Settings) -> Limits:
    """The process's limits from its settings (``OUTBOX_PER_SECOND`` caps bulk sends)."""
    return Limits(
        LimitSettings(
            per_second=max(0.1, settings.telegram_per_second),
            bulk_per_second=max(0.1, settings.outbox_per_second),
            chat_per_second=max(0.01, settings.telegram_chat_per_second),
            chat_burst=max(1, settings.telegram_chat_burst),
            reply_attempts=max(1, settings.telegram_reply_attempts),
        )
    )


def chat_of(data: dict[str, Any] | None) -> str | None:
    chat = (data or {}).get("chat_id")
    return None if chat is None else str(chat)


class TelegramLimiter(BaseRateLimiter[dict[str, Any]]):
    """``Limits`` as python-telegram-bot's rate limiter: ``ApplicationBuilder().rate_limiter``."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        bulk = bool((rate_limit_args or {}).get("bulk"))
        result: bool | dict[str, Any] | list[dict[str, Any]] = await self.limits.call(
            endpoint, chat_of(data), lambda: callback(*args, **kwargs), bulk
        )
        return result
