"""Alembic environment: runs migrations on the async engine given by bot.storage.migrate."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from bot.storage.db import create_engine
from bot.storage.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    async with engine.connect() as connection:
        # Batch migrations rebuild a SQLite table (copy, drop, rename). With foreign keys on,
        # the drop would fire ON DELETE actions on the rows just copied; SQLite only takes this
        # pragma outside a transaction, so it goes to the driver before the migration's.
        driver = None
        if connection.dialect.name == "sqlite":
            driver = (await connection.get_raw_connection()).driver_connection
            assert driver is not None
            await driver.execute("PRAGMA foreign_keys=OFF")
        await connection.run_sync(_run)
        await connection.commit()
        if driver is not None:
            problems = await connection.exec_driver_sql("PRAGMA foreign_key_check")
            if problems.all():
                raise RuntimeError("a migration left rows whose foreign keys point nowhere")
            await connection.rollback()
            await driver.execute("PRAGMA foreign_keys=ON")
    await engine.dispose()


if context.is_offline_mode():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_async())
