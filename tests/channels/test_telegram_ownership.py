"""Nobody takes over or erases someone else's registration, on Telegram end to end: a CNIC or
mobile number already registered from another account gives a separate lead marked for OEC to
check, /mydata and /delete see only the caller's own, and a shared contact must be the
worker's own."""

from __future__ import annotations

from typing import Any

from bot.app import Services
from bot.conversation import DUPLICATE_CNIC
from bot.storage.models import Lead
from tests.channels.conftest import Person, at_menu
from tests.channels.test_telegram_registration import register
from tests.fake_bot_api import FakeBotApi

FIRST = {
    "name": "Test Worker First",
    "cnic": "42101-4817263-5",
    "mobile": "0300 1234567",
    "birth_date": "15/03/1998",
    "district": "Lahore",
    "experience": "3",
}
SECOND = {**FIRST, "name": "Test Worker Second", "mobile": "0345 7654321", "district": "Multan"}


def snapshot(lead: Lead) -> dict[str, Any]:
    return {c.key: getattr(lead, c.key) for c in Lead.__table__.columns}  # type: ignore[attr-defined]


async def lead_of(bot: Services, account: int) -> list[Lead]:
    async with bot.repository.user("telegram", str(account)) as unit:
        return list(await unit.leads())


async def test_a_cnic_registered_from_another_account_is_not_taken_over(
    api: FakeBotApi, bot: Services
) -> None:
    first = await at_menu(api, 1301)
    thanks = await register(first, FIRST)
    assert "Your reference number is" in thanks and "already registered" not in thanks
    (original,) = await lead_of(bot, 1301)
    before = snapshot(original)

    second = await at_menu(api, 1302)
    thanks = await register(second, SECOND)
    assert DUPLICATE_CNIC in thanks  # told plainly, and still given a reference
    (duplicate,) = await lead_of(bot, 1302)
    assert duplicate.reference in thanks
    for secret in ("Test Worker First", "300 1234567", "3001234567", original.reference):
        assert secret not in thanks  # nothing of the other lead is shown
    assert duplicate.duplicate_of_id == original.id and duplicate.duplicate_reason == "cnic"

    turn = await first.say("/mydata")  # the first worker still sees their registration
    assert original.reference in turn.text and "Test Worker First" in turn.text
    assert "Test Worker Second" not in turn.text and "We keep no registration" not in turn.text
    turn = await second.say("/mydata")
    assert duplicate.reference in turn.text and "Test Worker Second" in turn.text
    assert "Test Worker First" not in turn.text and original.reference not in turn.text

    await second.say("/delete")
    await second.user.tap("🗑 Yes, delete")
    assert "All your data has been deleted" in (await second.quiet_turn()).text
    (kept,) = await bot.repository.leads()
    assert snapshot(kept) == before  # intact, every field unchanged
    turn = await first.say("/mydata")
    assert original.reference in turn.text and "Test Worker First" in turn.text


async def test_the_same_account_registering_again_updates_its_lead(
    api: FakeBotApi, bot: Services
) -> None:
    worker = await at_menu(api, 1303)
    await register(worker, FIRST)
    thanks = await register(worker, {**FIRST, "district": "Faisalabad"})
    assert DUPLICATE_CNIC not in thanks
    (lead,) = await bot.repository.leads()
    assert lead.answers["district"] == "Faisalabad" and lead.duplicate_of_id is None
    assert lead.reference in thanks


async def test_a_mobile_on_another_accounts_lead_is_marked_not_refused(
    api: FakeBotApi, bot: Services
) -> None:
    brother = await at_menu(api, 1304)
    await register(brother, FIRST)
    sister = await at_menu(api, 1305)
    thanks = await register(
        sister, {**FIRST, "name": "Test Worker Sister", "cnic": "54321-7654321-2"}
    )
    assert "Your reference number is" in thanks and DUPLICATE_CNIC not in thanks
    first, second = await bot.repository.leads()
    assert second.duplicate_reason == "mobile" and second.duplicate_of_id == first.id
    assert first.duplicate_of_id is None and first.full_name == "Test Worker First"


async def ask_mobile(person: Person) -> None:
    await person.tap("📝 Register with OEC for Japan")
    await person.tap("✅ I agree")
    await person.say("Test Worker Contact")
    turn = await person.say("42101-4817263-5")
    assert "What is your mobile number?" in turn.text


async def test_a_contact_card_of_somebody_else_is_refused(api: FakeBotApi, bot: Services) -> None:
    worker = await at_menu(api, 1306)
    await ask_mobile(worker)
    await worker.user.share_contact("923009999999", own=False)  # an agent's card
    turn = await worker.turn()
    assert "I can only take your own number" in turn.text
    assert "What is your mobile number?" in turn.text  # asked again
    assert turn.last.reply_keyboard[0][0].request_contact  # with the share button
    state = await bot.repository.state_of("telegram", "1306")
    assert state is not None and state["step"] == "mobile"
    assert "mobile" not in state["answers"]["registration"]
    turn = await worker.share_contact("923001234567")  # their own
    assert "Saved: +92 300 1234567" in turn.text
    assert "What is your date of birth?" in turn.text
