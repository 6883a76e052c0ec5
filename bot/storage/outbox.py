"""The outbox: queueing, claiming and finishing the messages the bot sends unprompted.

A message is queued in the transaction that causes it (an officer's status change, a batch of
new leads to announce), so it exists exactly when its cause was committed. Senders claim due
rows for a lease: ``SELECT ... FOR UPDATE SKIP LOCKED LIMIT n`` on PostgreSQL, so several
instances never claim the same row; SQLite takes one writer at a time (BEGIN IMMEDIATE), so a
plain transaction does. A row whose lease ran out (its sender died) is claimed again by
another. Finishing a row checks that the caller still holds it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.oec_time import OEC_TIMEZONE, oec_today
from bot.storage.db import is_postgres
from bot.storage.models import Broadcast, Lead, OutboxMessage, User
from bot.storage.opening_models import Opening
from bot.storage.opening_state import open_now

PENDING, SENT, FAILED, BLOCKED = "pending", "sent", "failed", "blocked"
CANCELLED = "cancelled"  # its broadcast was cancelled before it went
OPTED_OUT = "opted_out"  # a broadcast's recipient opted out before it went
STATES = (PENDING, SENT, FAILED, BLOCKED, CANCELLED, OPTED_OUT)
STATUS_NOTICE = "status"
NEW_LEADS = "new_leads"
BROADCAST = "broadcast"  # one recipient's message of a broadcast (``bot.storage.broadcasts``)
INVITATION = "invitation"  # a job opening offered to a worker (``bot.storage.openings``)
OPENING_CLOSED = "opening_closed"  # an opening a worker was interested in closed


@dataclass(frozen=True)
class Claimed:
    """A claimed message: where it goes, in which language, and what to say (ids and counts)."""

    id: int
    kind: str
    channel: str
    chat_id: str
    language: str
    payload: Mapping[str, Any]
    attempts: int  # attempts made before this one
    broadcast_id: int | None = None
    user_id: int | None = None


def as_utc(value: datetime) -> datetime:
    """SQLite keeps no time zone: a naive value read back is UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


async def queue(
    db: AsyncSession,
    kind: str,
    channel: str,
    chat_id: str,
    language: str,
    payload: Mapping[str, Any],
    at: datetime,
    user_id: int | None = None,
    lead_event_id: int | None = None,
) -> OutboxMessage:
    """Queue one message, due now, in the caller's transaction."""
    message = OutboxMessage(
        kind=kind,
        channel=channel,
        chat_id=chat_id,
        user_id=user_id,
        lead_event_id=lead_event_id,
        language=language,
        payload=dict(payload),
        state=PENDING,
        attempts=0,
        next_attempt_at=at,
        created_at=at,
    )
    db.add(message)
    await db.flush()
    return message


async def queue_status_notice(
    db: AsyncSession,
    lead: Lead,
    status: str,
    at: datetime,
    channels: Collection[str],
    lead_event_id: int | None = None,
) -> OutboxMessage | None:
    """A notice to the lead's worker that it moved to ``status`` (the timeline's event
    ``lead_event_id``), if they are on one of ``channels`` (the channels that have a sender);
    None otherwise."""
    if lead.user_id is None:
        return None
    user = await db.get(User, lead.user_id)
    if user is None or user.channel not in channels:
        return None
    payload = {"lead_id": lead.id, "reference": lead.reference, "status": status}
    language = user.language or lead.language
    return await queue(
        db,
        STATUS_NOTICE,
        user.channel,
        user.external_id,
        language,
        payload,
        at,
        user.id,
        lead_event_id,
    )


async def notice_states(db: AsyncSession, lead_event_ids: Collection[int]) -> dict[int, str]:
    """How the worker's notice of each of these timeline events went: event id → state."""
    if not lead_event_ids:
        return {}
    rows = await db.execute(
        select(OutboxMessage.lead_event_id, OutboxMessage.state).where(
            OutboxMessage.lead_event_id.in_(list(lead_event_ids))
        )
    )
    return {int(event_id): state for event_id, state in rows.all() if event_id is not None}


def _counts(values: Sequence[str | None]) -> dict[str, int]:
    counted = Counter(v for v in values if v)
    return dict(sorted(counted.items(), key=lambda item: (-item[1], item[0])))


