"""The conversation around registration on Telegram: bad input, language switches, restarts,
/mydata, /delete, /privacy, /help, stale buttons."""

from __future__ import annotations

import pytest

from bot.app import Services
from tests.channels.conftest import Person, at_menu, running_bot
from tests.fake_bot_api import FakeBotApi


async def begin(api: FakeBotApi, user_id: int, language: str = "en") -> Person:
    """A new user picks a language and starts registering; stops at the name question."""
    person = await at_menu(api, user_id, language)
    await person.tap("📝 Register with OEC for Japan")
    await person.tap("✅ I agree")
    return person


async def test_first_contact_offers_the_three_languages(api: FakeBotApi, bot: Services) -> None:
    person = Person(api.user(901, language_code="de"))
    turn = await person.say("hello")
    assert turn.labels == ["اردو", "English", "日本語"]  # nothing pre-selected for German
    turn = await person.tap("English", translate=False)
    assert "What would you like to do?" in turn.text


async def test_bad_input_of_every_kind_costs_no_answer(api: FakeBotApi, bot: Services) -> None:
    person = await begin(api, 902)
    await person.say("Test Worker Gamma")
    user = person.user
    await user.send_photo()
    turn = await person.turn()
    assert "I can only read typed text and button taps here." in turn.text
    assert "What is your CNIC number?" in turn.text
    await user.send_sticker()
    await person.turn()
    await user.send_voice()
    turn = await person.turn()
    assert "Example: 35202-1234567-1" in turn.text  # third failure: examples and OEC
    assert "https://oec.gov.pk" in turn.text
    await user.send_location()
    await person.turn()
    await user.send_document()
    await person.turn()
    turn = await person.say("x" * 4000)
    assert "That message is too long." in turn.text
    turn = await person.say("🇵🇰🇯🇵 ✨")
    assert "13 digits" in turn.text
    turn = await person.say("42101-4817263-5")
    assert "What is your mobile number?" in turn.text
    state = await bot.repository.state_of("telegram", "902")
    assert state is not None
    assert state["answers"]["registration"]["full_name"] == "Test Worker Gamma"
    assert state["answers"]["registration"]["cnic"] == "4210148172635"


async def test_a_name_with_emoji_is_refused_in_the_users_language(
    api: FakeBotApi, bot: Services
) -> None:
    person = await begin(api, 903, "ur")
    turn = await person.say("علی 😀")
    assert (
        person._("Please use only letters and spaces in the name: no numbers, emoji or symbols.")
        in turn.text
    )


async def test_a_placeholder_name_is_confirmed_then_typed_again(
    api: FakeBotApi, bot: Services
) -> None:
    person = await begin(api, 911)
    turn = await person.say("test")
    assert "You wrote: test\nIs this your full name, as on your CNIC?" in turn.text
    assert turn.labels == ["✅ Yes, keep it", "✏️ No, type it again"]
    state = await bot.repository.state_of("telegram", "911")
    assert state is not None and "full_name" not in state["answers"]["registration"]
    assert state["mode"] == "confirm_answer" and state["pending"]["value"] == "test"
    turn = await person.tap("✏️ No, type it again")
    assert "What is your full name, as on your CNIC?" in turn.text
    turn = await person.say("Muhammad Ali Khan")
    assert "What is your CNIC number?" in turn.text
    state = await bot.repository.state_of("telegram", "911")
    assert state is not None and state["pending"] is None
    assert state["answers"]["registration"]["full_name"] == "Muhammad Ali Khan"
    await person.user.tap_data("v:full_name:yes")  # the old confirmation, tapped late
    turn = await person.turn()
    assert "That button belongs to an earlier question." in turn.text
    assert "What is your CNIC number?" in turn.text
    assert api.unanswered_callback_queries == []


