"""Job openings on the worker's side, over real HTTP through python-telegram-bot to the fake
Bot API, on SQLite and PostgreSQL: an officer's invitations reach the right workers in their
language with the buttons; a tap on "I'm interested" is recorded and answered; "Jobs open now"
in the main menu marks each opening for a worker who meets it, nearly does, or has not
registered; "Stop job messages" stops them and is undone; at the deadline the job closes the
opening and the interested worker is told."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import openings as jobs
from bot.channels.sender import SenderSettings
from bot.engine.texts import MAIN_MENU, button_label
from bot.i18n import gettext, paragraph, using_language
from bot.jobs.deadlines import ACTOR, deadline_job
from bot.jobs.runner import JobRunner
from bot.storage import openings
from bot.storage.db import session_factory
from bot.storage.models import Lead, OutboxMessage, User
from bot.storage.opening_models import OpeningCandidate
from bot.storage.staff_models import AuditEntry
from tests.channels.conftest import at_menu, running_bot
from tests.conftest import TODAY
from tests.fake_bot_api import BotMessage, FakeBotApi, FakeUser
from tests.staff import factory

FAST = SenderSettings(
    worker="openings-test",
    poll_seconds=0.05,
    backoff_seconds=0.0,
    per_second=1000.0,
    chat_interval=0.0,
    group_interval=0.0,
)
NOW = datetime(2026, 11, 25, 9, tzinfo=UTC)  # the service's and the sender's clock (TODAY)
MOMENT = [NOW]  # what ``clock`` says (a test moves it on)
FOOD = ["food_manufacturing"]
PASSED = {"sectors": FOOD, "jp_tests": ["jft_a2"], "skills_test": "yes"}
NEARLY = {**PASSED, "skills_test": "no"}
DESCRIPTIONS = {
    "en": "Packing boxed lunches in a clean factory near Nagoya. Test description.",
    "ur": "ناگویا کے قریب ایک صاف فیکٹری میں کھانے کے ڈبے پیک کرنا۔ آزمائشی تفصیل۔",
    "ja": "名古屋の近くの清潔な工場で弁当を包装する仕事。テスト用の説明。",
}


def clock() -> datetime:
    return MOMENT[0]


@pytest.fixture(autouse=True)
def _clock_at_now() -> Iterator[None]:
    MOMENT[0] = NOW
    yield
    MOMENT[0] = NOW


async def add_opening(database: AsyncEngine, **values: object) -> int:
    return await factory.add_opening(
        database,
        **{
            "title": "Food factory workers (test)",
            "employer": "Example Foods KK",
            "pay_includes": "before tax, housing not included",
            "descriptions": DESCRIPTIONS,
            "created_at": NOW,
            "updated_at": NOW,
            **values,
        },
    )


async def worker(
    database: AsyncEngine,
    api: FakeBotApi,
    chat: int,
    language: str,
    answers: dict[str, Any],
    **lead: Any,
) -> int:
    """A registered worker on Telegram (chat ``chat``) who reads ``language``; their user id.
    ``lead``: other columns of their lead (a birth date, say)."""
    api.user(chat, language_code=language)
    reference = await factory.add_lead(database, answers=answers, language=language, **lead)
    async with session_factory(database)() as db, db.begin():
        user_id = await db.scalar(select(Lead.user_id).where(Lead.reference == reference))
        assert user_id is not None
        await db.execute(
            update(User).where(User.id == user_id).values(external_id=str(chat), language=language)
        )
    return user_id


async def invite(database: AsyncEngine, opening_id: int, which: list[str]) -> int:
    """What the officer's "Invite" does: match, then queue the invitations."""
    async with session_factory(database)() as db, db.begin():
        opening = await openings.get(db, opening_id, for_update=True)
        assert opening is not None
        await openings.run_matching(db, opening, today=TODAY, now=NOW)
        return await openings.queue_invitations(db, opening, which, NOW)


async def next_message(person: FakeUser) -> BotMessage:
    """The next message the bot sent this person (an edit of an old one is skipped)."""
    while (record := await person.reply(timeout=15)).edited:
        pass
    return record


async def messages_until(person: FakeUser, done: Callable[[BotMessage], bool]) -> list[BotMessage]:
    """New messages until one for which ``done`` is true (edits skipped)."""
    seen = [await next_message(person)]
    while not done(seen[-1]):
        seen.append(await next_message(person))
    return seen


def said(language: str, msgid: str, **params: object) -> str:
    with using_language(language):
        text = gettext(msgid)
        return paragraph(text.format(**params) if params else text)


def label(language: str, msgid: str) -> str:
    with using_language(language):
        return button_label(gettext(msgid))


