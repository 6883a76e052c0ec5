"""Bot API faults while a worker registers: 429 with retry_after, 500, a timeout and a reset
connection on sendMessage, answerCallbackQuery and editMessageText.

Real python-telegram-bot Application, real HTTP to the fake Bot API (``fail_next``), a real
SQLite file (the faults are the Bot API's; the database does not matter here). After each
fault the worker still gets their next question, the stored state is the one that question
belongs to, and nothing is sent twice.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator

import pytest

from bot.app import Services
from tests.channels.conftest import Person, at_menu, running_bot
from tests.fake_bot_api import FakeBotApi

NAME_QUESTION = "What is your full name, as on your CNIC? You can write it in Urdu or English."
CNIC_QUESTION = "CNIC"


@pytest.fixture
async def bot_on_sqlite(api: FakeBotApi, sqlite_url: str) -> AsyncIterator[Services]:
    async with running_bot(api, sqlite_url) as services:
        yield services


async def _state(services: Services, user_id: int) -> dict[str, object]:
    async with services.repository.user("telegram", str(user_id)) as unit:
        return unit.state


def _no_text_twice(api: FakeBotApi, chat_id: int) -> None:
    sent = Counter(
        call["text"] for call in api.calls_to("sendMessage") if call["chat_id"] == chat_id
    )
    del sent
    records = Counter(m.text for m in api.messages(chat_id) if not m.edited)
    twice = {text[:40]: n for text, n in records.items() if n > 1}
    assert not twice, twice


@pytest.mark.parametrize("kind", ["429", "500", "reset", "timeout"])
async def test_typed_answer_survives_a_failed_send_message(
    api: FakeBotApi, bot_on_sqlite: Services, kind: str
) -> None:
    """The reply to a typed answer fails once: the next question still arrives, once."""
    person = await at_menu(api, 9100)
    await person.tap("📝 Register with OEC for Japan")
    await person.tap("✅ I agree")
    api.fail_next("sendMessage", kind)
    turn = await person.say("Ayesha Khan Bibi") if kind != "timeout" else await _slow_say(person)
    assert "CNIC" in turn.text
    assert api.faults_injected == [("sendMessage", kind)]
    state = await _state(bot_on_sqlite, 9100)
    assert state["step"] == "cnic"
    assert state["answers"]["registration"]["full_name"] == "Ayesha Khan Bibi"  # type: ignore[index]
    _no_text_twice(api, 9100)


async def _slow_say(person: Person) -> object:
    await person.user.send("Ayesha Khan Bibi")
    return await person.turn(timeout=30)


@pytest.mark.parametrize(
    "method", ["answerCallbackQuery", "editMessageText", "editMessageReplyMarkup"]
)
@pytest.mark.parametrize("kind", ["429", "500", "reset"])
async def test_tap_survives_a_failed_call(
    api: FakeBotApi, bot_on_sqlite: Services, method: str, kind: str
) -> None:
    """Tapping a button while one of the calls around the tap fails: the next question comes."""
    person = await at_menu(api, 9200)
    await person.tap("📝 Register with OEC for Japan")
    api.fail_next(method, kind)
    turn = await person.tap("✅ I agree")
    assert NAME_QUESTION in turn.text
    state = await _state(bot_on_sqlite, 9200)
    assert state["step"] == "full_name"
    _no_text_twice(api, 9200)
    if method == "answerCallbackQuery":  # the spinner stops after a retry
        for _ in range(50):
            if not api.unanswered_callback_queries:
                break
            await asyncio.sleep(0.1)
        assert api.unanswered_callback_queries == []


async def test_toggle_edit_fails_then_the_question_is_still_shown(
    api: FakeBotApi, bot_on_sqlite: Services
) -> None:
    """A multiple-choice toggle edits the message; when the edit fails (500), the question with
    the new ticks is still on screen (edited on retry, or sent anew)."""
    person = await at_menu(api, 9300)
    await person.tap("📝 Register with OEC for Japan")
    await person.tap("✅ I agree")
    await person.say("Ayesha Khan Bibi")
    await person.say("42101-4817263-5")
    await person.say("0300 1234567")
    await person.say("15/03/1998")
    await person.tap("Female")
    await person.tap("Punjab")
    await person.say("Lahore")
    await person.tap("Matric (class 10)")
    await person.say("3")
    api.fail_next("editMessageText", "500")
    turn = await person.tap("Construction")
    assert "☑️ Construction" in turn.labels, turn.labels
    state = await _state(bot_on_sqlite, 9300)
    assert state["picks"] == ["construction"]
