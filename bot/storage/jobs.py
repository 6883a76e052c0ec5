"""Leases on periodic background jobs (``scheduled_jobs``): which instance runs a job, and when
it is next due.

An instance claims a job that is due and not held (or whose holder's lease ran out: it died)
in a short transaction: ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two instances
claiming at once never both get it (the second skips the locked row and sees nothing due);
SQLite takes one writer at a time (BEGIN IMMEDIATE), so a plain transaction does. Finishing
checks the caller still holds the lease, records the run and sets the next one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.db import is_postgres
from bot.storage.models import ScheduledJob
from bot.storage.outbox import as_utc


async def claim(
    sessions: async_sessionmaker[AsyncSession],
    name: str,
    worker: str,
    now: datetime,
    lease: timedelta,
) -> bool:
    """Take the job ``name`` for ``worker`` until ``now + lease`` if it is due (never run, or
    ``next_run_at`` passed) and nobody else holds a live lease; True if taken."""
    async with sessions() as db, db.begin():
        insert = pg_insert if is_postgres(db) else sqlite_insert
        await db.execute(  # the job's row, the first time any instance sees it
            insert(ScheduledJob).values(name=name).on_conflict_do_nothing(index_elements=["name"])
        )
        due = select(ScheduledJob.name).where(
            ScheduledJob.name == name,
            or_(ScheduledJob.next_run_at.is_(None), ScheduledJob.next_run_at <= now),
            or_(ScheduledJob.claimed_until.is_(None), ScheduledJob.claimed_until < now),
        )
        if is_postgres(db):
            due = due.with_for_update(skip_locked=True)
        if await db.scalar(due) is None:
            return False
        await db.execute(
            update(ScheduledJob)
            .where(ScheduledJob.name == name)
            .values(claimed_by=worker, claimed_until=now + lease)
        )
        return True


async def extend(
    sessions: async_sessionmaker[AsyncSession],
    name: str,
    worker: str,
    now: datetime,
    lease: timedelta,
) -> bool:
    """Keep holding the job while it runs long (between batches); False if it was lost."""
    async with sessions() as db, db.begin():
        result = await db.execute(
            update(ScheduledJob)
            .where(ScheduledJob.name == name, ScheduledJob.claimed_by == worker)
            .values(claimed_until=now + lease)
        )
        return bool(getattr(result, "rowcount", 0))


async def finish(
    sessions: async_sessionmaker[AsyncSession],
    name: str,
    worker: str,
    ran_at: datetime,
    next_run_at: datetime,
) -> bool:
    """Release the job, noting this run and the next; False if ``worker`` no longer held it
    (its lease ran out and another took it: that one's times stand)."""
    async with sessions() as db, db.begin():
        result = await db.execute(
            update(ScheduledJob)
            .where(ScheduledJob.name == name, ScheduledJob.claimed_by == worker)
            .values(
                claimed_by=None, claimed_until=None, last_run_at=ran_at, next_run_at=next_run_at
            )
        )
        return bool(getattr(result, "rowcount", 0))


async def release(
    sessions: async_sessionmaker[AsyncSession], name: str, worker: str, retry_at: datetime
) -> None:
    """Give the job back after a failed run, due again at ``retry_at``."""
    async with sessions() as db, db.begin():
        await db.execute(
            update(ScheduledJob)
            .where(ScheduledJob.name == name, ScheduledJob.claimed_by == worker)
            .values(claimed_by=None, claimed_until=None, next_run_at=retry_at)
        )


async def get(sessions: async_sessionmaker[AsyncSession], name: str) -> ScheduledJob | None:
    """The job's row (for tests and operators)."""
    async with sessions() as db:
        job = await db.get(ScheduledJob, name)
        if job is not None:
            for column in ("claimed_until", "last_run_at", "next_run_at"):
                value = getattr(job, column)
                if value is not None:
                    setattr(job, column, as_utc(value))
        return job
