"""A broadcast end to end, over real HTTP, on SQLite and PostgreSQL: an officer writes it in
the staff web app (a real aiohttp server, a browser session with cookies and CSRF), sees how
many it reaches, sends it; the bot's outbox sender (python-telegram-bot against the fake Bot
API) delivers it to exactly the segment, each worker in their language with the opt-out
button; one taps it, is told how to opt back in, and gets nothing from the next broadcast;
/mydata says whether announcements come."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select, update

from bot import broadcasts as texts
from bot.channels.sender import SenderSettings
from bot.conversation import OPTED_OUT
from bot.engine.texts import button_label
from bot.i18n import gettext, paragraph, using_language
from bot.staff import accounts
from bot.storage.db import session_factory
from bot.storage.models import Lead, User
from tests.channels.conftest import running_bot
from tests.fake_bot_api import BotMessage, FakeBotApi, FakeUser
from tests.staff import factory
from tests.staff.web.conftest import CHEAP, Browser, StaffWeb, start_staff_web, stop_staff_web

FAST = SenderSettings(
    worker="broadcast-test",
    poll_seconds=0.05,
    backoff_seconds=0.0,
    per_second=1000.0,
    chat_interval=0.0,
    group_interval=0.0,
)
FIRST = {
    "en": "Test announcement: the Lahore roadshow is on Monday.",
    "ur": "آزمائشی اعلان: لاہور روڈ شو پیر کو ہے۔",
    "ja": "テストのお知らせ：ラホールの説明会は月曜日です。",
}
SECOND = {
    "en": "Test announcement two: bring your CNIC.",
    "ur": "دوسرا آزمائشی اعلان: اپنا شناختی کارڈ ساتھ لائیں۔",
    "ja": "テストのお知らせ２：CNICを持ってきてください。",
}


@pytest.fixture
async def staff_web(database_url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[StaffWeb]:
    monkeypatch.setattr(accounts, "hasher", CHEAP)
    accounts._dummy_hash.cache_clear()
    web = await start_staff_web(database_url)
    try:
        yield web
    finally:
        await stop_staff_web(web)
        accounts._dummy_hash.cache_clear()


async def worker(web: StaffWeb, api: FakeBotApi, chat: int, language: str, province: str) -> int:
    """A registered worker on Telegram (chat ``chat``) who reads ``language``."""
    api.user(chat, language_code=language)
    reference = await factory.add_lead(web.engine, answers={"province": province})
    async with session_factory(web.engine)() as db, db.begin():
        user_id = await db.scalar(select(Lead.user_id).where(Lead.reference == reference))
        assert user_id is not None
        await db.execute(
            update(User).where(User.id == user_id).values(external_id=str(chat), language=language)
        )
    return user_id


async def send_broadcast(officer: Browser, written: dict[str, str], **segment: str) -> int:
    form = {f"text_{lang}": text for lang, text in written.items()} | segment
    created = await officer.post("/broadcasts", form)
    assert created.status == 303 and created.location
    found = re.match(r"/broadcasts/(\d+)", created.location)
    assert found
    broadcast_id = int(found.group(1))
    draft = await officer.get(f"/broadcasts/{broadcast_id}")
    assert draft.status == 200 and "Missing" not in draft.text
    confirm = await officer.get(f"/broadcasts/{broadcast_id}/send")
    assert confirm.status == 200
    sent = await officer.post(f"/broadcasts/{broadcast_id}/send", {})
    assert sent.status == 303
    return broadcast_id


async def until_done(officer: Browser, broadcast_id: int) -> dict[str, object]:
    for _ in range(400):
        async with officer.session.get(
            f"{officer.base}/broadcasts/{broadcast_id}/progress"
        ) as response:
            assert response.status == 200
            progress: dict[str, object] = await response.json()
        if progress["state"] == "done":
            return progress
        await asyncio.sleep(0.05)
    raise AssertionError(f"broadcast {broadcast_id} not done: {progress}")


def expected(text: str, language: str) -> tuple[str, str]:
    shown = texts.render(text, language)
    return shown.text, shown.button.label


def only_broadcasts(messages: list[BotMessage]) -> list[BotMessage]:
    return [m for m in messages if any(b.callback_data == texts.STOP for r in m.buttons for b in r)]


async def test_an_officer_broadcasts_and_a_worker_opts_out(
    api: FakeBotApi, database_url: str, staff_web: StaffWeb
) -> None:
    web = staff_web
    urdu = 7001
    await worker(web, api, urdu, "ur", "punjab")
    await worker(web, api, 7002, "ja", "punjab")
    await worker(web, api, 7003, "en", "sindh")  # outside the segment
    stopped = await worker(web, api, 7004, "en", "punjab")
    async with session_factory(web.engine)() as db, db.begin():  # opted out long ago
        await db.execute(update(User).where(User.id == stopped).values(opted_out_at=web.clock()))
    officer = await web.signed_in("officer.broadcast", "officer")
    reach = await officer.get("/broadcasts/new", province="punjab")
    assert "This will reach 2 people." in reach.text

    async with running_bot(api, database_url, sender=FAST):
        first = await send_broadcast(officer, FIRST, province="punjab")
        progress = await until_done(officer, first)
        assert (progress["queued"], progress["sent"], progress["remaining"]) == (2, 2, 0)
        for chat, language in ((urdu, "ur"), (7002, "ja")):
            [message] = api.messages(chat)
            assert (message.text, message.button_labels()) == (
                expected(FIRST[language], language)[0],
                [expected(FIRST[language], language)[1]],
            )
        assert api.messages(7003) == [] and api.messages(7004) == []
        assert api.messages(urdu)[0].text.startswith("\u200f")  # right to left in Telegram
        assert [b.callback_data for r in api.messages(urdu)[0].buttons for b in r] == ["o:stop"]

        person = api.user(urdu)
        with using_language("ur"):
            stop_label, stopped_text = gettext(texts.STOP_LABEL), gettext(OPTED_OUT)
            again_label = button_label(gettext(texts.START_LABEL))
        await person.replies_until_idle(quiet=0.05)  # the broadcast, read
        await person.tap(stop_label)
        answers = [await next_message(person)]
        assert [m.text for m in answers] == [paragraph_ur(stopped_text)]
        assert [again_label in label for label in answers[0].button_labels()] == [True]
        assert only_broadcasts([m for m in api.messages(urdu) if m.edited]) == []  # no button
        async with session_factory(web.engine)() as db:
            user = await db.scalar(select(User).where(User.external_id == str(urdu)))
        assert user is not None and user.opted_out_at is not None

        await person.send("/mydata")
        with using_language("ur"):
            said = paragraph(gettext(texts.MYDATA_STOPPED))
        shown = [await next_message(person)]
        while shown[-1].text != said:  # the /mydata pages, then this notice
            shown.append(await next_message(person))
        [notice] = [m for m in shown if m.text == said]
        assert notice.button_labels() == [again_label]

        second = await send_broadcast(officer, SECOND, province="punjab")
        progress = await until_done(officer, second)
        assert (progress["queued"], progress["sent"]) == (1, 1)
        assert [m.text for m in only_broadcasts(api.messages(7002))][-1] == expected(
            SECOND["ja"], "ja"
        )[0]
        assert len(only_broadcasts(api.messages(urdu))) == 1  # the first one only

        await person.replies_until_idle(quiet=0.5)
        await person.tap_data(texts.START, notice.message_id)  # under /mydata's answer
        with using_language("ur"):
            started = gettext(texts.STARTED)
        assert (await next_message(person)).text == paragraph_ur(started)
    audit = [entry.action for entry in await web.audit() if entry.action.startswith("broadcast")]
    assert audit == ["broadcast_create", "broadcast_send"] * 2


async def next_message(person: FakeUser) -> BotMessage:
    """The next message the bot sent this person (an edit of an old one is skipped)."""
    while (record := await person.reply(timeout=15)).edited:
        pass
    return record


def paragraph_ur(text: str) -> str:
    with using_language("ur"):
        return paragraph(text)
