"""``LOG_FORMAT=json``: one JSON object per line, with the update, our user number and the
job when known, set during a real update over the fake Bot API and in the outbox sender."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import signal
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp import ClientSession

from bot.channels.sender import SenderSettings
from bot.logs import JOB, USER, handler, quiet_libraries, scope, setup
from bot.storage import outbox
from bot.storage.db import session_factory
from tests.channels.conftest import Person, running_bot
from tests.fake_bot_api import TOKEN, FakeBotApi


@contextmanager
def captured(log_format: str = "json", level: int = logging.DEBUG) -> Iterator[io.StringIO]:
    """Everything logged in the block, as the configured handler writes it."""
    out = io.StringIO()
    sink = handler(log_format)
    assert isinstance(sink, logging.StreamHandler)
    sink.setStream(out)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(sink)
    root.setLevel(level)
    quiet_libraries()  # as setup() does
    try:
        yield out
    finally:
        root.removeHandler(sink)
        root.setLevel(old_level)


def lines(out: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.getvalue().splitlines()]  # each line is JSON


def test_each_record_is_one_json_object_with_the_known_fields() -> None:
    log = logging.getLogger("bot.test")
    with captured() as out:
        log.info("plain")
        with scope(update_id=41, user=7):
            log.warning("in an update: %s", "اردو\nsecond line")
        with scope(job="outbox"):
            try:
                raise ValueError("boom")
            except ValueError:
                log.exception("in a job")
    plain, update, job = lines(out)
    assert set(plain) == {"time", "level", "logger", "message"}
    assert plain["level"] == "INFO" and plain["logger"] == "bot.test"
    assert datetime.fromisoformat(plain["time"]).tzinfo is not None
    assert update["update_id"] == 41 and update["user"] == 7 and "job" not in update
    assert update["message"] == "in an update: اردو\nsecond line"
    assert job["job"] == "outbox" and "update_id" not in job
    assert "ValueError: boom" in job["exception"]
    assert USER.get() is None and JOB.get() is None  # restored after each block


def test_the_text_format_carries_the_same_fields() -> None:
    with captured("text") as out:
        with scope(update_id=5, user=3):
            logging.getLogger("bot.test").info("hello")
        logging.getLogger("bot.test").info("bye")
    first, second = out.getvalue().splitlines()
    assert first.endswith("INFO bot.test: hello [update_id=5 user=3]")
    assert second.endswith("INFO bot.test: bye")


def test_setup_replaces_the_root_handlers() -> None:
    root = logging.getLogger()
    saved = list(root.handlers), root.level
    try:
        setup("warning", "json")
        assert len(root.handlers) == 1 and root.level == logging.WARNING
        assert logging.getLogger("httpx").level == logging.WARNING  # URLs hold the token
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])


async def test_fields_during_a_real_update_and_in_the_outbox_job(
    api: FakeBotApi, database_url: str
) -> None:
    fast = SenderSettings(poll_seconds=0.05, chat_interval=0, per_second=100)
    with captured() as out:
        async with running_bot(api, database_url, sender=fast) as services:
            person = Person(api.user(8301, language_code="en"))
            await person.user.send("/start")
            await person.turn()
            async with services.repository.user("telegram", "8301") as unit:
                number = unit.user_id
            blocked = api.user(8302)
            blocked.blocked = True
            async with session_factory(services.database)() as db, db.begin():
                await outbox.queue(
                    db, "status", "telegram", "8302", "en", {"lead": 1}, datetime.now(UTC)
                )
            for _ in range(100):
                if "blocked the bot" in out.getvalue():
                    break
                await asyncio.sleep(0.05)
    entries = lines(out)
    handled = [e for e in entries if e["message"].startswith("command handled: ok")]
    assert len(handled) == 1
    assert handled[0]["update_id"] > 0 and handled[0]["user"] == number
    assert handled[0]["logger"] == "bot.channels.telegram"
    job = [e for e in entries if e.get("job") == "outbox"]
    assert any("blocked the bot" in e["message"] for e in job)
    assert all("update_id" not in e and "user" not in e for e in job)
    # the Telegram id is personal: not the user field, and not the libraries' debug output
    assert "8301" not in out.getvalue()
    assert any(e["level"] == "DEBUG" for e in entries)  # it was DEBUG all along


async def test_the_real_process_logs_json_lines_and_serves_the_probes(
    api: FakeBotApi, tmp_path: Path
) -> None:
    """``ssw-bot run --web`` with LOG_FORMAT=json: every stderr line is JSON, the update's
    lines carry update_id and user; /healthz and /metrics answer on the staff web port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=api.base_url,
        TELEGRAM_API_FILE_URL=api.base_file_url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}",
        STAFF_SECRET_KEY="a-long-random-secret-for-this-test-only",
        STAFF_PORT=str(port),
        LOG_FORMAT="json",
        LOG_LEVEL="DEBUG",
        METRICS_TOKEN="metrics-test-token",
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--web", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        person = Person(api.user(8303, language_code="en"))
        await person.user.send("/start")
        await person.turn(timeout=30)  # the process needs a moment to start
        base = f"http://127.0.0.1:{port}"
        async with ClientSession() as client:
            async with client.get(base + "/healthz") as response:
                assert response.status == 200
            headers = {"Authorization": "Bearer metrics-test-token"}
            async with client.get(base + "/metrics", headers=headers) as response:
                text = await response.text()
        assert 'ssw_updates_total{kind="command",result="ok"} 1.0' in text
    finally:
        process.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(process.wait(), 20)
        except TimeoutError:
            process.kill()
            await process.wait()
    assert process.stderr is not None
    written = (await process.stderr.read()).decode()
    entries = [json.loads(line) for line in written.splitlines()]  # each line is JSON
    handled = [e for e in entries if e["message"].startswith("command handled: ok in ")]
    assert len(handled) == 1 and handled[0]["update_id"] > 0 and handled[0]["user"] >= 1
    assert any(e["message"].startswith("GET /healthz 200 ") for e in entries)  # access log
    assert "8303" not in written and TOKEN not in written
