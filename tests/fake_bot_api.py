"""A fake Telegram Bot API server for end-to-end tests and benchmarks.

:class:`FakeBotApi` is a small aiohttp HTTP server that speaks enough of the Bot API for a real
python-telegram-bot ``Application`` to run against it over real HTTP (long polling included)::

    async with FakeBotApi() as api:
        app = (
            ApplicationBuilder()
            .token(TOKEN)
            .base_url(api.base_url)
            .base_file_url(api.base_file_url)
            .build()
        )
        ...  # add handlers, initialize, start, app.updater.start_polling(poll_interval=0)
        user = api.user(1001, language_code="ur")
        await user.send("/start roadshow_lahore")
        msg = await user.reply()
        await user.tap("Yes")

Simulated users (:class:`FakeUser`) push updates into a queue that the bot fetches with
``getUpdates``; everything the bot sends or edits is recorded per chat as :class:`BotMessage`
records, which each user consumes through a private cursor (:meth:`FakeUser.reply`).

Telegram behaviour that is reproduced because it matters for real bots:

* Parameters are accepted from the query string, urlencoded or multipart forms (PTB's way:
  strings as-is, everything else JSON-encoded) and JSON bodies.
* Errors are answered with the HTTP status equal to ``error_code`` - PTB chooses the exception
  class (``BadRequest``, ``Forbidden``, ``InvalidToken``, ...) from the HTTP status.
* ``getUpdates`` offset/limit/timeout/allowed_updates semantics; a newer ``getUpdates`` ends an
  older pending one with 409 Conflict; :meth:`FakeBotApi.stop` answers pending ones with ``[]``.
* Message ids are per chat (shared by user and bot messages), update ids are global.
* Validation: empty / too long texts, ``BUTTON_DATA_INVALID``, text-only inline buttons,
  "message is not modified", "message to edit not found", HTML parse errors (tdlib's messages),
  unescaped reserved characters in MarkdownV2, unknown chats, blocked users.
* ``sendDocument`` with a multipart upload keeps the file (``BotMessage.document``); group
  chats (:meth:`FakeBotApi.group`); a blocked user (``FakeUser.blocked``) answers 403; one
  429 with ``retry_after`` on demand (:meth:`FakeBotApi.retry_after_once`); a 500, a dropped
  connection or a slow answer on demand (:meth:`FakeBotApi.fail_once`); faults on demand
  (``fail_next``: 429, 500, a timeout, a connection reset).
* ``editMessageText`` without ``reply_markup`` removes the inline keyboard, like Telegram does.
* Messages returned to the bot carry the *parsed* text (HTML tags stripped, entities with
  UTF-16 offsets) and only inline keyboards, exactly like Telegram; :class:`BotMessage.text`
  keeps the text as the bot sent it (tags included), ``plain_text`` what the user sees.

* Webhooks (``tests/fake_webhook.py``): after ``setWebhook`` updates are POSTed to the URL
  with the secret header, retried on non-2xx and connection errors (``webhook.retry_delay``),
  up to ``max_connections`` in flight, round robin over ``webhook.targets`` (a load balancer
  in front of several instances), twice on demand (``webhook.twice()``); a method in a
  webhook response body is executed (and recorded) like a call; ``getUpdates`` answers 409
  while a webhook is set; ``deleteWebhook`` puts undelivered updates back for ``getUpdates``.

Every call waits ``delay`` seconds (simulated latency) before being processed; a method in a
webhook response does not (it does not cross the network again), but it counts in
``rate_limit`` like any call.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from aiohttp import web

from tests.fake_webhook import WebhookDelivery

__all__ = [
    "BOT_USERNAME",
    "TOKEN",
    "BotMessage",
    "Button",
    "FakeBotApi",
    "FakeUser",
    "UploadedFile",
]

TOKEN = "123456:TEST-not-a-real-token"
BOT_USERNAME = "ssw_test_bot"
BOT_FIRST_NAME = "SSW Test Bot"
MAX_MESSAGE_LENGTH = 4096
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_LENGTH = 200

JSONDict = dict[str, Any]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Form fields whose value is a plain string and must never be JSON-decoded (a text "123" stays
# a string).  Every other form field is JSON-decoded when it is valid JSON, because PTB
# JSON-encodes all non-string values (ints, bools, reply_markup, entities, commands, ...).
_STRING_PARAMS = _words(
    "text caption parse_mode callback_query_id inline_message_id action url description "
    "short_description name title language_code phone_number first_name last_name vcard "
    "emoji question explanation business_connection_id message_effect_id secret_token "
    "ip_address file_id photo document audio voice video video_note animation sticker "
    "thumbnail address query payload currency start_parameter custom_title invite_link"
)

_INLINE_ACTION_KEYS = _words(
    "callback_data url login_url web_app switch_inline_query "
    "switch_inline_query_current_chat switch_inline_query_chosen_chat copy_text "
    "callback_game pay"
)

_CHAT_ACTIONS = _words(
    "typing upload_photo record_video upload_video record_voice upload_voice "
    "upload_document choose_sticker find_location record_video_note upload_video_note"
)

_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_USER_COMMAND_RE = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{1,64})?(?=\s|$)")


class ApiError(Exception):
    """Raised by method implementations; becomes ``{"ok": false, ...}`` with HTTP ``code``."""

    def __init__(self, code: int, description: str, parameters: JSONDict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


def _bad_request(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


@dataclass
class Button:
    """One inline or reply-keyboard button as the bot sent it."""

    text: str
    callback_data: str | None = None
    request_contact: bool = False
    url: str | None = None


@dataclass
class UploadedFile:
    """A multipart file part as received (e.g. from ``sendDocument`` with a local file)."""

    filename: str
    content_type: str
    data: bytes


@dataclass
class BotMessage:
    """A message the bot sent (or edited) in a chat - one record per sendMessage / edit."""

    chat_id: int
    message_id: int
    text: str
    buttons: list[list[Button]]
    reply_keyboard: list[list[Button]]
    remove_keyboard: bool
    parse_mode: str | None
    edited: bool = False
    plain_text: str = ""
    """The text as the user sees it (HTML tags / MarkdownV2 markup removed)."""
    reply_to_message_id: int | None = None
    document: UploadedFile | None = None
    """``sendDocument``: the file as uploaded (name, type and bytes); ``text`` is the caption."""

    def button_labels(self) -> list[str]:
        """Flat list of the inline button labels, row by row."""
        return [button.text for row in self.buttons for button in row]

    def reply_keyboard_labels(self) -> list[str]:
        """Flat list of the reply keyboard labels, row by row."""
        return [button.text for row in self.reply_keyboard for button in row]


@dataclass
class _Markup:
    inline: list[list[Button]] = field(default_factory=list)
    inline_json: JSONDict | None = None
    reply: list[list[Button]] = field(default_factory=list)
    remove: bool = False


@dataclass
class _StoredMessage:
    """Current server-side state of one message in a chat."""

    json: JSONDict  # replaced (never mutated) on edit, so queued updates stay consistent
    from_bot: bool
    raw_text: str = ""
    parse_mode: str | None = None
    inline: list[list[Button]] = field(default_factory=list)


class _Pulse:
    """Broadcast wake-up: ``fire()`` wakes every current waiter; waiters re-check a predicate."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def fire(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait_for(self, predicate: Callable[[], bool], limit: float | None) -> bool:
        """Wait until ``predicate()`` is true; returns its final value (False on timeout)."""
        if predicate():
            return True
        try:
            async with asyncio.timeout(limit):
                while not predicate():
                    await self._event.wait()
        except TimeoutError:
            pass
        return predicate()


