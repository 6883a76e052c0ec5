"""The outbox sender's pace against the fake Bot API: ``--notices`` status notices to as many
workers, queued the way the staff web app queues them, then sent by one sender (or
``--senders`` of them, on PostgreSQL) over real HTTP through python-telegram-bot.

    .venv/bin/python bench/outbox_bench.py [--notices 600] [--database postgresql]
        [--senders 2] [--per-second 30] [--delay 0.05]

Prints the time to send them all, the rate, the most messages any one-second window saw
(Telegram allows about 30 a second overall), how many chats got more than one message (must be
0) and the rows left pending. Everything is fake: the workers are rows made up here.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select
from telegram import Bot

from bench.databases import fresh_database
from bot.channels.sender import Background, OutboxSender, SenderSettings
from bot.storage import outbox
from bot.storage import staff as store
from bot.storage.db import create_engine, session_factory
from bot.storage.models import Lead, User
from tests.fake_bot_api import TOKEN, FakeBotApi


async def queue(url: str, notices: int, api: FakeBotApi) -> None:
    database = create_engine(url)
    sessions = session_factory(database)
    at = datetime.now(UTC)
    async with database.begin() as connection:
        for n in range(notices):
            chat = 900_000 + n
            api.user(chat)
            user = await connection.execute(
                insert(User)
                .values(
                    channel="telegram",
                    external_id=str(chat),
                    language=("ur", "en", "ja")[n % 3],
                    created_at=at,
                    last_seen_at=at,
                )
                .returning(User.id)
            )
            await connection.execute(
                insert(Lead).values(
                    reference=f"SSW-B{n:05d}",
                    user_id=user.scalar_one(),
                    cnic=f"99{n:011d}",
                    full_name=f"Test Worker {n}",
                    mobile=f"+92300555{n % 10000:04d}",
                    birth_date=date(1998, 3, 15),
                    language="en",
                    status="new",
                    answers={},
                    consent_at=at,
                    created_at=at,
                    updated_at=at,
                )
            )
    async with sessions() as db, db.begin():
        officer = await store.add_account(db, "bench.officer", "not-a-hash", "officer", at)
        for lead in (await db.scalars(select(Lead).order_by(Lead.id))).all():
            await store.change_status(db, lead, "contacted", officer, at, notify=("telegram",))
    await database.dispose()


async def run(url: str, args: argparse.Namespace) -> None:
    async with FakeBotApi(delay=args.delay) as api:
        await queue(url, args.notices, api)
        database = create_engine(url)
        sessions = session_factory(database)
        async with Bot(TOKEN, base_url=api.base_url) as bot:
            senders = [
                Background(
                    OutboxSender(
                        bot,
                        sessions,
                        SenderSettings(
                            worker=f"bench-{n}", poll_seconds=0.2, per_second=args.per_second
                        ),
                    )
                )
                for n in range(args.senders)
            ]
            started = time.monotonic()
            for sender in senders:
                sender.start()
            # polling the database is what is measured against: nothing else signals "all sent"
            while (await outbox.counts(sessions)).get("sent", 0) < args.notices:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
            seconds = time.monotonic() - started
            for sender in senders:
                await sender.stop()
        times = sorted(api.times_of("sendMessage"))
        window = max(sum(1 for t in times[i:] if t - start < 1.0) for i, start in enumerate(times))
        doubles = sum(1 for n in range(args.notices) if len(api.messages(900_000 + n)) > 1)
        left = (await outbox.counts(sessions)).get("pending", 0)
        await database.dispose()
    print(
        f"{args.database}, {args.senders} sender(s), {args.notices} notices, "
        f"delay {args.delay * 1000:.0f} ms: {seconds:.1f} s, {args.notices / seconds:.1f}/s, "
        f"busiest second {window} messages, chats with two messages {doubles}, pending {left}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notices", type=int, default=600)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--senders", type=int, default=1)
    parser.add_argument("--per-second", type=float, default=25.0)
    parser.add_argument("--delay", type=float, default=0.05, help="fake Bot API latency (s)")
    args = parser.parse_args()
    with fresh_database(args.database, "outbox") as url:
        asyncio.run(run(url, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
