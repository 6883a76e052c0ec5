"""The staff side of job openings in the database: what the staff web's form writes (create,
save, publish), the list of openings, a page of an opening's candidates (filtered, sorted),
the counts along the pipeline, the shortlist and its export's rows.

The matching, the invitations, the workers' answers and the closing are
``bot.storage.openings``; these functions read and write what an officer sees and does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.db import is_postgres
from bot.storage.models import Lead
from bot.storage.opening_models import (
    DECLINED,
    DRAFT,
    INTERESTED,
    OPEN,
    Opening,
    OpeningCandidate,
)
from bot.storage.openings import (
    INVITABLE,
    REQUIREMENT_COLUMNS,
    MatchResult,
    run_matching,
)

# The columns the staff web's form writes (bot.staff.web.opening_form): what describes the
# opening to workers and staff, and the requirements the matching reads.
DESCRIBING_COLUMNS = (
    "title",
    "employer",
    "prefecture",
    "places",
    "pay_yen",
    "pay_includes",
    "descriptions",
)
FORM_COLUMNS = DESCRIBING_COLUMNS + tuple(sorted(REQUIREMENT_COLUMNS))
WAITING = "waiting"  # invited, no answer yet (an answer filter of the opening page)
NOT_INVITED = "not_invited"
SHORTLISTED = "shortlisted"
CANDIDATE_SORTS = ("match", "name", "age", "answered", "invited")


async def create(
    db: AsyncSession, values: dict[str, Any], now: datetime, account_id: int | None
) -> Opening:
    """A new draft opening from the form's ``values`` (``FORM_COLUMNS``)."""
    opening = Opening(
        **{key: values[key] for key in FORM_COLUMNS if key in values},
        state=DRAFT,
        created_by_id=account_id,
        created_at=now,
        updated_at=now,
    )
    db.add(opening)
    await db.flush()
    return opening


async def save(
    db: AsyncSession, opening: Opening, values: dict[str, Any], now: datetime
) -> set[str]:
    """Write the form's ``values`` to the opening; the names of the columns that changed."""
    changed = {
        key for key in FORM_COLUMNS if key in values and getattr(opening, key) != values[key]
    }
    for key in changed:
        setattr(opening, key, values[key])
    if changed:
        opening.updated_at = now
        await db.flush()
    return changed


async def publish(
    db: AsyncSession, opening: Opening, *, today: date, now: datetime
) -> MatchResult | None:
    """Open a draft (lock it first with ``get(..., for_update=True)``) and match it once, in
    the caller's transaction. None when it was not a draft."""
    if opening.state != DRAFT:
        return None
    opening.state = OPEN
    opening.published_at = now
    opening.updated_at = now
    await db.flush()
    return await run_matching(db, opening, today=today, now=now)


async def listing(db: AsyncSession, state: str | None = None) -> Sequence[Opening]:
    """Openings, newest first; only those in ``state`` when given."""
    query = select(Opening).order_by(Opening.created_at.desc(), Opening.id.desc())
    if state:
        query = query.where(Opening.state == state)
    return (await db.scalars(query)).all()


def _pipeline_columns() -> list[Any]:
    def count(condition: Any) -> Any:
        return func.count(case((condition, 1)))

    return [
        count(OpeningCandidate.match == "meets").label("meets"),
        count(OpeningCandidate.match == "nearly").label("nearly"),
        count(OpeningCandidate.invited_at.is_not(None)).label("invited"),
        count(OpeningCandidate.answer == INTERESTED).label("interested"),
        count(OpeningCandidate.answer == DECLINED).label("declined"),
        count(
            and_(OpeningCandidate.invited_at.is_not(None), OpeningCandidate.answer.is_(None))
        ).label(WAITING),
        count(OpeningCandidate.shortlisted_at.is_not(None)).label(SHORTLISTED),
    ]


PIPELINE_KEYS = ("meets", "nearly", "invited", "interested", "declined", WAITING, SHORTLISTED)


async def pipeline_counts(
    db: AsyncSession, opening_ids: Sequence[int]
) -> dict[int, dict[str, int]]:
    """Per opening: its candidates that meet it, nearly do, were invited, are interested,
    declined, were invited and did not answer yet, are shortlisted (0 for none)."""
    counts = {opening_id: dict.fromkeys(PIPELINE_KEYS, 0) for opening_id in opening_ids}
    if not opening_ids:
        return counts
    rows = await db.execute(
        select(OpeningCandidate.opening_id, *_pipeline_columns())
        .where(OpeningCandidate.opening_id.in_(list(opening_ids)))
        .group_by(OpeningCandidate.opening_id)
    )
    for row in rows.all():
        counts[row[0]] = {
            key: int(value) for key, value in zip(PIPELINE_KEYS, row[1:], strict=True)
        }
    return counts


