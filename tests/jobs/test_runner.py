"""The job runner: two instances on one PostgreSQL database run each due job once; a job
whose instance died mid-run is taken over when its lease runs out; a failing job is logged
and tried again later; a job that lost its lease stops between batches. On SQLite too,
where the instances share the one database file."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.jobs.runner import Job, JobRunner, Keep
from bot.storage import jobs as store
from bot.storage.db import create_engine, session_factory

T0 = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)


class Clock:
    def __init__(self, at: datetime = T0) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
async def engines(database_url: str) -> AsyncIterator[tuple[AsyncEngine, AsyncEngine]]:
    """Two engines on the test's database, as two bot processes would have."""
    first, second = create_engine(database_url), create_engine(database_url)
    try:
        yield first, second
    finally:
        await first.dispose()
        await second.dispose()


def runner(engine: AsyncEngine, job: Job, worker: str, clock: Clock) -> JobRunner:
    return JobRunner(session_factory(engine), [job], worker, lease=LEASE, now=clock)


async def test_two_instances_run_a_due_job_once(
    engines: tuple[AsyncEngine, AsyncEngine],
) -> None:
    ran: list[str] = []

    def job(worker: str) -> Job:
        async def work(_now: datetime, _keep: Keep) -> datetime | None:
            ran.append(worker)
            await asyncio.sleep(0.05)  # both instances are inside their round at once
            return None

        return Job("reminders", timedelta(minutes=10), work)

    clock = Clock()
    a = runner(engines[0], job("a"), "a", clock)
    b = runner(engines[1], job("b"), "b", clock)
    for minute in (0, 5, 10, 15, 20):
        clock.at = T0 + timedelta(minutes=minute)
        await asyncio.gather(a.run_once(), b.run_once())
    assert len(ran) == 3  # at 0, 10 and 20 minutes: once each, by one of them
    row = await store.get(session_factory(engines[0]), "reminders")
    assert row is not None and row.next_run_at == T0 + timedelta(minutes=30)


async def test_a_dead_instances_job_is_taken_over_after_its_lease(
    engines: tuple[AsyncEngine, AsyncEngine],
) -> None:
    started = asyncio.Event()
    finished: list[str] = []

    async def hangs(_now: datetime, _keep: Keep) -> datetime | None:
        started.set()
        await asyncio.sleep(3600)
        return None

    async def works(_now: datetime, _keep: Keep) -> datetime | None:
        finished.append("b")
        return None

    clock = Clock()
    a = runner(engines[0], Job("retention", timedelta(hours=1), hangs), "a", clock)
    b = runner(engines[1], Job("retention", timedelta(hours=1), works), "b", clock)
    dying = asyncio.create_task(a.run_once())
    await started.wait()
    dying.cancel()  # the instance dies mid-run: its lease stays on the row
    with pytest.raises(asyncio.CancelledError):
        await dying
    clock.at = T0 + LEASE - timedelta(seconds=1)
    assert await b.run_once() == [] and finished == []
    clock.at = T0 + LEASE + timedelta(seconds=1)
    assert await b.run_once() == ["retention"] and finished == ["b"]
    row = await store.get(session_factory(engines[1]), "retention")
    assert row is not None and row.claimed_by is None
    assert row.next_run_at == clock.at + timedelta(hours=1)


async def test_a_failing_job_is_logged_and_tried_again_later(
    engines: tuple[AsyncEngine, AsyncEngine], caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[datetime] = []

    async def fails(now: datetime, _keep: Keep) -> datetime | None:
        calls.append(now)
        raise RuntimeError("CNIC 4210148172635 in a message")

    clock = Clock()
    a = runner(engines[0], Job("reminders", timedelta(minutes=10), fails), "a", clock)
    assert await a.run_once() == ["reminders"]
    assert "reminders failed: RuntimeError" in caplog.text
    assert "4210148172635" not in caplog.text  # the error's type and place, never its text
    clock.at = T0 + timedelta(minutes=9)
    assert await a.run_once() == []
    clock.at = T0 + timedelta(minutes=10)
    assert await a.run_once() == ["reminders"] and len(calls) == 2


async def test_a_job_that_lost_its_lease_stops_between_batches(
    engines: tuple[AsyncEngine, AsyncEngine],
) -> None:
    clock = Clock()
    batches: list[int] = []
    sessions = session_factory(engines[1])

    async def many_batches(_now: datetime, keep: Keep) -> datetime | None:
        for batch in range(10):
            batches.append(batch)
            if batch == 2:  # meanwhile the lease ran out and another instance took the job
                clock.at = T0 + LEASE + timedelta(seconds=1)
                assert await store.claim(sessions, "retention", "b", clock.at, LEASE)
            if not await keep():
                return None
        return None

    a = runner(engines[0], Job("retention", timedelta(hours=1), many_batches), "a", clock)
    assert await a.run_once() == ["retention"]
    assert batches == [0, 1, 2]
    row = await store.get(sessions, "retention")
    assert row is not None and row.claimed_by == "b"  # a's finish did not overwrite b's lease


async def test_a_job_may_ask_for_its_next_run(engines: tuple[AsyncEngine, AsyncEngine]) -> None:
    morning = T0 + timedelta(hours=3)

    async def wait_for_morning(_now: datetime, _keep: Keep) -> datetime | None:
        return morning

    clock = Clock()
    a = runner(engines[0], Job("reminders", timedelta(minutes=10), wait_for_morning), "a", clock)
    assert await a.run_once() == ["reminders"]
    clock.at = T0 + timedelta(hours=2)
    assert await a.run_once() == []
    clock.at = morning
    assert await a.run_once() == ["reminders"]