def data_of(message: BotMessage) -> list[str]:
    return [b.callback_data or "" for row in message.buttons for b in row]


async def answer_of(database: AsyncEngine, opening_id: int, user_id: int) -> str | None:
    async with database.connect() as connection:
        rows = await connection.execute(
            select(OpeningCandidate.answer).where(
                OpeningCandidate.opening_id == opening_id, OpeningCandidate.user_id == user_id
            )
        )
        answers = rows.scalars().all()
    assert len(answers) <= 1  # one row per opening and worker
    return answers[0] if answers else None


async def test_invitations_reach_the_right_workers_and_interested_is_recorded(
    api: FakeBotApi, database_url: str
) -> None:
    async with running_bot(api, database_url, sender=FAST, now=clock) as services:
        database = services.database
        urdu = await worker(database, api, 8101, "ur", PASSED)
        english = await worker(database, api, 8102, "en", NEARLY)
        stopped = await worker(database, api, 8103, "ja", PASSED)
        await worker(database, api, 8104, "en", {**PASSED, "sectors": ["construction"]})
        opening_id = await add_opening(database)
        async with session_factory(database)() as db, db.begin():
            opening = await openings.get(db, opening_id, for_update=True)
            assert opening is not None
            await openings.run_matching(db, opening, today=TODAY, now=NOW)
            assert await openings.queue_invitations(db, opening, ["meets"], NOW) == 2
            # one stops job messages after being invited, before the sender gets to it
            await db.execute(update(User).where(User.id == stopped).values(jobs_opted_out_at=NOW))
        assert await invite(database, opening_id, ["nearly"]) == 1

        [ur_invitation] = [await next_message(api.user(8101))]
        with using_language("ur"):
            assert ur_invitation.text.startswith("\u200f")  # right to left in Telegram
            assert gettext(jobs.INVITATION_HEADING) in ur_invitation.text
            assert "\u2068Food factory workers (test)\u2069" in ur_invitation.text
            assert "210,000" in ur_invitation.text and DESCRIPTIONS["ur"] in ur_invitation.text
            assert gettext(jobs.STILL_NEED) not in ur_invitation.text  # they meet it
        assert ur_invitation.button_labels() == [
            label("ur", jobs.INTERESTED_LABEL),
            label("ur", jobs.NOT_FOR_ME_LABEL),
            label("ur", jobs.STOP_LABEL),
        ]
        assert data_of(ur_invitation) == [f"j:y:{opening_id}", f"j:n:{opening_id}", "j:stop"]

        en_invitation = await next_message(api.user(8102))
        assert "You still need:\n• Skills test for this work passed" in en_invitation.text
        assert "Where in Japan: Aichi" in en_invitation.text
        assert "Pay: 210,000 yen a month (before tax, housing not included)" in en_invitation.text
        assert "Apply by: March 1, 2027" in en_invitation.text
        await asyncio.sleep(0.3)
        assert api.messages(8103) == [] and api.messages(8104) == []
        states = {m.user_id: m.state for m in await _outbox(database)}
        assert states[stopped] == "opted_out" and states[urdu] == states[english] == "sent"

        person = api.user(8101)
        await person.tap(label("ur", jobs.INTERESTED_LABEL))
        thanks = await next_message(person)
        assert thanks.text.startswith(
            said("ur", jobs.INTERESTED, title="\u2068Food factory workers (test)\u2069")
        )
        assert await answer_of(database, opening_id, urdu) == "interested"
        await person.tap_data(f"j:y:{opening_id}", ur_invitation.message_id)  # tapped again
        assert (await next_message(person)).text == thanks.text
        assert await answer_of(database, opening_id, urdu) == "interested"
        await person.tap_data(f"j:n:{opening_id}", ur_invitation.message_id)  # changes mind
        assert (await next_message(person)).text.startswith(said("ur", jobs.DECLINED))
        assert await answer_of(database, opening_id, urdu) == "declined"  # the last one counts