async def queue_new_leads(
    db: AsyncSession,
    channel: str,
    chat_id: str,
    language: str,
    at: datetime,
    every: timedelta = timedelta(0),
) -> OutboxMessage | None:
    """Announce the leads not announced yet in one message (count, sectors, provinces: no
    name, CNIC or mobile), and mark them announced, in the caller's transaction. None when
    there are none, or when the chat had an announcement less than ``every`` ago (from any
    instance). Two instances doing this at once announce each lead once."""
    if every > timedelta(0):
        last = await db.scalar(
            select(func.max(OutboxMessage.created_at)).where(
                OutboxMessage.kind == NEW_LEADS,
                OutboxMessage.channel == channel,
                OutboxMessage.chat_id == chat_id,
            )
        )
        if last is not None and at - as_utc(last) < every:
            return None
    query = select(Lead.id, Lead.province, Lead.answers).where(
        Lead.announced_at.is_(None), Lead.deleted_at.is_(None)
    )
    query = query.order_by(Lead.id)
    if is_postgres(db):
        query = query.with_for_update(skip_locked=True)
    rows = (await db.execute(query)).all()
    if not rows:
        return None
    ids = [row.id for row in rows]
    await db.execute(
        update(Lead)
        .where(Lead.id.in_(ids))
        .values(announced_at=at, updated_at=Lead.updated_at)  # not a change by the worker
        .execution_options(synchronize_session=False)
    )
    sectors: list[str | None] = []
    for row in rows:
        chosen = (row.answers or {}).get("sectors") or []
        sectors += [str(s) for s in chosen] if isinstance(chosen, list) else [str(chosen)]
    payload = {
        "count": len(rows),
        "sectors": _counts(sectors),
        "provinces": _counts([row.province for row in rows]),
    }
    return await queue(db, NEW_LEADS, channel, chat_id, language, payload, at)


async def _mark_skipped(db: AsyncSession, skipped: Mapping[str, list[int]]) -> None:
    """Rows claimed but not to be sent: each list of ids marked with its state (opted out,
    blocked, cancelled), not claimed."""
    for state, skipped_ids in skipped.items():
        if skipped_ids:
            await db.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(skipped_ids))
                .values(state=state, last_error="skipped")
                .execution_options(synchronize_session=False)
            )


async def _claim_broadcast_rows(
    db: AsyncSession, channel: str, limit: int, now: datetime
) -> list[int]:
    """Up to ``limit`` due rows of broadcasts that are sending (not paused or cancelled), in
    no particular order (an index walk, not a sort of every pending row). A recipient who
    opted out or blocked the bot since the broadcast was queued is marked so here and not
    claimed: an opt-out is honoured at once."""
    sending = list(
        (await db.scalars(select(Broadcast.id).where(Broadcast.state == "sending"))).all()
    )
    if not sending or limit <= 0:
        return []
    due = (
        select(OutboxMessage.id, User.opted_out_at, User.blocked_at)
        .outerjoin(User, User.id == OutboxMessage.user_id)
        .where(
            OutboxMessage.broadcast_id.in_(sending),
            OutboxMessage.state == PENDING,
            OutboxMessage.channel == channel,
            OutboxMessage.next_attempt_at <= now,
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
        )
        .limit(limit)
    )
    if is_postgres(db):
        due = due.with_for_update(skip_locked=True, of=OutboxMessage)
    ids: list[int] = []
    skipped: dict[str, list[int]] = {OPTED_OUT: [], BLOCKED: []}
    for row_id, opted_out_at, blocked_at in (await db.execute(due)).all():
        if opted_out_at is not None:
            skipped[OPTED_OUT].append(row_id)
        elif blocked_at is not None:
            skipped[BLOCKED].append(row_id)
        else:
            ids.append(row_id)
    await _mark_skipped(db, skipped)
    return ids


async def _skip_stale_invitations(db: AsyncSession, ids: list[int], today: date) -> list[int]:
    """Of these claimed rows, the invitations that should not go any more are marked and
    left out: their worker stopped job messages (opted out), or the opening is not open on
    ``today``, OEC's date (``opening_state.open_now``: cancelled). The ids still to send."""
    if not ids:
        return ids
    rows = (
        await db.execute(
            select(OutboxMessage.id, OutboxMessage.payload, User.jobs_opted_out_at)
            .outerjoin(User, User.id == OutboxMessage.user_id)
            .where(OutboxMessage.id.in_(ids), OutboxMessage.kind == INVITATION)
        )
    ).all()
    if not rows:
        return ids
    wanted = {int((payload or {}).get("opening_id") or 0) for _, payload, _ in rows}
    still_open = set(
        (await db.scalars(select(Opening.id).where(Opening.id.in_(wanted), open_now(today)))).all()
    )
    skipped: dict[str, list[int]] = {OPTED_OUT: [], CANCELLED: []}
    for row_id, payload, jobs_opted_out_at in rows:
        if jobs_opted_out_at is not None:
            skipped[OPTED_OUT].append(row_id)
        elif int((payload or {}).get("opening_id") or 0) not in still_open:
            skipped[CANCELLED].append(row_id)
    await _mark_skipped(db, skipped)
    left_out = set(skipped[OPTED_OUT]) | set(skipped[CANCELLED])
    return [row_id for row_id in ids if row_id not in left_out]


