"""What operations ask of the database: is it there, is its schema current, how deep is the
outbox, and whether an error means the database could not be reached at all.

``unreachable(exc)`` tells an outage (connection refused or dropped, a timeout, a locked or
unopenable SQLite file) from a fault of ours (a bug, a broken constraint): the first gets
"try again in a moment" and a redelivery, the second a plain "sorry".
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from functools import cache

import asyncpg
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import exc as sa_exc
from sqlalchemy import func, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.storage.migrate import alembic_config
from bot.storage.models import OutboxMessage

# SQLite's own words for a file it cannot use right now (never values of ours).
SQLITE_OUTAGE = ("database is locked", "unable to open", "disk i/o error", "readonly database")


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        if isinstance(current, sa_exc.DBAPIError) and isinstance(current.orig, BaseException):
            yield current.orig
        current = current.__cause__ or current.__context__


def unreachable(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) says the database could not be reached or used."""
    for error in _chain(exc):
        if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
            return True
        if isinstance(error, (OSError, TimeoutError, asyncio.TimeoutError, sa_exc.TimeoutError)):
            return True
        if isinstance(
            error,
            (
                asyncpg.PostgresConnectionError,
                asyncpg.CannotConnectNowError,
                asyncpg.TooManyConnectionsError,
                asyncpg.ConnectionDoesNotExistError,
                asyncpg.InterfaceError,
            ),
        ):
            return True
        if isinstance(error, sqlite3.OperationalError) and any(
            words in str(error).lower() for words in SQLITE_OUTAGE
        ):
            return True
    return False


@cache
def head_revisions() -> frozenset[str]:
    """The migration scripts' head revision(s)."""
    return frozenset(ScriptDirectory.from_config(alembic_config("")).get_heads())


def _current_revisions(connection: Connection) -> frozenset[str]:
    return frozenset(MigrationContext.configure(connection).get_current_heads())


async def readiness(database: AsyncEngine, within: float = 5.0) -> str | None:
    """None when the database answers and its migrations are at head; otherwise a short
    reason (no personal data: error types and revision ids only)."""

    async def check() -> str | None:
        async with database.connect() as connection:
            await connection.execute(text("SELECT 1"))
            current = await connection.run_sync(_current_revisions)
        heads = head_revisions()
        if current != heads:
            have = ",".join(sorted(current)) or "none"
            return f"migrations not at head: database at {have}, code at {','.join(sorted(heads))}"
        return None

    try:
        async with asyncio.timeout(within):
            return await check()
    except TimeoutError:
        return f"database did not answer within {within:g} s"
    except Exception as exc:
        return f"database unreachable: {type(exc).__name__}"


async def pending_by_kind(sessions: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    """Outbox messages waiting to be sent, by kind."""
    async with sessions() as db:
        rows = await db.execute(
            select(OutboxMessage.kind, func.count())
            .where(OutboxMessage.state == "pending")
            .group_by(OutboxMessage.kind)
        )
        return {kind: count for kind, count in rows.all()}
