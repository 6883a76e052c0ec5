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
- ``opening_figures``: per job opening that is open, or closed or filled in the last
  ``RECENTLY_CLOSED_DAYS`` days (not tied to the period): workers invited, interested now,
  shortlisted, selected (shortlisted leads whose status is selected or departed), and the
  median time from invitation to answer in hours (PostgreSQL: ``percentile_cont`` in SQL;
  SQLite has no percentile, so the answered invitations' waits, in hours, are read and the
  median taken in Python).
"""

from __future__ import annotations

import asyncio
import statistics
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any, Literal, TypeVar

from sqlalchemy import (
    Date,
    Float,
    and_,
    case,
    cast,
    distinct,
    exists,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import aliased

from bot.oec_time import OEC_TIMEZONE, oec_today
from bot.storage.db import read_transaction
from bot.storage.lead_queries import (
    PAKISTAN,
    REGISTRATION,
    current_lead,
    day_start_utc,
    through_list_index,
)
from bot.storage.models import FunnelEvent, Lead
from bot.storage.opening_models import (
    CLOSED,
    FILLED,
    INTERESTED,
    OPEN,
    Opening,
    OpeningCandidate,
)

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
    today = oec_today(now, PAKISTAN)
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
        return cast(func.timezone(OEC_TIMEZONE, column), Date)
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
RECENTLY_CLOSED_DAYS = 30
MOST_OPENINGS = 50  # the dashboard's table of openings shows at most this many
SELECTED_STATUSES = ("selected", "departed")


@dataclass(frozen=True)
class OpeningFigures:
    """One opening's numbers for the dashboard."""

    id: int
    title: str
    state: str
    deadline: date
    places: int
    invited: int
    interested: int
    shortlisted: int
    selected: int
    answered: int  # invited workers who answered (the median is over them)
    median_hours: float | None  # invitation to answer; None when nobody answered yet


async def opening_figures(session: AsyncSession, now: datetime) -> list[OpeningFigures]:
    """The open openings (nearest deadline first), then those closed or filled in the last
    ``RECENTLY_CLOSED_DAYS`` days (latest first): three small queries."""
    since = now - timedelta(days=RECENTLY_CLOSED_DAYS)
    shown = (
        await session.execute(
            select(
                Opening.id,
                Opening.title,
                Opening.state,
                Opening.deadline,
                Opening.places,
            )
            .where(
                or_(
                    Opening.state == OPEN,
                    and_(Opening.state.in_((CLOSED, FILLED)), Opening.closed_at >= since),
                )
            )
            .order_by(
                (Opening.state != OPEN), Opening.deadline, Opening.closed_at.desc(), Opening.id
            )
            .limit(MOST_OPENINGS)
        )
    ).all()
    if not shown:
        return []
    ids = [row.id for row in shown]
    candidate = OpeningCandidate
    answered = and_(
        candidate.invited_at.is_not(None),
        candidate.answered_at.is_not(None),
        candidate.answered_at >= candidate.invited_at,
    )
    counts = await session.execute(
        select(
            candidate.opening_id,
            func.count(candidate.invited_at),
            func.count(case((candidate.answer == INTERESTED, 1))),
            func.count(candidate.shortlisted_at),
            func.count(case((answered, 1))),
        )
        .where(candidate.opening_id.in_(ids))
        .group_by(candidate.opening_id)
    )
    per_opening: dict[int, list[int]] = {
        row[0]: [int(v or 0) for v in row[1:]] for row in counts.all()
    }
    # selected: only the shortlisted (a few) are joined to their leads
    chosen = await session.execute(
        select(candidate.opening_id, func.count())
        .join(Lead, Lead.id == candidate.lead_id)
        .where(
            candidate.opening_id.in_(ids),
            candidate.shortlisted_at.is_not(None),
            Lead.status.in_(SELECTED_STATUSES),
        )
        .group_by(candidate.opening_id)
    )
    selected_of = {opening_id: int(count) for opening_id, count in chosen.all()}
    medians: dict[int, float] = {}
    if session.get_bind().dialect.name == "postgresql":
        hours = func.extract("epoch", candidate.answered_at - candidate.invited_at) / 3600.0
        rows = await session.execute(
            select(
                candidate.opening_id,
                func.percentile_cont(0.5).within_group(cast(hours, Float)),
            )
            .where(candidate.opening_id.in_(ids), answered)
            .group_by(candidate.opening_id)
        )
        medians = {opening_id: float(value) for opening_id, value in rows.all()}
    else:  # no percentile in SQLite: the hours (numbers, not rows of times) are read
        waits: dict[int, list[float]] = defaultdict(list)
        days = func.julianday(candidate.answered_at) - func.julianday(candidate.invited_at)
        rows = await session.execute(
            select(candidate.opening_id, days * 24.0).where(candidate.opening_id.in_(ids), answered)
        )
        for opening_id, hours_waited in rows.all():
            waits[opening_id].append(float(hours_waited))
        medians = {key: statistics.median(values) for key, values in waits.items()}
    figures = []
    for row in shown:
        invited, interested, listed, replied = per_opening.get(row.id, [0] * 4)
        selected = selected_of.get(row.id, 0)
        figures.append(
            OpeningFigures(
                row.id,
                row.title,
                row.state,
                row.deadline,
                row.places,
                invited,
                interested,
                listed,
                selected,
                replied,
                medians.get(row.id),
            )
        )
    return figures


@dataclass(frozen=True)
class Figures:
    """Everything the dashboard shows for a period."""

    total: int
    funnel: Funnel
    stopped: dict[str, int]
    per_day: list[tuple[date, int]]
    breakdowns: dict[Dimension, dict[str | None, int]]
    openings: list[OpeningFigures] = field(default_factory=list)


async def _read(database: AsyncEngine, query: Callable[[AsyncSession], Awaitable[T]]) -> T:
    async with read_transaction(database) as connection:
        return await query(AsyncSession(bind=connection))


async def read_all(database: AsyncEngine, period: Period, now: datetime | None = None) -> Figures:
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
    total, funnel_counts, stopped, per_day, counts, jobs = await asyncio.gather(
        _read(database, partial(lead_total, period=period)),
        _read(database, partial(funnel, period=period)),
        _read(database, partial(stopped_at, period=period)),
        _read(database, partial(leads_per_day, period=period)),
        breakdowns,
        _read(database, partial(opening_figures, now=now or period.end)),
    )
    return Figures(
        total,
        funnel_counts,
        stopped,
        per_day,
        dict(zip(DIMENSIONS, counts, strict=True)),
        jobs,
    )