async def claim(
    sessions: async_sessionmaker[AsyncSession],
    worker: str,
    channel: str,
    limit: int,
    now: datetime,
    lease: timedelta,
    timezone: str = OEC_TIMEZONE,
) -> list[Claimed]:
    """Claim up to ``limit`` due messages of ``channel`` for ``worker`` until ``now + lease``:
    notices first, oldest first, then broadcast messages to fill the batch (a broadcast never
    holds back a notice). The language is the worker's current one (they may have changed
    it). An invitation that should not go any more (its opening is not open on OEC's date
    in ``timezone``) is marked and not claimed (``_skip_stale_invitations``)."""
    blocked = select(User.id).where(  # a chat that blocked the bot waits until they write
        User.id == OutboxMessage.user_id, User.blocked_at.is_not(None)
    )
    async with sessions() as db, db.begin():
        due = (
            select(OutboxMessage.id)
            .where(
                OutboxMessage.broadcast_id.is_(None),
                OutboxMessage.state == PENDING,
                OutboxMessage.channel == channel,
                OutboxMessage.next_attempt_at <= now,
                or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
                or_(OutboxMessage.user_id.is_(None), ~blocked.exists()),
            )
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
        )
        if is_postgres(db):
            due = due.with_for_update(skip_locked=True)
        claimed = list((await db.scalars(due)).all())
        ids = await _skip_stale_invitations(db, claimed, oec_today(now, timezone))
        ids += await _claim_broadcast_rows(db, channel, limit - len(ids), now)
        if not ids:
            return []
        await db.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .values(claimed_by=worker, claimed_until=now + lease)
            .execution_options(synchronize_session=False)
        )
        rows = await db.execute(
            select(OutboxMessage, User.language)
            .outerjoin(User, User.id == OutboxMessage.user_id)
            .where(OutboxMessage.id.in_(ids))
            .order_by(
                OutboxMessage.broadcast_id.is_not(None),
                OutboxMessage.next_attempt_at,
                OutboxMessage.id,
            )
        )
        return [
            Claimed(
                message.id,
                message.kind,
                message.channel,
                message.chat_id,
                language or message.language,
                dict(message.payload or {}),
                message.attempts,
                message.broadcast_id,
                message.user_id,
            )
            for message, language in rows.all()
        ]


async def finish(
    sessions: async_sessionmaker[AsyncSession],
    message_id: int,
    worker: str,
    state: str,
    at: datetime,
    *,
    error: str | None = None,
    next_attempt_at: datetime | None = None,
    count_attempt: bool = True,
) -> bool:
    """Record the outcome of an attempt and release the claim. ``state`` pending with
    ``next_attempt_at`` tries again then. False if ``worker`` no longer holds the row."""
    values: dict[str, Any] = {"state": state, "claimed_by": None, "claimed_until": None}
    if count_attempt:
        values["attempts"] = OutboxMessage.attempts + 1
    if state == SENT:
        values["sent_at"] = at
    if error is not None:
        values["last_error"] = error[:64]
    if next_attempt_at is not None:
        values["next_attempt_at"] = next_attempt_at
    async with sessions() as db, db.begin():
        result = await db.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                OutboxMessage.claimed_by == worker,
                OutboxMessage.state == PENDING,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))


async def give_back(
    sessions: async_sessionmaker[AsyncSession],
    message_ids: Collection[int],
    worker: str,
    next_attempt_at: datetime,
) -> int:
    """Release claimed messages unsent, due again at ``next_attempt_at`` (no attempt counted),
    in one statement; how many ``worker`` still held."""
    if not message_ids:
        return 0
    async with sessions() as db, db.begin():
        result = await db.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id.in_(list(message_ids)),
                OutboxMessage.claimed_by == worker,
                OutboxMessage.state == PENDING,
            )
            .values(claimed_by=None, claimed_until=None, next_attempt_at=next_attempt_at)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)


async def mark_blocked(
    sessions: async_sessionmaker[AsyncSession], message_id: int, at: datetime
) -> None:
    """The worker of this message blocked the bot (a 403): their messages wait until they
    write again (``UserUnit.seen`` clears the mark)."""
    async with sessions() as db, db.begin():
        user_id = select(OutboxMessage.user_id).where(OutboxMessage.id == message_id)
        await db.execute(
            update(User)
            .where(User.id == user_id.scalar_subquery(), User.blocked_at.is_(None))
            .values(blocked_at=at)
            .execution_options(synchronize_session=False)
        )


async def messages(
    sessions: async_sessionmaker[AsyncSession], kind: str | None = None
) -> Sequence[OutboxMessage]:
    """Every message (of one kind), oldest first: for tests and staff tools."""
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind is not None:
        query = query.where(OutboxMessage.kind == kind)
    async with sessions() as db:
        return (await db.scalars(query)).all()


async def counts(sessions: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    """How many messages are in each state."""
    async with sessions() as db:
        rows = await db.execute(
            select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
        )
        return {state: count for state, count in rows.all()}
