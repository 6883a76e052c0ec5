"""From the engine's replies to Bot API calls: a plan first, then its calls.

``plan`` turns one update's replies into a list of ``Planned`` calls, the fewest that keep
the meaning:

* consecutive short messages merge into one when the first has no buttons and the two fit a
  phone screen ("Language: English" and the menu, "Thank you!" and the menu);
* a tapped message is edited in one call into its question with the answer under it
  ("✔ Male"), which also takes its buttons away (no separate ``editMessageReplyMarkup``);
* an edit of the tapped message (a toggle, a page) falls back to a new message if it fails.

The calls that carry replies (``critical``) go in order, the first one first; answering the
tap and the cosmetic edit go alongside, never before it (``execute``). A webhook can take the
first critical call off the plan and answer Telegram with it (``as_webhook_reply``).

CPU per action (README, "Performance"): a question's keyboard is the same for every worker
who sees it, so inline keyboards (immutable PTB objects) and their JSON form are made once and
kept (``keyboard``); a call's result is not read, so it is made without turning Telegram's
answer into PTB objects (``run``: ``do_api_request`` without a return type).
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    TelegramObject,
    Update,
)
from telegram.error import Forbidden, TelegramError
from telegram.warnings import PTBUserWarning

from bot.engine import phone
from bot.engine.model import Button, Reply
from bot.i18n import RLM
from bot.logsafe import describe

log = logging.getLogger(__name__)
MAX_TEXT = 4096
ANSWER_TAP = "answerCallbackQuery"
ANSWERED = "✔ {label}"  # under a tapped question: the label the worker tapped (no words)
KEPT = 4096  # keyboards (and their JSON) kept: every question's, in every language, and more

# ``run`` calls Bot API methods by name on purpose (their results are not read): PTB would
# rather it called them by their own methods, and says so each time
warnings.filterwarnings(
    "ignore",
    message=r"Please use 'Bot\.[A-Za-z]+' instead of 'Bot\.do_api_request",
    category=PTBUserWarning,
)


@dataclass(frozen=True)
class Planned:
    """One Bot API call: its method (Bot API name) and parameters (PTB objects allowed)."""

    method: str
    params: dict[str, Any]
    critical: bool = True  # carries a reply: sent in order, the handler waits for it
    fallback: Planned | None = field(default=None, compare=False)  # if this edit fails


def keyboard(rows: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup | None:
    """Rows of buttons as an inline keyboard (None for none)."""
    if not rows:
        return None
    return _keyboard(tuple(tuple((b.label, b.data) for b in row) for row in rows))


@lru_cache(maxsize=KEPT)
def _keyboard(rows: tuple[tuple[tuple[str, str], ...], ...]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


@lru_cache(maxsize=KEPT)
def _json(value: TelegramObject) -> dict[str, Any]:
    """A keyboard's JSON form (not to be changed: it is shared)."""
    return value.to_dict()


def inline_markup(reply: Reply) -> InlineKeyboardMarkup | None:
    return keyboard(reply.buttons)


def merge(replies: Sequence[Reply]) -> list[Reply]:
    """Join a message without buttons to the next one when both fit one phone screen."""
    merged: list[Reply] = []
    for reply in replies:
        last = merged[-1] if merged else None
        if (
            last is not None
            and not (last.buttons or last.contact or last.edit or last.remove_keyboard)
            and not reply.edit
        ):
            text = f"{last.text}\n\n{reply.text}"
            if len(text) <= MAX_TEXT and phone.fits(text):
                merged[-1] = replace(reply, text=text)
                continue
        merged.append(reply)
    return merged


def _tapped(update: Update) -> Message | None:
    query = update.callback_query
    if query is not None and isinstance(query.message, Message):
        return query.message
    return None


