"""The Telegram adapter's own parts: update ordering per chat, Update → Incoming."""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import Update

from bot.channels.telegram import PerUserUpdateProcessor, incoming_from_update
from bot.engine.model import Contact, Press, Text, Unsupported


def _update(update_id: int, chat_id: int, **message: Any) -> Update:
    data = {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 0,
            "chat": {"id": chat_id, "type": "private"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Test", "language_code": "ur"},
            **message,
        },
    }
    return Update.de_json(data, None)


async def test_one_chat_in_order_many_chats_at_once() -> None:
    processor = PerUserUpdateProcessor(64)
    await processor.initialize()
    log: list[tuple[int, int]] = []
    running = 0
    most = 0

    async def work(chat: int, n: int, pause: float) -> None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(pause)
        log.append((chat, n))
        running -= 1

    tasks = []
    for n in range(5):
        for chat in range(10):
            pause = 0.02 if n == 0 else 0.001  # the first update of each chat is slowest
            update = _update(chat * 100 + n, chat, text=str(n))
            tasks.append(
                asyncio.create_task(processor.process_update(update, work(chat, n, pause)))
            )
    await asyncio.gather(*tasks)
    for chat in range(10):
        assert [n for c, n in log if c == chat] == [0, 1, 2, 3, 4]
    assert most >= 10  # chats overlapped
    assert processor._locks == {}  # nothing left behind


def test_updates_become_incoming_events() -> None:
    text = incoming_from_update(_update(1, 42, text="salaam"))
    assert text is not None and text.action == Text("salaam")
    assert text.user_key == "42" and text.client_language == "ur" and text.event_id == 1
    start = incoming_from_update(
        _update(
            2,
            42,
            text="/start roadshow_lahore",
            entities=[{"type": "bot_command", "offset": 0, "length": 6}],
        )
    )
    assert start is not None and start.command == "start" and start.argument == "roadshow_lahore"
    other_bot = incoming_from_update(_update(3, 42, text="/start@other_bot"), "ssw_test_bot")
    assert other_bot is not None and other_bot.command is None
    contact = incoming_from_update(
        _update(
            4, 42, contact={"phone_number": "923001234567", "first_name": "Test", "user_id": 42}
        )
    )
    assert contact is not None and contact.action == Contact("923001234567", own=True)
    photo = incoming_from_update(
        _update(5, 42, photo=[{"file_id": "x", "file_unique_id": "y", "width": 1, "height": 1}])
    )
    assert photo is not None and photo.action == Unsupported("photo")
    group = Update.de_json(
        {
            "update_id": 6,
            "message": {
                "message_id": 6,
                "date": 0,
                "chat": {"id": -5, "type": "group"},
                "from": {"id": 42, "is_bot": False, "first_name": "Test"},
                "text": "hi",
            },
        },
        None,
    )
    assert incoming_from_update(group) is None
    tap = Update.de_json(
        {
            "update_id": 7,
            "callback_query": {
                "id": "1",
                "chat_instance": "1",
                "data": "a:gender:male",
                "from": {"id": 42, "is_bot": False, "first_name": "Test"},
            },
        },
        None,
    )
    assert incoming_from_update(tap) is not None
    assert incoming_from_update(tap).action == Press("a:gender:male")  # type: ignore[union-attr]


def test_only_a_contact_with_the_senders_user_id_is_their_own() -> None:
    def shared(**contact: Any) -> Contact:
        incoming = incoming_from_update(
            _update(8, 42, contact={"phone_number": "923001234567", "first_name": "X", **contact})
        )
        assert incoming is not None and isinstance(incoming.action, Contact)
        return incoming.action

    assert shared(user_id=42).own
    assert not shared(user_id=77).own  # somebody else's card, forwarded
    assert not shared().own  # a phone-book entry: not proven to be theirs