class _Chat:
    """A private chat between the bot and one fake user, or (``user`` None) a group."""

    def __init__(self, user: FakeUser | None, chat_id: int | None = None, title: str = "") -> None:
        self.id = user.user_id if user is not None else int(chat_id or 0)
        self.user = user
        self.title = title
        self.blocked = False  # a group that removed the bot
        self.next_message_id = 1
        self.messages: dict[int, _StoredMessage] = {}
        self.records: list[BotMessage] = []
        self.reply_keyboard: list[list[Button]] = []
        self.pulse = _Pulse()

    def new_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def json(self) -> JSONDict:
        if self.user is None:
            return {"id": self.id, "type": "group", "title": self.title}
        chat: JSONDict = {"id": self.id, "type": "private", "first_name": self.user.first_name}
        if self.user.username:
            chat["username"] = self.user.username
        return chat

    def add_record(self, record: BotMessage) -> None:
        self.records.append(record)
        self.pulse.fire()

    def latest_inline_message(self) -> _StoredMessage | None:
        for stored in reversed(self.messages.values()):
            if stored.from_bot and stored.inline:
                return stored
        return None

    def latest_bot_message(self) -> _StoredMessage | None:
        for stored in reversed(self.messages.values()):
            if stored.from_bot:
                return stored
        return None


# --------------------------------------------------------------------------------------------
# Text parsing (parse_mode) - error texts follow tdlib, which produces Telegram's answers
# --------------------------------------------------------------------------------------------


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _entities_error(description: str) -> ApiError:
    return _bad_request(f"can't parse entities: {description}")


_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_HTML_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_ENTITY_RE = re.compile(r"&(?:(lt|gt|amp|quot)|#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6}));")


def _html_entity_at(text: str, index: int) -> tuple[str, int] | None:
    match = _HTML_ENTITY_RE.match(text, index)
    if match is None:
        return None
    named, decimal, hexadecimal = match.groups()
    if named:
        return _HTML_NAMED_ENTITIES[named], match.end()
    code_point = int(decimal) if decimal else int(hexadecimal, 16)
    if not 0 < code_point <= 0x10FFFF or 0xD800 <= code_point <= 0xDFFF:
        return None
    return chr(code_point), match.end()


