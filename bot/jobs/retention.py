"""The retention job: unfinished conversations older than the retention period lose their
answers, and finished reminders and staff-group announcements older than the outbox's
retention are deleted, in batches (``bot.storage.housekeeping``). The README's privacy
section says what is kept."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.jobs.runner import Job, Keep
from bot.metrics import JOB_ROWS
from bot.storage import housekeeping

log = logging.getLogger(__name__)
NAME = "retention"


async def _in_batches(
    purge: Callable[[], Awaitable[int]], batch: int, keep: Keep, what: str
) -> bool:
    """Purge batch after batch until one is not full; False if the lease was lost."""
    total = 0
    while True:
        done = await purge()
        total += done
        JOB_ROWS.labels(job=NAME, what=what).inc(done)
        if done < batch:
            break
        if not await keep():
            return False
    if total:
        log.info("retention: %s %d", what, total)
    return True


def retention_job(
    sessions: async_sessionmaker[AsyncSession],
    keep_unfinished: timedelta = timedelta(days=30),
    keep_outbox: timedelta = timedelta(days=90),
    every: timedelta = timedelta(hours=1),
    batch: int = 500,
) -> Job:
    async def work(now: datetime, keep: Keep) -> datetime | None:
        for flow in await housekeeping.flows_in_progress(sessions):
            key: housekeeping.Key | None = None

            async def conversations(flow: str = flow) -> int:
                nonlocal key
                done, key = await housekeeping.purge_unfinished(
                    sessions, flow, now - keep_unfinished, batch, key
                )
                return done

            if not await _in_batches(conversations, batch, keep, "purged_conversation"):
                return None

        def messages() -> Awaitable[int]:
            return housekeeping.purge_outbox(sessions, now - keep_outbox, batch)

        await _in_batches(messages, batch, keep, "purged_outbox")
        return None

    return Job(NAME, every, work)
