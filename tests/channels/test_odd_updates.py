"""Malformed and unknown updates reach the bot: no crash, a polite answer where a person wrote
to the bot, and nothing stored wrongly.

Real python-telegram-bot Application over real HTTP to the fake Bot API, which hands the raw
updates out through getUpdates exactly as written here; a real SQLite file.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.app import Services
from bot.storage.models import User
from tests.channels.conftest import at_menu, running_bot
from tests.fake_bot_api import FakeBotApi, FakeUser

CNIC_PROMPT = "What is your CNIC number?"
USER_ID = 9700


@pytest.fixture
async def bot_on_sqlite(api: FakeBotApi, sqlite_url: str) -> AsyncIterator[Services]:
    async with running_bot(api, sqlite_url) as services:
        yield services


def _private(user: FakeUser) -> dict[str, Any]:
    return {"id": user.user_id, "type": "private", "first_name": user.first_name}


def _message(user: FakeUser, chat: dict[str, Any], text: str) -> dict[str, Any]:
    return {
        "message_id": 900_001,
        "from": user.json(),
        "chat": chat,
        "date": int(time.time()),
        "text": text,
    }


def _callback(user: FakeUser, data: str | None, message: dict[str, Any] | None) -> dict[str, Any]:
    query: dict[str, Any] = {
        "id": user.api._new_callback_query(user.user_id),
        "from": user.json(),
        "chat_instance": "-1",
    }
    if data is not None:
        query["data"] = data
    if message is None:
        query["inline_message_id"] = "AAAAAGZha2U"
    else:
        query["message"] = message
    return {"callback_query": query}


def _last_bot_message(user: FakeUser) -> dict[str, Any]:
    stored = user._chat.latest_inline_message() or user._chat.latest_bot_message()
    assert stored is not None
    return stored.json


Build = Callable[[FakeUser], dict[str, Any]]
SILENT: dict[str, Build] = {
    "channel_post": lambda u: {
        "channel_post": {
            "message_id": 5,
            "chat": {"id": -100777, "type": "channel", "title": "News"},
            "sender_chat": {"id": -100777, "type": "channel", "title": "News"},
            "date": int(time.time()),
            "text": "'; DROP TABLE leads; --",
        }
    },
    "my_chat_member": lambda u: {
        "my_chat_member": {
            "chat": _private(u),
            "from": u.json(),
            "date": int(time.time()),
            "old_chat_member": {"status": "member", "user": u.api.bot_user},
            "new_chat_member": {"status": "kicked", "user": u.api.bot_user, "until_date": 0},
        }
    },
    # without option_persistent_ids (required by PTB 22.8): a batch PTB cannot read
    "poll_answer": lambda u: {"poll_answer": {"poll_id": "1", "user": u.json(), "option_ids": [0]}},
    "inline_query": lambda u: {
        "inline_query": {"id": "77", "from": u.json(), "query": "<script>", "offset": ""}
    },
    "message_reaction": lambda u: {
        "message_reaction": {
            "chat": _private(u),
            "message_id": 1,
            "user": u.json(),
            "date": int(time.time()),
            "old_reaction": [],
            "new_reaction": [{"type": "emoji", "emoji": "👍"}],
        }
    },
    "no known field": lambda u: {"business_thing_of_2030": {"from": u.json(), "x": [1, 2]}},
    "group message": lambda u: {
        "message": _message(
            u, {"id": -100555, "type": "supergroup", "title": "Workers"}, "42101-4817263-5"
        )
    },
    "tap without a message": lambda u: _callback(u, "v:cnic:yes", None),
}
ANSWERED: dict[str, Build] = {
    "edited message": lambda u: {
        "edited_message": {**_message(u, _private(u), "Ali"), "edit_date": int(time.time())}
    },
    "garbage callback data": lambda u: _callback(u, "zz:\x00:💥:';--", _last_bot_message(u)),
    "64 bytes of callback data": lambda u: _callback(u, "r:e:" + "x" * 60, _last_bot_message(u)),
    "empty callback data": lambda u: _callback(u, "", _last_bot_message(u)),
    "callback without data": lambda u: _callback(u, None, _last_bot_message(u)),
    "a message with nothing in it": lambda u: {
        "message": {k: v for k, v in _message(u, _private(u), "").items() if k != "text"}
    },
}


async def _at_cnic(api: FakeBotApi) -> FakeUser:
    person = await at_menu(api, USER_ID)
    await person.tap("📝 Register with OEC for Japan")
    await person.tap("✅ I agree")
    await person.say("Ayesha Khan Bibi")
    return person.user


async def _state(services: Services) -> dict[str, Any]:
    async with services.repository.user("telegram", str(USER_ID)) as unit:
        return unit.state


async def _users(services: Services) -> int:
    async with services.database.connect() as connection:
        return int(await connection.scalar(select(func.count()).select_from(User)) or 0)


@pytest.mark.parametrize("case", [*SILENT, *ANSWERED])
async def test_odd_update(
    api: FakeBotApi, bot_on_sqlite: Services, case: str, caplog: pytest.LogCaptureFixture
) -> None:
    user = await _at_cnic(api)
    before, users = await _state(bot_on_sqlite), await _users(bot_on_sqlite)
    caplog.set_level(logging.WARNING)
    update = (SILENT | ANSWERED)[case](user)
    api._push_update(update)
    await api.wait_idle()
    if case in SILENT:
        said = await user.replies_until_idle(quiet=0.4, timeout=5)
        assert said == []
    else:  # the first reply may take a while on a busy machine: wait for it, then the rest
        said = [await user.reply(timeout=10)]
        said += await user.replies_until_idle(quiet=0.4, timeout=5)
        assert CNIC_PROMPT in said[-1].text  # asked the current question again
        assert all(len(m.text) <= 4096 for m in said)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    after = await _state(bot_on_sqlite)
    assert after["step"] == before["step"] == "cnic"
    assert after["answers"] == before["answers"]
    assert await _users(bot_on_sqlite) == users  # nobody else was stored
    assert api.unanswered_callback_queries == []
    await user.send("/start")  # and the bot still answers afterwards
    again = [await user.reply(timeout=10), *await user.replies_until_idle(quiet=0.4, timeout=5)]
    assert again and CNIC_PROMPT in again[-1].text
