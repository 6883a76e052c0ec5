"""The SQL of the staff side: leads (and unfinished registrations) that match a ``LeadFilter``.

For the web list::

    query = select_leads(where, session.bind.dialect.name)      # ORM, oldest first
    page = (await session.scalars(query.limit(50).offset(100))).all()
    total = await count_leads(database, where)

For exports (and anything that reads many rows), stream: rows come from a server-side cursor
in batches of ``batch`` rows (``yield_per``), so 100,000 leads never sit in memory::

    async with contextlib.aclosing(stream_leads(database, where)) as rows:
        async for row in rows:  # LeadRow
            ...

A stream reads one consistent snapshot. On SQLite it is a deferred (read) transaction, so an
export never blocks the bot's writers (every other transaction here is BEGIN IMMEDIATE); on
PostgreSQL a read-only transaction holding a cursor.

JSON fields (of unfinished registrations' state) are queried per dialect: SQLite's
``json_each``/``json_extract``, PostgreSQL's ``jsonb_array_elements``/``jsonb_extract_path``.
Filter semantics are documented in ``bot.staff.filters``; the eligibility outcome is the column
``leads.outcome`` (``bot.staff.outcome.stored_outcome``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncGenerator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    Text,
    and_,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncResult
from sqlalchemy.orm import aliased

from bot.oec_time import OEC_TIMEZONE, zone
from bot.staff.filters import FilterError, LeadFilter
from bot.storage.db import read_transaction
from bot.storage.models import Conversation, Lead, User

PAKISTAN = zone(OEC_TIMEZONE)  # lists and figures count Pakistan days (bot.oec_time)
BATCH = 1000
REGISTRATION = "registration"  # the flow whose answers make a lead


class LeadRow(NamedTuple):
    """One lead as the staff side reads it (a named tuple: an export makes 100,000 of them).
    Datetimes are aware (UTC)."""

    id: int
    reference: str
    created_at: datetime
    updated_at: datetime
    full_name: str
    cnic: str  # 13 digits
    mobile: str  # E.164: +923001234567
    birth_date: date
    province: str | None
    answers: Mapping[str, Any]  # the registration flow's answers (see the flow file)
    eligibility_json: str | None  # the stored assessment as JSON text (None: never checked)
    status: str
    language: str
    source: str | None
    user_id: int | None
    duplicate_of: str | None = None  # reference of the lead this one may duplicate


@dataclass(frozen=True, slots=True)
class UnfinishedRow:
    """A registration started and not submitted: a user and their conversation state."""

    user_id: int
    last_seen_at: datetime  # aware (UTC)
    state: Mapping[str, Any]  # the engine's state: flow, step, mode, answers
    language: str | None
    source: str | None
    lead_reference: str | None  # a lead this user registered earlier, if any

    @property
    def answers(self) -> Mapping[str, Any]:
        answers: Mapping[str, Any] = (self.state.get("answers") or {}).get(REGISTRATION) or {}
        return answers


# -- days in Pakistan time ---------------------------------------------------------------------


def day_start_utc(day: date) -> datetime:
    """Midnight of ``day`` in Pakistan, as a UTC datetime (how the database keeps times)."""
    return datetime.combine(day, time(), PAKISTAN).astimezone(UTC)


def _between(column: Any, since: date | None, until: date | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if since is not None:
        conditions.append(column >= day_start_utc(since))
    if until is not None:
        conditions.append(column < day_start_utc(until + timedelta(days=1)))
    return conditions


# -- JSON, per dialect ---------------------------------------------------------------------------


class _Json:
    """JSON expressions for one dialect (SQLite text JSON, PostgreSQL JSONB)."""

    def __init__(self, dialect: str) -> None:
        self.pg = dialect == "postgresql"

    def text_at(self, column: Any, *path: str) -> ColumnElement[Any]:
        """The value at ``path`` as text (NULL when missing)."""
        if self.pg:
            return func.jsonb_extract_path_text(column, *path)
        return func.json_extract(column, "$." + ".".join(f'"{key}"' for key in path))

    def _elements(self, column: Any, path: Sequence[str]) -> Any:
        if self.pg:
            return func.jsonb_array_elements(func.jsonb_extract_path(column, *path)).table_valued(
                "value"
            )
        return func.json_each(column, "$." + ".".join(f'"{key}"' for key in path)).table_valued(
            "value"
        )

    def array_has(self, column: Any, path: Sequence[str], value: str) -> ColumnElement[bool]:
        """The array at ``path`` holds the string ``value``."""
        if self.pg:
            return func.jsonb_extract_path(column, *path).op("@>")(
                func.jsonb_build_array(cast(literal(value), String))
            )
        elements = self._elements(column, path)
        return exists(select(literal(1)).select_from(elements).where(elements.c.value == value))

    def nonempty_object(self, column: Any, *path: str) -> ColumnElement[bool]:
        if self.pg:
            at = func.jsonb_extract_path(column, *path)
            return and_(func.jsonb_typeof(at) == "object", at != func.jsonb_build_object())
        where = "$." + ".".join(f'"{key}"' for key in path)
        return and_(
            func.json_type(column, where) == "object", func.json_extract(column, where) != "{}"
        )


# -- leads -------------------------------------------------------------------------------------


def _officer_column() -> Any:
    for name in ("assigned_officer_id", "officer_id"):
        column = Lead.__table__.c.get(name)
        if column is not None:
            return column
    raise FilterError("officer", "leads have no assigned officer yet")


def _text_search(
    where: LeadFilter, name: Any, reference: Any, cnic: Any, mobile: Any
) -> ColumnElement[bool]:
    assert where.q
    matches: list[ColumnElement[bool]] = [name.icontains(where.q, autoescape=True)]
    if reference is not None:
        matches.append(reference.icontains(where.q, autoescape=True))
    digits = where.q_digits
    if len(digits) >= 4 and len(digits) * 2 >= len(where.q.replace(" ", "")):  # mostly digits
        matches.append(cnic.contains(digits, autoescape=True))
        if where.q_mobile_digits:
            matches.append(mobile.contains(where.q_mobile_digits, autoescape=True))
    return or_(*matches)


def current_lead() -> ColumnElement[bool]:
    """Leads that stand: not tombstones of a worker's /delete (``UserUnit.erase`` sets
    ``deleted_at`` and erases the CNIC together). Tested on the CNIC, which ix_leads_list and
    ix_leads_cnic hold, so counts and lists still read the index alone."""
    return Lead.cnic != ""


def lead_conditions(where: LeadFilter, dialect: str) -> list[ColumnElement[bool]]:
    """The WHERE conditions on ``leads`` for a filter (``where.unfinished`` is not about leads:
    see ``unfinished_conditions``). Deleted leads never match."""
    # every condition is on a column of ix_leads_list (see through_list_index)
    conditions = [current_lead(), *_between(Lead.created_at, where.since, where.until)]
    if where.sector:
        conditions.append(Lead.sectors.contains(f",{where.sector},", autoescape=True))
    if where.province:
        conditions.append(Lead.province == where.province)
    if where.status:
        conditions.append(Lead.status == where.status)
    if where.language:
        conditions.append(Lead.language == where.language)
    if where.source:
        conditions.append(Lead.source == where.source)
    if where.officer is not None:
        conditions.append(_officer_column() == where.officer)
    if where.q:
        conditions.append(
            _text_search(where, Lead.full_name, Lead.reference, Lead.cnic, Lead.mobile)
        )
    if where.eligible:
        conditions.append(Lead.outcome == where.eligible)
    return conditions


def through_list_index(query: Select[Any]) -> Select[Any]:
    """Read ``leads`` through ``ix_leads_list`` on SQLite (a hint; other databases choose for
    themselves). Its columns answer every condition of ``lead_conditions``, so SQLite reads a
    lead's row (several pages: answers, eligibility) only for the page shown."""
    return query.with_hint(Lead, "INDEXED BY ix_leads_list", "sqlite")