def _answered_edit(message: Message, data: str | None) -> Planned:
    """The tapped message with the tapped label under it and no buttons (one call); only the
    buttons go when the label is not found or the text would be too long."""
    where = {"chat_id": message.chat_id, "message_id": message.message_id}
    markup = message.reply_markup
    label = next(
        (
            b.text
            for row in (markup.inline_keyboard if markup else ())
            for b in row
            if b.callback_data == data
        ),
        None,
    )
    text = message.text or ""
    if label and text:
        start = RLM if text.startswith(RLM) else ""
        edited = f"{text}\n\n{start}{ANSWERED.format(label=label)}"
        if len(edited) <= MAX_TEXT:
            return Planned("editMessageText", {**where, "text": edited}, critical=False)
    return Planned("editMessageReplyMarkup", {**where, "reply_markup": None}, critical=False)


def plan(update: Update, replies: Sequence[Reply]) -> list[Planned]:
    """The calls for one update's replies: critical ones in order, then the others."""
    chat = update.effective_chat
    query = update.callback_query
    if chat is None:  # a tap on a message the bot cannot see: stop its spinner only
        return [Planned(ANSWER_TAP, {"callback_query_id": query.id}, False)] if query else []
    tapped = _tapped(update)
    calls: list[Planned] = []
    for reply in merge(replies):
        markup: Any = inline_markup(reply)
        if reply.remove_keyboard and markup is None:
            markup = ReplyKeyboardRemove()
        send = Planned(
            "sendMessage", {"chat_id": chat.id, "text": reply.text, "reply_markup": markup}
        )
        if reply.edit and tapped is not None:
            where = {"chat_id": tapped.chat_id, "message_id": tapped.message_id}
            params = {**where, "text": reply.text, "reply_markup": inline_markup(reply)}
            calls.append(Planned("editMessageText", params, fallback=send))
        else:
            calls.append(send)
        if reply.contact is not None:
            hint, label = reply.contact
            keyboard = ReplyKeyboardMarkup(
                [[KeyboardButton(label, request_contact=True)]],
                resize_keyboard=True,
                one_time_keyboard=True,
            )
            calls.append(
                Planned("sendMessage", {"chat_id": chat.id, "text": hint, "reply_markup": keyboard})
            )
    if query is not None:
        calls.append(Planned(ANSWER_TAP, {"callback_query_id": query.id}, False))
        if tapped is not None and not any(r.edit for r in replies):
            calls.append(_answered_edit(tapped, query.data))
    return calls


def as_webhook_reply(call: Planned) -> dict[str, Any]:
    """A call as the JSON body a webhook may answer Telegram with."""
    body: dict[str, Any] = {"method": call.method}
    for key, value in call.params.items():
        if isinstance(value, InlineKeyboardMarkup):
            body[key] = _json(value)
        elif value is not None:
            body[key] = value.to_dict() if isinstance(value, TelegramObject) else value
    return body


async def run(bot: Bot, call: Planned) -> None:
    """Make one planned call; a failed edit with a fallback sends that instead ("message is
    not modified" is success: it already reads so). Its result is not read, so it is not
    parsed either (no ``Message`` made of it)."""
    try:
        await bot.do_api_request(call.method, api_kwargs=call.params)
    except Forbidden:
        raise
    except TelegramError as exc:
        if call.method.startswith("edit") and "not modified" in str(exc).lower():
            return
        if call.fallback is None:
            raise
        log.info("%s failed, sending instead: %s", call.method, type(exc).__name__)
        await run(bot, call.fallback)


async def execute(
    bot: Bot, calls: Sequence[Planned], blocked: Callable[[], Any] | None = None
) -> None:
    """The critical calls one after another (their order is the chat's), the rest alongside.
    A 403 (the user blocked the bot) stops the replies and calls ``blocked``; other errors of
    the critical calls are raised after the rest finished; the rest's are logged."""
    critical = [call for call in calls if call.critical]
    others = [call for call in calls if not call.critical]

    async def in_order() -> None:
        for call in critical:
            await run(bot, call)

    results = await asyncio.gather(
        in_order(), *(run(bot, call) for call in others), return_exceptions=True
    )
    failed = results[0]
    for result in results[1:]:
        if isinstance(result, BaseException):
            log.debug("a secondary call failed: %s", describe(result))
    if isinstance(failed, Forbidden):
        log.info("a reply was refused: the user blocked the bot")
        if blocked is not None:
            await blocked()
    elif isinstance(failed, BaseException):
        raise failed
