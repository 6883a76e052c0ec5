"""A worker registers on Telegram, in each language, and the lead lands in the database.

Real python-telegram-bot Application, real HTTP to our fake Bot API, real SQLite and
PostgreSQL databases.
"""

from __future__ import annotations

from datetime import date

import pytest

from bot.app import Services
from tests.channels.conftest import Person, at_menu
from tests.fake_bot_api import FakeBotApi

LANGUAGE_BUTTON = {"ur": "اردو", "en": "English", "ja": "日本語"}


async def register(person: Person, answers: dict[str, str]) -> str:
    """Walk the whole registration; returns the confirmation text."""
    _ = person._
    turn = await person.tap("📝 Register with OEC for Japan")
    assert _("Step {n} of {total}", n=1, total=16).replace("\u2068", "").replace(
        "\u2069", ""
    ) in turn.text.replace("\u2068", "").replace("\u2069", "")
    turn = await person.tap("✅ I agree")
    assert (
        _("What is your full name, as on your CNIC? You can write it in Urdu or English.")
        in turn.text
    )
    await person.say(answers["name"])
    turn = await person.say(answers["cnic"])
    assert turn.last.reply_keyboard[0][0].request_contact  # "share my number" offered
    if answers["mobile"] == "share":  # the "share my number" button instead of typing
        turn = await person.share_contact("923001234567")
    else:
        turn = await person.say(answers["mobile"])
    assert any(m.remove_keyboard for m in turn.messages)  # the contact button goes away
    await person.say(answers["birth_date"])
    await person.tap("Male")
    await person.tap("Punjab")
    await person.say(answers["district"])
    await person.tap("Matric (class 10)")
    await person.say(answers["experience"])
    turn = await person.tap("Construction")
    assert turn.last.edited  # toggles edit the question in place
    await person.tap("Agriculture")
    await person.tap("✅ Done")
    await person.tap("I am learning now")
    await person.tap("JLPT N5", translate=False)
    await person.tap("✅ Done")
    await person.tap("No")
    await person.tap("Yes")
    turn = await person.tap("No, never")
    assert _("Please check your answers. Tap an answer to change it, or Submit.") in turn.text
    turn = await person.tap("✅ Submit")
    return turn.text


@pytest.mark.parametrize("language", ["en", "ur", "ja"])
async def test_full_registration_in_each_language(
    api: FakeBotApi, bot: Services, language: str
) -> None:
    user = api.user(
        700 + len(language), language_code={"en": "en", "ur": "ur-PK", "ja": "ja"}[language]
    )
    person = Person(user, language)
    await user.send("/start roadshow_lahore")
    picker = await person.turn()
    assert f"✓ {LANGUAGE_BUTTON[language]}" in picker.labels  # pre-selected from Telegram
    await person.tap(f"✓ {LANGUAGE_BUTTON[language]}", translate=False)
    digits = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹") if language == "ur" else None
    answers = {
        "name": {"en": "Test Worker One", "ur": "ٹیسٹ کارکن", "ja": "Test Worker Three"}[language],
        "cnic": "42101-4817263-5".translate(digits) if digits else "42101-4817263-5",
        "mobile": {"en": "0300 1234567", "ur": "۰۳۰۰ ۱۲۳۴۵۶۷", "ja": "share"}[language],
        "birth_date": "15/03/1998".translate(digits) if digits else "15/03/1998",
        "district": {"en": "Lahore", "ur": "لاہور", "ja": "Lahore"}[language],
        "experience": "3".translate(digits) if digits else "3 years",
    }
    confirmation = await register(person, answers)

    leads = await bot.repository.leads()
    assert len(leads) == 1
    lead = leads[0]
    assert lead.reference in confirmation
    assert lead.cnic == "4210148172635"
    assert lead.mobile == "+923001234567"
    assert lead.birth_date == date(1998, 3, 15)
    assert lead.full_name == answers["name"]
    assert lead.province == "punjab"
    assert lead.language == language
    assert lead.source == "roadshow_lahore"
    assert lead.answers["sectors"] == ["construction", "agriculture"]
    assert lead.answers["jp_tests"] == ["jlpt_n5"]
    assert lead.answers["district"] == answers["district"]
    assert lead.answers["experience_years"] == 3
    assert "titp_field" not in lead.answers
    funnel = await bot.repository.funnel("registration")
    assert funnel["started"] == 1 and funnel["registered"] == 1 and funnel["step"] == 16
    assert api.unanswered_callback_queries == []


