"""The worker sees where their registration stands, as a conversation: a worker registers on
Telegram, an officer moves the lead in the staff web app (real aiohttp app, real HTTP), the
bot's sender delivers the notice in the worker's language over real HTTP through
python-telegram-bot to the fake Bot API, and /status and /mydata show the new stage. On SQLite
and PostgreSQL, in English, Urdu and Japanese."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.channels.sender import SenderSettings
from bot.conversation import MYDATA_STATUS, NO_REGISTRATION, REGISTER
from bot.engine.texts import MAIN_MENU
from bot.i18n import gettext, using_language
from bot.staff.pipeline import WORKER_STAGES
from bot.storage import outbox
from bot.storage.db import session_factory
from bot.storage.models import OutboxMessage
from tests.channels.conftest import at_menu, running_bot
from tests.channels.test_telegram_registration import register
from tests.fake_bot_api import FakeBotApi
from tests.staff.web.conftest import StaffWeb, start_staff_web, stop_staff_web

SENDER = SenderSettings(worker="bot-under-test", poll_seconds=0.5, chat_interval=0.0)
MARKS = str.maketrans("", "", "\u2068\u2069\u200f")
ANSWERS = {
    "en": {"name": "Test Worker One", "district": "Lahore", "experience": "3"},
    "ur": {"name": "ٹیسٹ کارکن", "district": "لاہور", "experience": "۳"},
    "ja": {"name": "Test Worker Three", "district": "Lahore", "experience": "3"},
}
BASE = {"cnic": "42101-4817263-5", "mobile": "0300 1234567", "birth_date": "15/03/1998"}


def plain(text: str) -> str:
    return text.translate(MARKS)


async def settled(database: AsyncEngine) -> Sequence[OutboxMessage]:
    """The outbox once the sender has recorded every outcome (it marks a row after sending)."""
    sessions = session_factory(database)
    for _ in range(100):
        rows = await outbox.messages(sessions)
        if all(row.state != "pending" for row in rows):
            return rows
        await asyncio.sleep(0.05)
    raise AssertionError("the outbox still has pending messages")


@pytest.fixture
async def staff_web(database_url: str) -> AsyncIterator[StaffWeb]:
    web = await start_staff_web(database_url)
    try:
        yield web
    finally:
        await stop_staff_web(web)


@pytest.mark.parametrize("language", ["en", "ur", "ja"])
async def test_the_worker_hears_of_the_officers_change_and_sees_it_in_status(
    api: FakeBotApi, database_url: str, staff_web: StaffWeb, language: str
) -> None:
    async with running_bot(api, database_url, sender=SENDER) as bot:
        person = await at_menu(api, 1600 + len(language), language)
        _ = person._

        turn = await person.say("/status")  # nothing yet: said so, and registering offered
        assert turn.text == _(NO_REGISTRATION) or plain(turn.text) == plain(_(NO_REGISTRATION))
        assert [plain(label) for label in turn.labels] == [plain(_(REGISTER)), plain(_(MAIN_MENU))]
        await register(person, {**BASE, **ANSWERS[language]})
        (lead,) = await bot.repository.leads()

        turn = await person.say("/status")
        assert lead.reference in turn.text
        assert plain(_(WORKER_STAGES["new"])) in plain(turn.text)

        officer = await staff_web.signed_in("officer1", "officer")
        note = "Fake note: called twice, no answer"
        page = await officer.post(f"/leads/{lead.id}/status", {"status": "contacted", "note": note})
        assert page.status == 303

        notice = await person.user.reply(timeout=10)  # unprompted, within the poll interval
        assert lead.reference in notice.text and note not in notice.text
        assert plain(_(WORKER_STAGES["contacted"])) in plain(notice.text)
        assert "/status" in notice.text
        if language == "ur":  # reads right to left: every line starts RLM, then Urdu
            for line in notice.text.split("\n"):
                assert line.startswith("\u200f") and "\u0600" <= line[1] <= "\u06ff", line
        (sent,) = await settled(bot.database)
        assert (sent.state, sent.attempts, sent.language) == ("sent", 1, language)

        turn = await person.say("/status")
        assert plain(_(WORKER_STAGES["contacted"])) in plain(turn.text)
        assert note not in turn.text
        turn = await person.say("/mydata")
        with using_language(language):
            line = gettext(MYDATA_STATUS).format(stage=gettext(WORKER_STAGES["contacted"]))
        assert plain(line) in plain(turn.text)

        await officer.post(f"/leads/{lead.id}/status", {"status": "invalid"})  # not told
        turn = await person.say("/status")
        assert plain(_(WORKER_STAGES["invalid"])) in plain(turn.text)
        assert len(await outbox.messages(session_factory(bot.database))) == 1


async def test_a_notice_waits_for_the_sender_and_goes_when_the_bot_runs(
    api: FakeBotApi, database_url: str, staff_web: StaffWeb
) -> None:
    """The notice is queued by the web app alone (no bot running) and sent when a bot with a
    sender starts: the outbox, not the web request, delivers it."""
    async with running_bot(api, database_url) as bot:  # no sender
        person = await at_menu(api, 1650)
        await register(person, {**BASE, **ANSWERS["en"]})
        (lead,) = await bot.repository.leads()
    before = len(api.messages(1650))
    officer = await staff_web.signed_in("officer1", "officer")
    await officer.post(f"/leads/{lead.id}/status", {"status": "documents"})
    assert len(api.messages(1650)) == before  # queued, not sent by the web app
    async with running_bot(api, database_url, sender=replace(SENDER, worker="second")):
        notice = await person.user.reply(timeout=10)
    assert len(api.messages(1650)) == before + 1
    assert "Your documents are being checked." in notice.text
