"""The Telegram channel: python-telegram-bot in, ``Incoming`` to the service, replies out.

Thin on purpose. It turns an ``Update`` into an ``Incoming``, hands it to the conversation
service, and renders the replies (inline keyboards, a contact-sharing keyboard, edits for
multiple-choice toggles). One user's updates are processed in order, different users'
concurrently (``PerUserUpdateProcessor``). No conversation state is kept here.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import replace
from functools import partial
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot, BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseUpdateProcessor,
    ContextTypes,
    TypeHandler,
)

from bot.channels import deferred
from bot.channels.flood import SLOW_DOWN, FloodGuard
from bot.channels.limits import Limits, TelegramLimiter, chat_of
from bot.channels.replies import ANSWER_TAP, Planned, as_webhook_reply, execute, plan
from bot.channels.request import AiohttpRequest
from bot.channels.sender import Background, OutboxSender, SenderSettings
from bot.channels.staff_telegram import StaffOnTelegram
from bot.channels.tolerant import Ledger, TolerantUpdatesRequest
from bot.conversation import COMMANDS, ConversationService, DatabaseUnavailable, Incoming
from bot.engine.model import Action, Contact, Press, Reply, Text, Unsupported
from bot.engine.texts import reply as text_reply
from bot.i18n import LANGUAGES, gettext, using_language
from bot.jobs.runner import JobRunner
from bot.logs import scope
from bot.logsafe import describe
from bot.metrics import ERRORS, HANDLER_SECONDS, UPDATES

log = logging.getLogger(__name__)

CHANNEL = "telegram"
UNSUPPORTED_KINDS = (
    "photo",
    "sticker",
    "voice",
    "video",
    "video_note",
    "audio",
    "document",
    "animation",
    "location",
    "venue",
    "poll",
    "dice",
    "game",
    "story",
)


class PerUserUpdateProcessor(BaseUpdateProcessor):
    """Updates of one chat run one after another, in arrival order; chats run concurrently.

    Each chat has a lock and a count of the updates holding or awaiting it; the lock is
    dropped only when that count is back to zero, so a waiting update always keeps its place.
    """

    def __init__(self, max_concurrent_updates: int = 256, ledger: Ledger | None = None) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, tuple[asyncio.Lock, list[int]]] = {}
        self.ledger = ledger  # told when an update is finished (long polling confirms it)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        try:
            await self._in_order(update, coroutine)
        finally:
            if self.ledger is not None and isinstance(update, Update):
                self.ledger.done(update.update_id)

    async def _in_order(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _chat_key(update)
        if key is None:
            await coroutine
            return
        lock, users = self._locks.setdefault(key, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:
                await coroutine
        finally:
            users[0] -= 1
            if users[0] == 0:
                del self._locks[key]

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


def _chat_key(update: object) -> int | None:
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:
            return update.effective_user.id
    return None


# -- in: Update → Incoming ---------------------------------------------------------------------


def incoming_from_update(update: Update, bot_username: str | None = None) -> Incoming | None:
    user = update.effective_user
    if user is None or user.is_bot:
        return None
    base = Incoming(
        CHANNEL, str(user.id), client_language=user.language_code, event_id=update.update_id
    )
    if update.callback_query is not None:
        return replace(base, action=Press(update.callback_query.data or ""))
    message = update.message
    edited = update.edited_message
    if message is None and edited is not None and edited.chat.type == "private":
        return replace(base, action=Unsupported("edited"))  # not a new answer: say so
    if message is None:
        return None
    if message.chat.type != "private":
        return None  # the bot talks to people one to one
    if message.text is not None:
        text = message.text
        if text.startswith("/"):
            head, _, argument = text[1:].partition(" ")
            command, _, mention = head.partition("@")
            if not mention or (bot_username and mention.lower() == bot_username.lower()):
                return replace(base, command=command.lower(), argument=argument.strip())
        return replace(base, action=Text(text))
    action: Action
    if message.contact is not None:
        own = message.contact.user_id == user.id  # a card without their id is not proven theirs
        action = Contact(message.contact.phone_number, own=own)
    else:
        kind = next((k for k in UNSUPPORTED_KINDS if getattr(message, k, None)), "other")
        action = Unsupported(kind)
    return replace(base, action=action)


# -- out: Reply → Bot API calls (the plan: bot.channels.replies) ----------------------------


async def send_replies(
    update: Update,
    replies: Sequence[Reply],
    bot: Bot | None = None,
    blocked: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """Send the replies: the message carrying the next question first, answering the tap and
    the tapped message's edit alongside (``replies.plan`` says which calls, ``execute`` how).

    In a webhook request (``bot.channels.deferred``) the reply's last message rides in the
    response and the cosmetic calls (the tap's answer, the old question's edit) go after it,
    not waited for: the worker's next question then waits for no Bot API round trip. That
    message first takes its place in the bot's limits as a reply would (``Limits.place``),
    since Telegram counts it like a call."""
    chosen = bot or update.get_bot()
    calls = plan(update, replies)
    if deferred.current() is None:
        await execute(chosen, calls, blocked)
        return
    critical = [call for call in calls if call.critical]
    others = [call for call in calls if not call.critical]
    limits = _limits_of(chosen)
    if critical and await _defer(critical[-1], limits):
        critical.pop()
    elif others and others[0].method == ANSWER_TAP and await _defer(others[0], limits):
        others.pop(0)
    if others:
        _in_background(execute(chosen, others))
    await execute(chosen, critical, blocked)


_CALLS_AFTER: set[asyncio.Task[None]] = set()  # cosmetic calls outliving their request


def _in_background(calls: Coroutine[Any, Any, None]) -> None:
    task = asyncio.create_task(calls)
    _CALLS_AFTER.add(task)
    task.add_done_callback(_CALLS_AFTER.discard)


def _limits_of(bot: Bot) -> Limits | None:
    """The limits the bot's calls go through (the application's ``TelegramLimiter``)."""
    limiter = getattr(bot, "rate_limiter", None)  # an ExtBot's; a bare Bot has none
    return limiter.limits if isinstance(limiter, TelegramLimiter) else None


async def _defer(call: Planned, limits: Limits | None) -> bool:
    """Leave ``call`` to the webhook response, if its result is not needed: a new message or
    a tap's answer (an edit may need its fallback). A message takes its place in ``limits``
    first (waiting for it if need be, as a call would), released when the response is
    written (``deferred.Slot.left``); a tap's answer is not limited."""
    if call.method not in {"sendMessage", ANSWER_TAP} or call.fallback is not None:
        return False
    if not deferred.free():
        return False
    body = as_webhook_reply(call)
    method = body.pop("method")
    place = None if limits is None else await limits.place(method, chat_of(body))
    if limits is None or place is None:
        return deferred.defer(method, body)
    if deferred.defer(method, body, partial(limits.left, place)):
        return True
    limits.left(place)  # the slot went meanwhile: the place counts, though unused
    return False


