"""The SQL of the staff dashboard: grouped counts of leads and funnel events over a period.

Every figure is one grouped query (a handful per page), counted by the database: nothing here
loads rows into Python to count them. A period is a half-open range of UTC instants
``[start, end)``, usually whole days in Pakistan time (``period_of_days``).

- ``funnel``: distinct people who started a flow, completed the eligibility check, started the
  registration, and registered (``funnel_events`` kinds ``started``, ``completed``,
  ``registered``; see ``bot.storage.models.FunnelEvent``). People who deleted their data have
  no ``user_id`` on their events any more and are not counted.
- ``stopped_at``: people who started the registration in the period and have not registered
  since: the last question each one reached (the latest ``step`` event), counted per question.
  ``declined`` consent stops at the consent question.
- ``leads_per_day``: leads registered per day in Pakistan time (Asia/Karachi, UTC+5 with no
  daylight saving since 2009; the offset is taken from the time zone database for the period).
- ``breakdown``: leads of the period by province, language, source, or sector (a lead with
  three sectors counts once in each).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any, Literal, TypeVar

from sqlalchemy import Date, and_, cast, distinct, exists, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import aliased

from bot.storage.db import read_transaction
from bot.storage.lead_queries import (
    PAKISTAN,
    REGISTRATION,
    current_lead,
    day_start_utc,
    through_list_index,
)
from bot.storage.models import FunnelEvent, Lead

T = TypeVar("T")

ELIGIBILITY = "eligibility"  # the flow whose completion is "eligibility checked"
Dimension = Literal["province", "language", "source", "sector"]


@dataclass(frozen=True)
class Period:
    """Whole days in Pakistan time, ``first`` to ``last`` inclusive."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        return day_start_utc(self.first)

    @property
    def end(self) -> datetime:
        return day_start_utc(self.last + timedelta(days=1))

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]


def period_of_days(now: datetime, days: int) -> Period:
    """The last ``days`` days in Pakistan, today included."""
    today = now.astimezone(PAKISTAN).date()
    return Period(today - timedelta(days=days - 1), today)


@dataclass(frozen=True)
class Funnel:
    started: int  # started any flow
    eligibility_checked: int
    registration_started: int
    registered: int


def _in(column: Any, period: Period) -> Any:
    return and_(column >= period.start, column < period.end)


def _people(period: Period, *conditions: Any) -> Any:
    """How many distinct people have an event matching ``conditions`` in the period: a
    scalar subquery answered from the funnel indexes alone."""
    return (
        select(func.count(distinct(FunnelEvent.user_id)))
        .where(*conditions, _in(FunnelEvent.at, period))
        .scalar_subquery()
    )


async def funnel(session: AsyncSession, period: Period) -> Funnel:
    """Distinct people at each stage, among the funnel events of the period (one query of
    four index range scans)."""
    event = FunnelEvent
    row = (
        await session.execute(
            select(
                _people(period, event.kind == "started"),
                _people(period, event.flow == ELIGIBILITY, event.kind == "completed"),
                _people(period, event.flow == REGISTRATION, event.kind == "started"),
                _people(period, event.flow == REGISTRATION, event.kind == "registered"),
            )
        )
    ).one()
    return Funnel(*(int(value or 0) for value in row))


