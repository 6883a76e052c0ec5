"""The dashboard's figures per job opening, on SQLite and PostgreSQL: which openings are shown,
invited / interested / shortlisted / selected, and the median time from invitation to answer."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage import dashboard
from bot.storage.db import session_factory
from bot.storage.models import Lead
from bot.storage.opening_models import OpeningCandidate
from tests.staff import factory
from tests.staff.factory import add_lead

NOW = datetime(2026, 12, 2, 9, tzinfo=UTC)
INVITED = NOW - timedelta(days=2)


async def _opening(database: AsyncEngine, title: str, **values: object) -> int:
    return await factory.add_opening(
        database,
        **{"title": title, "sector": "construction", "prefecture": "osaka", "places": 5, **values},
    )


async def _candidate(
    database: AsyncEngine,
    opening_id: int,
    *,
    invited: bool = True,
    answer: str | None = None,
    after_hours: float | None = None,
    shortlisted: bool = False,
    status: str = "new",
) -> None:
    reference = await add_lead(database, status=status)
    async with database.begin() as connection:
        lead_id, user_id = (
            await connection.execute(
                select(Lead.id, Lead.user_id).where(Lead.reference == reference)
            )
        ).one()
        answered = None if after_hours is None else INVITED + timedelta(hours=after_hours)
        await connection.execute(
            insert(OpeningCandidate).values(
                opening_id=opening_id, lead_id=lead_id, user_id=user_id, match="meets",
                missing=[], matched_at=INVITED, invited_at=INVITED if invited else None,
                answer=answer, answered_at=answered,
                shortlisted_at=NOW if shortlisted else None,
            )
        )  # fmt: skip


async def _figures(database: AsyncEngine) -> list[dashboard.OpeningFigures]:
    async with session_factory(database)() as db:
        return await dashboard.opening_figures(db, NOW)


async def test_counts_and_the_median_wait_per_opening(database: AsyncEngine) -> None:
    busy = await _opening(database, "Busy", deadline=date(2027, 1, 10))
    await _candidate(database, busy, answer="interested", after_hours=2, shortlisted=True,
                     status="selected")  # fmt: skip
    await _candidate(database, busy, answer="interested", after_hours=6, shortlisted=True,
                     status="documents")  # fmt: skip
    await _candidate(database, busy, answer="declined", after_hours=10)
    await _candidate(database, busy)  # invited, no answer yet
    # found the opening while browsing: interested, but never invited (no wait to count)
    await _candidate(database, busy, invited=False, answer="interested", after_hours=1)
    await _candidate(database, busy, invited=False)  # matched only: not invited
    quiet = await _opening(database, "Quiet", deadline=date(2027, 2, 1))
    await _candidate(database, quiet)
    await _opening(database, "Just closed", state="filled", closed_at=NOW - timedelta(days=5))
    await _opening(database, "Long closed", state="closed", closed_at=NOW - timedelta(days=60))
    await _opening(database, "Draft", state="draft")

    shown = await _figures(database)
    assert [f.title for f in shown] == ["Busy", "Quiet", "Just closed"]
    first, second, closed = shown
    assert (first.invited, first.interested, first.shortlisted, first.selected) == (4, 3, 2, 1)
    assert first.answered == 3
    assert first.median_hours is not None and abs(first.median_hours - 6.0) < 1e-6
    assert (second.invited, second.interested, second.answered) == (1, 0, 0)
    assert second.median_hours is None
    assert (closed.state, closed.invited, closed.median_hours) == ("filled", 0, None)


async def test_an_even_number_of_answers_takes_the_middle_two(database: AsyncEngine) -> None:
    opening = await _opening(database, "Even")
    for hours in (1, 3, 8, 30):
        await _candidate(database, opening, answer="declined", after_hours=hours)
    (figures,) = await _figures(database)
    assert figures.median_hours is not None and abs(figures.median_hours - 5.5) < 1e-6


async def test_no_openings_no_rows(database: AsyncEngine) -> None:
    assert await _figures(database) == []
