"""The retention job: unfinished conversations older than the retention period lose their
answers, and finished reminders and staff-group announcements older than the outbox's
retention are deleted, in batches (``bot.storage.housekeeping``). The README's privacy
section says what is kept."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.jobs.runner import Job, Keep
from bot.storage import housekeeping

NAME = "retention"


def retention_job(
    sessions: async_sessionmaker[AsyncSession],
    keep_unfinished: timedelta = timedelta(days=30),
    keep_outbox: timedelta = timedelta(days=90),
    every: timedelta = timedelta(hours=1),
    batch: int = 500,
) -> Job:
    async def work(now: datetime, keep: Keep) -> datetime | None:
        while await housekeeping.purge_unfinished(sessions, now - keep_unfinished, batch) == batch:
            if not await keep():
                return None
        while await housekeeping.purge_outbox(sessions, now - keep_outbox, batch) == batch:
            if not await keep():
                return None
        return None

    return Job(NAME, every, work)
