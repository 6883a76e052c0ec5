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

JSON fields are queried per dialect: SQLite's ``json_each``/``json_extract``, PostgreSQL's
``jsonb_array_elements``/``jsonb_extract_path_text``. Filter semantics are documented in
``bot.staff.filters``; the eligibility outcome ranks routes as ``bot.staff.outcome.OUTCOMES``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    cast,
    exists,
    false,
    func,
    literal,
    not_,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import aliased

from bot.staff.filters import FilterError, LeadFilter
from bot.staff.outcome import NOT_CHECKED, OUTCOMES
from bot.storage.db import READ_ONLY
from bot.storage.models import Conversation, Lead, User

PAKISTAN = ZoneInfo("Asia/Karachi")
BATCH = 1000
REGISTRATION = "registration"  # the flow whose answers make a lead


@dataclass(frozen=True, slots=True)
class LeadRow:
    """One lead as the staff side reads it. Datetimes are aware (UTC)."""

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

    def any_field_in(
        self, column: Any, path: Sequence[str], field: str, values: Sequence[str]
    ) -> ColumnElement[bool]:
        """Some object of the array at ``path`` has ``field`` equal to one of ``values``."""
        if not values:
            return false()
        elements = self._elements(column, path)
        if self.pg:
            value = func.jsonb_extract_path_text(elements.c.value, field)
        else:
            value = func.json_extract(elements.c.value, f'$."{field}"')
        return exists(select(literal(1)).select_from(elements).where(value.in_(values)))

    def nonempty_object(self, column: Any, *path: str) -> ColumnElement[bool]:
        if self.pg:
            at = func.jsonb_extract_path(column, *path)
            return and_(func.jsonb_typeof(at) == "object", at != func.jsonb_build_object())
        where = "$." + ".".join(f'"{key}"' for key in path)
        return and_(
            func.json_type(column, where) == "object", func.json_extract(column, where) != "{}"
        )


# -- leads -------------------------------------------------------------------------------------


def _outcome(json: _Json, outcome: str) -> ColumnElement[bool]:
    """The lead's best route has this outcome (``NOT_CHECKED``: no route at all)."""
    names = list(OUTCOMES)
    if outcome == NOT_CHECKED:
        every = [status for statuses in OUTCOMES.values() for status in statuses]
        return not_(json.any_field_in(Lead.eligibility, ["routes"], "status", every))
    better = [status for name in names[: names.index(outcome)] for status in OUTCOMES[name]]
    this = json.any_field_in(Lead.eligibility, ["routes"], "status", OUTCOMES[outcome])
    if not better:
        return this
    return and_(this, not_(json.any_field_in(Lead.eligibility, ["routes"], "status", better)))


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


def lead_conditions(where: LeadFilter, dialect: str) -> list[ColumnElement[bool]]:
    """The WHERE conditions on ``leads`` for a filter (``where.unfinished`` is not about leads:
    see ``unfinished_conditions``)."""
    json = _Json(dialect)
    conditions = _between(Lead.created_at, where.since, where.until)
    if where.sector:
        conditions.append(json.array_has(Lead.answers, ["sectors"], where.sector))
    if where.province:
        conditions.append(Lead.province == where.province)
    if where.status:
        conditions.append(Lead.status == where.status)
    if where.language:
        conditions.append(Lead.language == where.language)
    if where.source:
        conditions.append(Lead.source == where.source)
    if where.eligible:
        conditions.append(_outcome(json, where.eligible))
    if where.officer is not None:
        conditions.append(_officer_column() == where.officer)
    if where.q:
        conditions.append(
            _text_search(where, Lead.full_name, Lead.reference, Lead.cnic, Lead.mobile)
        )
    return conditions


def select_leads(
    where: LeadFilter, dialect: str, newest_first: bool = False
) -> Select[Any]:
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
    columns: list[Any] = [
        Lead.id,
        Lead.reference,
        Lead.created_at,
        Lead.updated_at,
        Lead.full_name,
        Lead.cnic,
        Lead.mobile,
        Lead.birth_date,
        Lead.province,
        Lead.answers,
        type_coerce(Lead.eligibility, String).label("eligibility_json"),
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


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


async def stream_leads(
    database: AsyncEngine, where: LeadFilter, *, batch: int = BATCH
) -> AsyncIterator[LeadRow]:
    """Every matching lead, oldest first, fetched ``batch`` rows at a time."""
    if where.unfinished:
        raise ValueError("stream_leads: an unfinished filter selects users; stream_unfinished")
    columns, join = _lead_columns()
    query = select(*columns).where(*lead_conditions(where, database.dialect.name))
    if join is not None:
        query = query.outerjoin(*join)
    query = query.order_by(Lead.created_at, Lead.id).execution_options(yield_per=batch)
    async with database.connect() as connection:
        connection = await connection.execution_options(**READ_ONLY)
        async with connection.begin():
            result = await connection.stream(query)
            async for part in result.partitions():
                for row in part:
                    values = row._mapping
                    yield LeadRow(
                        id=values["id"],
                        reference=values["reference"],
                        created_at=_aware(values["created_at"]),
                        updated_at=_aware(values["updated_at"]),
                        full_name=values["full_name"],
                        cnic=values["cnic"],
                        mobile=values["mobile"],
                        birth_date=values["birth_date"],
                        province=values["province"],
                        answers=values["answers"] or {},
                        eligibility_json=_json_or_none(values["eligibility_json"]),
                        status=values["status"],
                        language=values["language"],
                        source=values["source"],
                        user_id=values["user_id"],
                        duplicate_of=values.get("duplicate_of"),
                    )


def _json_or_none(text: str | None) -> str | None:
    return None if text is None or text == "null" else text


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
) -> AsyncIterator[UnfinishedRow]:
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
            User.last_seen_at,
            Conversation.state,
            User.language,
            User.source,
            earlier_lead.label("lead_reference"),
        )
        .join(Conversation, Conversation.user_id == User.id)
        .where(*unfinished_conditions(where, database.dialect.name))
        .order_by(User.last_seen_at, User.id)
        .execution_options(yield_per=batch)
    )
    async with database.connect() as connection:
        connection = await connection.execution_options(**READ_ONLY)
        async with connection.begin():
            result = await connection.stream(query)
            async for part in result.partitions():
                for user_id, last_seen_at, state, language, source, reference in part:
                    yield UnfinishedRow(
                        user_id=user_id,
                        last_seen_at=_aware(last_seen_at),
                        state=state or {},
                        language=language,
                        source=source,
                        lead_reference=reference,
                    )
