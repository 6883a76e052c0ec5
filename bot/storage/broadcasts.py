"""Broadcasts in SQL: who a segment reaches (one query, for the count and the sending alike),
drafts, starting (the recipients expanded into outbox rows with one ``INSERT ... SELECT``),
pause, resume, cancel, progress counts, and marking a broadcast done.

A broadcast's messages are ordinary outbox rows (``kind="broadcast"``, ``broadcast_id``): the
outbox sender claims them (``bot.storage.outbox.claim``: other kinds first, only rows of a
broadcast that is ``sending``, and a recipient who opted out or blocked the bot since is
skipped at claim time), so a sending broadcast survives restarts and is shared by instances.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    DateTime,
    Integer,
    Select,
    String,
    exists,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql.elements import ColumnElement

from bot.staff.segments import Segment
from bot.storage.db import is_postgres
from bot.storage.models import Broadcast, JsonType, Lead, OutboxMessage, User
from bot.storage.outbox import (
    BLOCKED,
    BROADCAST,
    CANCELLED,
    FAILED,
    OPTED_OUT,
    PENDING,
    SENT,
)

DRAFT, SENDING, PAUSED, DONE = "draft", "sending", "paused", "done"
STOPPED = "cancelled"  # the broadcast's state (its pending rows become ``CANCELLED``)
CHANNEL = "telegram"  # the channel broadcasts go out on (the one with a sender)
FALLBACK_LANGUAGE = "en"


# -- the segment --------------------------------------------------------------------------


def _language() -> ColumnElement[str]:
    return func.coalesce(User.language, FALLBACK_LANGUAGE)


def recipient_conditions(segment: Segment) -> list[ColumnElement[bool]]:
    """The WHERE conditions on ``users`` for a segment: the only definition of who a
    broadcast reaches, used by ``reach`` and by ``start``."""
    conditions: list[ColumnElement[bool]] = [
        User.channel == CHANNEL,
        User.opted_out_at.is_(None),
        User.blocked_at.is_(None),
    ]
    if segment.language:
        conditions.append(_language() == segment.language)
    own_lead: list[ColumnElement[bool]] = [Lead.user_id == User.id, Lead.deleted_at.is_(None)]
    if segment.impossible:
        conditions.append(literal(False))
    elif segment.needs_lead:
        if segment.sector:
            own_lead.append(Lead.sectors.contains(f",{segment.sector},", autoescape=True))
        if segment.province:
            own_lead.append(Lead.province == segment.province)
        if segment.eligible:
            own_lead.append(Lead.outcome == segment.eligible)
        if segment.status:
            own_lead.append(Lead.status == segment.status)
        conditions.append(exists().where(*own_lead))
    elif segment.registered == "no":
        conditions.append(~exists().where(*own_lead))
    return conditions


async def reach(db: AsyncSession, segment: Segment) -> int:
    """How many people a broadcast to ``segment`` would reach now."""
    query = select(func.count()).select_from(User).where(*recipient_conditions(segment))
    return int(await db.scalar(query) or 0)


# -- drafts -------------------------------------------------------------------------------


async def create(
    db: AsyncSession,
    texts: Mapping[str, str],
    segment: Segment,
    at: datetime,
    created_by_id: int | None,
) -> Broadcast:
    broadcast = Broadcast(
        texts=dict(texts),
        segment=segment.as_dict(),
        state=DRAFT,
        total=0,
        created_at=at,
        updated_at=at,
        created_by_id=created_by_id,
    )
    db.add(broadcast)
    await db.flush()
    return broadcast


async def get(db: AsyncSession, broadcast_id: int, *, for_update: bool = False) -> Broadcast | None:
    query = select(Broadcast).where(Broadcast.id == broadcast_id)
    if for_update and is_postgres(db):
        query = query.with_for_update()
    return (await db.scalars(query)).first()


async def save_draft(
    db: AsyncSession, broadcast: Broadcast, texts: Mapping[str, str], segment: Segment, at: datetime
) -> bool:
    """Change a draft's texts and segment; False (nothing changed) once it was sent."""
    if broadcast.state != DRAFT:
        return False
    broadcast.texts = dict(texts)
    broadcast.segment = segment.as_dict()
    broadcast.updated_at = at
    await db.flush()
    return True


async def recent(db: AsyncSession, limit: int = 100) -> Sequence[Broadcast]:
    query = select(Broadcast).order_by(Broadcast.created_at.desc(), Broadcast.id.desc())
    return (await db.scalars(query.limit(limit))).all()


# -- sending ------------------------------------------------------------------------------