def select_leads(where: LeadFilter, dialect: str, newest_first: bool = False) -> Select[Any]:
    """The matching leads as ORM objects, in registration order (add limit/offset for a page)."""
    order = (Lead.created_at.desc(), Lead.id.desc()) if newest_first else (Lead.created_at, Lead.id)
    return select(Lead).where(*lead_conditions(where, dialect)).order_by(*order)


async def count_leads(database: AsyncEngine, where: LeadFilter) -> int:
    """How many leads match (unfinished registrations when ``where.unfinished``)."""
    if where.unfinished:
        return await count_unfinished(database, where)
    query = (
        select(func.count()).select_from(Lead).where(*lead_conditions(where, database.dialect.name))
    )
    async with database.connect() as connection:
        return int((await connection.execute(query)).scalar_one())


def _lead_columns() -> tuple[list[Any], Any]:
    """The columns a ``LeadRow`` reads, raw: no SQLAlchemy type processing (on SQLite its
    date-time parsing cost more than the whole query); ``_lead_row`` converts them."""
    columns: list[Any] = [
        Lead.id,
        Lead.reference,
        _raw(Lead.created_at),
        _raw(Lead.updated_at),
        Lead.full_name,
        Lead.cnic,
        Lead.mobile,
        _raw(Lead.birth_date),
        Lead.province,
        _text(Lead.answers),
        _text(Lead.eligibility),
        Lead.status,
        Lead.language,
        Lead.source,
        Lead.user_id,
    ]
    duplicate_of_id = Lead.__table__.c.get("duplicate_of_id")
    if duplicate_of_id is None:  # the column comes with the ownership change
        return columns, None
    original = aliased(Lead)
    columns.append(original.reference.label("duplicate_of"))
    return columns, (original, duplicate_of_id == original.id)


def _raw(column: Any) -> Any:
    """The column as the driver gives it (SQLite: text; PostgreSQL: its own types)."""
    return type_coerce(column, String)


def _text(column: Any) -> Any:
    """A JSON column as text, on the server: asyncpg would otherwise decode (and we re-encode)
    every stored assessment."""
    return cast(column, Text)


