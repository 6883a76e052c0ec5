"""Two ``ssw-bot run --webhook`` processes on one fresh PostgreSQL database, behind the fake
Bot API acting as Telegram and as the load balancer (round robin over both).

One user's updates interleaved between the two instances, the same update delivered to both
at once, an older update reaching one instance after a newer one reached the other, and a
double-tapped Submit: each has its effect once, in order, and the registration makes one lead.
Also: webhook mode without a secret, or with a bad URL, says so and exits 2.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest

from bot.app import Services, build_services
from bot.storage.migrate import upgrade
from tests.channels.conftest import Person, at_menu
from tests.channels.test_webhook import SECRET, answer_until_review, post, text_update
from tests.conftest import PG_ADMIN_URL, TODAY, _pg_dsn
from tests.fake_bot_api import TOKEN, FakeBotApi

PUBLIC_URL = "https://bot.example.org/tg/updates"
STARTUP_TIMEOUT = 60.0


def _env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "DATABASE_", "STAFF_"))
    }
    env.update(extra)
    return env


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def fresh_postgres() -> Iterator[str]:
    """A new PostgreSQL database for this module's two instances, dropped at the end."""

    async def admin(sql: str) -> None:
        connection = await asyncpg.connect(PG_ADMIN_URL)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    name = f"ssw_two_{secrets.token_hex(6)}"
    try:
        asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError) as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    url = _pg_dsn(name)
    upgrade(url)
    try:
        yield url
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@asynccontextmanager
async def two_instances(
    api: FakeBotApi, database_url: str, tmp_path: Path
) -> AsyncIterator[tuple[list[str], Services]]:
    """Both processes listening and the webhook set; yields their local URLs and services
    on the same database (to read what they stored)."""
    ports = [_free_port(), _free_port()]
    processes: list[asyncio.subprocess.Process] = []
    logs = []
    for n, port in enumerate(ports):
        log = (tmp_path / f"instance{n}.log").open("wb")
        logs.append(log)
        env = _env(
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE_URL=api.base_url,
            TELEGRAM_API_FILE_URL=api.base_file_url,
            TELEGRAM_WEBHOOK_SECRET=SECRET,
            TELEGRAM_WEBHOOK_PORT=str(port),
            DATABASE_URL=database_url,
            FLOOD_MESSAGES="1000",  # a test types faster than any worker
        )
        processes.append(
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "run",
                "--webhook",
                PUBLIC_URL,
                cwd=tmp_path,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
    urls = [f"http://127.0.0.1:{port}/tg/updates" for port in ports]
    api.webhook.targets = urls
    api.webhook.retry_delay = 0.05
    services = build_services(database_url, today=lambda: TODAY)
    try:
        async with asyncio.timeout(STARTUP_TIMEOUT):
            while api.webhook.sets < 2:
                assert all(p.returncode is None for p in processes), "an instance stopped"
                await asyncio.sleep(0.05)
        yield urls, services
    finally:
        await api.webhook.delete()
        for process in processes:
            if process.returncode is None:
                process.terminate()
        for process in processes:
            try:
                async with asyncio.timeout(15):
                    await process.wait()
            except TimeoutError:
                process.kill()
                await process.wait()
        for log in logs:
            log.close()
        await services.close()
    for n, process in enumerate(processes):  # a clean stop on SIGTERM, no traceback
        text = (tmp_path / f"instance{n}.log").read_text()
        assert process.returncode == 0 and "Traceback" not in text, text[-3000:]


async def test_one_registration_interleaved_between_two_instances(
    api: FakeBotApi, fresh_postgres: str, tmp_path: Path
) -> None:
    async with two_instances(api, fresh_postgres, tmp_path) as (urls, services):
        person = await at_menu(api, 9201)
        await answer_until_review(person)
        api.webhook.twice()  # Submit reaches both instances at the same time...
        await person.user.tap_data("r:ok")
        await person.user.tap_data("r:ok")  # ... and is tapped again
        await api.wait_idle(timeout=30)
        messages = await person.user.replies_until_idle(quiet=0.5)
        leads = await services.repository.leads()
        mine = [lead for lead in leads if lead.full_name == "Test Worker"]
        assert len(mine) == 1
        assert sum(mine[0].reference in m.text for m in messages) == 1
    served = {attempt.url for attempt in api.webhook.attempts if attempt.result == "200"}
    assert served == set(urls)  # both instances took part
    assert all(a.result == "200" for a in api.webhook.attempts)


async def test_the_same_update_at_both_instances_at_once_has_its_effect_once(
    api: FakeBotApi, fresh_postgres: str, tmp_path: Path
) -> None:
    async with two_instances(api, fresh_postgres, tmp_path) as (_urls, services):
        person = await at_menu(api, 9202)
        await person.tap("📝 Register with OEC for Japan")
        await person.tap("✅ I agree")
        cnic_steps = await _cnic_steps(services)
        api.webhook.twice()
        await person.user.send("Bilal Ahmed")
        await api.wait_idle(timeout=30)
        messages = await person.user.replies_until_idle(quiet=0.5)
        assert sum("CNIC" in m.text for m in messages) == 1
        delivered = [
            a.url
            for a in api.webhook.attempts
            if a.update_id == max(a.update_id for a in api.webhook.attempts)
        ]
        assert len(set(delivered)) == 2  # really at both
        assert await _cnic_steps(services) == cnic_steps + 1


async def _cnic_steps(services: Services) -> int:
    events = await services.repository.funnel_events("registration")
    return sum(e.kind == "step" and e.step == "cnic" for e in events)


async def test_an_older_update_at_one_instance_after_a_newer_one_at_the_other(
    api: FakeBotApi, fresh_postgres: str, tmp_path: Path
) -> None:
    async with two_instances(api, fresh_postgres, tmp_path) as (urls, _services):
        person: Person = await at_menu(api, 9203)
        before = len(api.messages(9203))
        base = 50_000
        first, second = urls
        assert await post(second, text_update(base + 2, 9203, "/privacy")) == 200
        assert await post(first, text_update(base + 1, 9203, "/help")) == 200
        assert await post(first, text_update(base + 2, 9203, "/privacy")) == 200  # redelivered
        assert await post(second, text_update(base + 1, 9203, "/help")) == 200
        texts = [m.text for m in api.messages(9203)[before:]]
        assert sum(text.startswith("Privacy notice") for text in texts) == 1
        assert sum(text.startswith("This bot helps you") for text in texts) == 1
        assert person.user.last is not None


def _run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "run", *args],
        cwd=tmp_path,
        env=_env(TELEGRAM_BOT_TOKEN=TOKEN, DATABASE_URL=f"sqlite:///{tmp_path / 'b.db'}", **env),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_webhook_mode_without_a_secret_explains_and_exits_2(tmp_path: Path) -> None:
    result = _run(tmp_path, "--webhook", PUBLIC_URL)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "TELEGRAM_WEBHOOK_SECRET" in result.stderr
    bad = _run(tmp_path, "--webhook", PUBLIC_URL, TELEGRAM_WEBHOOK_SECRET="has spaces!")
    assert bad.returncode == 2 and "only letters, digits" in bad.stderr
    no_url = _run(tmp_path, "--webhook", "bot.example.org", TELEGRAM_WEBHOOK_SECRET=SECRET)
    assert no_url.returncode == 2 and "full URL" in no_url.stderr