async def test_every_urdu_message_reads_right_to_left(api: FakeBotApi, bot: Services) -> None:
    person = Person(api.user(801, language_code="ur"), "ur")
    await person.user.send("/start")
    await person.turn()
    await person.tap("✓ اردو", translate=False)
    await person.tap("📝 Register with OEC for Japan")
    await person.tap("✅ I agree")
    await person.say("ٹیسٹ کارکن")
    await person.say("42101-4817263-5")
    for message in api.messages(801):
        if message.text.startswith("Choose your language"):
            continue  # the picker is written in all three languages
        for line in message.text.split("\n"):
            assert not line or line.startswith("\u200f"), line
        for label in message.button_labels():
            assert label.startswith("\u200f"), label


async def test_commands_are_registered_per_language(api: FakeBotApi, bot: Services) -> None:
    calls = api.calls_to("setMyCommands")
    languages = {call.get("language_code") for call in calls}
    assert languages == {None, "ur", "ja"}
    names = [c["command"] for c in calls[0]["commands"]]
    assert names == ["start", "help", "language", "cancel", "status", "mydata", "delete", "privacy"]


async def test_after_the_eligibility_check_each_thing_is_asked_once(
    api: FakeBotApi, bot: Services
) -> None:
    """A worker checks eligibility, then registers: the work, the Japanese tests and the
    Technical Intern Training are not asked again, but are on the review screen to change."""
    person = await at_menu(api, 720)
    await person.tap("✅ Can I go to Japan? Check")
    await person.say("25")
    await person.tap("Construction")
    await person.tap("JLPT N4", translate=False)
    await person.tap("✅ Done")
    await person.tap("Yes")  # the skills test
    await person.tap("Yes, completed in good standing")  # Technical Intern Training
    await person.tap("Construction")  # its field
    await person.tap("No")  # never on SSW (i)
    turn = await person.tap("📝 Register with OEC for Japan")
    assert "Step 5 of 17" in turn.text  # four answers are already there
    await person.tap("✅ I agree")
    await person.say("Test Worker Lambda")
    await person.say("42101-4817263-5")
    await person.say("0300 1234567")
    await person.say("15/03/1998")
    await person.tap("Male")
    await person.tap("Punjab")
    await person.say("Lahore")
    await person.tap("Matric (class 10)")
    turn = await person.say("3")
    assert "How much Japanese do you know?" in turn.text  # not the work again
    assert "Step 15 of 17" in turn.text  # consent was 5: one more per answer
    turn = await person.tap("I am learning now")
    assert "Have you passed an SSW skills test" in turn.text  # not the tests again
    await person.tap("No")
    turn = await person.tap("Yes")  # a passport; nothing about Japan or TITP again
    assert "Please check your answers" in turn.text  # a phone screen at a time
    turn = await person.tap("Next ▶️")
    assert turn.last.edited
    assert "• Work you want: Construction" in turn.text
    assert "• Japanese tests passed: JLPT N4" in turn.text
    assert "• Earlier time in Japan: Technical Intern Training, completed" in turn.text
    assert "• Technical Intern Training field: Construction" in turn.text
    turn = await person.tap("✏️ Japanese tests passed", translate=False)
    assert "☑️ JLPT N4" in turn.labels and "Now: JLPT N4" in turn.text
    await person.tap("▫️ JLPT N3", translate=False)
    turn = await person.tap("✅ Done")
    assert "• Japanese tests passed: JLPT N4, JLPT N3" in turn.text
    await person.tap("✅ Submit")

    lead = (await bot.repository.leads())[0]
    assert lead.answers["sectors"] == ["construction"]
    assert lead.answers["jp_tests"] == ["jlpt_n4", "jlpt_n3"]
    assert lead.answers["japan_history"] == "titp_completed"
    assert lead.answers["titp_field"] == "construction"
    assert lead.eligibility is not None and lead.eligibility["routes"]
    texts = [m.text for m in api.messages(720)]
    assert not [t for t in texts if "Which work would you like to do in Japan?" in t]
    assert not [t for t in texts if "Have you been to Japan before?" in t]
