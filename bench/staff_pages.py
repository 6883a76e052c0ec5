"""Staff pages at OEC's scale: server time of the leads list, a lead and the dashboard.

What it does
    Seeds 100,000 fake leads (``bench/seed.py``, with ``funnel=True``: 43,000 unfinished
    registrations, 150,000 browse-only visitors and their funnel events, about 3.5 million
    rows) into a fresh SQLite file, and into a fresh PostgreSQL database on ``SSW_BENCH_PG``
    (default postgresql://postgres@127.0.0.1:5432/test; created as ``ssw_bench_<random>`` and
    dropped at the end). For each, it starts the real staff web app (``create_app``) on a
    local port (aiohttp's ``TestServer``: real HTTP), signs an officer in, and requests each
    page ``--repeat`` times in turn (after two warm-up rounds), timing it on the server (from
    a middleware around the whole app: database session, auth, handler, rendering, commit)
    and from the client (the whole HTTP round trip). The app's clock is the seed's "now"
    (25 Nov 2026), so the dashboard's periods hold the seeded data.

    Pages
        baseline: /account       a trivial signed-in page (session check, one small template)
        baseline: COUNT(*)       ``SELECT count(*) FROM leads`` through the same engine
        leads: name + 2 filters  /leads?q=Ali Khan&province=punjab&sector=construction
        leads: Urdu name + 2     /leads?q=علی خان&province=punjab&language=ur
        leads: CNIC + 2 filters  /leads?q=<a CNIC, no dashes>&province=...&status=new
        lead detail              /leads/<id> (a different lead each round; recorded in the log)
        leads: outcome + prov.   /leads?eligible=meets&province=punjab
        dashboard (30 days)      /dashboard
        dashboard (90 days)      /dashboard?days=90
        facts due                /facts-due

    and prints median and p95 of each, side by side with the baselines. Aim: every page under
    300 ms of server time. Exit status 0 when met, 1 when not.

Run (from the repository root; about 10 minutes with the defaults)::

    .venv/bin/python bench/staff_pages.py [--leads 100000] [--repeat 20]
        [--database sqlite|postgresql|both] [--keep DIR [--reuse]]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiohttp import ClientSession, CookieJar, web
from aiohttp.test_utils import TestServer
from aiohttp.typedefs import Handler
from sqlalchemy import func, select, text

from bench.export_bench import PG_ADMIN, create_pg_database, drop_pg_database
from bench.seed import NOW, seed
from bot.staff import accounts
from bot.staff.web.app import create_app
from bot.staff.web.state import WebConfig
from bot.storage import staff as store
from bot.storage.db import create_engine, session_factory
from bot.storage.models import Lead

AIM_MS = 300.0
OFFICER = "bench.officer"
PASSWORD = "bench-only-password-not-secret"  # a throwaway account in a throwaway database
TIMING = web.AppKey("timing", dict[str, list[float]])
PAGE_KEY = "X-Bench-Page"


@dataclass(frozen=True)
class Figures:
    server: list[float]  # ms
    client: list[float]  # ms

    @staticmethod
    def p95(values: list[float]) -> float:
        ordered = sorted(values)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


@web.middleware
async def timing(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Outermost: the server time of a whole request, filed under the bench's page name."""
    started = time.perf_counter()
    response = await handler(request)
    elapsed = (time.perf_counter() - started) * 1000
    name = request.headers.get(PAGE_KEY)
    if name:
        request.app[TIMING][name].append(elapsed)
    return response


