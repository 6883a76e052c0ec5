"""The outbox sender for Telegram: claims due outbox rows and sends them, paced under
Telegram's limits, started and stopped with the Telegram application.

Pacing: on the application's bot, the process's shared limiter (``bot.channels.limits``)
paces every send as bulk: replies to workers first, at most ``OUTBOX_PER_SECOND``, one a
second per private chat, 20 a minute per group (up to ``concurrency`` in flight). A bare
``Bot`` (no limiter: tests, benchmarks) gets ``Limits`` of its own (``own_limits``: 25 a
second by default), so pacing lives in ``bot.channels.limits`` alone.
A 429 (``RetryAfter``) pauses every send for the time Telegram asks and puts the message, and
the rest of its batch, back for then, without counting an attempt. A 403 (the chat blocked the
bot) marks it blocked after that one try; a 400 (a request Telegram refuses) marks it failed;
other errors (network, timeouts, 5xx) are tried again with a doubling wait, at most
``max_attempts`` times, then marked failed. New leads are announced in the staff group every
``announce_every`` (through the same outbox, so the announcement is paced and retried like
any message). Broadcast messages (``bot.storage.broadcasts``) come after other kinds in each
claim and are rendered from the broadcast's texts with the opt-out button.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import ExtBot

from bot import broadcasts, notices
from bot import openings as job_texts
from bot.channels.limits import BULK, Limits, LimitSettings, TelegramLimiter
from bot.channels.replies import keyboard
from bot.conversation import utcnow
from bot.i18n import using_language
from bot.logs import scope
from bot.logsafe import describe
from bot.oec_time import OEC_TIMEZONE
from bot.storage import broadcasts as broadcast_store
from bot.storage import openings as opening_store
from bot.storage import outbox

log = logging.getLogger(__name__)
CHANNEL = "telegram"
RECHECK = timedelta(minutes=1)  # how often to look for new leads once an announcement is due
OPENING_CACHE = timedelta(minutes=1)  # an opening's facts are read again after this


def worker_name() -> str:
    """This process's name on the rows it claims: host, process id and a random part."""
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{secrets.token_hex(3)}"


@dataclass(frozen=True)
class SenderSettings:
    worker: str = field(default_factory=worker_name)
    batch: int = 30  # rows claimed at a time
    poll_seconds: float = 5.0  # how often an idle sender looks for due rows
    lease: timedelta = timedelta(minutes=2)  # a claim lasts this long (a dead sender's rows
    # are taken over after it)
    max_attempts: int = 5
    backoff_seconds: float = 10.0  # after the first transient failure; doubles each time
    max_backoff_seconds: float = 600.0
    concurrency: int = 8  # sends in flight at once
    # pacing of a bare Bot (no limiter of its own: tests, benchmarks); the application's bot
    # is paced by the process's limiter (``bot.channels.limits``) instead
    per_second: float = 25.0
    chat_interval: float = 1.0  # seconds between two messages to one private chat
    group_interval: float = 3.0  # 20 a minute per group
    group_chat_id: int | None = None  # the OEC staff group, for new-lead announcements
    group_language: str = "en"
    announce_every: timedelta = timedelta(minutes=10)
    timezone: str = OEC_TIMEZONE  # OEC's day: an invitation whose deadline passed there is not sent


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def own_limits(settings: SenderSettings) -> LimitSettings:
    """The limits of a sender whose bot has none: bulk alone, at ``per_second``, one message
    every ``chat_interval`` to a private chat and every ``group_interval`` to a group (an
    interval of 0: not held)."""

    def per_second(interval: float) -> float:
        return 1.0 / interval if interval > 0 else 1e9

    return LimitSettings(
        per_second=settings.per_second,
        bulk_per_second=settings.per_second,
        chat_per_second=per_second(settings.chat_interval),
        chat_burst=1,
        group_per_minute=60.0 * per_second(settings.group_interval),
        bulk_attempts=1,  # the outbox tries again itself, later
    )


