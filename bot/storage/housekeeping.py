"""The background jobs' SQL: reminders to finish a registration, and the retention purge of
unfinished conversations and old outbox rows. Each call is one batch in one short
transaction, so no job ever reads every conversation into memory.

Rows are taken with ``FOR UPDATE OF users SKIP LOCKED`` on PostgreSQL: the user's row is the
lock the conversation service holds while handling an update (``Repository.user``), so a job
never waits for, nor deadlocks with, a worker who is writing right now; it skips them this
time. SQLite has one writer at a time, so a plain transaction does.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import delete, exists, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.db import is_postgres
from bot.storage.models import Conversation, Lead, OutboxMessage, User
from bot.storage.outbox import BLOCKED, FAILED, NEW_LEADS, PENDING, SENT

Key = tuple[datetime, int]  # where a batch ended: (updated_at, user_id) of its last row
REMINDER = "reminder"  # the outbox kind of a reminder to finish a registration
PURGED_KINDS = (REMINDER, NEW_LEADS)  # outbox rows nothing else reads once they are done


def _no_lead() -> object:
    return ~exists().where(Lead.user_id == Conversation.user_id)


def _after(key: Key | None) -> list[object]:
    """Rows after ``key`` in (updated_at, user_id) order: each batch goes on from the last,
    so the rows a batch left out (opted out, registered...) are not read again and again.
    The plain ``updated_at >=`` lets both databases start the index range there."""
    if key is None:
        return []
    at, user_id = key
    return [
        Conversation.updated_at >= at,
        or_(Conversation.updated_at > at, Conversation.user_id > user_id),
    ]


async def queue_reminders(
    sessions: async_sessionmaker[AsyncSession],
    flows: Collection[str],
    channels: Collection[str],
    idle_since: datetime,
    now: datetime,
    batch: int,
    after: Key | None = None,
) -> tuple[int, Key | None]:
    """Queue one reminder (outbox, due ``now``) for up to ``batch`` users whose conversation
    is in one of ``flows``, untouched since before ``idle_since``, never reminded of it, who
    have no lead, did not opt out and have not blocked the bot; mark them reminded. How many
    were queued (fewer than ``batch``: none are left), and the key to go on ``after``."""
    async with sessions() as db, db.begin():
        query = (
            select(Conversation.user_id, Conversation.flow, User.external_id, User.channel)
            .add_columns(User.language, Conversation.updated_at)
            .join(User, User.id == Conversation.user_id)
            .where(
                Conversation.flow.in_(list(flows)),
                Conversation.updated_at < idle_since,
                Conversation.reminded_at.is_(None),
                User.channel.in_(list(channels)),
                User.opted_out_at.is_(None),
                User.blocked_at.is_(None),
                _no_lead(),  # type: ignore[arg-type]
                *_after(after),  # type: ignore[arg-type]
            )
            .order_by(Conversation.updated_at, Conversation.user_id)
            .limit(batch)
        )
        if is_postgres(db):
            query = query.with_for_update(skip_locked=True, of=User)
        rows = (await db.execute(query)).all()
        if not rows:
            return 0, after
        await db.execute(
            insert(OutboxMessage),
            [
                {
                    "kind": REMINDER,
                    "channel": row.channel,
                    "chat_id": row.external_id,
                    "user_id": row.user_id,
                    "language": row.language or "en",
                    "payload": {"flow": row.flow},
                    "state": PENDING,
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                }
                for row in rows
            ],
        )
        await db.execute(
            update(Conversation)
            .where(Conversation.user_id.in_([row.user_id for row in rows]))
            # the last activity stays the worker's: a reminder is not one
            .values(reminded_at=now, updated_at=Conversation.updated_at)
            .execution_options(synchronize_session=False)
        )
        return len(rows), (rows[-1].updated_at, rows[-1].user_id)


async def flows_in_progress(sessions: async_sessionmaker[AsyncSession]) -> list[str]:
    """The flows some conversation is in (the purge goes through them one by one, each in
    the order of ix_conversations_flow_updated)."""
    async with sessions() as db:
        query = select(Conversation.flow).where(Conversation.flow.is_not(None)).distinct()
        return sorted(str(flow) for flow in (await db.scalars(query)).all())


async def purge_unfinished(
    sessions: async_sessionmaker[AsyncSession],
    flow: str,
    older_than: datetime,
    batch: int,
    after: Key | None = None,
) -> tuple[int, Key | None]:
    """Empty the state of up to ``batch`` conversations in ``flow``, untouched since before
    ``older_than``, of users without a lead: their answers (name, CNIC, mobile and the rest)
    are gone; the user row (language, channel id) and the anonymous funnel events stay. How
    many were purged, and the key to go on ``after``."""
    async with sessions() as db, db.begin():
        query = (
            select(Conversation.user_id, Conversation.updated_at)
            .join(User, User.id == Conversation.user_id)
            .where(
                Conversation.flow == flow,
                Conversation.updated_at < older_than,
                _no_lead(),  # type: ignore[arg-type]
                *_after(after),  # type: ignore[arg-type]
            )
            .order_by(Conversation.updated_at, Conversation.user_id)
            .limit(batch)
        )
        if is_postgres(db):
            query = query.with_for_update(skip_locked=True, of=User)
        rows = (await db.execute(query)).all()
        if not rows:
            return 0, after
        await db.execute(
            update(Conversation)
            .where(Conversation.user_id.in_([row.user_id for row in rows]))
            .values(state={}, flow=None, reminded_at=None, updated_at=Conversation.updated_at)
            .execution_options(synchronize_session=False)
        )
        return len(rows), (rows[-1].updated_at, rows[-1].user_id)


async def purge_outbox(
    sessions: async_sessionmaker[AsyncSession], older_than: datetime, batch: int
) -> int:
    """Delete up to ``batch`` finished reminders and staff-group announcements created
    before ``older_than`` (status notices stay: the lead's timeline shows how they went;
    broadcast messages stay: they are the broadcast's counts). How many were deleted."""
    async with sessions() as db, db.begin():
        old = (
            select(OutboxMessage.id)
            .where(
                OutboxMessage.kind.in_(PURGED_KINDS),
                OutboxMessage.state.in_([SENT, FAILED, BLOCKED]),
                OutboxMessage.created_at < older_than,
            )
            .order_by(OutboxMessage.id)
            .limit(batch)
        )
        ids = list((await db.scalars(old)).all())
        if not ids:
            return 0
        await db.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(ids)))
        return len(ids)


async def drop_pending_reminders(db: AsyncSession, user_id: int) -> None:
    """Drop the reminders queued for this user and not sent yet (they opted out), in the
    caller's transaction."""
    await db.execute(
        delete(OutboxMessage)
        .where(
            OutboxMessage.user_id == user_id,
            OutboxMessage.kind == REMINDER,
            OutboxMessage.state == PENDING,
        )
        .execution_options(synchronize_session=False)
    )
