"""Reminders as workers get them: our real Application over real HTTP against the fake Bot
API, with its outbox sender and job runner running on a fake clock, on SQLite and
PostgreSQL. Workers who stopped mid-registration hear nothing at night (Pakistan time), one
reminder each in the morning in their language, with a button that continues at the
question where they stopped and one that stops reminders; never a second one; none for a
worker who finished, opted out or deleted their data. Quiet hours on their own too."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import Services
from bot.channels.sender import SenderSettings
from bot.config import Settings
from bot.conversation import DELETED, OPTED_OUT, WELCOME_BACK
from bot.jobs import quiet_hours
from bot.jobs.reminders import NAME, QuietHours, reminder_job
from bot.jobs.runner import JobRunner
from bot.notices import REMINDER_CONTINUE, REMINDER_STOP, REMINDER_TEXT, STOP
from bot.storage import jobs, outbox
from bot.storage.db import session_factory
from bot.storage.housekeeping import REMINDER
from bot.storage.models import User
from tests.channels.conftest import at_menu, running_bot
from tests.channels.test_telegram_registration import register
from tests.fake_bot_api import FakeBotApi

KARACHI = ZoneInfo("Asia/Karachi")
MARKS = str.maketrans("", "", "\u2068\u2069\u200f")
CNIC_QUESTION = "What is your CNIC number?"
ANSWERS = {
    "name": "Test Worker Done",
    "cnic": "42101-4817263-5",
    "mobile": "0300 1234567",
    "birth_date": "15/03/1998",
    "district": "Lahore",
    "experience": "3",
}


def pk(day: datetime, hour: int, minute: int = 0) -> datetime:
    """``hour``:``minute`` in Pakistan on the Pakistan date of ``day``, in UTC."""
    local = day.astimezone(KARACHI).date()
    return datetime.combine(local, time(hour, minute), KARACHI).astimezone(UTC)


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def plain(text: str) -> str:
    return text.translate(MARKS)


async def ran_at(sessions: async_sessionmaker[AsyncSession], at: datetime) -> None:
    """Wait until the reminder job has run at ``at`` (its runner polls every 0.1 s)."""
    for _ in range(200):
        row = await jobs.get(sessions, NAME)
        if row is not None and row.last_run_at == at and row.claimed_by is None:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the reminder job did not run at {at}")


async def reminders(sessions: async_sessionmaker[AsyncSession], settled: bool = True) -> list[int]:
    """The users reminders were queued for (once the sender has sent them all)."""
    for _ in range(200):
        rows = await outbox.messages(sessions, REMINDER)
        if not settled or all(row.state == "sent" for row in rows):
            return sorted(row.user_id or 0 for row in rows)
        await asyncio.sleep(0.05)
    raise AssertionError("reminders are still waiting to be sent")


async def user_id(services: Services, telegram_id: int) -> int:
    async with session_factory(services.database)() as db:
        found = await db.scalar(select(User.id).where(User.external_id == str(telegram_id)))
    assert found is not None
    return found


async def test_one_reminder_in_the_morning_that_continues_where_they_stopped(
    api: FakeBotApi, database_url: str
) -> None:
    start = datetime.now(UTC)
    clock = Clock(start)
    night = pk(start + timedelta(days=2), 23)  # more than a day after they stop
    morning = pk(start + timedelta(days=3), 9)

    def job_runner(services: Services) -> JobRunner:
        sessions = session_factory(services.database)
        job = reminder_job(sessions, ["registration"], ["telegram"], after=timedelta(hours=24))
        return JobRunner(sessions, [job], "jobs-under-test", poll_seconds=0.1, now=clock)

    sender = SenderSettings(worker="sender-under-test", poll_seconds=0.1, chat_interval=0.0)
    async with running_bot(api, database_url, sender=sender, now=clock, jobs=job_runner) as bot:
        sessions = session_factory(bot.database)
        stopped = await at_menu(api, 2101, "en")  # stops at the CNIC question
        await stopped.tap("📝 Register with OEC for Japan")
        await stopped.tap("✅ I agree")
        turn = await stopped.say("Test Worker Stopping")
        assert CNIC_QUESTION in turn.text
        urdu = await at_menu(api, 2102, "ur")  # stops at the name question
        await urdu.tap("📝 Register with OEC for Japan")
        await urdu.tap("✅ I agree")
        finished = await at_menu(api, 2103, "en")
        await register(finished, ANSWERS)
        opted_out = await at_menu(api, 2104, "en")  # taps "stop" under an announcement
        await opted_out.tap("📝 Register with OEC for Japan")
        await opted_out.tap("✅ I agree")
        await opted_out.user.tap_data(STOP)
        assert OPTED_OUT in (await opted_out.turn()).text
        deleted = await at_menu(api, 2105, "en")
        await deleted.tap("📝 Register with OEC for Japan")
        await deleted.tap("✅ I agree")
        await deleted.say("/delete")
        await deleted.user.tap("🗑 Yes, delete")
        assert DELETED in (await deleted.quiet_turn()).text
        seen = {
            p.user.user_id: len(api.messages(p.user.user_id))
            for p in (finished, opted_out, deleted)
        }

        clock.at = night  # due, but it is night in Pakistan: nothing, and the job waits
        await ran_at(sessions, night)
        assert await reminders(sessions, settled=False) == []
        row = await jobs.get(sessions, NAME)
        assert row is not None and row.next_run_at == morning

        clock.at = morning
        await ran_at(sessions, morning)
        expected = sorted([await user_id(bot, 2101), await user_id(bot, 2102)])
        assert await reminders(sessions) == expected
        for person in (stopped, urdu):
            message = await person.user.reply(timeout=10)
            assert message.text == person._(REMINDER_TEXT) or plain(message.text) == plain(
                person._(REMINDER_TEXT)
            )
            labels = [plain(label) for label in message.button_labels()]
            assert labels == [plain(person._(REMINDER_CONTINUE)), plain(person._(REMINDER_STOP))]
        urdu_reminder = api.messages(2102)[-1]
        assert (
            urdu_reminder.text.startswith("\u200f")
            and "\u0600" <= urdu_reminder.text[1] <= "\u06ff"
        )

        turn = await stopped.tap(REMINDER_CONTINUE)  # back at the question where they stopped
        assert WELCOME_BACK in turn.text and CNIC_QUESTION in turn.text
        turn = await urdu.tap(REMINDER_STOP)
        assert plain(urdu._(OPTED_OUT)) in plain(turn.text)

        clock.at = morning + timedelta(days=2)  # they stopped again: never a second reminder
        await ran_at(sessions, clock.at)
        assert await reminders(sessions) == expected
        for person in (finished, opted_out, deleted):  # nothing unprompted, ever
            assert len(api.messages(person.user.user_id)) == seen[person.user.user_id]
        async with session_factory(bot.database)() as db:
            user = await db.get(User, await user_id(bot, 2102))
            assert user is not None and user.opted_out_at is not None


async def test_a_new_registration_attempt_after_a_cancel_gets_its_own_reminder(
    api: FakeBotApi, database_url: str
) -> None:
    """One reminder per registration attempt: cancelling ends the attempt; a new one that
    stops again gets its own reminder."""
    start = datetime.now(UTC)
    clock = Clock(start)
    first = pk(start + timedelta(days=2), 12)
    second = pk(start + timedelta(days=4), 12)

    def job_runner(services: Services) -> JobRunner:
        sessions = session_factory(services.database)
        job = reminder_job(sessions, ["registration"], ["telegram"])
        return JobRunner(sessions, [job], "jobs-under-test", poll_seconds=0.1, now=clock)

    sender = SenderSettings(worker="sender-under-test", poll_seconds=0.1, chat_interval=0.0)
    async with running_bot(api, database_url, sender=sender, now=clock, jobs=job_runner) as bot:
        sessions = session_factory(bot.database)
        person = await at_menu(api, 2201, "ja")
        await person.tap("📝 Register with OEC for Japan")
        await person.tap("✅ I agree")
        clock.at = first
        await ran_at(sessions, first)
        assert len(await reminders(sessions)) == 1
        await person.user.reply(timeout=10)
        await person.say("/cancel")
        await person.tap("Yes, stop")
        await person.tap("📝 Register with OEC for Japan")
        await person.tap("✅ I agree")
        clock.at = second
        await ran_at(sessions, second)
        assert len(await reminders(sessions)) == 2
        message = await person.user.reply(timeout=10)
        assert message.text == person._(REMINDER_TEXT)  # in Japanese


@pytest.mark.parametrize(
    ("local", "until"),
    [
        ((20, 59), None),
        ((21, 0), (1, 9)),
        ((23, 30), (1, 9)),
        ((0, 0), (0, 9)),
        ((8, 59), (0, 9)),
        ((9, 0), None),
        ((14, 0), None),
    ],
)
def test_quiet_hours_span_the_night_in_pakistan(
    local: tuple[int, int], until: tuple[int, int] | None
) -> None:
    day = datetime(2026, 12, 1, tzinfo=KARACHI)
    now = day.replace(hour=local[0], minute=local[1]).astimezone(UTC)
    expected = None if until is None else (day + timedelta(days=until[0])).replace(hour=until[1])
    assert QuietHours().until(now) == expected


def test_quiet_hours_from_the_settings() -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, reminder_quiet_hours="13:00-14:30", timezone="UTC"
    )
    hours = quiet_hours(settings)
    assert hours.until(datetime(2026, 12, 1, 12, 59, tzinfo=UTC)) is None
    assert hours.until(datetime(2026, 12, 1, 13, 0, tzinfo=UTC)) == datetime(
        2026, 12, 1, 14, 30, tzinfo=UTC
    )
    assert QuietHours(time(9), time(9)).until(datetime(2026, 12, 1, 4, tzinfo=UTC)) is None
