"""The ``ssw-bot`` command as a newcomer meets it, and a kill -9 in the middle of a
registration (the real ``ssw-bot run`` process against our fake Bot API)."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from tests.channels.conftest import Person
from tests.fake_bot_api import TOKEN, FakeBotApi


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    env.update(extra)
    return env


def ssw_bot(
    tmp_path: Path, *args: str, typed: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``ssw-bot ARGS`` in an empty folder (so no .env applies), as a newcomer would."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,
        env=_env(tmp_path),
        input=typed,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_run_without_token_explains_and_exits_2(tmp_path: Path) -> None:
    result = ssw_bot(tmp_path, "run")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "@BotFather" in lines[0] and "ssw-bot chat" in lines[0]
    assert "Traceback" not in result.stderr


def test_db_upgrade_creates_the_default_sqlite_database(tmp_path: Path) -> None:
    result = ssw_bot(tmp_path, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "ssw_bot.db") as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert {"users", "conversations", "leads", "funnel_events", "alembic_version"} <= tables


def test_chat_runs_the_conversation_in_the_terminal(tmp_path: Path) -> None:
    typed = "#2\n#4\n#1\nTest Worker Eta\n/quit\n"  # English, Register (4th), I agree, a name
    result = ssw_bot(tmp_path, "chat", "--user", "tester", typed=typed)
    assert result.returncode == 0, result.stderr
    assert "[#1] اردو   [#2] English   [#3] 日本語" in result.stdout
    assert "What is your CNIC number?" in result.stdout
    with sqlite3.connect(tmp_path / "ssw_bot.db") as db:
        (state,) = db.execute("SELECT state FROM conversations").fetchone()
    assert "Test Worker Eta" in state


@asynccontextmanager
async def bot_process(api: FakeBotApi, tmp_path: Path) -> AsyncIterator[asyncio.subprocess.Process]:
    env = _env(
        tmp_path,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=api.base_url,
        TELEGRAM_API_FILE_URL=api.base_file_url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}",
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()


async def test_kill_9_mid_registration_loses_no_answer(api: FakeBotApi, tmp_path: Path) -> None:
    person = Person(api.user(990))
    async with bot_process(api, tmp_path) as first:
        await person.user.send("/start")
        await person.turn(timeout=30)  # the process needs a moment to start
        await person.tap("English", translate=False)
        await person.tap("📝 Register with OEC for Japan")
        await person.tap("✅ I agree")
        await person.say("Test Worker Theta")
        turn = await person.say("42101-4817263-5")
        assert "What is your mobile number?" in turn.text
        first.send_signal(signal.SIGKILL)
        await first.wait()
    async with bot_process(api, tmp_path):
        turn = await person.say("0300 1234567")  # waits until the new process answers
        assert "What is your date of birth?" in turn.text
        assert "Step 5 of 16" in turn.text


def test_facts_lists_every_fact_with_its_source(tmp_path: Path) -> None:
    result = ssw_bot(tmp_path, "facts")
    assert result.returncode == 0, result.stderr
    assert "## FAQ (About SSW)" in result.stdout
    assert "`registration.cnic`" in result.stdout and "python-stdnum" in result.stdout
