"""Shared fixtures: real databases (a SQLite file and a fresh PostgreSQL database), a fixed
clock, and the bot's services built on them."""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator, Iterator
from datetime import date
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import Services, build_services
from bot.storage.db import create_engine
from bot.storage.migrate import upgrade
from tests.fake_bot_api import FakeBotApi

TODAY = date(2026, 11, 25)
PG_ADMIN_URL = os.environ.get("SSW_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_dsn(database: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + database


async def _pg_available() -> str | None:
    try:
        connection = await asyncpg.connect(PG_ADMIN_URL, timeout=3)
    except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
        return f"{type(exc).__name__}: {exc}"
    await connection.close()
    return None


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A new, empty PostgreSQL database for this test run, dropped at the end.

    Skipped with a reason where no server answers, except in CI (CI=true), where it must run.
    """
    problem = asyncio.run(_pg_available())
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI but unreachable: {problem}")
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {problem}")
    name = f"ssw_test_{secrets.token_hex(6)}"

    async def admin(sql: str) -> None:
        connection = await asyncpg.connect(PG_ADMIN_URL)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    url = _pg_dsn(name)
    upgrade(url)
    try:
        yield url
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test using this runs twice: on a migrated SQLite file and on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'ssw_test.db'}"
        upgrade(url)
        return url
    url: str = request.getfixturevalue("postgres_url")
    _truncate(url)
    return url


def _truncate(url: str) -> None:
    async def run() -> None:
        connection = await asyncpg.connect(url)
        try:
            await connection.execute(
                "TRUNCATE outbox, funnel_events, leads, conversations, users, lead_events, "
                "audit_log, staff_sessions, staff_sign_in_throttle, staff_accounts, "
                "duplicate_decisions, scheduled_jobs "
                "RESTART IDENTITY CASCADE"
            )
        finally:
            await connection.close()

    asyncio.run(run())


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'ssw_test.db'}"
    upgrade(url)
    return url


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[AsyncEngine]:
    """A SQLAlchemy engine on this test's database (each test runs on SQLite, then PostgreSQL)."""
    engine = create_engine(database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
async def services(database_url: str) -> AsyncIterator[Services]:
    built = build_services(database_url, today=lambda: TODAY)
    try:
        yield built
    finally:
        await built.close()


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    """Our fake Telegram Bot API server on a free local port."""
    async with FakeBotApi() as fake:
        yield fake
