"""The background jobs over many unfinished registrations: ``--users`` workers stopped
mid-registration (a state with personal answers, idle for two days or more; a tenth of them opted
out, a tenth registered), then the reminder job queues their reminders and, a month later,
the retention job purges their answers, each through the job runner in one run.

    .venv/bin/python bench/jobs_bench.py [--users 100000] [--database postgresql] [--batch 500]

Prints, for each job, the time, the rows handled a second and the process's peak resident
size before and after (flat in the number of users when the job works in batches); with
``--trace-memory`` also the peak of Python allocations during the run (tracemalloc, which slows
the run several times: its time is then not the job's). Everything is fake: the workers are
rows made up here.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg
from sqlalchemy import func, insert, select

from bench.databases import fresh_database
from bot.jobs.reminders import QuietHours, reminder_job
from bot.jobs.retention import retention_job
from bot.jobs.runner import Job, JobRunner
from bot.storage.db import create_engine, session_factory
from bot.storage.models import Conversation, Lead, OutboxMessage, User

CHUNK = 5000


def state(n: int) -> dict[str, object]:
    answers = {"full_name": f"Bench Worker {n}", "cnic": f"99{n:011d}", "mobile": "+923001234567"}
    return {"flow": "registration", "step": "birth_date", "answers": {"registration": answers}}


async def seed(url: str, users: int, idle_since: datetime) -> None:
    database = create_engine(url)
    try:
        for start in range(0, users, CHUNK):
            numbers = range(start, min(users, start + CHUNK))
            async with database.begin() as connection:
                ids = (
                    (
                        await connection.execute(
                            insert(User).returning(User.id),
                            [
                                {
                                    "channel": "telegram",
                                    "external_id": str(1_000_000 + n),
                                    "language": ("ur", "en", "ja")[n % 3],
                                    "created_at": idle_since,
                                    "last_seen_at": idle_since,
                                    "opted_out_at": idle_since if n % 10 == 1 else None,
                                }
                                for n in numbers
                            ],
                        )
                    )
                    .scalars()
                    .all()
                )
                await connection.execute(
                    insert(Conversation),
                    [
                        {
                            "user_id": i,
                            "state": state(n),
                            "flow": "registration",
                            "updated_at": idle_since - timedelta(seconds=n),  # a day's spread
                        }
                        for i, n in zip(ids, numbers, strict=True)
                    ],
                )
                leads = [
                    {
                        "reference": f"SSW-B{n:07d}",
                        "user_id": i,
                        "cnic": f"99{n:011d}",
                        "full_name": "Bench",
                        "mobile": "+923001234567",
                        "birth_date": date(1998, 1, 1),
                        "answers": {},
                        "language": "en",
                        "consent_at": idle_since,
                        "created_at": idle_since,
                        "updated_at": idle_since,
                    }
                    for i, n in zip(ids, numbers, strict=True)
                    if n % 10 == 2
                ]
                if leads:
                    await connection.execute(insert(Lead), leads)
    finally:
        await database.dispose()


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def timed(url: str, job: Job, at: datetime, count: Any, trace: bool) -> None:
    """Run ``job`` once through the runner; print its time, rows and memory."""
    database = create_engine(url)
    try:
        runner = JobRunner(session_factory(database), [job], "bench", now=lambda: at)
        if trace:
            tracemalloc.start()
        before = rss_mib()
        started = time.perf_counter()
        assert await runner.run_once() == [job.name]
        seconds = time.perf_counter() - started
        memory = f"peak resident size {before:.0f} → {rss_mib():.0f} MiB"
        if trace:
            memory += f", peak traced {tracemalloc.get_traced_memory()[1] / 2**20:.1f} MiB"
            tracemalloc.stop()
        async with database.connect() as connection:
            done = int((await connection.execute(count)).scalar_one())
        print(f"{job.name}: {done} rows in {seconds:.2f} s ({done / seconds:.0f}/s), {memory}")
    finally:
        await database.dispose()


async def run(url: str, args: argparse.Namespace) -> None:
    now = datetime.now(UTC)
    started = time.perf_counter()
    await seed(url, args.users, now - timedelta(days=2))
    print(f"seeded {args.users} unfinished registrations in {time.perf_counter() - started:.0f} s")
    if url.startswith("postgresql"):  # as autovacuum would have by now: the planner's figures
        connection = await asyncpg.connect(url)
        try:
            await connection.execute("ANALYZE")
        finally:
            await connection.close()
    sessions = session_factory(create_engine(url))
    reminders = reminder_job(
        sessions,
        ["registration"],
        ["telegram"],
        quiet=QuietHours(zone="UTC", start=datetime.min.time(), end=datetime.min.time()),
        batch=args.batch,
    )
    await timed(
        url, reminders, now, select(func.count()).select_from(OutboxMessage), args.trace_memory
    )
    purge = retention_job(sessions, batch=args.batch)
    later = now + timedelta(days=31)
    await timed(
        url,
        purge,
        later,
        select(func.count()).where(Conversation.flow.is_(None)),
        args.trace_memory,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument(
        "--trace-memory", action="store_true", help="also trace Python allocations (slow)"
    )
    args = parser.parse_args()
    with fresh_database(args.database, "jobs") as url:
        asyncio.run(run(url, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
