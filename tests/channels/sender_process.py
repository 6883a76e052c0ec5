"""A bot instance's outbox sender on its own, as a process (``python -m
tests.channels.sender_process NAME``): for tests that run two instances and kill one. It reads
the same settings as ``ssw-bot run`` (``DATABASE_URL``, ``TELEGRAM_API_BASE_URL``,
``OUTBOX_PER_SECOND``, ``OUTBOX_LEASE_SECONDS``, ``OUTBOX_POLL_SECONDS``) and runs until
SIGTERM (or SIGKILL)."""

from __future__ import annotations

import asyncio
import signal
import sys
from datetime import timedelta

from telegram import Bot

from bot.channels.sender import OutboxSender, SenderSettings
from bot.config import Settings
from bot.storage.db import create_engine, session_factory


async def main(name: str) -> None:
    settings = Settings()
    engine = create_engine(settings.database())
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    sender_settings = SenderSettings(
        worker=name,
        per_second=settings.outbox_per_second,
        lease=timedelta(seconds=settings.outbox_lease_seconds),
        poll_seconds=settings.outbox_poll_seconds,
        chat_interval=0.0,
    )
    bot = Bot(settings.telegram_bot_token, base_url=settings.telegram_api_base_url)
    async with bot:
        print("ready", flush=True)
        try:
            await OutboxSender(bot, session_factory(engine), sender_settings).run(stop)
        finally:
            await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
