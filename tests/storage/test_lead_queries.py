"""The shared lead filter's SQL, on SQLite and PostgreSQL: each filter alone and combined,
streaming in batches, unfinished registrations."""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.staff.filters import LeadFilter
from bot.storage.lead_queries import (
    count_leads,
    day_start_utc,
    select_leads,
    stream_leads,
    stream_unfinished,
)
from tests.staff.factory import add_lead, add_unfinished, eligibility

ELIGIBLE = eligibility(age=30, sector="construction", jp_tests=["jft_a2"], skills_test="yes")
POSSIBLE = eligibility(age=30, sector="construction", jp_tests=[], skills_test="no")
TOO_YOUNG = eligibility(age=16, sector="construction", jp_tests=["jft_a2"], skills_test="yes")
NO_DEGREE = eligibility(age=30, sector="it_engineer", degree="none", experience_years=0)


async def references(database: AsyncEngine, where: LeadFilter) -> list[str]:
    async with contextlib.aclosing(stream_leads(database, where, batch=2)) as rows:
        return [row.reference async for row in rows]


async def test_each_filter_alone_and_combined(database: AsyncEngine) -> None:
    a = await add_lead(
        database,
        full_name="محمد علی خان",
        answers={"sectors": ["construction", "agriculture"], "province": "punjab"},
        eligibility=ELIGIBLE,
        language="ur",
        source="roadshow_lahore",
        created_at=datetime(2026, 11, 1, 19, 30, tzinfo=UTC),  # 2 Nov, 00:30 in Pakistan
    )
    b = await add_lead(
        database,
        full_name="Test Bilal Ahmed",
        cnic="3520212345671",
        mobile="+923001234567",
        answers={"sectors": ["agriculture"], "province": "sindh"},
        eligibility=POSSIBLE,
        created_at=datetime(2026, 11, 5, 10, tzinfo=UTC),
    )
    c = await add_lead(
        database,
        answers={"sectors": ["nursing_care"], "province": "kp"},
        eligibility=None,
        language="ja",
        status="contacted",
        created_at=datetime(2026, 11, 9, 18, 59, tzinfo=UTC),  # 9 Nov, 23:59 in Pakistan
    )
    d = await add_lead(
        database,
        answers={"sectors": ["construction"]},
        eligibility=TOO_YOUNG,
        created_at=datetime(2026, 11, 9, 19, 0, tzinfo=UTC),  # 10 Nov in Pakistan
    )
    e = await add_lead(
        database,
        answers={"sectors": ["it_engineer"]},
        eligibility=NO_DEGREE,
        created_at=datetime(2026, 11, 11, tzinfo=UTC),
    )
    everyone = [a, b, c, d, e]
    assert await references(database, LeadFilter()) == everyone
    cases = {
        LeadFilter(since=date(2026, 11, 2)): everyone,
        LeadFilter(since=date(2026, 11, 3)): [b, c, d, e],
        LeadFilter(until=date(2026, 11, 1)): [],
        LeadFilter(until=date(2026, 11, 9)): [a, b, c],
        LeadFilter(since=date(2026, 11, 10), until=date(2026, 11, 10)): [d],
        LeadFilter(sector="agriculture"): [a, b],
        LeadFilter(sector="construction"): [a, d],
        LeadFilter(sector="fishery"): [],
        LeadFilter(province="sindh"): [b],
        LeadFilter(language="ur"): [a],
        LeadFilter(source="roadshow_lahore"): [a],
        LeadFilter(eligible="meets"): [a],
        LeadFilter(eligible="after_steps"): [b],
        LeadFilter(eligible="not_now"): [d, e],
        LeadFilter(eligible="none"): [c],
        LeadFilter(q="علی"): [a],
        LeadFilter(q="bilal"): [b],
        LeadFilter(q="35202-1234567-1"): [b],
        LeadFilter(q="3520212345671"): [b],
        LeadFilter(q="0300 1234567"): [b],
        LeadFilter(q="+92 300 123 4567"): [b],
        LeadFilter(q="0092-300-1234567"): [b],
        LeadFilter(q="۰۳۰۰۱۲۳۴۵۶۷"): [b],  # Urdu digits
        LeadFilter(q=a.lower()): [a],  # a reference
        LeadFilter(q="100%"): [],  # LIKE wildcards are matched literally
        LeadFilter(sector="agriculture", province="punjab", language="ur"): [a],
        LeadFilter(sector="agriculture", since=date(2026, 11, 3), eligible="after_steps"): [b],
        LeadFilter(sector="construction", eligible="after_steps"): [],
    }
    for where, expected in cases.items():
        assert await references(database, where) == expected, where
        assert await count_leads(database, where) == len(expected), where
    with pytest.raises(Exception, match="hired"):
        LeadFilter(status="hired")  # not a status of the staff pipeline
    assert await references(database, LeadFilter(status="new")) == [a, b, d, e]


