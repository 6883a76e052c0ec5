"""The reminder job: a worker who stopped mid-registration gets one reminder to finish it,
never at night in Pakistan.

Every run queues reminders (outbox rows of kind ``reminder``, sent and rendered in the
worker's language by the outbox sender, with a button that continues where they stopped) for
the conversations idle for ``after``, in batches (``bot.storage.housekeeping``). During the
quiet hours (21:00 to 09:00 in OEC's time zone, TIMEZONE) it queues nothing and is next due when
they end: a reminder due at night is queued in the morning.

Once per registration attempt: ``conversations.reminded_at`` is set when the reminder is
queued and cleared only when the flow ends (finished, cancelled or purged), so a worker who
comes back and stops again is not reminded twice; one who cancels and starts afresh later
may be reminded of the new attempt.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.jobs.runner import Job, Keep
from bot.metrics import JOB_ROWS
from bot.oec_time import OEC_TIMEZONE
from bot.oec_time import zone as oec_zone
from bot.storage import housekeeping

log = logging.getLogger(__name__)
NAME = "reminders"


@dataclass(frozen=True)
class QuietHours:
    """Local hours when no reminder is queued; ``start`` after ``end`` spans midnight."""

    start: time = time(21)
    end: time = time(9)
    zone: str = OEC_TIMEZONE

    def until(self, now: datetime) -> datetime | None:
        """When the quiet hours ``now`` falls in end (UTC); None when it is not in them."""
        zone = oec_zone(self.zone)
        local = now.astimezone(zone)
        at = local.time().replace(tzinfo=None)
        if self.start == self.end:
            return None
        if self.start < self.end:
            quiet = self.start <= at < self.end
        else:
            quiet = at >= self.start or at < self.end
        if not quiet:
            return None
        day = local.date() if at < self.end else local.date() + timedelta(days=1)
        return datetime.combine(day, self.end, zone).astimezone(UTC)


def reminder_job(
    sessions: async_sessionmaker[AsyncSession],
    flows: Collection[str],
    channels: Collection[str],
    after: timedelta = timedelta(hours=24),
    quiet: QuietHours | None = None,
    every: timedelta = timedelta(minutes=10),
    batch: int = 500,
) -> Job:
    """The job queueing reminders for conversations in ``flows`` on ``channels``."""
    quiet_hours = quiet or QuietHours()

    async def work(now: datetime, keep: Keep) -> datetime | None:
        morning = quiet_hours.until(now)
        if morning is not None:
            return morning
        total = 0
        key: housekeeping.Key | None = None
        while True:
            queued, key = await housekeeping.queue_reminders(
                sessions, flows, channels, now - after, now, batch, key
            )
            total += queued
            JOB_ROWS.labels(job=NAME, what="reminded").inc(queued)
            if queued < batch or not await keep():
                break
        if total:
            log.info("reminders queued: %d", total)
        return None

    return Job(NAME, every, work)
