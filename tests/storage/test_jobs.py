"""Leases on background jobs, on SQLite and PostgreSQL: one holder at a time, taken over
when the lease runs out, due again when its next run comes; on PostgreSQL a row held by
another transaction is skipped at once (SKIP LOCKED), not waited for."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage import jobs
from bot.storage.db import create_engine, session_factory
from bot.storage.models import ScheduledJob

T0 = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)


async def test_one_holder_until_the_lease_runs_out(database: AsyncEngine) -> None:
    sessions = session_factory(database)
    assert await jobs.claim(sessions, "reminders", "a", T0, LEASE)
    assert not await jobs.claim(sessions, "reminders", "b", T0 + timedelta(minutes=1), LEASE)
    assert await jobs.extend(sessions, "reminders", "a", T0 + timedelta(minutes=4), LEASE)
    # a's lease now lasts until 9 minutes: b still waits at 8
    assert not await jobs.claim(sessions, "reminders", "b", T0 + timedelta(minutes=8), LEASE)
    # a died: after its lease b takes the job over, and a can no longer finish it
    assert await jobs.claim(sessions, "reminders", "b", T0 + timedelta(minutes=10), LEASE)
    assert not await jobs.finish(sessions, "reminders", "a", T0, T0 + timedelta(hours=1))
    assert not await jobs.extend(sessions, "reminders", "a", T0, LEASE)
    row = await jobs.get(sessions, "reminders")
    assert row is not None and row.claimed_by == "b"


async def test_finishing_sets_the_next_run(database: AsyncEngine) -> None:
    sessions = session_factory(database)
    assert await jobs.claim(sessions, "retention", "a", T0, LEASE)
    assert await jobs.finish(sessions, "retention", "a", T0, T0 + timedelta(hours=1))
    row = await jobs.get(sessions, "retention")
    assert row is not None
    assert (row.claimed_by, row.claimed_until) == (None, None)
    assert (row.last_run_at, row.next_run_at) == (T0, T0 + timedelta(hours=1))
    for worker in ("a", "b"):  # not due before its time, whoever asks
        assert not await jobs.claim(
            sessions, "retention", worker, T0 + timedelta(minutes=59), LEASE
        )
    assert await jobs.claim(sessions, "retention", "b", T0 + timedelta(hours=1), LEASE)
    await jobs.release(sessions, "retention", "b", T0 + timedelta(hours=2))  # a failed run
    row = await jobs.get(sessions, "retention")
    assert row is not None and row.claimed_by is None and row.next_run_at == T0 + timedelta(hours=2)
    assert not await jobs.claim(
        sessions, "retention", "a", T0 + timedelta(hours=1, minutes=1), LEASE
    )


async def test_jobs_are_held_apart(database: AsyncEngine) -> None:
    sessions = session_factory(database)
    assert await jobs.claim(sessions, "reminders", "a", T0, LEASE)
    assert await jobs.claim(sessions, "retention", "b", T0, LEASE)


@pytest.fixture
def pg_url(database_url: str) -> str:
    if not database_url.startswith("postgresql"):
        pytest.skip("SKIP LOCKED is PostgreSQL's")
    return database_url


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_two_instances_claiming_at_once_get_it_once(pg_url: str) -> None:
    """Two engines (as two processes would have), claiming the same job 20 times at once."""
    first, second = create_engine(pg_url), create_engine(pg_url)
    try:
        for round_ in range(20):
            name = f"job{round_}"
            won = await asyncio.gather(
                jobs.claim(session_factory(first), name, "a", T0, LEASE),
                jobs.claim(session_factory(second), name, "b", T0, LEASE),
            )
            assert sorted(won) == [False, True], (round_, won)
    finally:
        await first.dispose()
        await second.dispose()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_a_row_locked_elsewhere_is_skipped_without_waiting(pg_url: str) -> None:
    holder, claimer = create_engine(pg_url), create_engine(pg_url)
    try:
        sessions = session_factory(claimer)
        assert await jobs.claim(sessions, "reminders", "a", T0, LEASE)
        assert await jobs.finish(sessions, "reminders", "a", T0, T0)  # due again at once
        async with holder.connect() as connection, connection.begin():
            await connection.execute(
                select(ScheduledJob.name).where(ScheduledJob.name == "reminders").with_for_update()
            )
            await connection.execute(text("SET LOCAL lock_timeout = '20s'"))
            claimed = await asyncio.wait_for(
                jobs.claim(sessions, "reminders", "b", T0, LEASE), timeout=5
            )
            assert claimed is False  # skipped at once, though it is due
        assert await jobs.claim(sessions, "reminders", "b", T0, LEASE)  # free again
    finally:
        await holder.dispose()
        await claimer.dispose()
