"""The database connection: an async engine and session factory for SQLite or PostgreSQL.

SQLite runs in WAL mode with a busy timeout, and every transaction starts with BEGIN IMMEDIATE
so concurrent writers queue instead of failing. PostgreSQL uses row locks (see repository).
Statement parameters are never shown in logs or error messages (``hide_parameters``): they
hold CNICs, names and phone numbers.
A connection with the ``READ_ONLY`` execution options starts a deferred (read) transaction
instead: in WAL mode it reads a snapshot and never blocks writers (``read_transaction``: exports
and the dashboard use it).

SQLite table hints: ``select(...).with_hint(Lead, "INDEXED BY ix", "sqlite")`` renders as
``FROM leads INDEXED BY ix`` (SQLAlchemy renders no table hints for SQLite by itself). SQLite's
planner guesses row widths from the declared column types, so it takes a lead's JSON columns
for small and scans the table where a covering index would be read many times faster.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.sql.expression import FromClause

# Execution options for a long read (an export): a deferred transaction on SQLite, a read-only
# one on PostgreSQL (``read_transaction`` opens a connection with them).
READ_ONLY: dict[str, Any] = {"ssw_read_only": True, "postgresql_readonly": True}


@asynccontextmanager
async def read_transaction(database: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection of its own in a read-only transaction (``READ_ONLY``), for the length of
    the block: never SQLite's write lock, so the bot keeps saving answers meanwhile."""
    async with database.connect() as connection:
        connection = await connection.execution_options(**READ_ONLY)
        async with connection.begin():
            yield connection


def _sqlite_from_hint(
    _compiler: SQLiteCompiler, _table: FromClause, text: str | None
) -> str | None:
    return text  # "INDEXED BY name" or "NOT INDEXED", written after the table's name


SQLiteCompiler.get_from_hint_text = _sqlite_from_hint  # type: ignore[method-assign,assignment]


def async_url(url: str) -> str:
    """Accept plain URLs (sqlite:///x.db, postgresql://...) and pick the async driver."""
    parsed = make_url(url)
    if parsed.drivername in {"sqlite", "sqlite+pysqlite"}:
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    elif parsed.drivername in {"postgresql", "postgres", "postgresql+psycopg2"}:
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed.render_as_string(hide_password=False)


def create_engine(url: str, wait_seconds: float = 30.0, **kwargs: Any) -> AsyncEngine:
    """``wait_seconds``: how long to wait for the database (SQLite's busy timeout; on
    PostgreSQL to connect) before giving up."""
    url = async_url(url)
    busy_ms = max(1, int(wait_seconds * 1000))
    if url.startswith("sqlite"):
        engine = create_async_engine(
            url, connect_args={"timeout": wait_seconds}, hide_parameters=True, **kwargs
        )

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
            cursor.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _sqlite_begin(connection: Any) -> None:
            if connection.get_execution_options().get("ssw_read_only"):
                connection.exec_driver_sql("BEGIN")
            else:
                connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    engine = create_async_engine(
        url,
        pool_size=10,
        max_overflow=20,
        pool_use_lifo=True,  # the busy connections stay busy, the spare ones idle (and pinged)
        connect_args={"timeout": wait_seconds},
        hide_parameters=True,
        **kwargs,
    )
    _ping_idle_connections(engine)
    return engine


PING_IDLE = 0.5  # seconds a pooled connection may rest before it is checked on checkout


def _ping_idle_connections(engine: AsyncEngine) -> None:
    """SQLAlchemy's ``pool_pre_ping``, for connections that rested ``PING_IDLE`` seconds.

    A ping costs three round trips with asyncpg (BEGIN, ``;``, ROLLBACK): under load that was
    more than a third of an update's round trips, on connections used a millisecond before.
    A connection back from use within ``PING_IDLE`` is taken as it is (as HikariCP's
    ``aliveBypassWindowMs`` does); if it died meanwhile, its first statement fails as a
    disconnect, which invalidates the pool, and the update is answered "try again"
    (``bot.storage.health.unreachable``), as when the database is down. A rested connection
    that fails its ping is replaced, with every older one, before it is used (as pre-ping)."""
    dialect = engine.dialect

    @event.listens_for(engine.sync_engine, "checkin")
    def _rested_from(_dbapi_connection: Any, record: Any) -> None:
        record.info["ssw_checked_in"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _ping(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.pop("ssw_checked_in", None)
        if since is None or time.monotonic() - since < PING_IDLE:
            return  # fresh from connect, or just used
        try:
            alive = dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as err:
            if not dialect.is_disconnect(err, dbapi_connection, None):
                raise
            alive = False
        if not alive:
            raise sa_exc.InvalidatePoolError()  # the pool connects anew, and drops the older


def is_postgres(db: AsyncSession) -> bool:
    """PostgreSQL row locks (``FOR UPDATE``, ``SKIP LOCKED``) apply; SQLite has one writer at a
    time (``BEGIN IMMEDIATE``), so a plain transaction does there."""
    return db.get_bind().dialect.name == "postgresql"


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