async def _outbox(database: AsyncEngine) -> list[OutboxMessage]:
    async with session_factory(database)() as db:
        return list((await db.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all())


async def open_list(person: FakeUser, language: str = "en") -> list[BotMessage]:
    """From the main menu: "💼 Jobs open now", every message until the one with Main menu."""
    await person.send("/start")
    await messages_until(person, lambda m: bool(m.buttons))
    await person.tap(label(language, "💼 Jobs open now"))
    menu = label(language, MAIN_MENU)
    return await messages_until(person, lambda m: menu in m.button_labels())


async def test_jobs_open_now_marks_each_opening_for_the_worker(
    api: FakeBotApi, database_url: str
) -> None:
    async with running_bot(api, database_url, now=clock) as services:
        database = services.database
        meets = await worker(database, api, 8201, "en", PASSED)
        await worker(database, api, 8202, "en", NEARLY)
        first = await add_opening(database, deadline=date(2026, 12, 20))
        others = [
            await add_opening(database, title=f"Test opening {n}", deadline=date(2027, 1, n))
            for n in (1, 2, 3)
        ]
        await add_opening(database, title="Closed test opening", state="closed")
        await add_opening(database, title="Draft test opening", state="draft")
        await add_opening(database, title="Past test opening", deadline=date(2026, 11, 24))

        shown = await open_list(api.user(8201))
        assert shown[0].text.startswith("💼 Jobs open now: 4")
        entries = [m for m in shown if any(d.startswith("j:") for d in data_of(m))]
        assert len(entries) == 3  # a page
        assert "Food factory workers (test)" in entries[0].text  # the nearest deadline first
        assert all("✅ You meet this" in m.text for m in entries)
        assert data_of(entries[0])[:2] == [f"j:y:{first}", f"j:n:{first}"]
        assert data_of(entries[-1])[-2:] == ["j:p:3", "m:"]  # More, then Main menu
        assert "Closed test opening" not in "\n".join(m.text for m in shown)
        person = api.user(8201)
        await person.tap(label("en", jobs.MORE_LABEL))
        [last] = await messages_until(person, lambda m: "m:" in data_of(m))
        assert "Test opening 3" in last.text and "j:p:" not in "".join(data_of(last))
        await person.tap_data(f"j:y:{others[2]}", last.message_id)
        await next_message(person)
        assert await answer_of(database, others[2], meets) == "interested"
        await person.tap_data("j:p:3")
        [again] = await messages_until(person, lambda m: "m:" in data_of(m))
        assert "Your answer: ✅ interested" in again.text
        assert data_of(again)[0] == f"j:n:{others[2]}"  # only the other answer is offered

        nearly = await open_list(api.user(8202))
        assert "You still need: Skills test for this work passed" in nearly[1].text
        assert "✅ You meet this" not in "\n".join(m.text for m in nearly)

        stranger = await at_menu(api, 8203, "ur")
        await stranger.user.tap(label("ur", "💼 Jobs open now"))
        listed = await messages_until(stranger.user, lambda m: "m:register" in data_of(m))
        with using_language("ur"):
            assert all(gettext(jobs.REGISTER_FIRST_MARK) in m.text for m in listed[1:])
        assert not any(d.startswith("j:y:") for m in listed for d in data_of(m))
        await stranger.user.tap_data(f"j:y:{first}")  # an old invitation's button, say
        assert (await next_message(stranger.user)).text.startswith(said("ur", jobs.REGISTER_FIRST))


async def test_no_openings_is_said_kindly(api: FakeBotApi, database_url: str) -> None:
    async with running_bot(api, database_url, now=clock) as services:
        await worker(services.database, api, 8301, "ja", PASSED)
        shown = await open_list(api.user(8301), "ja")
        assert [m.text for m in shown] == [said("ja", jobs.NONE_OPEN)]


async def test_stop_job_messages_and_undo(api: FakeBotApi, database_url: str) -> None:
    async with running_bot(api, database_url, sender=FAST, now=clock) as services:
        database = services.database
        user_id = await worker(database, api, 8401, "ur", PASSED)
        opening_id = await add_opening(database)
        assert await invite(database, opening_id, ["meets"]) == 1
        person = api.user(8401)
        invitation = await next_message(person)
        for _ in range(200):  # the sender records it sent
            if [m.state for m in await _outbox(database)] == ["sent"]:
                break
            await asyncio.sleep(0.02)
        second = await add_opening(database, title="Second test opening")
        async with session_factory(database)() as db, db.begin():  # queued, due in an hour
            opening = await openings.get(db, second, for_update=True)
            assert opening is not None
            await openings.run_matching(db, opening, today=TODAY, now=NOW)
            assert await openings.queue_invitations(db, opening, ["meets"], NOW) == 1
            await db.execute(
                update(OutboxMessage)
                .where(OutboxMessage.state == "pending")
                .values(next_attempt_at=NOW + timedelta(hours=1))
            )
        await person.tap_data("j:stop", invitation.message_id)
        stopped = await next_message(person)
        assert stopped.text.startswith(said("ur", jobs.JOBS_STOPPED))
        assert stopped.button_labels()[0] == label("ur", jobs.START_LABEL)
        async with session_factory(database)() as db:
            user = await db.get(User, user_id)
            assert user is not None and user.jobs_opted_out_at is not None
        await asyncio.sleep(0.3)
        assert [m.state for m in await _outbox(database)] == ["sent", "opted_out"]
        sent = [m for m in api.messages(8401) if not m.edited]
        assert len(sent) == 2  # the first invitation and the answer
        async with session_factory(database)() as db, db.begin():
            third = await add_opening(database, title="Third test opening")
            opening = await openings.get(db, third)
            assert opening is not None
            await openings.run_matching(db, opening, today=TODAY, now=NOW)
            assert await openings.invitable(db, third, ["meets"]) == 0  # not while stopped

        await person.tap_data(jobs.START, stopped.message_id)
        assert (await next_message(person)).text.startswith(said("ur", jobs.JOBS_STARTED))
        async with session_factory(database)() as db:
            user = await db.get(User, user_id)
            assert user is not None and user.jobs_opted_out_at is None
        assert await invite(database, third, ["meets"]) == 1
        assert "Third test opening" in (await next_message(person)).text


async def test_the_deadline_job_closes_and_tells_the_interested(
    api: FakeBotApi, database_url: str
) -> None:
    after = datetime(2026, 12, 2, 0, 30, tzinfo=UTC)  # 05:30 in Pakistan, the day after

    async with running_bot(api, database_url, sender=FAST, now=clock) as s:
        database = s.database
        interested = await worker(database, api, 8501, "ur", PASSED)
        await worker(database, api, 8502, "en", PASSED)
        opening_id = await add_opening(database, deadline=date(2026, 12, 1))
        later = await add_opening(database, title="Later test opening")
        shown = await open_list(api.user(8501), "ur")
        entry = next(m for m in shown if f"j:y:{opening_id}" in data_of(m))
        await api.user(8501).tap_data(f"j:y:{opening_id}", entry.message_id)
        await next_message(api.user(8501))
        await api.user(8502).send("/start")  # says nothing to this opening
        await api.user(8502).replies_until_idle(quiet=0.1)

        sessions = session_factory(database)
        runner = JobRunner(sessions, [deadline_job(sessions)], "test-2", now=lambda: NOW)
        assert await runner.run_once() == ["opening_deadlines"]  # the deadline is not past
        async with sessions() as db:
            assert [o.id for o in await openings.open_openings(db, TODAY)] == [opening_id, later]
        runner = JobRunner(sessions, [deadline_job(sessions)], "test-3", now=lambda: after)
        MOMENT[0] = after  # a week on: the notice the job queues is due for the sender
        assert await runner.run_once() == ["opening_deadlines"]

        notice = await next_message(api.user(8501))
        assert notice.text == said(
            "ur", jobs.CLOSED_NOTICE, title="\u2068Food factory workers (test)\u2069"
        )
        assert notice.buttons == []
        await asyncio.sleep(0.3)
        assert [m.text for m in api.messages(8502) if "closed" in m.text] == []
        async with sessions() as db:
            opening = await openings.get(db, opening_id)
            assert opening is not None and opening.state == "closed"
            entries = (await db.scalars(select(AuditEntry))).all()
            assert [(e.action, e.actor, e.target) for e in entries] == [
                ("opening.close", ACTOR, f"opening {opening_id}")
            ]
        assert await answer_of(database, opening_id, interested) == "interested"

        await api.user(8501).tap_data(f"j:n:{opening_id}", entry.message_id)  # too late
        assert (await next_message(api.user(8501))).text.startswith(said("ur", jobs.CLOSED))
        assert await answer_of(database, opening_id, interested) == "interested"
        listed = await open_list(api.user(8501), "ur")
        assert not any(f"j:y:{opening_id}" in data_of(m) for m in listed)
        assert any(f"j:y:{later}" in data_of(m) for m in listed)


async def test_an_invitation_to_an_opening_closed_before_it_goes_is_not_sent(
    api: FakeBotApi, database_url: str
) -> None:
    async with running_bot(api, database_url, sender=FAST, now=clock) as services:
        database = services.database
        await worker(database, api, 8601, "en", PASSED)
        opening_id = await add_opening(database)
        async with session_factory(database)() as db, db.begin():
            opening = await openings.get(db, opening_id, for_update=True)
            assert opening is not None
            await openings.run_matching(db, opening, today=TODAY, now=NOW)
            assert await openings.queue_invitations(db, opening, ["meets"], NOW) == 1
            assert await openings.close(db, opening, "filled", NOW) == 0  # nobody interested
        for _ in range(100):
            if [m.state for m in await _outbox(database)] == ["cancelled"]:
                break
            await asyncio.sleep(0.05)
        assert [m.state for m in await _outbox(database)] == ["cancelled"]
        assert api.messages(8601) == []
