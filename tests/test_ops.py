"""``/healthz``, ``/readyz`` and ``/metrics`` served by the staff web app over real HTTP, on a
real SQLite file and PostgreSQL; the metrics the bot reports while a worker registers over
the fake Bot API."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.metrics import REGISTRY
from bot.staff.web.app import create_app
from bot.staff.web.state import WebConfig
from bot.storage import outbox
from bot.storage.db import create_engine, session_factory
from bot.storage.migrate import upgrade
from tests.channels.conftest import at_menu, running_bot
from tests.channels.test_telegram_registration import register
from tests.fake_bot_api import FakeBotApi

SECRET = "test-secret-key-for-ops-endpoints"


@asynccontextmanager
async def serving(database: AsyncEngine, token: str = "") -> AsyncIterator[str]:
    app = create_app(WebConfig(secret_key=SECRET, metrics_token=token), database=database)
    server = TestServer(app)
    await server.start_server()
    try:
        yield str(server.make_url("")).rstrip("/")
    finally:
        await server.close()


async def get(url: str, **headers: str) -> tuple[int, str, str]:
    async with ClientSession() as client, client.get(url, headers=headers) as response:
        return response.status, await response.text(), response.headers.get("Content-Type", "")


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # nothing listens there once it is closed


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_health_and_readiness_on_a_current_database(database: AsyncEngine) -> None:
    async with serving(database) as base:
        assert await get(base + "/healthz") == (200, "ok\n", "text/plain; charset=utf-8")
        status, text, _ = await get(base + "/readyz")
        assert (status, text) == (200, "ready\n")


async def test_an_unreachable_database_is_not_ready_but_the_process_is_up() -> None:
    down = create_engine(f"postgresql://postgres@127.0.0.1:{closed_port()}/none", wait_seconds=2)
    try:
        async with serving(down) as base:
            assert (await get(base + "/healthz"))[0] == 200
            # a staff session cookie does not make the probes touch the database
            assert (await get(base + "/healthz", Cookie="ssw_staff_session=stale"))[0] == 200
            status, text, _ = await get(base + "/readyz")
            assert status == 503 and text.startswith("not ready: database unreachable: ")
            assert (await get(base + "/metrics"))[0] == 200  # served, outbox depth left as was
    finally:
        await down.dispose()


async def test_migrations_behind_the_code_are_not_ready(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    await asyncio.to_thread(upgrade, url, "0008")
    old = create_engine(url)
    try:
        async with serving(old) as base:
            status, text, _ = await get(base + "/readyz")
        assert status == 503
        assert "migrations not at head: database at 0008, code at " in text
    finally:
        await old.dispose()


async def test_metrics_in_prometheus_format_with_the_outbox_depth(database: AsyncEngine) -> None:
    now = datetime.now(UTC)
    async with session_factory(database)() as db, db.begin():
        for chat in ("101", "102"):
            await outbox.queue(db, "status", "telegram", chat, "ur", {"lead": 1}, now)
        sent = await outbox.queue(db, "new_leads", "telegram", "-100", "en", {"count": 1}, now)
        sent.state = outbox.SENT
    async with serving(database) as base:
        status, text, content_type = await get(base + "/metrics")
    assert status == 200 and content_type.startswith("text/plain; version=")
    families = {family.name: family for family in text_string_to_metric_families(text)}
    assert {"ssw_updates", "ssw_handler_seconds", "ssw_errors", "ssw_leads_created"} <= set(
        families
    )
    depth = {s.labels["kind"]: s.value for s in families["ssw_outbox_depth"].samples}
    assert depth["status"] == 2 and depth["new_leads"] == 0 and depth["broadcast"] == 0


async def test_metrics_want_the_bearer_token_when_one_is_set(database: AsyncEngine) -> None:
    async with serving(database, token="s3cret-metrics") as base:
        assert (await get(base + "/metrics"))[0] == 401
        assert (await get(base + "/metrics", Authorization="Bearer wrong"))[0] == 401
        status, text, _ = await get(base + "/metrics", Authorization="Bearer s3cret-metrics")
        assert status == 200 and "ssw_updates_total" in text
        assert (await get(base + "/healthz"))[0] == 200  # the probes stay open


async def test_a_registration_is_counted(api: FakeBotApi, database_url: str) -> None:
    before = {
        "start": sample("ssw_updates_total", kind="command", result="ok"),
        "taps": sample("ssw_updates_total", kind="callback_query", result="ok"),
        "texts": sample("ssw_updates_total", kind="message", result="ok"),
        "timed": sample("ssw_handler_seconds_count"),
        "leads": sample("ssw_leads_created_total"),
    }
    async with running_bot(api, database_url):
        person = await at_menu(api, 8101)
        await register(
            person,
            {
                "name": "Test Worker Metrics",
                "cnic": "42101-4817263-5",
                "mobile": "0300 1234567",
                "birth_date": "15/03/1998",
                "district": "Lahore",
                "experience": "3 years",
            },
        )
    assert sample("ssw_updates_total", kind="command", result="ok") == before["start"] + 1
    taps = sample("ssw_updates_total", kind="callback_query", result="ok") - before["taps"]
    texts = sample("ssw_updates_total", kind="message", result="ok") - before["texts"]
    assert taps >= 10 and texts == 6
    assert sample("ssw_handler_seconds_count") == before["timed"] + 1 + taps + texts
    assert sample("ssw_leads_created_total") == before["leads"] + 1


def test_the_routes_are_added_to_any_aiohttp_app() -> None:
    from bot.ops import OPS_ROUTES, add_ops_routes

    app = web.Application()
    engine = create_engine("sqlite:///:memory:")
    add_ops_routes(app, engine)
    assert {route.name for route in app.router.routes()} == set(OPS_ROUTES)
