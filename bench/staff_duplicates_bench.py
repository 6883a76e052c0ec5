"""Staff web benchmark: the possible-duplicates page and the leads list's export buttons, through
real HTTP, on 100,000 leads.

What it does
    Seeds a fresh database (``bench/seed.py``: realistic, obviously fake leads) and marks every
    50th lead as a possible duplicate of the one before it, sharing its mobile number (2,000
    pairs, written with SQL as the bot's re-check would mark them). Starts the staff web app
    on a local port, signs in as an officer, then prints:

    - ``GET /duplicates`` (first, 50th and last page of pairs) and the Decisions tab: the best
      of 5 times of each, seen by the client (server time plus a local round trip);
    - one decision (a merge) and its redirect;
    - ``POST /leads/export`` as CSV and as XLSX, of every lead and of a filtered list
      (Punjab, construction): the time until the last byte and the size.

    ``--database postgresql`` uses a fresh PostgreSQL database on the server of ``SSW_BENCH_PG``
    (default postgresql://postgres@127.0.0.1:5432/test), dropped at the end.

Run (from the repository root; about a minute)::

    .venv/bin/python bench/staff_duplicates_bench.py [--leads 100000] [--database sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiohttp import ClientSession, CookieJar
from aiohttp.test_utils import TestServer
from sqlalchemy import text

from bench.export_bench import create_pg_database, drop_pg_database
from bench.seed import seed
from bot.staff import accounts
from bot.staff.web.app import create_app
from bot.staff.web.state import WebConfig
from bot.storage import staff as store
from bot.storage.db import create_engine, session_factory

NAME, PASSWORD = "bench.officer", "bench-only-password"
CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')
PAIR = re.compile(r'name="lead" value="(\d+)">\s*<input type="hidden" name="other" value="(\d+)"')
PAGES = ("/duplicates", "/duplicates?page=50", "/duplicates?page=100", "/duplicates?show=decided")
EXPORTS: tuple[dict[str, str], ...] = (
    {"format": "csv"},
    {"format": "xlsx"},
    {"format": "csv", "province": "punjab", "sector": "construction"},
    {"format": "xlsx", "province": "punjab", "sector": "construction"},
)


async def _prepare(url: str, leads: int) -> None:
    started = time.perf_counter()
    await seed(url, leads=leads)
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "UPDATE leads SET mobile = (SELECT p.mobile FROM leads p WHERE p.id = leads.id"
                    " - 1), duplicate_of_id = id - 1, duplicate_reason = 'mobile'"
                    " WHERE id % 50 = 1 AND id > 1"
                )
            )
        async with session_factory(engine)() as db, db.begin():
            await store.add_account(
                db, NAME, accounts.hash_password(PASSWORD), "officer", datetime.now(UTC)
            )
    finally:
        await engine.dispose()
    print(f"seeded {leads:,} leads and marked pairs in {time.perf_counter() - started:.0f} s")


async def _token(client: ClientSession, url: str) -> str:
    async with client.get(url) as response:
        found = CSRF.search(await response.text())
    assert found, url
    return found.group(1)


async def _measure(url: str) -> None:
    engine = create_engine(url)
    app = create_app(WebConfig(secret_key="bench-only-secret-key-not-for-use"), database=engine)
    server = TestServer(app)
    await server.start_server()
    base = str(server.make_url("")).rstrip("/")
    try:
        async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as client:
            form = {"csrf": await _token(client, base + "/sign-in"), "name": NAME}
            async with client.post(
                base + "/sign-in", data={**form, "password": PASSWORD}, allow_redirects=False
            ) as response:
                assert response.status == 303, response.status
            for path in PAGES:
                best, size = float("inf"), 0
                for _ in range(5):
                    started = time.perf_counter()
                    async with client.get(base + path) as response:
                        assert response.status == 200, (path, response.status)
                        size = len(await response.read())
                    best = min(best, time.perf_counter() - started)
                print(f"GET {path}: {best * 1000:.0f} ms (best of 5, {size // 1024} KiB)")
            async with client.get(base + "/duplicates") as response:
                page = await response.text()
            pair = PAIR.search(page)
            token = CSRF.search(page)
            assert pair and token
            decision = {"lead": pair.group(1), "other": pair.group(2), "target": pair.group(2)}
            started = time.perf_counter()
            async with client.post(
                base + "/duplicates/resolve",
                data={"csrf": token.group(1), "decision": "merge", **decision},
                allow_redirects=False,
            ) as response:
                assert response.status == 303, response.status
            took = (time.perf_counter() - started) * 1000
            print(f"POST /duplicates/resolve (merge): {took:.0f} ms")
            token_text = await _token(client, base + "/leads")
            for export in EXPORTS:
                started, size = time.perf_counter(), 0
                async with client.post(
                    base + "/leads/export", data={"csrf": token_text, **export}
                ) as response:
                    assert response.status == 200, response.status
                    async for chunk in response.content.iter_chunked(1 << 16):
                        size += len(chunk)
                what = ", ".join(f"{k}={v}" for k, v in export.items())
                print(
                    f"POST /leads/export ({what}): {time.perf_counter() - started:.1f} s, "
                    f"{size / 1e6:.1f} MB"
                )
    finally:
        await server.close()
        await engine.dispose()


async def _run(leads: int, database: str) -> None:
    if database == "postgresql":
        from bench.export_bench import PG_ADMIN

        name = await create_pg_database()
        url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
        try:
            await _prepare(url, leads)
            await _measure(url)
        finally:
            await drop_pg_database(name)
        return
    with tempfile.TemporaryDirectory(prefix="ssw-bench-") as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        await _prepare(url, leads)
        await _measure(url)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    asyncio.run(_run(args.leads, args.database))
    return 0


if __name__ == "__main__":
    sys.exit(main())
