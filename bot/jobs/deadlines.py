"""The openings' deadline job: every open job opening whose deadline has passed (the deadline
day itself is still open, in OEC's time zone) is closed, one opening per transaction, and the
workers who said they were interested are told (``bot.storage.openings.close`` queues the
notices). Each closing is in the audit log, as done by this job.

One instance runs it at a time (``bot.jobs.runner``: a lease on the job's row, claimed with
``SELECT ... FOR UPDATE SKIP LOCKED``); the opening is locked too, so an officer closing it
by hand at the same moment closes it once."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.jobs.runner import Job, Keep
from bot.metrics import JOB_ROWS
from bot.oec_time import OEC_TIMEZONE, oec_today
from bot.storage import opening_state, openings
from bot.storage import staff as staff_store

log = logging.getLogger(__name__)
NAME = "opening_deadlines"
ACTOR = "job:opening_deadlines"  # who closed it, in the audit log


def deadline_job(
    sessions: async_sessionmaker[AsyncSession],
    timezone: str = OEC_TIMEZONE,
    every: timedelta = timedelta(minutes=15),
) -> Job:
    """The job closing the openings past their deadline on OEC's date in ``timezone``."""

    async def work(now: datetime, keep: Keep) -> datetime | None:
        today = oec_today(now, timezone)
        async with sessions() as db:
            due = [opening.id for opening in await openings.due_to_close(db, today)]
        closed = 0
        for opening_id in due:
            async with sessions() as db, db.begin():
                opening = await openings.get(db, opening_id, for_update=True)
                if opening is None or not opening_state.is_past_deadline(
                    opening.state, opening.deadline, today
                ):
                    continue  # closed by hand meanwhile, or its deadline moved
                notices = await openings.close(db, opening, "closed", now)
                await staff_store.audit(
                    db,
                    "opening.close",
                    now,
                    actor=ACTOR,
                    target=f"opening {opening_id}",
                    detail={"opening": opening_id, "state": "closed", "notices": notices},
                )
            closed += 1
            JOB_ROWS.labels(job=NAME, what="closed_opening").inc()
            if not await keep():
                break
        if closed:
            log.info("opening deadlines: closed %d", closed)
        return None

    return Job(NAME, every, work)
