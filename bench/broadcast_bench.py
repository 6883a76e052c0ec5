"""A broadcast to 100,000 workers on PostgreSQL, against a fake Bot API that enforces
Telegram's bulk limit: 30 messages in any one second, 429 (retry after 1 s) beyond it.

    .venv/bin/python bench/broadcast_bench.py [--users 100000] [--window 90] [--delay 0.05]
        [--per-second 28.6] [--batch 150] [--workers 4] [--every 4]

In a fresh PostgreSQL database: 100,000 fake workers on Telegram, one broadcast to all of them
(queued with the staff web app's storage call: one INSERT ... SELECT, timed), then the real bot
(``python -m bot run``: long polling and the outbox sender, ``OUTBOX_PER_SECOND``,
``OUTBOX_BATCH``) in its own process against the fake Bot API over HTTP. While it broadcasts,
``--workers`` workers each send /start every ``--every`` seconds (staggered) and the time to
their reply is taken. After a warm-up, a fixed window of ``--window`` seconds is measured (the
broadcast is not run to the end): broadcast messages sent per second (rows marked sent in the
database), 429s received, and the workers' reply latency. Prints a table. Everything is fake.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select

from bench.databases import fresh_database
from bot.staff.segments import Segment
from bot.storage import broadcasts, outbox
from bot.storage.db import create_engine, session_factory
from bot.storage.models import OutboxMessage, User
from tests.fake_bot_api import TOKEN, FakeBotApi, FakeUser

ROOT = Path(__file__).resolve().parent.parent
FIRST_CHAT = 50_000_000
FIRST_WORKER = 60_000_000
TEXTS = {
    "en": "Test announcement: the Lahore roadshow is on Monday at 10:00.",
    "ur": "آزمائشی اعلان: لاہور روڈ شو پیر کو صبح 10 بجے ہے۔",
    "ja": "テストのお知らせ：ラホールの説明会は月曜日の10時です。",
}


async def seed(url: str, users: int, api: FakeBotApi) -> tuple[float, int, float]:
    """The workers, then the broadcast; (seconds to insert users, messages queued, seconds
    to queue them)."""
    engine = create_engine(url)
    at = datetime.now(UTC)
    started = time.perf_counter()
    async with engine.begin() as connection:
        for first in range(0, users, 10_000):
            rows = [
                {
                    "channel": "telegram",
                    "external_id": str(FIRST_CHAT + n),
                    "language": ("ur", "en", "ja")[n % 3],
                    "created_at": at,
                    "last_seen_at": at,
                }
                for n in range(first, min(users, first + 10_000))
            ]
            await connection.execute(insert(User), rows)
    inserted = time.perf_counter() - started
    for n in range(users):
        api.user(FIRST_CHAT + n)
    sessions = session_factory(engine)
    started = time.perf_counter()
    async with sessions() as db, db.begin():
        draft = await broadcasts.create(db, TEXTS, Segment(), at, None)
        queued = await broadcasts.start(db, draft, at)
    expanded = time.perf_counter() - started
    await engine.dispose()
    return inserted, queued or 0, expanded


async def add_workers(url: str, api: FakeBotApi, count: int) -> list[FakeUser]:
    """Workers who chose English earlier and are not in the broadcast (added after it)."""
    engine = create_engine(url)
    async with engine.begin() as connection:
        for n in range(count):
            await connection.execute(
                insert(User).values(
                    channel="telegram", external_id=str(FIRST_WORKER + n), language="en"
                )
            )
    await engine.dispose()
    return [api.user(FIRST_WORKER + n) for n in range(count)]


async def sent_count(url: str) -> int:
    engine = create_engine(url)
    async with session_factory(engine)() as db:
        count = await db.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.kind == outbox.BROADCAST, OutboxMessage.state == outbox.SENT)
        )
    await engine.dispose()
    return int(count or 0)


async def talk(
    worker: FakeUser, offset: float, every: float, stop: asyncio.Event, latencies: list[float]
) -> int:
    """/start every ``every`` seconds; the seconds to the reply; how many got none in 5 s."""
    lost = 0
    await asyncio.sleep(offset)
    while not stop.is_set():
        begun = time.perf_counter()
        await worker.send("/start")
        try:
            await worker.reply(timeout=5.0)
            latencies.append(time.perf_counter() - begun)
        except AssertionError:
            lost += 1
        await worker.replies_until_idle(quiet=0.05, timeout=0.5)
        await asyncio.sleep(max(0.0, every - (time.perf_counter() - begun)))
    return lost


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def run(url: str, args: argparse.Namespace) -> dict[str, str]:
    async with FakeBotApi(delay=args.delay) as api:
        inserted, queued, expanded = await seed(url, args.users, api)
        workers = await add_workers(url, api, args.workers)
        api.rate_limit = 30
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": api.base_url,
            "TELEGRAM_API_FILE_URL": api.base_file_url,
            "OUTBOX_PER_SECOND": str(args.per_second),
            "OUTBOX_BATCH": str(args.batch),
            "OUTBOX_POLL_SECONDS": "0.5",
            "LOG_LEVEL": "WARNING",
        }
        bot = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=ROOT, env=env
        )
        try:
            while await sent_count(url) == 0:  # noqa: ASYNC110 (the bot is up and sending)
                await asyncio.sleep(0.2)
            await asyncio.sleep(args.warmup)
            stop = asyncio.Event()
            latencies: list[float] = []
            talking = [
                asyncio.create_task(
                    talk(w, n * args.every / max(1, len(workers)), args.every, stop, latencies)
                )
                for n, w in enumerate(workers)
            ]
            too_many_before = len(api.too_many)
            sent_before, started = await sent_count(url), time.perf_counter()
            await asyncio.sleep(args.window)
            sent_after, seconds = await sent_count(url), time.perf_counter() - started
            too_many = len(api.too_many) - too_many_before
            stop.set()
            lost = sum(await asyncio.gather(*talking))
        finally:
            if bot.returncode is None:
                bot.terminate()
                await bot.wait()
    rate = (sent_after - sent_before) / seconds
    arrivals = sorted(
        t
        for (method, _), t in zip(api.calls, api.call_times, strict=True)
        if method == "sendMessage"
    )
    busiest, first = 0, 0
    for last, at in enumerate(arrivals):  # the most messages that arrived in any one second
        while arrivals[first] <= at - 1.0:
            first += 1
        busiest = max(busiest, last - first + 1)
    return {
        "workers in the database": f"{args.users + args.workers:,}",
        f"insert {args.users:,} users (s)": f"{inserted:.1f}",
        "broadcast queued (rows)": f"{queued:,}",
        "INSERT ... SELECT of the broadcast (s)": f"{expanded:.2f}",
        "window (s)": f"{seconds:.0f}",
        "broadcast messages sent in the window": f"{sent_after - sent_before:,}",
        "broadcast messages/s (aim >= 28)": f"{rate:.2f}",
        "429s received in the window (aim 0)": f"{too_many}",
        "429s received in the whole run": f"{len(api.too_many)}",
        "most messages arriving in one second": f"{busiest}",
        "worker replies (answered / asked)": f"{len(latencies)} / {len(latencies) + lost}",
        "reply latency p50 (s)": f"{percentile(latencies, 0.5):.3f}",
        "reply latency p99 (s, aim < 1)": f"{percentile(latencies, 0.99):.3f}",
        "reply latency max (s)": f"{max(latencies, default=float('nan')):.3f}",
        "reply latency mean (s)": f"{statistics.fmean(latencies) if latencies else 0:.3f}",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--window", type=float, default=90.0, help="seconds measured")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds before the window")
    parser.add_argument("--delay", type=float, default=0.05, help="fake Bot API latency (s)")
    parser.add_argument(
        "--per-second", type=float, default=28.6, help="OUTBOX_PER_SECOND (28.6: its default)"
    )
    parser.add_argument("--batch", type=int, default=150, help="OUTBOX_BATCH")
    parser.add_argument("--workers", type=int, default=4, help="workers writing meanwhile")
    parser.add_argument("--every", type=float, default=4.0, help="seconds between a worker's")
    args = parser.parse_args()
    with fresh_database("postgresql", "bench_broadcast") as url:
        table = asyncio.run(run(url, args))
    width = max(len(key) for key in table)
    print(
        f"broadcast to {args.users:,} on PostgreSQL, fake Bot API: 30 messages/s enforced, "
        f"{args.delay * 1000:.0f} ms per call; OUTBOX_PER_SECOND={args.per_second}, "
        f"OUTBOX_BATCH={args.batch}; {args.workers} workers writing every {args.every:.0f} s"
    )
    for key, value in table.items():
        print(f"| {key:<{width}} | {value:>12} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
