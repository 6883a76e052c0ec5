"""Tests for the fake Bot API server, driven by a real PTB Application over real HTTP."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from tests.fake_bot_api import TOKEN, BotMessage, FakeBotApi, parse_html

# -- a tiny echo bot ------------------------------------------------------------------------


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("Yes ✅", callback_data="answer:yes")],
            [InlineKeyboardButton("No", callback_data="answer:no")],
        ]
    )
    await update.effective_message.reply_text(f"start args={context.args}", reply_markup=keyboard)


async def on_phone(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    keyboard = ReplyKeyboardMarkup(
        [[KeyboardButton("Share my number", request_contact=True)], ["Cancel"]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )
    await update.effective_message.reply_text("Please share your number", reply_markup=keyboard)


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None and update.effective_message.text is not None
    await update.effective_message.reply_text(update.effective_message.text)


async def on_contact(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None and message.contact is not None
    own = message.contact.user_id == message.from_user.id if message.from_user else False
    await message.reply_text(
        f"contact {message.contact.phone_number} own={own}", reply_markup=ReplyKeyboardRemove()
    )


async def on_photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None and message.photo
    largest = message.photo[-1]
    await message.reply_text(f"photo {len(message.photo)} sizes, {largest.width}x{largest.height}")


async def on_other(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    kind = next(
        k for k in ("sticker", "voice", "location", "document") if getattr(message, k) is not None
    )
    await message.reply_text(f"got {kind}")


async def on_callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("noted")
    if query.message is None or not query.message.is_accessible:
        return
    await query.edit_message_text(f"You chose <b>{query.data}</b>", parse_mode=ParseMode.HTML)


def build_app(api: FakeBotApi) -> Application:  # type: ignore[type-arg]
    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", on_start))
    app.add_handler(CommandHandler("phone", on_phone))
    app.add_handler(MessageHandler(filters.CONTACT, on_contact))
    app.add_handler(MessageHandler(filters.PHOTO, on_photo))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_text))
    app.add_handler(
        MessageHandler(
            filters.Sticker.ALL | filters.VOICE | filters.LOCATION | filters.Document.ALL,
            on_other,
        )
    )
    app.add_handler(CallbackQueryHandler(on_callback))
    return app


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as fake:
        yield fake


@pytest.fixture
async def app(api: FakeBotApi) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    application = build_app(api)
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=2)
        yield application
        await application.updater.stop()
        await application.stop()


async def raw_call(api: FakeBotApi, method: str, **kwargs: object) -> tuple[int, Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{api.base_url}{api.token}/{method}", **kwargs) as response,  # type: ignore[arg-type]
    ):
        return response.status, await response.json()


# -- round trips through PTB ----------------------------------------------------------------


@pytest.mark.usefixtures("app")
async def test_echo_round_trip(api: FakeBotApi) -> None:
    user = api.user(1001)
    await user.send("hello there")
    reply = await user.reply()
    assert reply.text == "hello there"
    assert reply.chat_id == 1001
    assert reply.message_id == 2  # message ids are per chat, shared with the user's messages
    assert reply.buttons == [] and reply.reply_keyboard == [] and not reply.edited
    assert user.last is reply
    assert api.messages(1001) == [reply]
    await api.wait_idle()
    assert api.calls_to("getMe") and api.calls_to("deleteWebhook")
    assert api.calls_to("sendMessage")[0] == {"chat_id": 1001, "text": "hello there"}


@pytest.mark.usefixtures("app")
async def test_start_deep_link_payload_reaches_args(api: FakeBotApi) -> None:
    user = api.user(1002, language_code="ur")
    await user.send("/start roadshow_lahore")
    reply = await user.reply()
    assert reply.text == "start args=['roadshow_lahore']"
    assert reply.button_labels() == ["Yes ✅", "No"]
    assert reply.buttons[0][0].callback_data == "answer:yes"


@pytest.mark.usefixtures("app")
async def test_tap_reaches_callback_handler_and_records_edit(api: FakeBotApi) -> None:
    user = api.user(1003)
    await user.send("/start")
    menu = await user.reply()
    await user.tap("Yes")  # substring of "Yes ✅"
    edit = await user.reply()
    assert edit.edited and edit.message_id == menu.message_id
    assert edit.text == "You chose <b>answer:yes</b>"
    assert edit.plain_text == "You chose answer:yes"
    assert edit.buttons == []  # editMessageText without reply_markup drops the keyboard
    assert api.message(1003, menu.message_id) == edit
    assert [r.edited for r in api.messages(1003)] == [False, True]
    (answer,) = api.callback_answers.values()
    assert answer["text"] == "noted"
    assert api.unanswered_callback_queries == []

    with pytest.raises(AssertionError, match="no bot message with an inline keyboard"):
        await user.tap("No")

    # A stale button of an old message still reaches the bot (which only answers it).
    await user.tap_data("answer:no", message_id=menu.message_id)
    await user.tap_data("answer:no", message_id=999)  # inaccessible message (date 0)
    await api.wait_idle()
    assert await user.replies_until_idle(quiet=0.2) != []  # the first one re-edits the message
    assert len(api.callback_answers) == 3


@pytest.mark.usefixtures("app")
async def test_reply_keyboard_and_share_contact(api: FakeBotApi) -> None:
    user = api.user(1004, first_name="Ali")
    await user.send("/phone")
    prompt = await user.reply()
    assert prompt.reply_keyboard_labels() == ["Share my number", "Cancel"]
    assert prompt.reply_keyboard[0][0].request_contact
    assert prompt.buttons == []
    assert user.keyboard == prompt.reply_keyboard
    await user.press("Cancel")  # a reply-keyboard button just sends its text
    assert (await user.reply()).text == "Cancel"
    with pytest.raises(AssertionError, match="use share_contact"):
        await user.press("Share my number")
    await user.share_contact("+923001234567")
    done = await user.reply()
    assert done.text == "contact +923001234567 own=True"
    assert done.remove_keyboard and user.keyboard == []
    await user.share_contact("+923009999999", own=False)
    assert (await user.reply()).text == "contact +923009999999 own=False"


@pytest.mark.usefixtures("app")
async def test_media_messages_arrive_with_their_type(api: FakeBotApi) -> None:
    user = api.user(1005)
    await user.send_photo()
    assert (await user.reply()).text == "photo 3 sizes, 1280x960"
    for send in (user.send_sticker, user.send_voice, user.send_location, user.send_document):
        await send()
    texts = [(await user.reply()).text for _ in range(4)]
    assert texts == ["got sticker", "got voice", "got location", "got document"]


async def test_set_my_commands_stored_per_language(
    api: FakeBotApi,
    app: Application,  # type: ignore[type-arg]
) -> None:
    await app.bot.set_my_commands([BotCommand("start", "Start over")])
    await app.bot.set_my_commands(
        [BotCommand("start", "شروع کریں"), BotCommand("help", "مدد")], language_code="ur"
    )
    assert api.commands[""] == [{"command": "start", "description": "Start over"}]
    assert [c["command"] for c in api.commands["ur"]] == ["start", "help"]
    commands = await app.bot.get_my_commands(language_code="ur")
    assert [c.description for c in commands] == ["شروع کریں", "مدد"]
    await app.bot.delete_my_commands(language_code="ur")
    assert "ur" not in api.commands
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await app.bot.set_my_commands([BotCommand("Start-Over", "bad")])


async def test_fail_methods_makes_ptb_raise(
    api: FakeBotApi,
    app: Application,  # type: ignore[type-arg]
) -> None:
    api.fail_methods["setMyCommands"] = (400, "Bad Request: BOT_COMMANDS_TOO_MUCH")
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMANDS_TOO_MUCH"):
        await app.bot.set_my_commands([BotCommand("start", "Start")])
    api.fail_methods["sendMessage"] = (403, "Forbidden: bot was blocked by the user")
    with pytest.raises(Forbidden):
        await app.bot.send_message(api.user(1006).user_id, "hi")
    assert api.commands == {} and api.messages(1006) == []


async def test_bot_side_validation(
    api: FakeBotApi,
    app: Application,  # type: ignore[type-arg]
) -> None:
    chat_id = api.user(1007).user_id
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await app.bot.send_message(chat_id, "x" * 4097)
    assert len(api.calls_to("sendMessage")[-1]["text"]) == 4097  # recorded anyway
    assert api.messages(chat_id) == []
    await app.bot.send_message(chat_id, "x" * 4096)
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await app.bot.send_message(chat_id, "  ")
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        too_long = InlineKeyboardButton("x", callback_data="é" * 33)  # 66 bytes
        await app.bot.send_message(chat_id, "hi", reply_markup=InlineKeyboardMarkup([[too_long]]))
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await app.bot.send_message(424242, "hi")
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities: Unsupported start tag"):
        await app.bot.send_message(chat_id, "1 < 2", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)Character '.' is reserved"):
        await app.bot.send_message(chat_id, "Done.", parse_mode=ParseMode.MARKDOWN_V2)

    markup = InlineKeyboardMarkup([[InlineKeyboardButton("a", callback_data="a")]])
    sent = await app.bot.send_message(
        chat_id, "<i>menu</i>", parse_mode="HTML", reply_markup=markup
    )
    assert sent.text == "menu" and sent.entities[0].type == "italic"
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await app.bot.edit_message_text(
            "<i>menu</i>", chat_id, sent.message_id, parse_mode="HTML", reply_markup=markup
        )
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await app.bot.edit_message_text("x", chat_id, 999)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await app.bot.edit_message_text("x", 424242, 1)
    edited = await app.bot.edit_message_reply_markup(chat_id, sent.message_id)
    assert not isinstance(edited, bool) and edited.reply_markup is None
    assert api.messages(chat_id)[-1].edited and api.messages(chat_id)[-1].buttons == []
    assert await app.bot.delete_message(chat_id, sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await app.bot.delete_message(chat_id, sent.message_id)

    api.user(1007).blocked = True
    with pytest.raises(Forbidden, match=r"(?i)blocked"):
        await app.bot.send_message(chat_id, "hi")


async def test_delay_is_applied(
    api: FakeBotApi,
    app: Application,  # type: ignore[type-arg]
) -> None:
    chat_id = api.user(1008).user_id
    api.delay = 0.2
    started = time.perf_counter()
    await app.bot.send_message(chat_id, "slow")
    assert time.perf_counter() - started >= 0.2
    api.delay = 0.0


@pytest.mark.usefixtures("app")
async def test_fifty_users_concurrently_echo_in_order(api: FakeBotApi) -> None:
    async def converse(user_id: int) -> list[str]:
        user = api.user(user_id)
        for n in range(5):
            await user.send(f"user {user_id} message {n}")
        return [(await user.reply(timeout=8)).text for _ in range(5)]

    results = await asyncio.gather(*(converse(2000 + i) for i in range(50)))
    for i, texts in enumerate(results):
        assert texts == [f"user {2000 + i} message {n}" for n in range(5)]


# -- protocol details -------------------------------------------------------------------------


async def test_wrong_token_and_unknown_method(api: FakeBotApi) -> None:
    request = HTTPXRequest()
    bad = Bot("999:wrong", base_url=api.base_url, request=request)
    try:
        with pytest.raises(InvalidToken, match="Unauthorized"):
            await bad.get_me()
    finally:
        await request.shutdown()
    status, body = await raw_call(api, "noSuchMethod")
    assert status == 404
    assert body == {"ok": False, "error_code": 404, "description": "Not Found: method not found"}


async def test_parameter_decoding(api: FakeBotApi) -> None:
    api.user(1009)
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    # urlencoded form, like PTB: strings raw, everything else JSON-encoded
    status, body = await raw_call(
        api,
        "sendMessage",
        data={"chat_id": "1009", "text": "123", "reply_markup": json.dumps(markup)},
    )
    assert status == 200 and body["ok"]
    # JSON body, with reply_markup as an object
    status, _ = await raw_call(
        api, "sendMessage", json={"chat_id": 1009, "text": "[1]", "reply_markup": markup}
    )
    assert status == 200
    # query string
    status, _ = await raw_call(api, "sendMessage", params={"chat_id": "1009", "text": "true"})
    assert status == 200
    # multipart form
    form = aiohttp.FormData()
    form.add_field("chat_id", "1009")
    form.add_field("text", "multi")
    form.add_field("reply_markup", json.dumps(markup))
    form.add_field("photo", b"\x89PNG", filename="x.png", content_type="image/png")
    status, _ = await raw_call(api, "sendMessage", data=form)
    assert status == 200
    calls = api.calls_to("sendMessage")
    assert calls[0] == {"chat_id": 1009, "text": "123", "reply_markup": markup}
    assert calls[1] == {"chat_id": 1009, "text": "[1]", "reply_markup": markup}
    assert calls[2] == {"chat_id": 1009, "text": "true"}
    assert calls[3]["reply_markup"] == markup and calls[3]["photo"].data == b"\x89PNG"
    assert [m.text for m in api.messages(1009)] == ["123", "[1]", "true", "multi"]
    assert [m.button_labels() for m in api.messages(1009)] == [["A"], ["A"], [], ["A"]]


async def test_get_updates_offset_limit_and_long_poll(api: FakeBotApi) -> None:
    user = api.user(1010)
    for n in range(3):
        await user.send(f"m{n}")
    _, body = await raw_call(api, "getUpdates", data={"limit": "2"})
    result = body["result"]
    assert isinstance(result, list) and [u["message"]["text"] for u in result] == ["m0", "m1"]
    first_id = result[0]["update_id"]
    _, body = await raw_call(api, "getUpdates", data={"offset": str(first_id + 2)})
    assert [u["update_id"] for u in body["result"]] == [first_id + 2]
    await api.wait_idle(timeout=0.1)

    # long poll: answered as soon as an update arrives
    poll = asyncio.create_task(
        raw_call(api, "getUpdates", data={"offset": str(first_id + 3), "timeout": "5"})
    )
    await asyncio.sleep(0.05)
    assert not poll.done()
    await user.send("late")
    _, body = await poll
    assert [u["message"]["text"] for u in body["result"]] == ["late"]

    # stop() answers a pending long poll with [] promptly
    poll = asyncio.create_task(
        raw_call(api, "getUpdates", data={"offset": str(first_id + 4), "timeout": "30"})
    )
    await asyncio.sleep(0.05)
    started = time.perf_counter()
    await api.stop()
    assert await poll == (200, {"ok": True, "result": []})
    assert time.perf_counter() - started < 1


def test_parse_html_entities_use_utf16_offsets() -> None:
    plain, entities = parse_html(
        '👍 <b>bold &amp; <a href="https://x.io/?a=1&amp;b=2">link</a></b>'
    )
    assert plain == "👍 bold & link"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 11},
        {"type": "text_link", "offset": 10, "length": 4, "url": "https://x.io/?a=1&b=2"},
    ]


def test_bot_message_labels() -> None:
    message = BotMessage(1, 1, "t", [], [], False, None)
    assert message.button_labels() == [] and message.plain_text == ""
