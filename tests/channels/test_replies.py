"""The reply plan (``bot.channels.replies``): which Bot API calls a reply takes and in which
order, and what the worker then sees, through the real application over real HTTP to the fake
Bot API (SQLite and PostgreSQL): short messages merged, the tapped question edited into its
answer in one call, the next question sent first and alone on the critical path."""

from __future__ import annotations

from telegram import Bot, Update

from bot.app import Services
from bot.channels.replies import as_webhook_reply, merge, plan
from bot.engine.model import Button, Reply
from tests.channels.conftest import Person, at_menu
from tests.fake_bot_api import TOKEN, FakeBotApi

TAP = {
    "update_id": 5,
    "callback_query": {
        "id": "77",
        "from": {"id": 42, "is_bot": False, "first_name": "W"},
        "chat_instance": "-4200",
        "data": "a:gender:male",
        "message": {
            "message_id": 9,
            "date": 1,
            "chat": {"id": 42, "type": "private"},
            "text": "What is your gender?",
            "reply_markup": {
                "inline_keyboard": [
                    [
                        {"text": "Male", "callback_data": "a:gender:male"},
                        {"text": "Female", "callback_data": "a:gender:female"},
                    ]
                ]
            },
        },
    },
}
QUESTION = Reply("Which province?", ((Button("Punjab", "a:province:punjab"),),))


def test_a_tap_plans_the_next_question_first_and_the_answer_line_in_one_edit() -> None:
    update = Update.de_json(TAP, Bot(TOKEN))
    calls = plan(update, [QUESTION])
    assert [(c.method, c.critical) for c in calls] == [
        ("sendMessage", True),
        ("answerCallbackQuery", False),
        ("editMessageText", False),
    ]
    assert calls[2].params == {
        "chat_id": 42,
        "message_id": 9,
        "text": "What is your gender?\n\n✔ Male",
    }  # no reply_markup: the buttons go with the same call
    body = as_webhook_reply(calls[0])
    assert body["method"] == "sendMessage" and body["chat_id"] == 42
    assert body["reply_markup"] == {
        "inline_keyboard": [[{"text": "Punjab", "callback_data": "a:province:punjab"}]]
    }


def test_an_edit_of_the_tapped_message_needs_no_second_edit() -> None:
    update = Update.de_json(TAP, Bot(TOKEN))
    toggled = Reply("Which work?", ((Button("☑️ Construction", "t:s:c"),),), edit=True)
    calls = plan(update, [toggled])
    assert [c.method for c in calls] == ["editMessageText", "answerCallbackQuery"]
    fallback = calls[0].fallback
    assert fallback is not None and fallback.method == "sendMessage"


def test_short_messages_merge_but_not_across_buttons_keyboards_or_screens() -> None:
    said = Reply("Language: English")
    assert [r.text for r in merge([said, QUESTION])] == ["Language: English\n\nWhich province?"]
    assert len(merge([QUESTION, said])) == 2  # a message with buttons ends a merge
    assert len(merge([Reply("Saved", remove_keyboard=True), QUESTION])) == 2
    long_screen = Reply("\n".join(f"line {i}" for i in range(14)))
    assert len(merge([long_screen, QUESTION])) == 2  # together they would not fit a screen


async def test_the_worker_sees_their_answer_under_the_old_question(
    api: FakeBotApi, bot: Services
) -> None:
    person = await at_menu(api, 4301)
    consent = await person.tap("📝 Register with OEC for Japan")
    old = next(m for m in consent.messages if m.buttons and not m.edited)
    turn = await person.tap("✅ I agree")
    assert "What is your full name" in turn.text
    edited = api.message(4301, old.message_id)
    assert edited is not None and edited.buttons == []
    assert edited.text.endswith("\n\n✔ ✅ I agree")


async def test_the_next_question_is_the_only_call_before_it(api: FakeBotApi, bot: Services) -> None:
    person: Person = await at_menu(api, 4302)
    api.delay = 0.3
    seen = len(api.calls)
    await person.tap("📝 Register with OEC for Japan")
    later = [name for name, _ in api.calls[seen:] if name != "getUpdates"]
    times = [t for (name, _), t in zip(api.calls[seen:], api.call_times[seen:], strict=True)]
    assert later[0] == "sendMessage"  # the next question first
    sent_at = times[[n for n, _ in api.calls[seen:]].index("sendMessage")]
    others = [
        t
        for (name, _), t in zip(api.calls[seen:], api.call_times[seen:], strict=True)
        if name in {"answerCallbackQuery", "editMessageText"}
    ]
    assert len(others) == 2
    assert all(t - sent_at < 0.15 for t in others)  # alongside it, not a round trip later
