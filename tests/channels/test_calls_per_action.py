"""Bot API calls per worker action over a whole registration (real PTB, real HTTP to the fake
Bot API, SQLite and PostgreSQL): pinned, so that a change that adds round trips fails here.

Before this was measured (taps answered, buttons removed with a separate call, each reply
message sent on its own) a registration of 22 actions took 54 calls (2.45 calls per
action); now the number below."""

from __future__ import annotations

import asyncio

from bench.registration_actions import registration_actions
from bot.app import Services
from tests.channels.conftest import Person
from tests.fake_bot_api import FakeBotApi

# One full registration, as the benchmark's users go through it: (tap?, text or callback data)
REGISTRATION = [(action.tap, action.value) for action in registration_actions(0)]
OUTGOING = {"sendMessage", "editMessageText", "editMessageReplyMarkup", "answerCallbackQuery"}
CALLS_PER_REGISTRATION = 52  # 54 before the reply plan (see the module docstring)


async def test_a_whole_registration_takes_a_pinned_number_of_calls(
    api: FakeBotApi, bot: Services
) -> None:
    person = Person(api.user(4242, language_code="en"))
    for tap, value in REGISTRATION[:-1]:
        if tap:
            await person.user.tap_data(value)
        else:
            await person.user.send(value)
        await person.turn()
    await person.user.tap_data(REGISTRATION[-1][1])
    done = await person.quiet_turn()
    assert "SSW-" in done.text  # the registration was saved and its reference told
    await asyncio.sleep(0.2)
    assert api.unanswered_callback_queries == []
    calls = [name for name, _ in api.calls if name in OUTGOING]
    others = {name for name, _ in api.calls} - OUTGOING
    assert others <= {"getMe", "getUpdates", "setMyCommands", "deleteWebhook"}, others
    per_method = {name: calls.count(name) for name in sorted(set(calls))}
    print(f"{len(calls)} calls for {len(REGISTRATION)} actions: {per_method}")
    assert len(calls) == CALLS_PER_REGISTRATION, per_method
    assert "editMessageReplyMarkup" not in per_method  # old buttons go in the answer's edit