async def stopped_at(session: AsyncSession, period: Period) -> dict[str, int]:
    """Step id → how many people who started the registration in the period stopped there
    (their latest question reached) and have not registered since they started."""
    started = aliased(FunnelEvent)
    starters = (
        select(started.user_id.label("user_id"), func.min(started.at).label("since"))
        .where(
            started.flow == REGISTRATION,
            started.kind == "started",
            started.user_id.is_not(None),
            _in(started.at, period),
        )
        .group_by(started.user_id)
        .subquery()
    )
    registered = aliased(FunnelEvent)
    step = aliased(FunnelEvent)
    last_step = (
        select(step.step)
        .where(
            step.user_id == starters.c.user_id,
            step.flow == REGISTRATION,
            step.kind == "step",
        )
        .order_by(step.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    stopped = (
        select(last_step.label("step"))
        .select_from(starters)
        .where(
            ~exists(
                select(literal_column("1")).where(
                    registered.user_id == starters.c.user_id,
                    registered.flow == REGISTRATION,
                    registered.kind == "registered",
                    registered.at >= period.start,  # lets the index narrow the lookup
                    registered.at >= starters.c.since,
                )
            )
        )
        .cte("stopped")
        .prefix_with("MATERIALIZED")  # each latest step looked up once, not again to group
    )
    rows = await session.execute(select(stopped.c.step, func.count()).group_by(stopped.c.step))
    return {str(name): int(count) for name, count in rows.all() if name is not None}


def _pakistan_day(session: AsyncSession, column: Any, period: Period) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone("Asia/Karachi", column), Date)
    offset = datetime.combine(period.first, datetime.min.time(), PAKISTAN).utcoffset()
    seconds = int(offset.total_seconds()) if offset else 0
    return func.date(column, f"{seconds:+d} seconds")


async def leads_per_day(session: AsyncSession, period: Period) -> list[tuple[date, int]]:
    """Every day of the period (Pakistan time) with its number of leads, zeros included."""
    day = _pakistan_day(session, Lead.created_at, period).label("day")
    rows = await session.execute(
        select(day, func.count()).where(_in(Lead.created_at, period), current_lead()).group_by(day)
    )
    counts: dict[date, int] = {}
    for value, count in rows.all():
        counts[value if isinstance(value, date) else date.fromisoformat(str(value))] = int(count)
    return [(d, counts.get(d, 0)) for d in period.days]


async def breakdown(session: AsyncSession, period: Period, by: Dimension) -> dict[str | None, int]:
    """Leads of the period per value of ``by``, largest first (``None``: not given). Read
    from ``ix_leads_list`` (sectors from ``leads.sectors``, not from each lead's JSON)."""
    if by == "sector":
        if session.get_bind().dialect.name == "postgresql":
            listed = func.string_to_array(func.btrim(Lead.sectors, ","), ",")
            elements: Any = func.unnest(listed).table_valued("value").render_derived("sector")
        else:  # ",a,b," → ["a","b"]: sector ids hold no quotes or commas
            as_json = '["' + func.replace(func.trim(Lead.sectors, ","), ",", '","') + '"]'
            elements = func.json_each(as_json).table_valued("value")
        key: Any = elements.c.value
        query = (
            select(key, func.count())
            .select_from(Lead)
            .join(elements, literal_column("1") == 1)
            .where(Lead.sectors.is_not(None))
        )
    else:
        key = {"province": Lead.province, "language": Lead.language, "source": Lead.source}[by]
        query = select(key, func.count()).select_from(Lead)
    query = query.where(_in(Lead.created_at, period), current_lead()).group_by(key)
    rows = await session.execute(through_list_index(query.order_by(func.count().desc(), key)))
    return {(None if value is None else str(value)): int(count) for value, count in rows.all()}


async def lead_total(session: AsyncSession, period: Period) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(Lead)
            .where(_in(Lead.created_at, period), current_lead())
        )
        or 0
    )


DIMENSIONS: tuple[Dimension, ...] = ("sector", "province", "language", "source")


@dataclass(frozen=True)
class Figures:
    """Everything the dashboard shows for a period."""

    total: int
    funnel: Funnel
    stopped: dict[str, int]
    per_day: list[tuple[date, int]]
    breakdowns: dict[Dimension, dict[str | None, int]]


async def _read(database: AsyncEngine, query: Callable[[AsyncSession], Awaitable[T]]) -> T:
    async with read_transaction(database) as connection:
        return await query(AsyncSession(bind=connection))


async def read_all(database: AsyncEngine, period: Period) -> Figures:
    """Every figure of the page at once, each query on its own read-only connection.

    The queries run side by side (each SQLite connection has its own thread, each PostgreSQL
    connection its own server process), so the page takes about as long as its slowest query;
    and being reads (a deferred transaction on SQLite), they never hold SQLite's write lock
    while the bot saves answers. Each query sees its own snapshot: a lead registered meanwhile
    may be counted in one chart and not yet in another.
    """
    breakdowns = asyncio.gather(
        *(_read(database, partial(breakdown, period=period, by=by)) for by in DIMENSIONS)
    )
    total, funnel_counts, stopped, per_day, counts = await asyncio.gather(
        _read(database, partial(lead_total, period=period)),
        _read(database, partial(funnel, period=period)),
        _read(database, partial(stopped_at, period=period)),
        _read(database, partial(leads_per_day, period=period)),
        breakdowns,
    )
    return Figures(
        total, funnel_counts, stopped, per_day, dict(zip(DIMENSIONS, counts, strict=True))
    )
