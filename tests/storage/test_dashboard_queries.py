"""The dashboard's grouped queries on SQLite and PostgreSQL, against known funnel events and
leads: exact counts, Pakistan days at their edges, people counted once."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage import dashboard
from bot.storage.db import session_factory
from tests.staff.factory import add_events, add_lead, add_user

NOW = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)  # 09:00 on 25 Nov in Pakistan
R = "registration"


def at(day: int, hour: int = 6, minute: int = 0) -> datetime:
    """A moment in November 2026, UTC."""
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def registering(steps: list[str], start: datetime) -> list[tuple[str, str, str | None, datetime]]:
    events: list[tuple[str, str, str | None, datetime]] = [(R, "started", None, start)]
    for n, step in enumerate(steps, 1):
        events.append((R, "step", step, start + timedelta(minutes=n)))
    return events


async def seed(database: AsyncEngine) -> None:
    # registered after an eligibility check (the "started" events of two flows: one person)
    u1 = await add_user(database)
    await add_events(
        database,
        u1,
        [
            ("eligibility", "started", None, at(20, 5)),
            ("eligibility", "step", "age", at(20, 5, 1)),
            ("eligibility", "completed", None, at(20, 5, 5)),
            *registering(["consent", "full_name", "cnic", "mobile"], at(20, 6)),
            (R, "registered", None, at(20, 7)),
        ],
    )
    u2 = await add_user(database)  # only read about the kinds of work
    await add_events(
        database, u2, [("sectors", "started", None, at(21)), ("sectors", "viewed", "pick", at(21))]
    )
    u3 = await add_user(database)  # stopped at the CNIC
    await add_events(database, u3, registering(["consent", "full_name", "cnic"], at(22)))
    u4 = await add_user(database)  # refused consent
    await add_events(
        database, u4, [*registering(["consent"], at(23)), (R, "declined", None, at(23, 7))]
    )
    u5 = await add_user(database)  # stopped at the CNIC, came back, left again
    await add_events(
        database,
        u5,
        [
            *registering(["consent", "full_name"], at(23, 8)),
            (R, "left", "full_name", at(23, 9)),
            (R, "resumed", None, at(24, 9)),
            (R, "step", "cnic", at(24, 9, 1)),
        ],
    )
    u6 = await add_user(database)  # before the period
    await add_events(database, u6, registering(["consent"], at(10)))
    u7 = await add_user(database)  # registered in the period
    await add_events(
        database,
        u7,
        [*registering(["consent", "full_name"], at(24)), (R, "registered", None, at(24, 7))],
    )
    u8 = await add_user(database)  # 00:30 on 19 Nov in Pakistan: the period's first half hour
    await add_events(
        database, u8, [("about", "started", None, datetime(2026, 11, 18, 19, 30, tzinfo=UTC))]
    )
    u9 = await add_user(database)  # 23:59 on 18 Nov in Pakistan: the day before
    await add_events(
        database, u9, [(R, "started", None, datetime(2026, 11, 18, 18, 59, tzinfo=UTC))]
    )
    await add_events(
        database, None, [(R, "started", None, at(22))]
    )  # someone who deleted their data

    await add_lead(  # 00:30 on 20 Nov in Pakistan
        database,
        answers={"sectors": ["construction", "agriculture"], "province": "punjab"},
        language="ur",
        created_at=datetime(2026, 11, 19, 19, 30, tzinfo=UTC),
    )
    await add_lead(  # 23:59 on 20 Nov in Pakistan
        database,
        answers={"sectors": ["agriculture"], "province": "sindh"},
        language="en",
        source="roadshow_lahore",
        created_at=datetime(2026, 11, 20, 18, 59, tzinfo=UTC),
    )
    await add_lead(
        database,
        answers={"sectors": ["construction"], "province": "punjab"},
        language="ur",
        created_at=at(24),
    )
    await add_lead(  # 23:00 on 18 Nov in Pakistan: before the period
        database,
        answers={"sectors": ["nursing_care"], "province": "kp"},
        created_at=datetime(2026, 11, 18, 18, 0, tzinfo=UTC),
    )


async def test_the_last_seven_days(database: AsyncEngine) -> None:
    await seed(database)
    period = dashboard.period_of_days(NOW, 7)
    assert (period.first, period.last) == (date(2026, 11, 19), date(2026, 11, 25))
    async with session_factory(database)() as session:
        assert await dashboard.funnel(session, period) == dashboard.Funnel(
            started=7, eligibility_checked=1, registration_started=5, registered=2
        )
        assert await dashboard.stopped_at(session, period) == {"cnic": 2, "consent": 1}
        per_day = await dashboard.leads_per_day(session, period)
        assert per_day == [
            (date(2026, 11, 19), 0),
            (date(2026, 11, 20), 2),
            (date(2026, 11, 21), 0),
            (date(2026, 11, 22), 0),
            (date(2026, 11, 23), 0),
            (date(2026, 11, 24), 1),
            (date(2026, 11, 25), 0),
        ]
        assert await dashboard.lead_total(session, period) == 3
        assert await dashboard.breakdown(session, period, "province") == {"punjab": 2, "sindh": 1}
        assert await dashboard.breakdown(session, period, "language") == {"ur": 2, "en": 1}
        assert await dashboard.breakdown(session, period, "source") == {
            None: 2,
            "roadshow_lahore": 1,
        }
        assert await dashboard.breakdown(session, period, "sector") == {
            "agriculture": 2,
            "construction": 2,
        }


async def test_the_page_reads_every_figure_at_once_on_read_connections(
    database: AsyncEngine,
) -> None:
    await seed(database)
    period = dashboard.period_of_days(NOW, 7)
    seen = await dashboard.read_all(database, period)
    assert seen.total == 3
    assert seen.funnel == dashboard.Funnel(7, 1, 5, 2)
    assert seen.stopped == {"cnic": 2, "consent": 1}
    assert sum(n for _, n in seen.per_day) == 3 and len(seen.per_day) == 7
    assert seen.breakdowns == {
        "sector": {"agriculture": 2, "construction": 2},
        "province": {"punjab": 2, "sindh": 1},
        "language": {"ur": 2, "en": 1},
        "source": {None: 2, "roadshow_lahore": 1},
    }
    # reads only: while the bot holds the write lock (SQLite) or row locks (PostgreSQL),
    # the figures are still read, from the last committed state
    async with database.connect() as writer:
        await writer.begin()  # BEGIN IMMEDIATE on SQLite
        await writer.exec_driver_sql("UPDATE leads SET status = 'contacted'")
        done = await asyncio.wait_for(dashboard.read_all(database, period), timeout=5)
        await writer.rollback()
    assert done.total == 3


async def test_a_longer_period_takes_in_the_earlier_days(database: AsyncEngine) -> None:
    await seed(database)
    period = dashboard.period_of_days(NOW, 30)
    async with session_factory(database)() as session:
        funnel = await dashboard.funnel(session, period)
        assert funnel == dashboard.Funnel(9, 1, 7, 2)  # u6 and u9 come in
        assert await dashboard.stopped_at(session, period) == {"cnic": 2, "consent": 2}
        assert await dashboard.lead_total(session, period) == 4
        assert await dashboard.breakdown(session, period, "sector") == {
            "agriculture": 2,
            "construction": 2,
            "nursing_care": 1,
        }
        days = await dashboard.leads_per_day(session, period)
        assert len(days) == 30 and sum(n for _, n in days) == 4
        assert dict(days)[date(2026, 11, 18)] == 1


async def test_an_empty_database(database: AsyncEngine) -> None:
    period = dashboard.period_of_days(NOW, 7)
    async with session_factory(database)() as session:
        assert await dashboard.funnel(session, period) == dashboard.Funnel(0, 0, 0, 0)
        assert await dashboard.stopped_at(session, period) == {}
        assert [n for _, n in await dashboard.leads_per_day(session, period)] == [0] * 7
        assert await dashboard.breakdown(session, period, "sector") == {}
