"""The job runner: periodic background jobs, each run by one instance at a time.

Every ``poll_seconds`` the runner tries to claim each of its jobs (``bot.storage.jobs``: a
lease on the job's row, ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL); the instance
that gets it runs it, then sets when it is next due (``every`` later, or the time the job
asks for). A job whose instance died mid-run is taken over by another once its lease runs
out. A job working through many batches keeps its lease with ``keep()`` between them and
stops if it lost it. A failed run is logged (no personal data) and tried again after
``every``. Started and stopped with the Telegram application (``start``/``stop``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.logsafe import describe
from bot.metrics import ERRORS, JOB_RUNS
from bot.storage import jobs as store
from bot.storage.models import utcnow

log = logging.getLogger(__name__)

Keep = Callable[[], Awaitable[bool]]  # extend the lease; False: lost, stop now
# a job's work: given the time and ``keep``, do it; the time it is next due (None: ``every``)
Work = Callable[[datetime, Keep], Awaitable[datetime | None]]


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    work: Work


class JobRunner:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        jobs: Sequence[Job],
        worker: str,
        lease: timedelta = timedelta(minutes=5),
        poll_seconds: float = 30.0,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions = sessions
        self.jobs = list(jobs)
        self.worker = worker
        self.lease = lease
        self.poll_seconds = poll_seconds
        self.now = now
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def run_once(self) -> list[str]:
        """Claim and run every job that is due; the names of those this instance ran."""
        ran: list[str] = []
        for job in self.jobs:
            if self._stop.is_set():
                break
            if await self.run_job(job):
                ran.append(job.name)
        return ran

    async def run_job(self, job: Job) -> bool:
        """Run ``job`` if this instance can claim it; True if it ran (well or not)."""
        started = self.now()
        if not await store.claim(self.sessions, job.name, self.worker, started, self.lease):
            return False

        async def keep() -> bool:
            held = await store.extend(self.sessions, job.name, self.worker, self.now(), self.lease)
            return held and not self._stop.is_set()

        try:
            asked = await job.work(started, keep)
        except Exception as exc:
            ERRORS.labels(where="job").inc()
            JOB_RUNS.labels(job=job.name, result="error").inc()
            log.error("job %s failed: %s", job.name, describe(exc))
            await store.release(self.sessions, job.name, self.worker, self.now() + job.every)
            return True
        next_run = asked if asked is not None else started + job.every
        if await store.finish(self.sessions, job.name, self.worker, started, next_run):
            JOB_RUNS.labels(job=job.name, result="ok").inc()
            log.info("job %s ran; next at %s", job.name, next_run.isoformat(timespec="minutes"))
        else:
            JOB_RUNS.labels(job=job.name, result="skipped").inc()
            log.warning("job %s: its lease ran out while running", job.name)
        return True

    async def run(self) -> None:
        """Run due jobs until ``stop``; errors are logged and the loop goes on."""
        while not self._stop.is_set():
            try:
                await self.run_once()
            except Exception as exc:
                ERRORS.labels(where="job").inc()
                log.error("job round failed: %s", describe(exc))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.poll_seconds)

    def start(self) -> None:
        self._stop.clear()
        self._task = asyncio.create_task(self.run(), name="job-runner")

    async def stop(self, grace: float = 5.0) -> None:
        """Let a running job finish its batch (``grace`` seconds at most, then cancel it: its
        lease runs out and another instance takes it over)."""
        self._stop.set()
        if self._task is not None:
            task, self._task = self._task, None
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(task, grace)