def _html_unescape(value: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(value):
        entity = _html_entity_at(value, i) if value[i] == "&" else None
        if entity is None:
            out.append(value[i])
            i += 1
        else:
            out.append(entity[0])
            i = entity[1]
    return "".join(out)


@dataclass
class _OpenTag:
    name: str
    offset: int  # UTF-16 offset in the output text
    attrs: dict[str, str]


def _parse_html_tag(text: str, i: int) -> tuple[str, dict[str, str], int]:
    """Parse a start tag at ``text[i] == "<"``; returns (name, attributes, index after ``>``)."""
    n = len(text)
    begin = i
    i += 1
    while i < n and not text[i].isspace() and text[i] != ">":
        i += 1
    if i >= n:
        raise _entities_error(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
    name = text[begin + 1 : i].lower()
    if name not in _HTML_TAGS:
        raise _entities_error(
            f'Unsupported start tag "{name}" at byte offset {_byte_offset(text, begin)}'
        )
    attrs: dict[str, str] = {}
    while True:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            raise _entities_error(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        if text[i] == ">":
            i += 1
            break
        attr_begin = i
        while i < n and not text[i].isspace() and text[i] not in "=>":
            i += 1
        attr_name = text[attr_begin:i].lower()
        if not attr_name:
            raise _entities_error(
                f'Empty attribute name in the tag "{name}" at byte offset '
                f"{_byte_offset(text, attr_begin)}"
            )
        while i < n and text[i].isspace():
            i += 1
        if i < n and text[i] != "=":  # valueless attribute, e.g. <blockquote expandable>
            attrs[attr_name] = ""
            continue
        i += 1
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            raise _entities_error(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        if text[i] in "\"'":
            quote = text[i]
            end = text.find(quote, i + 1)
            if end == -1:
                raise _entities_error(
                    f"Unclosed start tag at byte offset {_byte_offset(text, begin)}"
                )
            attrs[attr_name] = _html_unescape(text[i + 1 : end])
            i = end + 1
        else:
            token_begin = i
            while i < n and (text[i].isalnum() or text[i] in ".-"):
                i += 1
            if i < n and not text[i].isspace() and text[i] != ">":
                raise _entities_error(
                    f"Unexpected end of name token at byte offset {_byte_offset(text, i)}"
                )
            attrs[attr_name] = text[token_begin:i].lower()
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise _entities_error(
            f'Tag "span" must have class "tg-spoiler" at byte offset {_byte_offset(text, begin)}'
        )
    return name, attrs, i


def _html_entity_for(tag: _OpenTag, length: int) -> JSONDict | None:
    kind = _HTML_TAGS[tag.name]
    entity: JSONDict = {"type": kind, "offset": tag.offset, "length": length}
    if kind == "text_link":
        url = tag.attrs.get("href", "")
        if not url:
            return None
        entity["url"] = url
    elif kind == "custom_emoji":
        entity["custom_emoji_id"] = tag.attrs.get("emoji-id", "")
    elif kind == "blockquote" and "expandable" in tag.attrs:
        entity["type"] = "expandable_blockquote"
    elif kind == "pre" and tag.attrs.get("language"):
        entity["language"] = tag.attrs["language"]
    return entity


def parse_html(text: str) -> tuple[str, list[JSONDict]]:
    """Parse Telegram HTML like tdlib: returns (plain text, entities) or raises ApiError 400."""
    out: list[str] = []
    offset = 0  # UTF-16 length of out
    stack: list[_OpenTag] = []
    entities: list[JSONDict] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "&":
            entity = _html_entity_at(text, i)
            if entity is not None:
                out.append(entity[0])
                offset += _utf16_len(entity[0])
                i = entity[1]
                continue
        elif char == "<":
            begin = i
            if i + 1 < n and text[i + 1] == "/":
                if not stack:
                    raise _entities_error(
                        f"Unexpected end tag at byte offset {_byte_offset(text, begin)}"
                    )
                end = text.find(">", i)
                if end == -1:
                    raise _entities_error(
                        f"Unclosed end tag at byte offset {_byte_offset(text, begin)}"
                    )
                end_name = text[i + 2 : end].strip().lower()
                tag = stack.pop()
                if end_name and end_name != tag.name:
                    raise _entities_error(
                        f"Unmatched end tag at byte offset {_byte_offset(text, begin)}, "
                        f'expected "</{tag.name}>", found "</{end_name}>"'
                    )
                language = tag.attrs.get("class", "")
                if tag.name == "code" and stack and stack[-1].name == "pre":
                    if language.startswith("language-"):
                        stack[-1].attrs["language"] = language.removeprefix("language-")
                elif offset > tag.offset:
                    html_entity = _html_entity_for(tag, offset - tag.offset)
                    if html_entity is not None:
                        entities.append(html_entity)
                i = end + 1
            else:
                name, attrs, i = _parse_html_tag(text, i)
                stack.append(_OpenTag(name, offset, attrs))
            continue
        out.append(char)
        offset += 1 if ord(char) < 0x10000 else 2
        i += 1
    if stack:
        raise _entities_error(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


_MDV2_ENTITY_NAMES = {
    "*": "Bold",
    "_": "Italic",
    "__": "Underline",
    "~": "Strikethrough",
    "||": "Spoiler",
    "[": "TextUrl",
}


def parse_markdown_v2(text: str) -> str:
    """Validate MarkdownV2 (reserved characters, unclosed entities); returns the plain text.

    A pragmatic subset of tdlib's parser: no entities are produced.
    """
    out: list[str] = []
    stack: list[tuple[str, int]] = []  # (marker, index)
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "\\" and i + 1 < n and 0 < ord(text[i + 1]) <= 126:
            out.append(text[i + 1])
            i += 2
            continue
        if char not in "_*[]()~`>#+-=|{}.!":
            out.append(char)
            i += 1
            continue
        if char == "`":
            fence = "```" if text.startswith("```", i) else "`"
            end = i + len(fence)
            while True:
                end = text.find(fence, end)
                if end == -1:
                    kind = "Pre" if fence == "```" else "Code"
                    raise _entities_error(
                        f"Can't find end of {kind} entity at byte offset {_byte_offset(text, i)}"
                    )
                if text[end - 1] != "\\":
                    break
                end += 1
            body = text[i + len(fence) : end]
            if fence == "```" and "\n" in body:
                body = body.split("\n", 1)[1]  # first line is the language
            out.append(re.sub(r"\\(.)", r"\1", body))
            i = end + len(fence)
            continue
        if char == ">" and (i == 0 or text[i - 1] == "\n"):
            i += 1
            continue
        if char == "*" and text.startswith("**>", i) and (i == 0 or text[i - 1] == "\n"):
            i += 3
            continue
        marker = char
        if char == "_" and text.startswith("__", i):
            marker = "__"
        elif char == "|" and text.startswith("||", i):
            marker = "||"
        if marker in ("*", "_", "__", "~", "||"):
            open_markers = [m for m, _ in stack]
            if marker in open_markers:
                del stack[len(open_markers) - 1 - open_markers[::-1].index(marker)]
            else:
                stack.append((marker, i))
            i += len(marker)
            continue
        if char == "[":
            stack.append(("[", i))
            i += 1
            continue
        if char == "]" and stack and stack[-1][0] == "[":
            stack.pop()
            i += 1
            if i < n and text[i] == "(":
                end = i + 1
                while end < n and text[end] != ")":
                    end += 2 if text[end] == "\\" else 1
                if end >= n:
                    raise _entities_error(
                        f"Can't find end of a URL at byte offset {_byte_offset(text, i)}"
                    )
                i = end + 1
            continue
        raise _entities_error(
            f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
        )
    if stack:
        marker, index = stack[-1]
        raise _entities_error(
            f"Can't find end of {_MDV2_ENTITY_NAMES[marker]} entity at byte offset "
            f"{_byte_offset(text, index)}"
        )
    return "".join(out)


def _render_text(text: str, parse_mode: str | None, entities: Any) -> tuple[str, list[JSONDict]]:
    mode = (parse_mode or "").lower()
    if mode == "html":
        plain, parsed = parse_html(text)
    elif mode == "markdownv2":
        plain, parsed = parse_markdown_v2(text), []
    elif mode in ("", "markdown"):
        plain, parsed = text, list(entities) if isinstance(entities, list) else []
    else:
        raise _bad_request("unsupported parse_mode")
    if not plain.strip():
        raise _bad_request("message text is empty")
    if len(plain) > MAX_MESSAGE_LENGTH:
        raise _bad_request("message is too long")
    return plain, parsed


# --------------------------------------------------------------------------------------------
# Parameter decoding and markup parsing
# --------------------------------------------------------------------------------------------


def _decode_form_value(key: str, value: str) -> Any:
    if key in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _decode_json_value(key: str, value: Any) -> Any:
    if isinstance(value, str) and key not in _STRING_PARAMS and value[:1] in ("{", "["):
        with contextlib.suppress(ValueError):
            return json.loads(value)
    return value


async def _read_params(request: web.Request) -> JSONDict:
    params: JSONDict = {key: _decode_form_value(key, v) for key, v in request.query.items()}
    if not request.body_exists:
        return params
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError as exc:
            raise _bad_request("can't parse JSON request body") from exc
        if not isinstance(body, dict):
            raise _bad_request("request body must be a JSON object")
        params.update({key: _decode_json_value(key, v) for key, v in body.items()})
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                params[key] = UploadedFile(value.filename, value.content_type, value.file.read())
            elif isinstance(value, bytes | bytearray):
                params[key] = _decode_form_value(key, bytes(value).decode("utf-8", "replace"))
            else:
                params[key] = _decode_form_value(key, value)
    return params


def _update_type(update: JSONDict) -> str:
    return next(key for key in update if key != "update_id")


def _int_param(params: JSONDict, key: str, default: int | None = None) -> int:
    value = params.get(key, default)
    if value is None:
        raise _bad_request(f"{key} is empty")
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _bad_request(f"invalid {key} specified")
    try:
        return int(value)
    except ValueError as exc:
        raise _bad_request(f"invalid {key} specified") from exc


def _opt_str(params: JSONDict, key: str) -> str | None:
    value = params.get(key)
    return None if value is None else str(value)


def _parse_inline_keyboard(markup: JSONDict) -> tuple[list[list[Button]], JSONDict]:
    rows = markup.get("inline_keyboard")
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
    parsed: list[list[Button]] = []
    for row in rows:
        parsed_row: list[Button] = []
        for button in row:
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise _bad_request(
                    'can\'t parse inline keyboard button: Field "text" must be of type String'
                )
            if not _INLINE_ACTION_KEYS & button.keys():
                raise _bad_request(
                    "can't parse inline keyboard button: Text buttons are unallowed in the "
                    "inline keyboard"
                )
            data = button.get("callback_data")
            if data is not None and (
                not isinstance(data, str)
                or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
            ):
                raise _bad_request("BUTTON_DATA_INVALID")
            parsed_row.append(
                Button(text=button["text"], callback_data=data, url=button.get("url"))
            )
        parsed.append(parsed_row)
    return parsed, {"inline_keyboard": rows}


def _parse_reply_markup(value: Any) -> _Markup:
    if value is None:
        return _Markup()
    if not isinstance(value, dict):
        raise _bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in value:
        inline, inline_json = _parse_inline_keyboard(value)
        return _Markup(inline=inline, inline_json=inline_json if inline else None)
    if "keyboard" in value:
        rows = value["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad_request('field "keyboard" of the ReplyKeyboardMarkup must be an Array')
        reply: list[list[Button]] = []
        for row in rows:
            reply_row: list[Button] = []
            for button in row:
                if isinstance(button, str):
                    reply_row.append(Button(text=button))
                elif isinstance(button, dict) and isinstance(button.get("text"), str):
                    reply_row.append(
                        Button(
                            text=button["text"],
                            request_contact=bool(button.get("request_contact", False)),
                        )
                    )
                else:
                    raise _bad_request("can't parse keyboard button")
            reply.append(reply_row)
        return _Markup(reply=reply)
    if value.get("remove_keyboard"):
        return _Markup(remove=True)
    if value.get("force_reply"):
        return _Markup()
    raise _bad_request("can't parse reply keyboard markup JSON object")


# --------------------------------------------------------------------------------------------
# Fake users
# --------------------------------------------------------------------------------------------


class FakeUser:
    """A simulated Telegram user in a private chat with the bot (chat id == user id)."""

    def __init__(
        self,
        api: FakeBotApi,
        user_id: int,
        first_name: str,
        language_code: str | None,
        username: str | None,
    ) -> None:
        self.api = api
        self.user_id = user_id
        self.first_name = first_name
        self.language_code = language_code
        self.username = username
        self.blocked = False
        """When True the bot gets 403 "Forbidden: bot was blocked by the user"."""
        self._cursor = 0
        self._chat = _Chat(self)

    def __repr__(self) -> str:
        return f"FakeUser(user_id={self.user_id}, first_name={self.first_name!r})"

    def json(self) -> JSONDict:
        """The Telegram ``User`` object for this user."""
        user: JSONDict = {"id": self.user_id, "is_bot": False, "first_name": self.first_name}
        if self.username:
            user["username"] = self.username
        if self.language_code:
            user["language_code"] = self.language_code
        return user

    @property
    def last(self) -> BotMessage | None:
        """The most recent record (sent or edited) in this chat."""
        return self._chat.records[-1] if self._chat.records else None

    @property
    def keyboard(self) -> list[list[Button]]:
        """The reply keyboard currently shown to this user ([] if none)."""
        return self._chat.reply_keyboard

    # -- sending ---------------------------------------------------------------------------

    def _push_message(self, fields: JSONDict) -> int:
        chat = self._chat
        message_id = chat.new_message_id()
        message: JSONDict = {
            "message_id": message_id,
            "from": self.json(),
            "chat": chat.json(),
            "date": int(time.time()),
            **fields,
        }
        chat.messages[message_id] = _StoredMessage(json=message, from_bot=False)
        self.api._push_update({"message": message})
        return message_id

    async def send(self, text: str) -> int:
        """Send a text message; a leading ``/command`` gets a ``bot_command`` entity.

        Returns the message id.
        """
        fields: JSONDict = {"text": text}
        match = _USER_COMMAND_RE.match(text)
        if match:
            fields["entities"] = [
                {"type": "bot_command", "offset": 0, "length": _utf16_len(match.group())}
            ]
        return self._push_message(fields)

    async def press(self, label: str) -> int:
        """Press a reply-keyboard button (sends its text, like the Telegram client does)."""
        buttons = [button for row in self._chat.reply_keyboard for button in row]
        for button in buttons:
            if button.text == label:
                if button.request_contact:
                    raise AssertionError(f"{label!r} requests the contact: use share_contact()")
                return await self.send(button.text)
        raise AssertionError(
            f"no reply keyboard button {label!r}; available: {[b.text for b in buttons]}"
        )

    async def share_contact(self, phone_number: str, own: bool = True) -> int:
        """Share a contact; ``own`` makes it this user's own contact (``user_id`` set)."""
        contact: JSONDict = {"phone_number": phone_number}
        if own:
            contact.update(first_name=self.first_name, user_id=self.user_id)
        else:
            contact["first_name"] = "Someone Else"
        return self._push_message({"contact": contact})

    def _file(self, prefix: str, size: int, **extra: Any) -> JSONDict:
        file_id, unique_id = self.api._new_file(prefix, size)
        return {"file_id": file_id, "file_unique_id": unique_id, "file_size": size, **extra}

    async def send_photo(self, caption: str | None = None) -> int:
        """Send a photo (three sizes, like Telegram)."""
        sizes = [(90, 68, 1_500), (320, 240, 18_000), (1280, 960, 160_000)]
        fields: JSONDict = {
            "photo": [
                self._file("AgAC", size, width=width, height=height)
                for width, height, size in sizes
            ]
        }
        if caption is not None:
            fields["caption"] = caption
        return self._push_message(fields)

    async def send_sticker(self, emoji: str = "👍") -> int:
        """Send a static sticker."""
        sticker = self._file(
            "CAAC",
            24_000,
            width=512,
            height=512,
            type="regular",
            is_animated=False,
            is_video=False,
            emoji=emoji,
            set_name="TestStickers",
        )
        return self._push_message({"sticker": sticker})

    async def send_voice(self, duration: int = 3) -> int:
        """Send a voice note."""
        voice = self._file("AwAC", 12_000, duration=duration, mime_type="audio/ogg")
        return self._push_message({"voice": voice})

    async def send_location(self, latitude: float = 31.5204, longitude: float = 74.3587) -> int:
        """Send a location (defaults to Lahore)."""
        return self._push_message({"location": {"latitude": latitude, "longitude": longitude}})

    async def send_document(
        self, file_name: str = "cv.pdf", mime_type: str = "application/pdf"
    ) -> int:
        """Send a document."""
        document = self._file("BQAC", 85_000, file_name=file_name, mime_type=mime_type)
        return self._push_message({"document": document})

    async def tap(self, label: str) -> None:
        """Press an inline button of the most recent bot message that has an inline keyboard.

        ``label`` must equal a button text, or else be contained in exactly one button text.
        """
        stored = self._chat.latest_inline_message()
        if stored is None:
            raise AssertionError(f"no bot message with an inline keyboard in chat {self.user_id}")
        buttons = [button for row in stored.inline for button in row]
        labels = [button.text for button in buttons]
        matches = [b for b in buttons if b.text == label] or [b for b in buttons if label in b.text]
        if not matches:
            raise AssertionError(f"no inline button {label!r}; available: {labels}")
        if len({b.text for b in matches}) > 1:
            raise AssertionError(f"inline button {label!r} is ambiguous; available: {labels}")
        button = matches[0]
        if button.callback_data is None:
            raise AssertionError(f"inline button {button.text!r} has no callback_data")
        self._push_callback(button.callback_data, stored.json)

    async def tap_data(self, callback_data: str, message_id: int | None = None) -> None:
        """Send a raw callback query, e.g. for a stale button of an old or deleted message.

        Without ``message_id`` the latest bot message with an inline keyboard (else the latest
        bot message) is used; an unknown ``message_id`` yields an inaccessible message (date 0).
        """
        chat = self._chat
        if message_id is None:
            stored = chat.latest_inline_message() or chat.latest_bot_message()
            if stored is None:
                raise AssertionError(f"no bot message in chat {self.user_id} to attach to")
            message = stored.json
        elif message_id in chat.messages:
            message = chat.messages[message_id].json
        else:
            message = {"chat": chat.json(), "message_id": message_id, "date": 0}
        self._push_callback(callback_data, message)

    def _push_callback(self, data: str, message: JSONDict) -> None:
        query_id = self.api._new_callback_query(self._chat.id)
        self.api._push_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": self.json(),
                    "message": message,
                    "chat_instance": f"-{self._chat.id}00",
                    "data": data,
                }
            }
        )

    # -- receiving -------------------------------------------------------------------------

    async def reply(self, timeout: float = 5.0) -> BotMessage:  # noqa: ASYNC109
        """Wait for and consume the next record (sent or edited message) in this chat."""
        records = self._chat.records
        if not await self._chat.pulse.wait_for(lambda: len(records) > self._cursor, timeout):
            recent = [r.text[:60] for r in records[-3:]]
            raise AssertionError(
                f"user {self.user_id}: no new bot message within {timeout}s "
                f"(consumed {self._cursor}; last ones: {recent})"
            )
        record = records[self._cursor]
        self._cursor += 1
        return record

    async def replies_until_idle(
        self,
        quiet: float = 0.3,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[BotMessage]:
        """Consume all new records until none arrives for ``quiet`` seconds (max ``timeout``)."""
        records = self._chat.records
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        consumed: list[BotMessage] = []
        while (remaining := deadline - loop.time()) > 0:
            if not await self._chat.pulse.wait_for(
                lambda: len(records) > self._cursor, min(quiet, remaining)
            ):
                break
            consumed.extend(records[self._cursor :])
            self._cursor = len(records)
        return consumed


# --------------------------------------------------------------------------------------------
# Fault injection: the next calls to a method fail the way Telegram or the network can
# --------------------------------------------------------------------------------------------

FAULT_KINDS = ("429", "500", "timeout", "reset")


@dataclass
class _Fault:
    kind: str
    times: int
    retry_after: int = 1
    sleep: float = 7.0  # longer than python-telegram-bot's 5 s read timeout


class _FaultInjection:
    """``fail_next(method, kind, times)``: the next ``times`` calls to ``method`` (canonical
    name) are answered 429 with ``retry_after``, answered 500, left unanswered for ``sleep``
    seconds (the client's timeout fires first; the call is not carried out if the client gave
    up) or cut off (the socket is closed without an answer). ``faults_injected`` counts them."""

    def _init_faults(self) -> None:
        self._injected: dict[str, list[_Fault]] = {}
        self.faults_injected: list[tuple[str, str]] = []

    def fail_next(
        self, method: str, kind: str, times: int = 1, retry_after: int = 1, sleep: float = 7.0
    ) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; one of {FAULT_KINDS}")
        self._injected.setdefault(method, []).append(_Fault(kind, times, retry_after, sleep))

    async def _inject_fault(self, method: str, request: web.Request | None) -> web.Response | None:
        """None when no fault is due for ``method``; else the failed answer (or a sleep)."""
        queue = self._injected.get(method)
        if not queue:
            return None
        fault = queue[0]
        fault.times -= 1
        if fault.times <= 0:
            queue.pop(0)
        self.faults_injected.append((method, fault.kind))
        if fault.kind == "429":
            body = {
                "ok": False,
                "error_code": 429,
                "description": f"Too Many Requests: retry after {fault.retry_after}",
                "parameters": {"retry_after": fault.retry_after},
            }
            return web.json_response(body, status=429)
        if fault.kind == "500":
            body = {"ok": False, "error_code": 500, "description": "Internal Server Error"}
            return web.json_response(body, status=500)
        if fault.kind == "reset":
            if request is not None and request.transport is not None:
                request.transport.abort()
            raise asyncio.CancelledError  # nothing is answered on the closed socket
        await asyncio.sleep(fault.sleep)  # "timeout": cancelled when the client disconnects
        return None


# --------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------

_Method = Callable[[JSONDict], Awaitable[Any]]


RATE_LIMITED = frozenset({"sendMessage", "sendDocument"})


class FakeBotApi(_FaultInjection):
    """Fake Bot API HTTP server; see the module docstring."""

    def __init__(self, token: str = TOKEN, delay: float = 0.0) -> None:
        self.token = token
        self.delay = delay
        """Seconds every API call waits before being processed (simulated latency)."""
        self.bot_id = int(token.split(":", 1)[0])
        self.calls: list[tuple[str, JSONDict]] = []
        self.fail_methods: dict[str, tuple[int, str]] = {}
        """Method name (canonical case, e.g. "setMyCommands") -> (error_code, description)."""
        self.commands: dict[str, list[JSONDict]] = {}
        """Default-scope commands by language code ("" = all languages)."""
        self.scoped_commands: dict[tuple[str, str], list[JSONDict]] = {}
        """All commands by (scope as canonical JSON, language code)."""
        self.callback_answers: dict[str, JSONDict] = {}
        """answerCallbackQuery params by callback query id, in answer order."""
        self.menu_buttons: dict[int | None, JSONDict] = {}
        self.bot_texts: dict[tuple[str, str], str] = {}
        """setMyName/Description/ShortDescription values by (field, language code)."""
        self.webhook_url = ""
        self.base_url = ""
        self.base_file_url = ""
        self.port = 0

        self.rate_limit: int | None = None
        """Messages (sendMessage, sendDocument) a second, over any one-second window, beyond
        which the call is refused with 429 and ``retry_after`` 1, as Telegram does; a method
        in a webhook response counts (and is refused) like a call, as at Telegram."""
        self.too_many: list[float] = []
        """``time.monotonic()`` of each call refused by ``rate_limit``."""
        self._message_times: deque[float] = deque()
        self._gate = asyncio.Event()
        self._gate.set()
        self._users: dict[int, FakeUser] = {}
        self._groups: dict[int, _Chat] = {}
        self._retry_once: dict[str, int] = {}
        self._faults: dict[str, deque[tuple[str, float]]] = {}
        self.call_times: list[float] = []
        """``time.monotonic()`` of each entry of ``calls``."""
        self._pending: deque[JSONDict] = deque()
        self._next_update_id = 1
        self._delivered_upto = 0
        self.delivered_at: dict[int, float] = {}
        """update_id → time.perf_counter() when getUpdates handed it to the bot."""
        self._updates_pulse = _Pulse()
        self._idle_pulse = _Pulse()
        self._poll_generation = 0
        self._allowed_updates: frozenset[str] | None = None
        self._callback_queries: dict[str, int] = {}
        self._query_ids = itertools.count(4_000_000_000_000_000_001)
        self._file_ids = itertools.count(1)
        self._files: dict[str, JSONDict] = {}
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._init_faults()
        self.webhook = WebhookDelivery(self._execute_webhook_answer, self.delivered_at)
        """Deliveries after setWebhook (``tests/fake_webhook.py``): retries, round robin
        over ``webhook.targets``, ``webhook.twice()``, methods in webhook responses."""

        self._methods: dict[str, tuple[str, _Method]] = {}
        for name, method in {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "sendMessage": self._send_message,
            "sendDocument": self._send_document,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendChatAction": self._send_chat_action,
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": self._get_chat_menu_button,
            "getFile": self._get_file,
            "close": self._true,
            "logOut": self._true,
        }.items():
            self._methods[name.lower()] = (name, method)
        for field_name in ("name", "description", "short_description"):
            suffix = field_name.title().replace("_", "")
            self._methods[f"setmy{suffix.lower()}"] = (
                f"setMy{suffix}",
                self._bot_text_setter(field_name),
            )
            self._methods[f"getmy{suffix.lower()}"] = (
                f"getMy{suffix}",
                self._bot_text_getter(field_name),
            )

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on 127.0.0.1 on a random free port and fill ``base_url``/``base_file_url``."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._closing = False
        self._runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0
        )
        await self._runner.setup()
        # A large backlog: hundreds of simultaneous connects must not overflow the SYN queue.
        site = web.TCPSite(self._runner, "127.0.0.1", 0, backlog=4096)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        self.base_url = f"http://127.0.0.1:{self.port}/bot"
        self.base_file_url = f"http://127.0.0.1:{self.port}/file/bot"

    async def stop(self) -> None:
        """Answer pending long polls with ``[]`` and shut the server down."""
        self._closing = True
        self._updates_pulse.fire()
        await self.webhook.delete()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def __aenter__(self) -> FakeBotApi:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- test helpers ----------------------------------------------------------------------

    @property
    def bot_user(self) -> JSONDict:
        """The Telegram ``User`` object of the bot."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": BOT_FIRST_NAME,
            "username": BOT_USERNAME,
        }

    def user(
        self,
        user_id: int,
        first_name: str = "Test",
        language_code: str | None = "en",
        username: str | None = None,
    ) -> FakeUser:
        """The fake user ``user_id`` (created on first use; the same object afterwards)."""
        user = self._users.get(user_id)
        if user is None:
            user = self._users[user_id] = FakeUser(
                self, user_id, first_name, language_code, username
            )
        return user

    def messages(self, chat_id: int) -> list[BotMessage]:
        """All records (sent and edited messages) the bot produced in a chat, oldest first."""
        if chat_id in self._groups:
            return list(self._groups[chat_id].records)
        user = self._users.get(chat_id)
        return list(user._chat.records) if user else []

    def group(self, chat_id: int, title: str = "OEC staff") -> int:
        """A group chat the bot is in (``chat_id`` negative, as Telegram's are); its id."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        self._groups.setdefault(chat_id, _Chat(None, chat_id, title))
        return chat_id

    def retry_after_once(self, method: str, seconds: int) -> None:
        """The next call to ``method`` (canonical name) is answered 429 "Too Many Requests:
        retry after ``seconds``" (with ``parameters.retry_after``), the calls after it as usual."""
        self._retry_once[method] = seconds

    def hold(self) -> None:
        """Hold every call from now on before it has any effect (a call whose client goes
        away meanwhile never has one), until ``release``."""
        self._gate.clear()

    def release(self) -> None:
        self._gate.set()

    def _over_rate(self, method: str) -> bool:
        if self.rate_limit is None or method not in RATE_LIMITED:
            return False
        now = time.monotonic()
        times = self._message_times
        while times and times[0] <= now - 1.0:
            times.popleft()
        if len(times) >= self.rate_limit:
            self.too_many.append(now)
            return True
        times.append(now)
        return False

    def fail_once(self, method: str, fault: str, seconds: float = 0.0) -> None:
        """The next call to ``method`` (canonical name) meets ``fault``, the calls after it go
        as usual (queue several for several calls): ``"500"`` or ``"502"`` (a server error),
        ``"reset"`` (the connection is dropped without an answer) or ``"slow"`` (handled, and
        answered only after ``seconds``: a client with a shorter timeout gives up on it)."""
        self._faults.setdefault(method, deque()).append((fault, seconds))

    def times_of(self, method: str) -> list[float]:
        """``time.monotonic()`` of every call to ``method`` as it arrived, in order."""
        calls = zip(self.calls, self.call_times, strict=True)
        return [at for (name, _), at in calls if name == method]

    def message(self, chat_id: int, message_id: int) -> BotMessage | None:
        """Current state of a bot message (after edits), or None if unknown / deleted."""
        user = self._users.get(chat_id)
        stored = user._chat.messages.get(message_id) if user else None
        if stored is None or not stored.from_bot:
            return None
        return BotMessage(
            chat_id=chat_id,
            message_id=message_id,
            text=stored.raw_text,
            buttons=stored.inline,
            reply_keyboard=[],
            remove_keyboard=False,
            parse_mode=stored.parse_mode,
            edited="edit_date" in stored.json,
            plain_text=stored.json.get("text", ""),
        )

    def calls_to(self, method: str) -> list[JSONDict]:
        """Params of every call to ``method`` (canonical name), in arrival order."""
        return [params for name, params in self.calls if name == method]

    @property
    def unanswered_callback_queries(self) -> list[str]:
        """Ids of callback queries the bot has not answered (yet)."""
        return [qid for qid in self._callback_queries if qid not in self.callback_answers]

    @property
    def pending_updates(self) -> int:
        """Updates pushed but not yet confirmed by the bot."""
        return len(self._pending)

    async def wait_idle(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until the bot has fetched every pushed update (handlers may still be running);
        with a webhook set, until every update was delivered and acknowledged."""
        if self.webhook.active:
            if not await self.webhook.wait_idle(timeout):
                raise AssertionError(f"{self.webhook.pending} update(s) unacknowledged")
            return
        if not await self._idle_pulse.wait_for(self._is_idle, timeout):
            raise AssertionError(
                f"bot did not fetch {len(self._pending)} pending update(s) within {timeout}s"
            )

    # -- internals used by FakeUser --------------------------------------------------------

    def _is_idle(self) -> bool:
        if self.webhook.active:
            return self.webhook.pending == 0
        return not self._pending or self._delivered_upto >= self._pending[-1]["update_id"]

    def _push_update(self, update: JSONDict) -> None:
        update = {"update_id": self._next_update_id, **update}
        self._next_update_id += 1
        if self.webhook.active:
            self.webhook.enqueue(update)
            return
        self._pending.append(update)
        self._updates_pulse.fire()

    def _new_callback_query(self, chat_id: int) -> str:
        query_id = str(next(self._query_ids))
        self._callback_queries[query_id] = chat_id
        return query_id

    def _new_file(self, prefix: str, size: int) -> tuple[str, str]:
        number = next(self._file_ids)
        file_id = f"{prefix}AgADfake{number:06d}"
        unique_id = f"AQADfake{number:06d}"
        self._files[file_id] = {"file_id": file_id, "file_unique_id": unique_id, "file_size": size}
        return file_id, unique_id

    def _chat(self, params: JSONDict) -> _Chat:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise _bad_request("chat_id is empty")
        if isinstance(chat_id, str) and re.fullmatch(r"-?\d+", chat_id):
            chat_id = int(chat_id)  # JSON bodies may carry numeric ids as strings
        if isinstance(chat_id, int) and chat_id in self._groups:
            return self._groups[chat_id]
        user = self._users.get(chat_id) if isinstance(chat_id, int) else None
        if user is None:
            raise _bad_request("chat not found")
        return user._chat

    # -- HTTP ------------------------------------------------------------------------------

    @staticmethod
    def _error(code: int, description: str, parameters: JSONDict | None = None) -> web.Response:
        body: JSONDict = {"ok": False, "error_code": code, "description": description}
        if parameters:
            body["parameters"] = parameters
        return web.json_response(body, status=code)

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._error(401, "Unauthorized")
        name = request.match_info["method"]
        entry = self._methods.get(name.lower())
        canonical = entry[0] if entry else name
        try:
            params = await _read_params(request)
        except ApiError as exc:
            self.calls.append((canonical, {}))
            self.call_times.append(time.monotonic())
            return self._error(exc.code, exc.description)
        return await self._respond(name, params, request=request)

    async def _respond(
        self,
        name: str,
        params: JSONDict,
        delay: bool = True,
        request: web.Request | None = None,
    ) -> web.Response:
        """Record and execute one call (after ``delay`` seconds, with ``delay``); ``request``:
        the HTTP request it came in (None: a method in a webhook response)."""
        entry = self._methods.get(name.lower())
        canonical = entry[0] if entry else name
        self.calls.append((canonical, params))
        self.call_times.append(time.monotonic())
        over_rate = self._over_rate(canonical)  # counted as it arrives
        if delay and self.delay > 0:
            await asyncio.sleep(self.delay)
        if not self._gate.is_set():
            await self._gate.wait()
        if entry is None:
            return self._error(404, "Not Found: method not found")
        if over_rate:
            return self._error(429, "Too Many Requests: retry after 1", {"retry_after": 1})
        if (faulty := await self._inject_fault(canonical, request)) is not None:
            return faulty
        if canonical in self._retry_once:
            seconds = self._retry_once.pop(canonical)
            return self._error(
                429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds}
            )
        faults = self._faults.get(canonical)
        if faults:
            fault, seconds = faults.popleft()
            if fault in {"500", "502"}:
                return self._error(int(fault), "Internal Server Error")
            if fault == "reset":
                if request is not None and request.transport is not None:
                    request.transport.abort()
                return web.Response(status=500)
            if fault == "slow":
                await asyncio.sleep(seconds)
        failure = self.fail_methods.get(canonical)
        if failure is not None:
            code, description = failure
            retry_after = re.search(r"retry after (\d+)", description)
            parameters = {"retry_after": int(retry_after.group(1))} if retry_after else None
            return self._error(code, description, parameters)
        try:
            result = await entry[1](params)
        except ApiError as exc:
            return self._error(exc.code, exc.description, exc.parameters)
        return web.json_response({"ok": True, "result": result})

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._error(401, "Unauthorized")
        path = request.match_info["path"]
        return web.Response(
            body=f"fake file {path}".encode(), content_type="application/octet-stream"
        )

    # -- methods ---------------------------------------------------------------------------

    async def _true(self, params: JSONDict) -> bool:
        return True

    async def _get_me(self, params: JSONDict) -> JSONDict:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: JSONDict) -> list[JSONDict]:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = _int_param(params, "offset", 0)
        limit = min(max(_int_param(params, "limit", 100), 1), 100)
        timeout = params.get("timeout", 0)
        timeout = float(timeout) if isinstance(timeout, int | float) else 0.0
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(allowed) if allowed else None

        pending = self._pending
        if offset > 0:
            while pending and pending[0]["update_id"] < offset:
                pending.popleft()
        elif offset < 0:
            while len(pending) > -offset:
                pending.popleft()
        self._filter_pending()
        self._idle_pulse.fire()

        # A newer getUpdates terminates an older pending one, like Telegram does.
        self._poll_generation += 1
        generation = self._poll_generation
        self._updates_pulse.fire()
        if timeout > 0 and not self._pending:
            await self._updates_pulse.wait_for(
                lambda: (
                    bool(self._filter_pending())
                    or self._closing
                    or generation != self._poll_generation
                ),
                timeout,
            )
        if self._closing:
            return []
        if generation != self._poll_generation:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; "
                "make sure that only one bot instance is running",
            )
        result = list(itertools.islice(self._filter_pending(), limit))
        if result:
            now = time.perf_counter()
            for update in result:
                self.delivered_at.setdefault(update["update_id"], now)
            self._delivered_upto = max(self._delivered_upto, result[-1]["update_id"])
            self._idle_pulse.fire()
        return result

    def _filter_pending(self) -> deque[JSONDict]:
        """Drop pending updates whose type is excluded by ``allowed_updates``."""
        allowed = self._allowed_updates
        if allowed is not None and any(_update_type(u) not in allowed for u in self._pending):
            self._pending = deque(u for u in self._pending if _update_type(u) in allowed)
            self._idle_pulse.fire()
        return self._pending

    async def _set_webhook(self, params: JSONDict) -> bool:
        if not _opt_str(params, "url"):  # an empty URL removes the webhook
            return await self._delete_webhook(params)
        self.webhook_url = _opt_str(params, "url") or ""
        if params.get("drop_pending_updates"):
            self._drop_pending()
        backlog = list(self._pending)
        self._pending.clear()
        await self.webhook.set(params, backlog)
        self._idle_pulse.fire()
        return True

    async def _delete_webhook(self, params: JSONDict) -> bool:
        self.webhook_url = ""
        left = await self.webhook.delete()
        self._pending.extendleft(reversed(left))
        if params.get("drop_pending_updates"):
            self._drop_pending()
        return True

    async def _execute_webhook_answer(self, method: str, params: JSONDict) -> None:
        """A Bot API method returned as a webhook response body (``tests.fake_webhook``)."""
        await self._respond(method, {k: _decode_json_value(k, v) for k, v in params.items()}, False)

    def _drop_pending(self) -> None:
        self._pending.clear()
        self._idle_pulse.fire()

    async def _get_webhook_info(self, params: JSONDict) -> JSONDict:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending) + self.webhook.pending,
        }

    @staticmethod
    def _commands_key(params: JSONDict) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        if not isinstance(scope, dict) or "type" not in scope:
            raise _bad_request("can't parse BotCommandScope JSON object")
        language = _opt_str(params, "language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise _bad_request("invalid language code specified")
        return json.dumps(scope, sort_keys=True), language

    def _store_commands(self, key: tuple[str, str], commands: list[JSONDict]) -> None:
        default_scope = key[0] == json.dumps({"type": "default"})
        if commands:
            self.scoped_commands[key] = commands
            if default_scope:
                self.commands[key[1]] = commands
        else:
            self.scoped_commands.pop(key, None)
            if default_scope:
                self.commands.pop(key[1], None)

    async def _set_my_commands(self, params: JSONDict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad_request('parameter "commands" is required')
        if len(commands) > 100:
            raise _bad_request("too many commands specified")
        cleaned: list[JSONDict] = []
        for command in commands:
            if not isinstance(command, dict):
                raise _bad_request("can't parse BotCommand")
            name, description = command.get("command"), command.get("description")
            if not isinstance(name, str) or not _COMMAND_RE.fullmatch(name):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description) <= 256:
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": name, "description": description})
        self._store_commands(self._commands_key(params), cleaned)
        return True

    async def _get_my_commands(self, params: JSONDict) -> list[JSONDict]:
        return list(self.scoped_commands.get(self._commands_key(params), []))

    async def _delete_my_commands(self, params: JSONDict) -> bool:
        self._store_commands(self._commands_key(params), [])
        return True

    def _bot_text_setter(self, field_name: str) -> _Method:
        async def setter(params: JSONDict) -> bool:
            language = _opt_str(params, "language_code") or ""
            value = _opt_str(params, field_name) or ""
            if value:
                self.bot_texts[field_name, language] = value
            else:
                self.bot_texts.pop((field_name, language), None)
            return True

        return setter

    def _bot_text_getter(self, field_name: str) -> _Method:
        async def getter(params: JSONDict) -> JSONDict:
            language = _opt_str(params, "language_code") or ""
            return {field_name: self.bot_texts.get((field_name, language), "")}

        return getter

    def _bot_message_json(
        self,
        chat: _Chat,
        message_id: int,
        plain: str,
        entities: list[JSONDict],
        markup: _Markup,
        date: int,
    ) -> JSONDict:
        message: JSONDict = {
            "message_id": message_id,
            "from": self.bot_user,
            "chat": chat.json(),
            "date": date,
            "text": plain,
        }
        if entities:
            message["entities"] = entities
        if markup.inline_json is not None:
            message["reply_markup"] = markup.inline_json
        return message

    def _writable_chat(self, params: JSONDict) -> _Chat:
        chat = self._chat(params)
        if chat.user is not None and chat.user.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat.blocked:
            raise ApiError(403, "Forbidden: bot was kicked from the group chat")
        return chat

    async def _send_message(self, params: JSONDict) -> JSONDict:
        chat = self._writable_chat(params)
        text = _opt_str(params, "text")
        if text is None:
            raise _bad_request("message text is empty")
        parse_mode = _opt_str(params, "parse_mode")
        plain, entities = _render_text(text, parse_mode, params.get("entities"))
        markup = _parse_reply_markup(params.get("reply_markup"))

        reply_to = params.get("reply_parameters")
        reply_to_id: int | None = None
        allow_missing = bool(params.get("allow_sending_without_reply"))
        if isinstance(reply_to, dict):
            reply_to_id = _int_param(reply_to, "message_id")
            allow_missing = bool(reply_to.get("allow_sending_without_reply", allow_missing))
        elif params.get("reply_to_message_id") is not None:
            reply_to_id = _int_param(params, "reply_to_message_id")
        replied = chat.messages.get(reply_to_id) if reply_to_id is not None else None
        if reply_to_id is not None and replied is None:
            if not allow_missing:
                raise _bad_request("message to be replied not found")
            reply_to_id = None

        message_id = chat.new_message_id()
        message = self._bot_message_json(
            chat, message_id, plain, entities, markup, int(time.time())
        )
        if replied is not None:
            message["reply_to_message"] = replied.json
        chat.messages[message_id] = _StoredMessage(
            json=message,
            from_bot=True,
            raw_text=text,
            parse_mode=parse_mode,
            inline=markup.inline,
        )
        if markup.reply:
            chat.reply_keyboard = markup.reply
        elif markup.remove:
            chat.reply_keyboard = []
        chat.add_record(
            BotMessage(
                chat_id=chat.id,
                message_id=message_id,
                text=text,
                buttons=markup.inline,
                reply_keyboard=markup.reply,
                remove_keyboard=markup.remove,
                parse_mode=parse_mode,
                plain_text=plain,
                reply_to_message_id=reply_to_id,
            )
        )
        return message

    async def _send_document(self, params: JSONDict) -> JSONDict:
        """A document uploaded as a multipart file (kept, bytes and all) or sent by file_id."""
        chat = self._writable_chat(params)
        document = params.get("document")
        if isinstance(document, str) and document in self._files:
            uploaded = UploadedFile("", "application/octet-stream", b"")
            file_json = dict(self._files[document])
        elif isinstance(document, UploadedFile):
            uploaded = document
            file_id, unique_id = self._new_file("BQAC", len(document.data))
            file_json = {
                "file_id": file_id,
                "file_unique_id": unique_id,
                "file_name": document.filename,
                "mime_type": document.content_type,
                "file_size": len(document.data),
            }
        else:
            raise _bad_request("there is no document in the request")
        caption = _opt_str(params, "caption") or ""
        if len(caption) > 1024:
            raise _bad_request("message caption is too long")
        message_id = chat.new_message_id()
        message: JSONDict = {
            "message_id": message_id,
            "from": self.bot_user,
            "chat": chat.json(),
            "date": int(time.time()),
            "document": file_json,
        }
        if caption:
            message["caption"] = caption
        chat.messages[message_id] = _StoredMessage(json=message, from_bot=True, raw_text=caption)
        chat.add_record(
            BotMessage(
                chat_id=chat.id,
                message_id=message_id,
                text=caption,
                buttons=[],
                reply_keyboard=[],
                remove_keyboard=False,
                parse_mode=_opt_str(params, "parse_mode"),
                plain_text=caption,
                document=uploaded,
            )
        )
        return message

    def _message_to_edit(self, params: JSONDict) -> tuple[_Chat, _StoredMessage]:
        if params.get("inline_message_id") is not None:
            raise _bad_request("inline messages are not supported by the fake Bot API")
        try:
            chat = self._chat(params)
        except ApiError:
            raise _bad_request("message to edit not found") from None
        stored = chat.messages.get(_int_param(params, "message_id"))
        if stored is None:
            raise _bad_request("message to edit not found")
        if not stored.from_bot:
            raise _bad_request("message can't be edited")
        return chat, stored

    def _apply_edit(
        self,
        chat: _Chat,
        stored: _StoredMessage,
        text: str,
        parse_mode: str | None,
        plain: str,
        entities: list[JSONDict],
        markup: _Markup,
    ) -> JSONDict:
        old = stored.json
        if (
            old.get("text") == plain
            and old.get("entities", []) == entities
            and old.get("reply_markup") == markup.inline_json
        ):
            raise _bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a content and reply markup of the current message"
            )
        message = self._bot_message_json(
            chat, old["message_id"], plain, entities, markup, old["date"]
        )
        message["edit_date"] = int(time.time())
        if "reply_to_message" in old:
            message["reply_to_message"] = old["reply_to_message"]
        stored.json = message
        stored.raw_text = text
        stored.parse_mode = parse_mode
        stored.inline = markup.inline
        chat.add_record(
            BotMessage(
                chat_id=chat.id,
                message_id=old["message_id"],
                text=text,
                buttons=markup.inline,
                reply_keyboard=[],
                remove_keyboard=False,
                parse_mode=parse_mode,
                edited=True,
                plain_text=plain,
            )
        )
        return message

    @staticmethod
    def _inline_markup(params: JSONDict) -> _Markup:
        markup = _parse_reply_markup(params.get("reply_markup"))
        if markup.reply or markup.remove:
            raise _bad_request("inline keyboard expected")
        return markup

    async def _edit_message_text(self, params: JSONDict) -> JSONDict:
        chat, stored = self._message_to_edit(params)
        text = _opt_str(params, "text")
        if text is None:
            raise _bad_request("message text is empty")
        parse_mode = _opt_str(params, "parse_mode")
        plain, entities = _render_text(text, parse_mode, params.get("entities"))
        markup = self._inline_markup(params)  # omitted reply_markup removes the keyboard
        return self._apply_edit(chat, stored, text, parse_mode, plain, entities, markup)

    async def _edit_message_reply_markup(self, params: JSONDict) -> JSONDict:
        chat, stored = self._message_to_edit(params)
        markup = self._inline_markup(params)
        return self._apply_edit(
            chat,
            stored,
            stored.raw_text,
            stored.parse_mode,
            stored.json.get("text", ""),
            stored.json.get("entities", []),
            markup,
        )

    async def _delete_message(self, params: JSONDict) -> bool:
        try:
            chat = self._chat(params)
        except ApiError:
            raise _bad_request("message to delete not found") from None
        if chat.messages.pop(_int_param(params, "message_id"), None) is None:
            raise _bad_request("message to delete not found")
        return True

    async def _answer_callback_query(self, params: JSONDict) -> bool:
        query_id = _opt_str(params, "callback_query_id")
        if query_id not in self._callback_queries:
            raise _bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        if len(_opt_str(params, "text") or "") > MAX_CALLBACK_ANSWER_LENGTH:
            raise _bad_request("MESSAGE_TOO_LONG")
        self.callback_answers[query_id] = params
        return True

    async def _send_chat_action(self, params: JSONDict) -> bool:
        self._writable_chat(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise _bad_request("wrong parameter action in request")
        return True

    async def _set_chat_menu_button(self, params: JSONDict) -> bool:
        chat_id = self._chat(params).id if params.get("chat_id") is not None else None
        button = params.get("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or "type" not in button:
            raise _bad_request("can't parse menu button JSON object")
        self.menu_buttons[chat_id] = button
        return True

    async def _get_chat_menu_button(self, params: JSONDict) -> JSONDict:
        chat_id = self._chat(params).id if params.get("chat_id") is not None else None
        return self.menu_buttons.get(chat_id) or self.menu_buttons.get(None) or {"type": "commands"}

    async def _get_file(self, params: JSONDict) -> JSONDict:
        file_id = _opt_str(params, "file_id") or ""
        file = self._files.get(file_id)
        if file is None:
            raise _bad_request("invalid file_id")
        return {**file, "file_path": f"files/{file_id}"}