async def test_changing_language_mid_flow_keeps_answers_and_asks_again(
    api: FakeBotApi, bot: Services
) -> None:
    person = await begin(api, 904)
    await person.say("Test Worker Delta")
    turn = await person.say("/language")
    assert "✓ English" in turn.labels
    turn = await person.tap("日本語", translate=False)
    japanese = Person(person.user, "ja")
    assert (
        japanese._(
            "What is your CNIC number? It has 13 digits. (If you are under 18, type "
            "your B-Form number.)"
        )
        in turn.text
    )
    turn = await japanese.say("42101-4817263-5")
    assert japanese._("What is your mobile number?") in turn.text
    state = await bot.repository.state_of("telegram", "904")
    assert (
        state is not None and state["answers"]["registration"]["full_name"] == "Test Worker Delta"
    )


async def test_a_restart_mid_flow_continues_at_the_same_step(
    api: FakeBotApi, database_url: str
) -> None:
    async with running_bot(api, database_url):
        person = await begin(api, 905)
        await person.say("Test Worker Epsilon")
        await person.say("42101-4817263-5")
    # the bot is stopped; the worker keeps typing
    await person.user.send("0300 1234567")
    async with running_bot(api, database_url):
        turn = await person.turn()
        assert "What is your date of birth?" in turn.text
        assert "Step 5 of 16" in turn.text


async def test_stale_buttons_reask_the_current_question(api: FakeBotApi, bot: Services) -> None:
    person = await begin(api, 906)
    await person.user.tap_data("a:gender:male")
    turn = await person.turn()
    assert "That button belongs to an earlier question." in turn.text
    assert "What is your full name" in turn.text


async def test_mydata_and_delete(api: FakeBotApi, bot: Services) -> None:
    person = await begin(api, 907)
    await person.say("Test Worker Zeta")
    turn = await person.say("/mydata")
    assert "Registration in progress" in turn.text and "Test Worker Zeta" in turn.text
    turn = await person.say("/delete")
    assert "Delete all your data?" in turn.text
    turn = await person.tap("No, keep it")
    assert "Nothing was deleted." in turn.text
    await person.say("/delete")
    await person.user.tap("🗑 Yes, delete")
    turn = await person.quiet_turn()
    assert "All your data has been deleted" in turn.text
    assert await bot.repository.state_of("telegram", "907") is None


async def test_privacy_help_and_unknown_commands(api: FakeBotApi, bot: Services) -> None:
    person = await begin(api, 908)
    turn = await person.say("/privacy")
    assert "Overseas Employment Corporation (OEC)" in turn.text
    assert "What is your full name" in turn.text  # and back to the question
    turn = await person.say("/help")
    assert "/mydata" in turn.text
    await person.user.send("/frobnicate")
    turn = await person.quiet_turn()
    assert "I don't know that command." in turn.text


async def test_cancel_command_asks_to_confirm(api: FakeBotApi, bot: Services) -> None:
    person = await begin(api, 909)
    turn = await person.say("/cancel")
    assert "Stop now?" in turn.text
    turn = await person.tap("Yes, stop")
    assert "Nothing from this form was saved." in turn.text
    assert await bot.repository.funnel("registration") == {"started": 1, "step": 2, "dropped": 1}


@pytest.mark.parametrize("failing", ["setMyCommands"])
async def test_a_failing_command_menu_is_not_fatal(
    api: FakeBotApi, database_url: str, failing: str
) -> None:
    api.fail_methods[failing] = (400, "Bad Request: test failure")
    async with running_bot(api, database_url):
        person = Person(api.user(910))
        turn = await person.say("/start")
        assert "✓ English" in turn.labels


async def test_an_unknown_command_mid_form_asks_the_question_again(
    api: FakeBotApi, bot: Services
) -> None:
    person = await begin(api, 911)
    await person.say("Test Worker Mu")
    turn = await person.say("/frobnicate")
    assert "I don't know that command." in turn.text
    assert "What is your CNIC number?" in turn.text  # the question again, with its buttons
    assert "⬅️ Back" in turn.labels
    turn = await person.say("42101-4817263-5")
    assert "What is your mobile number?" in turn.text
