"""Background jobs that run while the bot runs, one instance at a time each (``runner``):
reminders to finish a registration (``reminders``), the retention purge (``retention``) and
closing job openings at their deadline (``deadlines``).
``build_runner`` makes the runner from the settings."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.jobs.deadlines import deadline_job
from bot.jobs.reminders import QuietHours, reminder_job
from bot.jobs.retention import retention_job
from bot.jobs.runner import Job, JobRunner
from bot.storage.models import utcnow


def quiet_hours(settings: Settings) -> QuietHours:
    """``reminder_quiet_hours`` ("21:00-09:00") in OEC's time zone (``timezone``)."""
    start, _, end = settings.reminder_quiet_hours.partition("-")
    return QuietHours(
        time.fromisoformat(start.strip()),
        time.fromisoformat(end.strip()),
        settings.timezone,
    )


def build_runner(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    reminder_flows: Collection[str],
    channels: Collection[str],
    worker: str,
    now: Callable[[], datetime] = utcnow,
) -> JobRunner:
    """The runner with the jobs the settings turn on."""
    jobs: list[Job] = []
    if settings.reminder_after_hours > 0 and reminder_flows:
        jobs.append(
            reminder_job(
                sessions,
                reminder_flows,
                channels,
                after=timedelta(hours=settings.reminder_after_hours),
                quiet=quiet_hours(settings),
            )
        )
    if settings.retention_days > 0:
        jobs.append(
            retention_job(
                sessions,
                keep_unfinished=timedelta(days=settings.retention_days),
                keep_outbox=timedelta(days=max(1, settings.outbox_retention_days)),
            )
        )
    jobs.append(deadline_job(sessions, timezone=settings.timezone))
    return JobRunner(sessions, jobs, worker, poll_seconds=settings.jobs_poll_seconds, now=now)