async def test_select_leads_pages_for_the_web_list(database: AsyncEngine) -> None:
    made = [
        await add_lead(database, created_at=datetime(2026, 11, day, tzinfo=UTC))
        for day in range(1, 6)
    ]
    query = select_leads(LeadFilter(since=date(2026, 11, 2)), database.dialect.name, True)
    async with database.connect() as connection:
        page = (await connection.execute(query.limit(2).offset(1))).all()
    assert [row.reference for row in page] == [made[3], made[2]]


async def test_rows_are_fetched_in_batches(database: AsyncEngine) -> None:
    for day in range(1, 8):
        await add_lead(database, created_at=datetime(2026, 11, day, tzinfo=UTC))
    rows = stream_leads(database, LeadFilter(), batch=3)
    first = await anext(rows)
    assert first.created_at == datetime(2026, 11, 1, tzinfo=UTC)
    assert first.created_at.tzinfo is not None
    rest = [row async for row in rows]
    assert len(rest) == 6


async def test_a_stream_does_not_block_writers(database: AsyncEngine) -> None:
    """While an export reads (SQLite: a deferred transaction), the bot can still write."""
    for day in range(1, 4):
        await add_lead(database, created_at=datetime(2026, 11, day, tzinfo=UTC))
    async with contextlib.aclosing(stream_leads(database, LeadFilter(), batch=1)) as rows:
        await anext(rows)
        await add_lead(database)  # would wait for the busy timeout under BEGIN IMMEDIATE
        assert len([row async for row in rows]) == 2  # the stream's own snapshot


async def test_unfinished_registrations(database: AsyncEngine) -> None:
    early = await add_unfinished(
        database,
        {"consent": "yes", "full_name": "ٹیسٹ زینب بی بی", "cnic": "9900000000001"},
        "mobile",
        last_seen_at=datetime(2026, 11, 3, tzinfo=UTC),
        language="ur",
    )
    late = await add_unfinished(
        database,
        {"consent": "yes", "province": "sindh", "sectors": ["fishery"]},
        "education",
        source="roadshow_karachi",
    )
    await add_unfinished(database, {}, "consent")  # opened the form, answered nothing
    await add_lead(database)  # a lead is not unfinished

    async def users(where: LeadFilter) -> list[int]:
        async with contextlib.aclosing(stream_unfinished(database, where, batch=1)) as rows:
            return [row.user_id async for row in rows]

    assert await users(LeadFilter(unfinished=True)) == [early, late]
    assert await count_leads(database, LeadFilter(unfinished=True)) == 2
    assert await users(LeadFilter(unfinished=True, until=date(2026, 11, 5))) == [early]
    assert await users(LeadFilter(unfinished=True, sector="fishery")) == [late]
    assert await users(LeadFilter(unfinished=True, province="sindh")) == [late]
    assert await users(LeadFilter(unfinished=True, language="ur")) == [early]
    assert await users(LeadFilter(unfinished=True, source="roadshow_karachi")) == [late]
    assert await users(LeadFilter(unfinished=True, q="زینب")) == [early]
    assert await users(LeadFilter(unfinished=True, q="99000-0000000-1")) == [early]


def test_days_are_pakistan_days() -> None:
    assert day_start_utc(date(2026, 11, 2)) == datetime(2026, 11, 1, 19, tzinfo=UTC)
