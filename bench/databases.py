"""A fresh, migrated database for one benchmark run: a SQLite file in a temporary folder, or
a new PostgreSQL database on the machine's server (``SSW_BENCH_PG``: its admin URL), dropped
afterwards whatever happens."""

from __future__ import annotations

import asyncio
import os
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg

from bot.storage.migrate import upgrade

PG_ADMIN = os.environ.get("SSW_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")


async def admin(sql: str) -> None:
    """One statement on the server's admin database (CREATE/DROP DATABASE)."""
    connection = await asyncpg.connect(PG_ADMIN)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@contextmanager
def fresh_database(kind: str, prefix: str) -> Iterator[str]:
    """The URL of a new database of ``kind`` ("sqlite" or "postgresql"), migrated to head."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{folder}/{prefix}.db"
            upgrade(url)
            yield url
        return
    name = f"ssw_{prefix}_{secrets.token_hex(4)}"
    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
        upgrade(url)
        yield url
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
