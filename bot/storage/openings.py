"""Job openings in the database: matching registered leads to an opening, inviting them
through the outbox, and recording what workers answer.

Matching (``run_matching``) narrows in SQL first (registered leads, not deleted, merged or
closed, whose worker did not stop job messages, who chose the opening's field, and whose
age on the day of entry fits), then reasons in Python on the rest with the eligibility engine
(``bot.ssw.matching``). It keeps a row per lead that meets the opening or nearly does, and
every row of a lead already invited or who answered (so nobody is invited twice).

Invitations (``queue_invitations``) are one ``INSERT ... SELECT`` of outbox rows (kind
``invitation``, payload: the opening and candidate ids) and one ``UPDATE`` marking the
candidates invited, in the caller's transaction. The sender renders the text when it sends.

The staff web's own reads and writes (the form, lists, pages of candidates, the shortlist) are
``bot.storage.opening_staff``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    DateTime,
    Integer,
    String,
    Text,
    and_,
    cast,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.ssw.matching import (
    ANSWER_KEYS,
    Requirements,
    Worker,
    matcher,
)
from bot.storage.db import is_postgres
from bot.storage.models import Lead, OutboxMessage, User
from bot.storage.opening_models import (
    DECLINED,
    INTERESTED,
    OPEN,
    Opening,
    OpeningCandidate,
)
from bot.storage.opening_state import open_now, past_deadline
from bot.storage.outbox import (  # the outbox kinds: an opening offered, one that closed
    INVITATION,
    OPENING_CLOSED,
    OPTED_OUT,
    PENDING,
)

CHANNEL = "telegram"  # the channel invitations go out on (the one with a sender)
FALLBACK_LANGUAGE = "en"
# Lead statuses that take a lead out of matching: its registration is closed, or done.
CLOSED_STATUSES = ("not_interested", "invalid", "departed")
INVITABLE = ("meets", "nearly")
# the outbox columns filled by the INSERT ... SELECTs below, in their order
OUTBOX_COLUMNS = (
    "kind",
    "channel",
    "chat_id",
    "user_id",
    "language",
    "payload",
    "state",
    "attempts",
    "next_attempt_at",
    "created_at",
)


# the columns a new candidate row fills, in the order _insert_candidates takes them
CANDIDATE_COLUMNS = ("opening_id", "lead_id", "user_id", "match", "missing", "matched_at")


# the columns ``requirements`` reads: a change to one of them on an open opening matches it
# again (the deadline too: it is the day of entry when none is given)
REQUIREMENT_COLUMNS = frozenset(
    {
        "sector",
        "category",
        "route",
        "entry_date",
        "deadline",
        "min_age",
        "max_age",
        "japanese",
        "skills_test",
        "min_experience_years",
        "education",
    }
)


def requirements(opening: Opening) -> Requirements:
    """The opening's requirements as the matching reads them (``REQUIREMENT_COLUMNS``)."""
    return Requirements(
        sector=opening.sector,
        category=opening.category,
        route="ssw2" if opening.route == "ssw2" else "ssw1",
        entry_date=opening.entry_date or opening.deadline,
        min_age=opening.min_age,
        max_age=opening.max_age,
        japanese=opening.japanese,
        skills_test="not_needed" if opening.skills_test == "not_needed" else "passed",
        min_experience_years=opening.min_experience_years,
        education=opening.education,
    )


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def registered_conditions(sector: str) -> list[Any]:
    """The leads any opening in ``sector`` considers (before age and reasoning)."""
    return [
        Lead.deleted_at.is_(None),
        Lead.merged_into_id.is_(None),
        Lead.status.not_in(CLOSED_STATUSES),
        Lead.user_id.is_not(None),
        Lead.sectors.contains(f",{sector},", autoescape=True),
        ~select(User.id)
        .where(User.id == Lead.user_id, User.jobs_opted_out_at.is_not(None))
        .exists(),
    ]


def age_conditions(req: Requirements) -> list[Any]:
    """Birth dates whose age on the day of entry is within the opening's range."""
    conditions = [Lead.birth_date <= _years_before(req.entry_date, req.lowest_age)]
    if req.max_age is not None:
        conditions.append(Lead.birth_date > _years_before(req.entry_date, req.max_age + 1))
    return conditions


@dataclass(frozen=True)
class MatchResult:
    counts: dict[str, int]  # meets, nearly, no: over every lead considered
    considered: int  # leads who chose the field (the rest do not count for this opening)