# -- the application ---------------------------------------------------------------------------


def update_kind(update: Update) -> str:
    """The kind of update, for metrics: command, callback_query, message or other."""
    if update.callback_query is not None:
        return "callback_query"
    if update.message is not None:
        text = update.message.text or ""
        return "command" if text.startswith("/") else "message"
    return "other"


def make_handler(
    service: ConversationService,
    staff: StaffOnTelegram | None = None,
    flood: FloodGuard | None = None,
    ledger: Ledger | None = None,
) -> TypeHandler[Update, Any, Any]:
    """The one handler. ``flood``: updates over a user's limit are dropped before the
    database is touched (one slowdown message per burst). Every update is counted in
    ``ssw_updates_total`` by kind and result, and timed in ``ssw_handler_seconds``. When the
    database is unreachable the user is told to try again and ``DatabaseUnavailable`` is
    re-raised (the update was not handled)."""

    async def handle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        kind = update_kind(update)
        with scope(update_id=update.update_id):
            incoming = incoming_from_update(update, context.bot.username)
            if incoming is None:
                UPDATES.labels(kind, "ignored").inc()
                return
            if flood is not None:
                verdict = flood.check(incoming.user_key)
                if verdict != "ok":
                    UPDATES.labels(kind, "throttled").inc()
                    if verdict == "warn":
                        await _slow_down(update, service.language_of(incoming))
                    return
            started = time.perf_counter()
            result = "error"
            try:
                if staff is not None and staff.handles(
                    incoming.command, int(incoming.user_key), _private(update)
                ):
                    assert incoming.command is not None
                    await staff.handle(update, incoming.command)
                else:
                    try:
                        replies = await service.handle(incoming)
                        if ledger is not None:  # committed: long polling may confirm it now
                            ledger.done(update.update_id)
                    except DatabaseUnavailable as exc:  # the tapped buttons stay, for later
                        await _tell(update, exc.replies)
                        raise

                    async def blocked() -> None:  # a 403: bulk sends skip them until they write
                        await service.repository.mark_blocked(incoming.channel, incoming.user_key)

                    if replies:  # none: already handled (a redelivery), answered the first time
                        await send_replies(update, replies, context.bot, blocked)
                result = "ok"
            finally:
                seconds = time.perf_counter() - started
                UPDATES.labels(kind, result).inc()
                HANDLER_SECONDS.observe(seconds)
                log.debug("%s handled: %s in %.0f ms", kind, result, seconds * 1000)

    return TypeHandler(Update, handle)