def _candidate_conditions(opening_id: int, match: str | None, answer: str | None) -> list[Any]:
    conditions: list[Any] = [OpeningCandidate.opening_id == opening_id]
    if match:
        conditions.append(OpeningCandidate.match == match)
    else:
        conditions.append(OpeningCandidate.match.in_(list(INVITABLE)))
    if answer in (INTERESTED, DECLINED):
        conditions.append(OpeningCandidate.answer == answer)
    elif answer == WAITING:
        conditions += [OpeningCandidate.invited_at.is_not(None), OpeningCandidate.answer.is_(None)]
    elif answer == NOT_INVITED:
        conditions += [OpeningCandidate.invited_at.is_(None), OpeningCandidate.answer.is_(None)]
    elif answer == SHORTLISTED:
        conditions.append(OpeningCandidate.shortlisted_at.is_not(None))
    return conditions


def _candidate_order(sort: str) -> list[Any]:
    if sort == "name":
        return [Lead.full_name, OpeningCandidate.id]
    if sort == "age":  # youngest first
        return [Lead.birth_date.desc(), OpeningCandidate.id]
    if sort == "answered":  # the latest answers first, then those without one
        return [
            OpeningCandidate.answered_at.is_(None),
            OpeningCandidate.answered_at.desc(),
            OpeningCandidate.id,
        ]
    if sort == "invited":
        return [
            OpeningCandidate.invited_at.is_(None),
            OpeningCandidate.invited_at.desc(),
            OpeningCandidate.id,
        ]
    return [OpeningCandidate.match, OpeningCandidate.id]  # meets before nearly


async def candidates(
    db: AsyncSession,
    opening_id: int,
    *,
    match: str | None = None,
    answer: str | None = None,
    sort: str = "match",
    limit: int = 50,
    offset: int = 0,
) -> tuple[Sequence[tuple[OpeningCandidate, Lead]], int]:
    """One page of an opening's candidates with their leads, and how many there are in all.
    ``match``: meets, nearly or no (None: meets and nearly); ``answer``: interested,
    declined, waiting, not_invited, shortlisted (None: any)."""
    conditions = _candidate_conditions(opening_id, match, answer)
    total = int(
        await db.scalar(select(func.count()).select_from(OpeningCandidate).where(*conditions)) or 0
    )
    rows = await db.execute(
        select(OpeningCandidate, Lead)
        .join(Lead, Lead.id == OpeningCandidate.lead_id)
        .where(*conditions)
        .order_by(*_candidate_order(sort))
        .limit(limit)
        .offset(offset)
    )
    return [(candidate, lead) for candidate, lead in rows.all()], total


async def candidate(
    db: AsyncSession, opening_id: int, candidate_id: int, *, for_update: bool = False
) -> OpeningCandidate | None:
    query = select(OpeningCandidate).where(
        OpeningCandidate.id == candidate_id, OpeningCandidate.opening_id == opening_id
    )
    if for_update and is_postgres(db):
        query = query.with_for_update()
    return (await db.scalars(query)).first()


async def set_shortlisted(
    db: AsyncSession, candidate: OpeningCandidate, shortlisted: bool, now: datetime
) -> bool:
    """Put an interested candidate on the opening's shortlist (or take them off); whether
    anything changed. Only a worker who said they are interested can be shortlisted."""
    if shortlisted:
        if candidate.answer != INTERESTED or candidate.shortlisted_at is not None:
            return False
        candidate.shortlisted_at = now
    else:
        if candidate.shortlisted_at is None:
            return False
        candidate.shortlisted_at = None
    await db.flush()
    return True


@dataclass(frozen=True)
class ShortlistRow:
    """An interested candidate of an opening, with what the shortlist export shows."""

    lead_id: int
    reference: str
    full_name: str
    mobile: str
    province: str | None
    birth_date: date | None
    answers: dict[str, Any]
    status: str
    match: str
    missing: list[Any]
    answered_at: datetime | None
    shortlisted_at: datetime | None


async def shortlist(db: AsyncSession, opening_id: int) -> list[ShortlistRow]:
    """The workers who said they are interested in the opening (deleted leads left out):
    the shortlisted first, then by when they answered."""
    query = (
        select(
            Lead.id,
            Lead.reference,
            Lead.full_name,
            Lead.mobile,
            Lead.province,
            Lead.birth_date,
            Lead.answers,
            Lead.status,
            OpeningCandidate.match,
            OpeningCandidate.missing,
            OpeningCandidate.answered_at,
            OpeningCandidate.shortlisted_at,
        )
        .join(Lead, Lead.id == OpeningCandidate.lead_id)
        .where(
            OpeningCandidate.opening_id == opening_id,
            OpeningCandidate.answer == INTERESTED,
            Lead.deleted_at.is_(None),
        )
        .order_by(
            OpeningCandidate.shortlisted_at.is_(None),
            OpeningCandidate.answered_at,
            OpeningCandidate.id,
        )
    )
    return [ShortlistRow(*row) for row in (await db.execute(query)).all()]