async def get(db: AsyncSession, opening_id: int, *, for_update: bool = False) -> Opening | None:
    query = select(Opening).where(Opening.id == opening_id)
    if for_update and is_postgres(db):
        query = query.with_for_update()
    return (await db.scalars(query)).first()


def _answers_subset(db: AsyncSession) -> Any:
    """A lead's answers that matching reads (``ANSWER_KEYS``), as one JSON text: smaller to
    send and to decode than the whole answers, and the same text for many leads."""
    if is_postgres(db):
        pairs = [part for key in ANSWER_KEYS for part in (key, Lead.answers.op("->")(key))]
        return cast(func.jsonb_build_object(*pairs), Text)
    paths = [(key, func.json_extract(Lead.answers, f"$.{key}")) for key in ANSWER_KEYS]
    return func.json_object(*[part for pair in paths for part in pair])


class _JsonMemo:
    """``json.loads`` of texts that repeat, once each (null members dropped: matching reads
    a missing answer and a null one alike)."""

    def __init__(self) -> None:
        self.seen: dict[str, Any] = {}

    def __call__(self, text: str | None) -> Any:
        if text is None:
            return {}
        found = self.seen.get(text)
        if found is None:
            found = json.loads(text)
            if isinstance(found, dict):
                found = {k: v for k, v in found.items() if v is not None}
            self.seen[text] = found
        return found


async def _insert_candidates(
    db: AsyncSession,
    opening_id: int,
    found: dict[int, tuple[int | None, str, list[dict[str, Any]], str]],
    now: datetime,
) -> None:
    """New candidate rows, from ``found``: lead id → (user id, class, missing, missing as
    JSON text). PostgreSQL: one COPY on the session's connection (in its transaction); else
    one executemany."""
    if not found:
        return
    if is_postgres(db):
        connection = await db.connection()
        raw = (await connection.get_raw_connection()).driver_connection
        assert raw is not None
        await raw.copy_records_to_table(
            OpeningCandidate.__tablename__,
            records=[
                (opening_id, lead_id, user_id, match_class, text, now)
                for lead_id, (user_id, match_class, _, text) in found.items()
            ],
            columns=CANDIDATE_COLUMNS,
        )
        return
    await db.execute(
        insert(OpeningCandidate),
        [
            dict(
                zip(
                    CANDIDATE_COLUMNS,
                    (opening_id, lead_id, user_id, match_class, missing, now),
                    strict=True,
                )
            )
            for lead_id, (user_id, match_class, missing, _) in found.items()
        ],
    )


async def run_matching(
    db: AsyncSession, opening: Opening, *, today: date, now: datetime
) -> MatchResult:
    """Class every registered lead for ``opening`` and keep the result, in the caller's
    transaction (lock the opening first with ``get(..., for_update=True)``).

    Only the answers matching reads are loaded; ``matcher`` reasons once per distinct set of
    them; new candidate rows go in with one COPY on PostgreSQL."""
    req = requirements(opening)
    base = registered_conditions(opening.sector)
    considered = int(await db.scalar(select(func.count()).select_from(Lead).where(*base)) or 0)
    rows = await db.execute(
        select(Lead.id, Lead.user_id, Lead.birth_date, _answers_subset(db)).where(
            *base, *age_conditions(req)
        )
    )
    one = matcher(req, today=today)
    parse = _JsonMemo()
    missing_of: dict[int, tuple[list[dict[str, Any]], str]] = {}  # id(Match) → missing
    found: dict[int, tuple[int | None, str, list[dict[str, Any]], str]] = {}
    counts = {"meets": 0, "nearly": 0, "no": 0}
    reasoned = 0
    for lead_id, user_id, birth_date, answers in rows.all():
        reasoned += 1
        result = one(Worker(birth_date, parse(answers)))
        counts[result.match] += 1
        if result.match in INVITABLE:
            missing = missing_of.get(id(result))
            if missing is None:
                listed = [asdict(c) for c in result.missing]  # as the bot stores one
                missing = missing_of[id(result)] = (listed, json.dumps(listed))
            found[lead_id] = (user_id, result.match, *missing)
    counts["no"] += considered - reasoned  # outside the age range: not reasoned about

    existing = (
        await db.execute(
            select(
                OpeningCandidate.id,
                OpeningCandidate.lead_id,
                OpeningCandidate.match,
                cast(OpeningCandidate.missing, Text),
                OpeningCandidate.invited_at,
                OpeningCandidate.answer,
            ).where(OpeningCandidate.opening_id == opening.id)
        )
    ).all()
    old_missing = _JsonMemo()
    changes: list[dict[str, Any]] = []
    gone: list[int] = []
    for row_id, lead_id, old_match, old_text, invited_at, answer in existing:
        new = found.pop(lead_id, None)
        if new is None:
            if invited_at is None and answer is None:
                gone.append(row_id)
            elif old_match != "no":
                changes.append({"id": row_id, "match": "no", "missing": [], "matched_at": now})
        elif new[1] != old_match or new[2] != old_missing(old_text):
            changes.append({"id": row_id, "match": new[1], "missing": new[2], "matched_at": now})
    if gone:
        await db.execute(delete(OpeningCandidate).where(OpeningCandidate.id.in_(gone)))
    if changes:
        await db.execute(update(OpeningCandidate), changes)
    await _insert_candidates(db, opening.id, found, now)
    opening.matched_at = now
    opening.match_counts = dict(counts)
    await db.flush()
    return MatchResult(counts, considered)