def _datetime(value: str | datetime) -> datetime:
    """A stored time as an aware UTC datetime (SQLite gives text without a zone: it is UTC)."""
    if isinstance(value, str):
        return datetime.fromisoformat(value + "+00:00")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _date(value: str | date) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _json(value: str | Mapping[str, Any] | None) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _lead_row(values: Sequence[Any], duplicates: bool) -> LeadRow:
    return LeadRow(
        values[0],
        values[1],
        _datetime(values[2]),
        _datetime(values[3]),
        values[4],
        values[5],
        values[6],
        _date(values[7]),
        values[8],
        _json(values[9]) or {},
        _json_or_none(values[10]),
        values[11],
        values[12],
        values[13],
        values[14],
        values[15] if duplicates else None,
    )


async def stream_leads(
    database: AsyncEngine, where: LeadFilter, *, batch: int = BATCH
) -> AsyncGenerator[LeadRow, None]:
    """Every matching lead, oldest first, fetched ``batch`` rows at a time."""
    if where.unfinished:
        raise ValueError("stream_leads: an unfinished filter selects users; stream_unfinished")
    columns, join = _lead_columns()
    query = select(*columns).where(*lead_conditions(where, database.dialect.name))
    if join is not None:
        query = query.outerjoin(*join)
    query = query.order_by(Lead.created_at, Lead.id).execution_options(yield_per=batch)
    duplicates = join is not None
    async with read_transaction(database) as connection:
        result = await connection.stream(query)
        async with contextlib.aclosing(_partitions(result)) as parts:
            async for part in parts:
                for row in part:
                    yield _lead_row(row, duplicates)


async def _partitions(result: AsyncResult[Any]) -> AsyncGenerator[Sequence[Any], None]:
    """The result's batches; each next one is fetched (in the driver's thread or from the
    server) while the caller works on the current one."""
    batches = result.partitions()
    pending: asyncio.Future[Sequence[Any] | None] = asyncio.ensure_future(anext(batches, None))
    try:
        while (batch := await pending) is not None:
            pending = asyncio.ensure_future(anext(batches, None))
            await asyncio.sleep(0)  # let the next fetch start before the caller's work
            yield batch
    finally:
        if not pending.done():
            pending.cancel()
        with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
            await pending
        await batches.aclose()  # type: ignore[attr-defined]


def _json_or_none(value: str | Mapping[str, Any] | None) -> str | None:
    """The stored JSON as text; None for SQL NULL and JSON null."""
    if value is None or isinstance(value, str):
        return None if value is None or value == "null" else value
    return json.dumps(value)


# -- unfinished registrations -----------------------------------------------------------------


def unfinished_conditions(where: LeadFilter, dialect: str) -> list[ColumnElement[bool]]:
    """Users whose conversation holds registration answers not yet submitted."""
    json = _Json(dialect)
    path = ("answers", REGISTRATION)
    conditions = [json.nonempty_object(Conversation.state, *path)]
    conditions += _between(User.last_seen_at, where.since, where.until)
    if where.sector:
        conditions.append(json.array_has(Conversation.state, [*path, "sectors"], where.sector))
    if where.province:
        conditions.append(json.text_at(Conversation.state, *path, "province") == where.province)
    if where.language:
        conditions.append(User.language == where.language)
    if where.source:
        conditions.append(User.source == where.source)
    if where.q:
        conditions.append(
            _text_search(
                where,
                json.text_at(Conversation.state, *path, "full_name"),
                None,
                json.text_at(Conversation.state, *path, "cnic"),
                json.text_at(Conversation.state, *path, "mobile"),
            )
        )
    return conditions


async def count_unfinished(database: AsyncEngine, where: LeadFilter) -> int:
    query = (
        select(func.count())
        .select_from(Conversation)
        .join(User, User.id == Conversation.user_id)
        .where(*unfinished_conditions(where, database.dialect.name))
    )
    async with database.connect() as connection:
        return int((await connection.execute(query)).scalar_one())


async def stream_unfinished(
    database: AsyncEngine, where: LeadFilter, *, batch: int = BATCH
) -> AsyncGenerator[UnfinishedRow, None]:
    """Every unfinished registration matching ``where``, least recently seen first."""
    earlier_lead = (
        select(Lead.reference)
        .where(Lead.user_id == User.id)
        .order_by(Lead.updated_at.desc())
        .limit(1)
        .scalar_subquery()
    )
    query = (
        select(
            User.id,
            _raw(User.last_seen_at),
            _text(Conversation.state),
            User.language,
            User.source,
            earlier_lead.label("lead_reference"),
        )
        .join(Conversation, Conversation.user_id == User.id)
        .where(*unfinished_conditions(where, database.dialect.name))
        .order_by(User.last_seen_at, User.id)
        .execution_options(yield_per=batch)
    )
    async with read_transaction(database) as connection:
        result = await connection.stream(query)
        async with contextlib.aclosing(_partitions(result)) as parts:
            async for part in parts:
                for user_id, last_seen_at, state, language, source, reference in part:
                    yield UnfinishedRow(
                        user_id=user_id,
                        last_seen_at=_datetime(last_seen_at),
                        state=_json(state) or {},
                        language=language,
                        source=source,
                        lead_reference=reference,
                    )
