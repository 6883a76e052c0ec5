"""Wiring: the engine with its flows, the repository on a database, the conversation service."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.channels import terminal
from bot.conversation import ConversationService, utcnow
from bot.engine.engine import Engine
from bot.engine.flows import load_flows
from bot.oec_time import OEC_TIMEZONE, oec_clock
from bot.ssw.options import OPTION_SOURCES
from bot.ssw.screens import TEXT_SOURCES
from bot.storage.db import create_engine, session_factory
from bot.storage.repository import Repository


def build_engine(today: Callable[[], date] | None = None) -> Engine:
    """The engine with the flows; ``today`` defaults to OEC's date (``bot.oec_time``)."""
    return Engine(load_flows(), OPTION_SOURCES, today=today, text_sources=TEXT_SOURCES)


@dataclass
class Services:
    database: AsyncEngine
    repository: Repository
    conversations: ConversationService

    async def close(self) -> None:
        await self.database.dispose()


def build_services(
    database_url: str,
    today: Callable[[], date] | None = None,
    now: Callable[[], datetime] = utcnow,
    database_wait: float = 30.0,
    timezone: str = OEC_TIMEZONE,
) -> Services:
    """Everything a channel needs. The database must already be migrated. ``database_wait``:
    seconds to wait for the database before an event is answered "try again in a moment".
    ``today`` (ages, the Jobs list) is OEC's date in ``timezone`` at ``now`` unless given."""
    database = create_engine(database_url, wait_seconds=database_wait)
    repository = Repository(
        session_factory(database), single_writer=database.dialect.name == "sqlite"
    )
    conversations = ConversationService(
        build_engine(today or oec_clock(timezone, now)),
        repository,
        channel_help={terminal.CHANNEL: terminal.HELP},
        now=now,
    )
    return Services(database, repository, conversations)