async def measure(url: str, leads: int, repeat: int, reuse: bool = False) -> dict[str, Figures]:
    started = time.perf_counter()
    if not reuse:
        summary = await seed(url, leads, unfinished=leads * 43 // 100, funnel=True)
        print(
            f"  seeded {summary.leads} leads, {summary.unfinished} unfinished, "
            f"{summary.visitors} visitors, {summary.funnel_events} funnel events "
            f"in {summary.seconds:.0f} s",
            flush=True,
        )
    engine = create_engine(url)
    # the state autovacuum keeps a live PostgreSQL database in after a big load: statistics,
    # and the visibility map that lets index-only scans skip the table; SQLite: statistics
    async with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.execute(text("VACUUM ANALYZE"))
        else:
            await connection.execute(text("ANALYZE"))
            await connection.commit()
    async with session_factory(engine)() as db, db.begin():
        if await store.account_by_name(db, OFFICER) is None:
            password_hash = accounts.hash_password(PASSWORD)
            await store.add_account(db, OFFICER, password_hash, "officer", NOW)
        ids = list((await db.scalars(select(Lead.id).order_by(Lead.id))).all())
        cnic = await db.scalar(select(Lead.cnic).where(Lead.id == ids[len(ids) // 2]))
    rng = random.Random(7)
    app = create_app(
        WebConfig(secret_key=secrets.token_hex(32)), database=engine, clock=lambda: NOW
    )
    app.middlewares.insert(0, timing)
    app[TIMING] = defaultdict(list)
    server = TestServer(app)
    await server.start_server()
    base = str(server.make_url("")).rstrip("/")
    pages: dict[str, Callable[[], str]] = {
        "baseline: /account": lambda: "/account",
        "leads: name + 2 filters": lambda: "/leads?q=Ali+Khan&province=punjab&sector=construction",
        "leads: Urdu name + 2 filters": lambda: (
            "/leads?q=%D8%B9%D9%84%DB%8C+%D8%AE%D8%A7%D9%86&province=punjab&language=ur"
        ),
        "leads: CNIC + 2 filters": lambda: f"/leads?q={cnic}&province=punjab&status=new",
        "leads: outcome + province": lambda: "/leads?eligible=meets&province=punjab",
        "lead detail": lambda: f"/leads/{rng.choice(ids)}",
        "dashboard (30 days)": lambda: "/dashboard",
        "dashboard (90 days)": lambda: "/dashboard?days=90",
        "facts due": lambda: "/facts-due",
    }
    client: dict[str, list[float]] = defaultdict(list)
    counts: list[float] = []

    async def bare_count() -> None:
        async with session_factory(engine)() as db:
            t = time.perf_counter()
            await db.scalar(select(func.count()).select_from(Lead))
            counts.append((time.perf_counter() - t) * 1000)

    try:
        async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as browser:
            await _sign_in(browser, base)
            for round_number in range(repeat + 2):
                for name, path in pages.items():
                    t = time.perf_counter()
                    async with browser.get(
                        base + path(), headers={PAGE_KEY: name}, allow_redirects=False
                    ) as response:
                        await response.read()
                        assert response.status == 200, (name, response.status)
                    if round_number >= 2:
                        client[name].append((time.perf_counter() - t) * 1000)
                await bare_count()
                if round_number < 2:  # warm-up rounds: not counted
                    app[TIMING].clear()
                    counts.clear()
    finally:
        await server.close()
        await engine.dispose()
    print(f"  measured in {time.perf_counter() - started:.0f} s (seeding included)", flush=True)
    figures = {name: Figures(app[TIMING][name], client[name]) for name in pages}
    figures["baseline: COUNT(*) of leads"] = Figures(counts, counts)
    return figures


async def _sign_in(browser: ClientSession, base: str) -> None:
    async with browser.get(base + "/sign-in") as response:
        page = await response.text()
    token = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    form = {"csrf": token, "name": OFFICER, "password": PASSWORD, "next": "/leads"}
    async with browser.post(base + "/sign-in", data=form, allow_redirects=False) as response:
        assert response.status == 303, await response.text()


def report(database: str, figures: dict[str, Figures], repeat: int) -> bool:
    print(f"\n{database}: server time in ms, {repeat} runs each (client round trip after /)")
    print(f"{'page':<32} {'median':>8} {'p95':>8} {'client median':>14} {'x /account':>11}")
    base = statistics.median(figures["baseline: /account"].server)
    met = True
    for name, f in figures.items():
        median, p95 = statistics.median(f.server), Figures.p95(f.server)
        client = statistics.median(f.client)
        print(f"{name:<32} {median:>8.1f} {p95:>8.1f} {client:>14.1f} {median / base:>10.1f}x")
        if not name.startswith("baseline") and p95 >= AIM_MS:
            met = False
    return met


async def run(args: argparse.Namespace) -> int:
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    temporary = None if args.keep else tempfile.TemporaryDirectory(prefix="ssw-staff-bench-")
    folder = args.keep or Path(temporary.name if temporary else ".")
    folder.mkdir(parents=True, exist_ok=True)
    met = True
    for database in databases:
        print(f"{database}: seeding {args.leads} leads ...", flush=True)
        if database == "sqlite":
            db_file = folder / "staff.db"
            reuse = args.reuse and db_file.exists()
            if not reuse:
                for stale in folder.glob("staff.db*"):
                    stale.unlink()
            figures = await measure(f"sqlite:///{db_file}", args.leads, args.repeat, reuse)
        else:
            name = await create_pg_database()
            try:
                url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
                figures = await measure(url, args.leads, args.repeat)
            finally:
                await drop_pg_database(name)
        met = report(database, figures, args.repeat) and met
    if temporary is not None:
        temporary.cleanup()
    verdict = "met" if met else "NOT met"
    print(f"\naim: every page's p95 under {AIM_MS:.0f} ms of server time: {verdict}")
    return 0 if met else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--keep", type=Path, help="keep the SQLite file in this folder")
    parser.add_argument(
        "--reuse", action="store_true", help="with --keep: measure the SQLite file seeded before"
    )
    args = parser.parse_args()
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
