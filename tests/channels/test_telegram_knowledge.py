"""The SSW knowledge on Telegram: the eligibility check, the sector catalogue, the FAQ."""

from __future__ import annotations

from bot.app import Services
from tests.channels.conftest import at_menu
from tests.fake_bot_api import FakeBotApi


async def test_a_taxi_driver_learns_what_is_missing(api: FakeBotApi, bot: Services) -> None:
    person = await at_menu(api, 1201)
    await person.tap("✅ Can I go to Japan? Check")
    turn = await person.say("25")
    assert "Which work do you want to do in Japan?" in turn.text
    await person.tap("Next ▶️")
    turn = await person.tap("Automobile transportation")
    assert "Which job in this field?" in turn.text
    await person.tap("Taxi")
    turn = await person.tap("No")  # no Japanese driving licence yet
    assert "Which Japanese tests have you passed?" in turn.text
    await person.tap("JLPT N4", translate=False)
    await person.tap("✅ Done")
    await person.tap("Yes")  # passed the skills test
    await person.tap("No")  # no Technical Intern Training
    turn = await person.tap("No")  # never on SSW (i)
    assert "SSW (i) in Automobile transportation" in turn.text  # the verdict comes first
    assert "1. Take the JLPT N3" in turn.text
    assert {"❓ Why", "📚 Sources", "📝 Register with OEC for Japan"} <= set(turn.labels)
    turn = await person.tap("❓ Why")  # the reasons, criterion by criterion
    assert "❌ Japanese: JLPT N3 or higher" in turn.text
    assert "Japanese driving licence" in turn.text
    turn = await person.tap("📚 Sources")
    assert "sapporocapls.com/clp/driver2" in turn.text
    state = await bot.repository.state_of("telegram", "1201")
    assert state is not None and state["results"]["eligibility"]["routes"]


async def test_an_it_graduate_is_shown_the_engineer_visa_not_ssw(
    api: FakeBotApi, bot: Services
) -> None:
    person = await at_menu(api, 1202)
    await person.tap("✅ Can I go to Japan? Check")
    await person.say("27")
    await person.tap("Next ▶️")
    await person.tap("Next ▶️")
    turn = await person.tap("IT engineer")
    assert "Do you have a university or college degree?" in turn.text  # no Japanese question
    await person.tap("Yes, in IT or computer science")
    turn = await person.say("2")
    assert "Do you have a job offer from a company in Japan, with a contract?" in turn.text
    turn = await person.tap("No")
    assert "Engineer" in turn.text and "IT work is not an SSW field" in turn.text
    assert "You can get there after these steps:" in turn.text
    assert "You meet the main requirements." not in turn.text
    assert "SSW (i) in" not in turn.text
    turn = await person.tap("❓ Why")
    assert "❌ A job offer: a contract with a company in Japan" in turn.text


async def test_eligibility_result_is_stored_with_the_lead(api: FakeBotApi, bot: Services) -> None:
    person = await at_menu(api, 1203)
    await person.tap("📚 Kinds of work in Japan")
    turn = await person.tap("Nursing care")
    assert "介護" in turn.text and "Prometric" in turn.text  # the summary: work and key facts
    turn = await person.tap("📚 Sources")
    assert "Sources (checked" in turn.text and turn.last.edited  # in place of the summary
    turn = await person.tap("ℹ️ More about this work")
    assert "45 questions in 60 minutes" in turn.text  # the details, a screen at a time
    turn = await person.tap("Next ▶️")
    assert "SSW (ii) is not available in nursing care" in turn.text and turn.last.edited
    turn = await person.tap("✅ Check if I can go for this work")
    assert "How old are you?" in turn.text
    await person.say("30")
    turn = await person.tap("None yet")  # sector was given: the next question is the tests
    await person.tap("✅ Done")
    await person.tap("No")
    await person.tap("No")
    turn = await person.tap("No")
    assert "SSW (i) in Nursing care" in turn.text
    turn = await person.tap("❓ Why")
    assert "Care Japanese" in turn.text
    turn = await person.tap("📝 Register with OEC for Japan")
    assert "Before we start" in turn.text
    async with bot.repository.user("telegram", "1203") as unit:
        await unit.save_lead(_lead_from(unit))
    lead = (await bot.repository.leads())[0]
    assert lead.eligibility is not None and lead.eligibility["routes"]


def _lead_from(unit: object):  # type: ignore[no-untyped-def]
    from datetime import date

    from bot.storage.repository import LeadData

    return LeadData(
        cnic="1234512345671",
        full_name="Test Worker Iota",
        mobile="+923001234567",
        birth_date=date(1996, 1, 1),
        province="sindh",
        answers={},
        language="en",
        eligibility={"version": 1, "routes": [{"id": "ssw1_after_tests"}]},
    )


async def test_faq_answers_come_with_sources_and_pages(api: FakeBotApi, bot: Services) -> None:
    person = await at_menu(api, 1204)
    turn = await person.tap("❓ About SSW: questions and answers")
    assert "What do you want to know?" in turn.text
    turn = await person.tap("What do I have to pay?")
    assert "No one may ask you or your family for a deposit" in turn.text
    turn = await person.tap("📚 Sources")
    assert "Sources (checked" in turn.text
    turn = await person.tap("❓ Other questions")
    assert "What do you want to know?" in turn.text
    turn = await person.tap("Next ▶️")
    assert turn.last.edited  # pages turn in place
    turn = await person.tap("🏠 Main menu")
    assert "What would you like to do?" in turn.text
