"""Two bot instances share a broadcast on the real PostgreSQL server, and one is killed with
SIGKILL mid-broadcast: two sender processes (``tests.channels.sender_process``, the outbox
sender of ``ssw-bot run``) against the fake Bot API over real HTTP. The survivor takes over
the dead one's claimed messages once their lease (shortened by ``OUTBOX_LEASE_SECONDS``)
runs out, and every worker gets the announcement exactly once.

The kill lands while the fake Bot API holds calls (``FakeBotApi.hold``): the dead process's
calls in flight never reach "Telegram", and every answer it had received was recorded. What
no sender can know is whether a call answered in the instant before a kill was recorded: such
a message is sent again after the lease (at least once; Telegram has no idempotency key).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.staff.segments import Segment
from bot.storage import broadcasts, outbox
from bot.storage.db import create_engine, session_factory
from bot.storage.models import OutboxMessage, User
from tests.conftest import _truncate
from tests.fake_bot_api import TOKEN, FakeBotApi

ROOT = Path(__file__).resolve().parents[2]
USERS = 300
FIRST_CHAT = 8_000_001
TEXTS = {"en": "Test announcement", "ur": "آزمائشی اعلان", "ja": "テストのお知らせ"}


async def _instance(name: str, env: dict[str, str]) -> asyncio.subprocess.Process:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.channels.sender_process", name,
        cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), 30)
    assert line.strip() == b"ready", line
    return process


def _delivered(api: FakeBotApi) -> dict[int, int]:
    return {chat: len(api.messages(chat)) for chat in range(FIRST_CHAT, FIRST_CHAT + USERS)}


@pytest.fixture
def pg_url(postgres_url: str) -> str:
    _truncate(postgres_url)
    return postgres_url


async def test_a_killed_instance_s_messages_are_sent_once_by_the_other(
    api: FakeBotApi, pg_url: str
) -> None:
    postgres_url = pg_url
    engine = create_engine(postgres_url)
    sessions = session_factory(engine)
    async with engine.begin() as connection:
        await connection.execute(
            User.__table__.insert(),
            [
                {
                    "channel": "telegram",
                    "external_id": str(FIRST_CHAT + n),
                    "language": ("en", "ur", "ja")[n % 3],
                }
                for n in range(USERS)
            ],
        )
    for n in range(USERS):
        api.user(FIRST_CHAT + n)
    async with sessions() as db, db.begin():
        draft = await broadcasts.create(db, TEXTS, Segment(), datetime.now(UTC), None)
        assert await broadcasts.start(db, draft, datetime.now(UTC)) == USERS
    api.delay = 0.02
    env = {
        **os.environ,
        "DATABASE_URL": postgres_url,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": api.base_url,
        "OUTBOX_PER_SECOND": "40",
        "OUTBOX_LEASE_SECONDS": "3",
        "OUTBOX_POLL_SECONDS": "0.2",
        "LOG_LEVEL": "WARNING",
    }
    first = await _instance("instance-a", env)
    second = await _instance("instance-b", env)
    try:
        for _ in range(600):
            if sum(_delivered(api).values()) >= USERS // 3:
                break
            await asyncio.sleep(0.02)
        api.hold()
        await asyncio.sleep(0.5)  # answers already given are recorded
        first.send_signal(signal.SIGKILL)
        await first.wait()
        async with sessions() as db:
            held = await db.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(
                    OutboxMessage.claimed_by == "instance-a",
                    OutboxMessage.state == outbox.PENDING,
                )
            )
        assert held, "the killed instance held no claimed messages: nothing was taken over"
        api.release()
        for _ in range(600):
            async with sessions() as db:
                stored = await broadcasts.get(db, draft.id)
            assert stored is not None
            if stored.state == broadcasts.DONE:
                break
            await asyncio.sleep(0.05)
        assert stored.state == broadcasts.DONE
        async with sessions() as db:
            progress = (await broadcasts.progress(db, [draft.id]))[draft.id]
        assert (progress.sent, progress.remaining) == (USERS, 0)
        delivered = _delivered(api)
        assert sorted(set(delivered.values())) == [1], {
            chat: count for chat, count in delivered.items() if count != 1
        }
    finally:
        api.release()
        for process in (first, second):
            if process.returncode is None:
                process.terminate()
                await process.wait()
        await engine.dispose()