def _invitees(opening_id: int, which: Sequence[str]) -> Any:
    """Candidates of the opening in ``which`` classes not asked yet, whose worker can get it:
    one per worker (a worker with two registrations is asked once, for the first)."""
    other = aliased(OpeningCandidate)
    asked_or_earlier = (
        select(other.id)
        .where(
            other.opening_id == opening_id,
            other.user_id == OpeningCandidate.user_id,
            other.id != OpeningCandidate.id,
            or_(
                other.invited_at.is_not(None),
                other.answer.is_not(None),
                and_(other.match.in_(list(which)), other.id < OpeningCandidate.id),
            ),
        )
        .correlate_except(other)
        .exists()
    )
    return and_(
        OpeningCandidate.opening_id == opening_id,
        OpeningCandidate.match.in_(list(which)),
        OpeningCandidate.invited_at.is_(None),
        OpeningCandidate.answer.is_(None),
        ~asked_or_earlier,
        User.id == OpeningCandidate.user_id,
        User.channel == CHANNEL,
        User.blocked_at.is_(None),
        User.jobs_opted_out_at.is_(None),
    )


async def invitable(db: AsyncSession, opening_id: int, which: Sequence[str]) -> int:
    """How many workers ``queue_invitations`` would ask now."""
    query = (
        select(func.count()).select_from(OpeningCandidate).join(User, _invitees(opening_id, which))
    )
    return int(await db.scalar(query) or 0)


async def queue_invitations(
    db: AsyncSession, opening: Opening, which: Sequence[str], now: datetime
) -> int:
    """Queue an invitation to every candidate in ``which`` (meets, nearly) not asked yet, in
    the caller's transaction; mark them invited. The number queued. Only an open opening."""
    if opening.state != OPEN:
        return 0
    if is_postgres(db):  # two officers pressing at once: the second finds them invited
        await db.execute(select(Opening.id).where(Opening.id == opening.id).with_for_update())
    build = func.jsonb_build_object if is_postgres(db) else func.json_object
    payload = build("opening_id", opening.id, "candidate_id", OpeningCandidate.id)
    rows = (
        select(
            literal(INVITATION, String()),
            User.channel,
            User.external_id,
            User.id,
            func.coalesce(User.language, FALLBACK_LANGUAGE),
            payload,
            literal(PENDING, String()),
            literal(0, Integer()),
            literal(now, DateTime(timezone=True)),
            literal(now, DateTime(timezone=True)),
        )
        .select_from(OpeningCandidate)
        .join(User, _invitees(opening.id, which))
        .order_by(OpeningCandidate.match, OpeningCandidate.id)
    )
    result = await db.execute(insert(OutboxMessage).from_select(OUTBOX_COLUMNS, rows))
    queued = int(getattr(result, "rowcount", 0) or 0)
    invited = select(User.id).where(_invitees(opening.id, which)).exists()
    await db.execute(
        update(OpeningCandidate)
        .where(OpeningCandidate.opening_id == opening.id, invited)
        .values(invited_at=now)
        .execution_options(synchronize_session=False)
    )
    return queued