async def start(db: AsyncSession, broadcast: Broadcast, at: datetime) -> int | None:
    """In the caller's transaction: expand the draft's recipients into pending outbox rows
    (one ``INSERT ... SELECT``) and make it ``sending``. The number of messages queued; None
    when it is not a draft any more (sent from another tab, say)."""
    claimed = await db.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast.id, Broadcast.state == DRAFT)
        .values(state=SENDING, started_at=at, updated_at=at)
        .execution_options(synchronize_session=False)
    )
    if not getattr(claimed, "rowcount", 0):
        return None
    segment = Segment.from_mapping(broadcast.segment or {})
    rows = select(
        literal(BROADCAST, String()),
        User.channel,
        User.external_id,
        User.id,
        _language(),
        literal({}, JsonType),
        literal(broadcast.id, Integer()),
        literal(PENDING, String()),
        literal(0, Integer()),
        literal(at, DateTime(timezone=True)),
        literal(at, DateTime(timezone=True)),
    ).where(*recipient_conditions(segment))
    columns = [
        "kind",
        "channel",
        "chat_id",
        "user_id",
        "language",
        "payload",
        "broadcast_id",
        "state",
        "attempts",
        "next_attempt_at",
        "created_at",
    ]
    result = await db.execute(insert(OutboxMessage).from_select(columns, rows.order_by(User.id)))
    total = int(getattr(result, "rowcount", 0) or 0)
    await db.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast.id)
        .values(
            total=total, finished_at=at if total == 0 else None, state=SENDING if total else DONE
        )
        .execution_options(synchronize_session=False)
    )
    await db.refresh(broadcast)
    return total


async def _flip(db: AsyncSession, broadcast_id: int, old: str, new: str, at: datetime) -> bool:
    result = await db.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.state == old)
        .values(state=new, updated_at=at)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def pause(db: AsyncSession, broadcast_id: int, at: datetime) -> bool:
    """Sending stops after the messages already claimed; False unless it was sending."""
    return await _flip(db, broadcast_id, SENDING, PAUSED, at)


async def resume(db: AsyncSession, broadcast_id: int, at: datetime) -> bool:
    return await _flip(db, broadcast_id, PAUSED, SENDING, at)


async def cancel(db: AsyncSession, broadcast_id: int, at: datetime) -> int | None:
    """Stop for good: the messages not sent yet are marked cancelled (how many); None unless
    it was sending or paused. A message a sender holds right now may still go."""
    result = await db.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.state.in_([SENDING, PAUSED]))
        .values(state=STOPPED, updated_at=at, finished_at=at)
        .execution_options(synchronize_session=False)
    )
    if not getattr(result, "rowcount", 0):
        return None
    rows = await db.execute(
        update(OutboxMessage)
        .where(OutboxMessage.broadcast_id == broadcast_id, OutboxMessage.state == PENDING)
        .values(state=CANCELLED, claimed_by=None, claimed_until=None)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(rows, "rowcount", 0) or 0)


async def settle(sessions: async_sessionmaker[AsyncSession], at: datetime) -> int:
    """Mark done every sending broadcast with no pending message left; how many."""
    pending = exists().where(
        OutboxMessage.broadcast_id == Broadcast.id, OutboxMessage.state == PENDING
    )
    async with sessions() as db, db.begin():
        result = await db.execute(
            update(Broadcast)
            .where(Broadcast.state == SENDING, ~pending)
            .values(state=DONE, finished_at=at, updated_at=at)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)


async def texts_of(sessions: async_sessionmaker[AsyncSession], broadcast_id: int) -> dict[str, str]:
    async with sessions() as db:
        texts = await db.scalar(select(Broadcast.texts).where(Broadcast.id == broadcast_id))
    return {str(k): str(v) for k, v in (texts or {}).items()}


# -- progress -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """A broadcast's messages by state: queued when sent, then sent, blocked (the chat
    blocked the bot), opted out (since it was queued), failed, cancelled, and remaining."""

    queued: int = 0
    sent: int = 0
    blocked: int = 0
    opted_out: int = 0
    failed: int = 0
    cancelled: int = 0
    remaining: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "queued": self.queued,
            "sent": self.sent,
            "blocked": self.blocked,
            "opted_out": self.opted_out,
            "failed": self.failed,
            "cancelled": self.cancelled,
            "remaining": self.remaining,
        }


def _progress(by_state: Mapping[str, int]) -> Progress:
    return Progress(
        queued=sum(by_state.values()),
        sent=by_state.get(SENT, 0),
        blocked=by_state.get(BLOCKED, 0),
        opted_out=by_state.get(OPTED_OUT, 0),
        failed=by_state.get(FAILED, 0),
        cancelled=by_state.get(CANCELLED, 0),
        remaining=by_state.get(PENDING, 0),
    )


async def progress(db: AsyncSession, broadcast_ids: Collection[int]) -> dict[int, Progress]:
    """Each broadcast's counts (from the outbox index on broadcast and state)."""
    if not broadcast_ids:
        return {}
    rows = await db.execute(
        select(OutboxMessage.broadcast_id, OutboxMessage.state, func.count())
        .where(OutboxMessage.broadcast_id.in_(list(broadcast_ids)))
        .group_by(OutboxMessage.broadcast_id, OutboxMessage.state)
    )
    by_broadcast: dict[int, dict[str, int]] = {int(i): {} for i in broadcast_ids}
    for broadcast_id, state, count in rows.all():
        if broadcast_id is not None:
            by_broadcast[int(broadcast_id)][str(state)] = int(count)
    return {key: _progress(value) for key, value in by_broadcast.items()}


def recipients(segment: Segment) -> Select[int, str, str]:
    """The users a segment reaches (id, chat, language): for tests and tools."""
    return (
        select(User.id, User.external_id, _language().label("language"))
        .where(*recipient_conditions(segment))
        .order_by(User.id)
    )