class OutboxSender:
    def __init__(
        self,
        bot: Bot,
        sessions: async_sessionmaker[AsyncSession],
        settings: SenderSettings | None = None,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.bot = bot
        self.sessions = sessions
        self.settings = settings or SenderSettings()
        self.now = now
        s = self.settings
        # The application's bot has the process's limiter (bot.channels.limits): it paces the
        # overall and per-chat rates for replies and bulk together, replies first, and keeps
        # Telegram's pauses. A bare Bot gets limits of its own, for bulk alone.
        limiter = bot.rate_limiter if isinstance(bot, ExtBot) else None
        self.limited = isinstance(limiter, TelegramLimiter)
        if isinstance(limiter, TelegramLimiter):
            self.limits = limiter.limits
        else:
            self.limits = Limits(own_limits(s))
        self._next_announcement: datetime | None = None
        self._broadcast_texts: dict[int, dict[str, str]] = {}
        # opening id → (its facts, read at); an officer may still correct an open opening
        self._openings: dict[int, tuple[job_texts.OpeningFacts | None, datetime]] = {}

    async def run(self, stop: asyncio.Event) -> None:
        """Send until ``stop`` is set; an error is logged (no personal data) and the loop
        goes on. Its logs carry ``job=outbox`` (``bot.logs``)."""
        with scope(job="outbox"):
            while not stop.is_set():
                try:
                    handled = await self.run_once()
                except Exception as exc:
                    log.error("outbox round failed: %s", describe(exc))
                    handled = 0
                if handled == 0:  # idle, or waiting out a 429: no longer than that asks
                    paused = self.limits.bulk_paused_for()
                    wait = min(self.settings.poll_seconds, paused) if paused else None
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), wait or self.settings.poll_seconds)

    async def run_once(self) -> int:
        """Announce new leads when due, then claim one batch and send it; how many rows were
        handled. Up to ``concurrency`` sends are in flight at once, paced by the limits (a
        round trip to Telegram would otherwise cap the rate at 1/latency)."""
        await self.announce_if_due()
        if self.limits.bulk_paused_for() > 0:  # claim nothing that would wait out its lease
            return 0
        s = self.settings
        claimed = await outbox.claim(
            self.sessions, s.worker, CHANNEL, s.batch, self.now(), s.lease, s.timezone
        )
        if len(claimed) < s.batch:  # a broadcast with nothing pending left is done
            await broadcast_store.settle(self.sessions, self.now())
        waits: list[float] = []
        in_flight: set[asyncio.Task[None]] = set()

        async def send(message: outbox.Claimed) -> None:
            wait = await self._send(message)
            if wait is not None:
                waits.append(wait)

        for index, message in enumerate(claimed):
            while len(in_flight) >= s.concurrency:
                _, in_flight = await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
            if waits:  # Telegram asked us to wait: give the rest back until then
                await self._give_back(claimed[index:], max(waits))
                break
            task = asyncio.create_task(send(message))
            in_flight.add(task)
        for result in await asyncio.gather(*in_flight, return_exceptions=True):
            if isinstance(result, Exception):
                log.error("outbox send failed: %s", describe(result))
        return len(claimed)

    async def _give_back(self, messages: list[outbox.Claimed], wait: float) -> None:
        later = self.now() + timedelta(seconds=wait)
        ids = [message.id for message in messages]
        await outbox.give_back(self.sessions, ids, self.settings.worker, later)

    async def announce_if_due(self) -> bool:
        """Queue one announcement of the leads not announced yet, every ``announce_every``
        (looked up in the outbox, so a restart or a second instance does not say it sooner;
        when it is too soon or there is nothing new, look again in a minute at most)."""
        s = self.settings
        if s.group_chat_id is None:
            return False
        now = self.now()
        if self._next_announcement is not None and now < self._next_announcement:
            return False
        async with self.sessions() as db, db.begin():
            queued = await outbox.queue_new_leads(
                db, CHANNEL, str(s.group_chat_id), s.group_language, now, s.announce_every
            )
        wait = s.announce_every if queued is not None else min(s.announce_every, RECHECK)
        self._next_announcement = now + wait
        return queued is not None

    async def _send(self, message: outbox.Claimed) -> float | None:
        """Send one message and record how it went; the seconds to wait after a 429."""
        s = self.settings
        text, markup = await self._render(message)

        async def finish(
            state: str,
            error: str | None = None,
            next_attempt_at: datetime | None = None,
            count_attempt: bool = True,
        ) -> None:
            await outbox.finish(
                self.sessions,
                message.id,
                s.worker,
                state,
                self.now(),
                error=error,
                next_attempt_at=next_attempt_at,
                count_attempt=count_attempt,
            )

        try:
            if self.limited:
                await self.bot.send_message(  # type: ignore[call-arg]
                    chat_id=int(message.chat_id),
                    text=text,
                    reply_markup=markup,
                    rate_limit_args=BULK,
                )
            else:  # a bare Bot: its own limits pace the send (and take a 429's pause)
                await self.limits.call(
                    "sendMessage",
                    message.chat_id,
                    lambda: self.bot.send_message(
                        chat_id=int(message.chat_id), text=text, reply_markup=markup
                    ),
                    bulk=True,
                )
        except RetryAfter as exc:
            wait = _seconds(exc.retry_after)
            log.warning("outbox: Telegram asks to wait %.0f s", wait)
            later = self.now() + timedelta(seconds=wait)
            await finish(outbox.PENDING, "RetryAfter", next_attempt_at=later, count_attempt=False)
            return wait
        except Forbidden:
            log.info("outbox message %s: the chat blocked the bot", message.id)
            await finish(outbox.BLOCKED, "Forbidden")
            await outbox.mark_blocked(self.sessions, message.id, self.now())
        except BadRequest as exc:
            log.warning("outbox message %s refused: %s", message.id, type(exc).__name__)
            await finish(outbox.FAILED, "BadRequest")
        except TelegramError as exc:
            attempts = message.attempts + 1
            if attempts >= s.max_attempts:
                log.warning("outbox message %s failed %d times", message.id, attempts)
                await finish(outbox.FAILED, type(exc).__name__)
            else:
                delay = min(s.backoff_seconds * 2 ** (attempts - 1), s.max_backoff_seconds)
                later = self.now() + timedelta(seconds=delay)
                await finish(outbox.PENDING, type(exc).__name__, next_attempt_at=later)
        else:
            await finish(outbox.SENT)
        return None

    async def _render(self, message: outbox.Claimed) -> tuple[str, InlineKeyboardMarkup | None]:
        """The text (and buttons) of a message, in the recipient's language now. A
        broadcast's texts are read once per broadcast (they cannot change once sent); an
        opening's facts once a minute per opening (``_opening``)."""
        if message.kind in {outbox.INVITATION, outbox.OPENING_CLOSED}:
            return await self._render_job(message)
        if message.kind != outbox.BROADCAST or message.broadcast_id is None:
            text = notices.render(message.kind, message.payload, message.language)
            rows = notices.buttons(message.kind, message.payload, message.language)
            return text, keyboard(rows)
        texts = self._broadcast_texts.get(message.broadcast_id)
        if texts is None:
            texts = await broadcast_store.texts_of(self.sessions, message.broadcast_id)
            if len(self._broadcast_texts) > 100:
                self._broadcast_texts.clear()
            self._broadcast_texts[message.broadcast_id] = texts
        shown = broadcasts.render(broadcasts.pick(texts, message.language), message.language)
        return shown.text, keyboard([[shown.button]])

    async def _opening(self, opening_id: int) -> job_texts.OpeningFacts | None:
        """An opening's facts, read at most once a minute per opening."""
        now = self.now()
        cached = self._openings.get(opening_id)
        if cached is not None and now - cached[1] < OPENING_CACHE:
            return cached[0]
        async with self.sessions() as db:
            opening = await opening_store.get(db, opening_id)
            facts = job_texts.facts_of(opening) if opening is not None else None
        if len(self._openings) > 100:
            self._openings.clear()
        self._openings[opening_id] = (facts, now)
        return facts

    async def _render_job(self, message: outbox.Claimed) -> tuple[str, InlineKeyboardMarkup | None]:
        """An invitation to an opening (with what a worker who nearly fits still needs, from
        their candidate row, and the answer buttons), or the notice that it closed."""
        facts = await self._opening(int(message.payload.get("opening_id") or 0))
        with using_language(message.language):
            if message.kind == outbox.OPENING_CLOSED or facts is None:
                return job_texts.closed_notice(facts), None
            missing: list[dict[str, object]] = []
            candidate_id = message.payload.get("candidate_id")
            if candidate_id is not None:
                async with self.sessions() as db:
                    found = await opening_store.candidate_missing(db, int(candidate_id))
                if found is not None and found[0] != "meets":
                    missing = found[1]
            text = job_texts.invitation_text(facts, message.language, missing)
            return text, keyboard(job_texts.invitation_buttons(facts.id))


class Background:
    """The sender as a task of the running application: ``start`` after the application
    started, ``stop`` before it stops."""

    def __init__(self, sender: OutboxSender) -> None:
        self.sender = sender
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._stop.clear()
        self._task = asyncio.create_task(self.sender.run(self._stop), name="outbox-sender")

    async def stop(self, grace: float = 5.0) -> None:
        """Let the current round finish (``grace`` seconds at most, then cancel it: a message
        being sent then is sent again by whoever claims it after the lease)."""
        self._stop.set()
        if self._task is not None:
            task, self._task = self._task, None
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(task, grace)