async def _slow_down(update: Update, language: str) -> None:
    with using_language(language):
        text = gettext(SLOW_DOWN)
    await _tell(update, [text_reply(text)])


async def _tell(update: Update, replies: Sequence[Reply]) -> None:
    """Say something without handling the update: stop a tapped button's spinner, but leave
    its buttons, so the same tap can be made again later. Failures are logged only."""
    calls = [c for c in plan(update, replies) if c.critical or c.method == ANSWER_TAP]
    try:
        await execute(update.get_bot(), calls)
    except TelegramError as exc:
        log.info("a notice was not sent: %s", type(exc).__name__)


def _private(update: Update) -> bool:
    return update.effective_chat is not None and update.effective_chat.type == "private"


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log what failed (the type of error and where, the update id: never the user's text)."""
    update_id = update.update_id if isinstance(update, Update) else None
    error = context.error
    with scope(update_id=update_id):
        if isinstance(error, DatabaseUnavailable):  # counted and logged by the service
            log.warning("update %s not handled: the database is unreachable", update_id)
            return
        ERRORS.labels("handler").inc()
        log.error("update %s failed: %s", update_id, describe(error) if error else "unknown error")


async def register_commands(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """The command menu in each language; a failure is logged, the bot runs on."""
    for language in LANGUAGES:
        with using_language(language):
            commands = [
                BotCommand(name, gettext(description)) for name, description in COMMANDS.items()
            ]
        try:
            await application.bot.set_my_commands(
                commands, language_code=None if language == "en" else language
            )
        except TelegramError as exc:
            log.warning("setMyCommands(%s) failed: %s", language, exc)


BACKGROUND = "ssw_outbox_sender"  # the sender of the outbox (an object, not data)
JOBS = "ssw_job_runner"  # the background jobs (reminders, retention)


async def on_start(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """After the application started: the command menus, then the outbox sender."""
    await register_commands(application)
    background = application.bot_data.get(BACKGROUND)
    if isinstance(background, Background):
        background.start()
    jobs = application.bot_data.get(JOBS)
    if isinstance(jobs, JobRunner):
        jobs.start()


async def on_stop(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    background = application.bot_data.get(BACKGROUND)
    if isinstance(background, Background):
        await background.stop()
    jobs = application.bot_data.get(JOBS)
    if isinstance(jobs, JobRunner):
        await jobs.stop()


def build_application(
    service: ConversationService,
    token: str,
    base_url: str = "https://api.telegram.org/bot",
    base_file_url: str = "https://api.telegram.org/file/bot",
    staff: StaffOnTelegram | None = None,
    outbox: tuple[async_sessionmaker[AsyncSession], SenderSettings] | None = None,
    webhook: bool = False,
    flood: FloodGuard | None = None,
    jobs: JobRunner | None = None,
    limits: Limits | None = None,
) -> Application[Any, Any, Any, Any, Any, Any]:
    """A PTB Application wired to the service. Long polling by default; for a webhook,
    build it with ``.updater(None)`` and feed updates yourself.

    ``staff``: /stats and /export for staff ids. ``outbox``: the sender runs while the
    application runs (``on_start``/``on_stop``; ``run_polling`` calls them). ``flood``: the
    per-user limit on incoming updates (none without it)."""
    ledger = Ledger()
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url)
        .base_file_url(base_file_url)
        .concurrent_updates(PerUserUpdateProcessor(ledger=ledger))
        .post_init(on_start)
        .post_stop(on_stop)
        .request(AiohttpRequest(connection_pool_size=256, pool_timeout=30.0))
        .get_updates_request(
            TolerantUpdatesRequest(ledger, connection_pool_size=1, read_timeout=10.0)
        )
        .rate_limiter(TelegramLimiter(limits or Limits()))
    )
    if webhook:  # updates come from our own route (bot.channels.webhook), not getUpdates
        builder = builder.updater(None)
    application = builder.build()
    if outbox is not None:
        sessions, settings = outbox
        application.bot_data[BACKGROUND] = Background(
            OutboxSender(application.bot, sessions, settings, now=service.now)
        )
    if jobs is not None:
        application.bot_data[JOBS] = jobs
    application.add_handler(make_handler(service, staff, flood, ledger))
    application.add_error_handler(on_error)
    return application