async def answer(
    db: AsyncSession,
    opening: Opening,
    *,
    lead_id: int,
    user_id: int,
    interested: bool,
    match_class: str,
    missing: list[dict[str, Any]],
    now: datetime,
) -> OpeningCandidate:
    """Record a worker's answer to an opening (from an invitation or from browsing), creating
    their candidate row when they were never matched or invited. The last answer counts."""
    candidate = (
        await db.scalars(
            select(OpeningCandidate).where(
                OpeningCandidate.opening_id == opening.id, OpeningCandidate.lead_id == lead_id
            )
        )
    ).first()
    if candidate is None:
        candidate = OpeningCandidate(
            opening_id=opening.id,
            lead_id=lead_id,
            user_id=user_id,
            match=match_class,
            missing=missing,
            matched_at=now,
        )
        db.add(candidate)
    candidate.answer = INTERESTED if interested else DECLINED
    candidate.answered_at = now
    if not interested:
        candidate.shortlisted_at = None
    await db.flush()
    return candidate


async def open_openings(db: AsyncSession, today: date) -> Sequence[Opening]:
    """The openings workers can see on ``today`` (``opening_state.open_now``); the nearest
    deadline first."""
    query = select(Opening).where(open_now(today)).order_by(Opening.deadline, Opening.id)
    return (await db.scalars(query)).all()


async def answers_of(db: AsyncSession, user_id: int) -> dict[int, str | None]:
    """A worker's answers per opening (None: asked, no answer yet)."""
    rows = await db.execute(
        select(OpeningCandidate.opening_id, OpeningCandidate.answer).where(
            OpeningCandidate.user_id == user_id,
            or_(OpeningCandidate.invited_at.is_not(None), OpeningCandidate.answer.is_not(None)),
        )
    )
    return {opening_id: value for opening_id, value in rows.all()}


async def close(db: AsyncSession, opening: Opening, state: str, now: datetime) -> int:
    """Close an open opening (``state``: closed, at the deadline or by hand, or filled), in
    the caller's transaction, and queue a notice to every worker who said they were
    interested. The number of notices queued; 0 when it was not open."""
    closed = await db.execute(
        update(Opening)
        .where(Opening.id == opening.id, Opening.state == OPEN)
        .values(state=state, closed_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if not getattr(closed, "rowcount", 0):
        return 0
    build = func.jsonb_build_object if is_postgres(db) else func.json_object
    told = and_(
        OpeningCandidate.opening_id == opening.id,
        OpeningCandidate.answer == INTERESTED,
        OpeningCandidate.closed_notice_at.is_(None),
        User.id == OpeningCandidate.user_id,
        User.channel == CHANNEL,
        User.blocked_at.is_(None),
    )
    rows = (
        select(
            literal(OPENING_CLOSED, String()),
            User.channel,
            User.external_id,
            User.id,
            func.coalesce(User.language, FALLBACK_LANGUAGE),
            build("opening_id", opening.id),
            literal(PENDING, String()),
            literal(0, Integer()),
            literal(now, DateTime(timezone=True)),
            literal(now, DateTime(timezone=True)),
        )
        .select_from(OpeningCandidate)
        .join(User, told)
    )
    result = await db.execute(insert(OutboxMessage).from_select(OUTBOX_COLUMNS, rows))
    await db.execute(
        update(OpeningCandidate)
        .where(
            OpeningCandidate.opening_id == opening.id,
            OpeningCandidate.answer == INTERESTED,
            OpeningCandidate.closed_notice_at.is_(None),
        )
        .values(closed_notice_at=now)
        .execution_options(synchronize_session=False)
    )
    await db.refresh(opening)
    return int(getattr(result, "rowcount", 0) or 0)


async def due_to_close(db: AsyncSession, today: date) -> Sequence[Opening]:
    """Open openings whose deadline has passed on ``today`` (``opening_state.past_deadline``:
    the deadline day itself is still open)."""
    query = select(Opening).where(past_deadline(today))
    return (await db.scalars(query.order_by(Opening.id))).all()


async def candidate_missing(
    db: AsyncSession, candidate_id: int
) -> tuple[str, list[dict[str, Any]]] | None:
    """A candidate's class and the criteria they miss (what an invitation tells them they
    still need); None when the row is gone."""
    row = (
        await db.execute(
            select(OpeningCandidate.match, OpeningCandidate.missing).where(
                OpeningCandidate.id == candidate_id
            )
        )
    ).first()
    if row is None:
        return None
    return str(row.match), list(row.missing or [])


async def drop_pending_invitations(db: AsyncSession, user_id: int, now: datetime) -> int:
    """The worker stopped job messages: their invitations not sent yet are marked opted out
    (and not sent), in the caller's transaction. How many. One a sender holds now is being
    sent: it is left to finish as sent."""
    result = await db.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.user_id == user_id,
            OutboxMessage.kind == INVITATION,
            OutboxMessage.state == PENDING,
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
        )
        .values(state=OPTED_OUT, last_error="skipped")
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
