"""``ssw-bot staff ...`` and ``ssw-bot web`` as an administrator meets them, in a clean folder
(so no .env applies), with the real argon2id parameters."""

from __future__ import annotations

import asyncio
import os
import socket
import sqlite3
import sys
from pathlib import Path

import aiohttp
import pytest
from argon2 import PasswordHasher

from tests.fake_bot_api import TOKEN, FakeBotApi
from tests.test_cli import ssw_bot

PASSWORD = "fake-admin-password"


def _accounts(tmp_path: Path) -> list[tuple[str, str, str, object]]:
    with sqlite3.connect(tmp_path / "ssw_bot.db") as db:
        return list(db.execute("SELECT name, role, password_hash, disabled_at FROM staff_accounts"))


def test_add_list_disable_and_reset_password(tmp_path: Path) -> None:
    added = ssw_bot(tmp_path, "staff", "add", "Ayesha.Admin", "--role", "admin", typed=PASSWORD)
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "added ayesha.admin (admin)"
    assert PASSWORD not in added.stdout + added.stderr
    ((name, role, hashed, disabled),) = _accounts(tmp_path)
    assert (name, role, disabled) == ("ayesha.admin", "admin", None)
    assert hashed.startswith("$argon2id$") and PasswordHasher().verify(hashed, PASSWORD)

    ssw_bot(tmp_path, "staff", "add", "bilal", "--role", "viewer", typed=PASSWORD + "\n")
    listed = ssw_bot(tmp_path, "staff", "list")
    lines = listed.stdout.splitlines()
    assert lines[0].split()[:3] == ["ayesha.admin", "admin", "active"]
    assert lines[1].split()[:3] == ["bilal", "viewer", "active"]

    assert ssw_bot(tmp_path, "staff", "disable", "BILAL").returncode == 0
    assert "disabled" in ssw_bot(tmp_path, "staff", "list").stdout.splitlines()[1]
    assert ssw_bot(tmp_path, "staff", "enable", "bilal").returncode == 0

    reset = ssw_bot(tmp_path, "staff", "reset-password", "bilal", typed="a-new-fake-password\n")
    assert reset.returncode == 0, reset.stderr
    hashed = dict((n, h) for n, _, h, _ in _accounts(tmp_path))["bilal"]
    assert PasswordHasher().verify(hashed, "a-new-fake-password")
    with sqlite3.connect(tmp_path / "ssw_bot.db") as db:
        actions = [row[0] for row in db.execute("SELECT action FROM audit_log ORDER BY id")]
    assert actions == ["staff_add", "staff_add", "staff_disable", "staff_enable", "staff_password"]


def test_mistakes_are_explained_with_exit_2(tmp_path: Path) -> None:
    short = ssw_bot(tmp_path, "staff", "add", "chand", "--role", "officer", typed="short\n")
    assert short.returncode == 2 and "at least 10 characters" in short.stderr
    bad_name = ssw_bot(tmp_path, "staff", "add", "a b", "--role", "officer", typed=PASSWORD)
    assert bad_name.returncode == 2 and "sign-in name" in bad_name.stderr
    ssw_bot(tmp_path, "staff", "add", "chand", "--role", "officer", typed=PASSWORD)
    twice = ssw_bot(tmp_path, "staff", "add", "chand", "--role", "viewer", typed=PASSWORD)
    assert twice.returncode == 2 and "exists already" in twice.stderr
    missing = ssw_bot(tmp_path, "staff", "disable", "nobody")
    assert missing.returncode == 2 and "No account is called nobody" in missing.stderr
    bad_role = ssw_bot(tmp_path, "staff", "add", "dua", "--role", "boss", typed=PASSWORD)
    assert bad_role.returncode == 2 and "invalid choice" in bad_role.stderr
    for result in (short, bad_name, twice, missing):
        assert "Traceback" not in result.stderr


def test_web_without_a_secret_key_explains_and_exits_2(tmp_path: Path) -> None:
    result = ssw_bot(tmp_path, "web")
    assert result.returncode == 2
    assert "STAFF_SECRET_KEY" in result.stderr and "Traceback" not in result.stderr
    run = ssw_bot(tmp_path, "run", "--web")
    assert run.returncode == 2  # no Telegram token either: that is said first


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def _serving(port: int, process: asyncio.subprocess.Process) -> str:
    """The sign-in page, once the process answers (it migrates the database first)."""
    async with aiohttp.ClientSession() as session:
        for _ in range(120):
            if process.returncode is not None:
                raise AssertionError(f"exited with {process.returncode}")
            try:
                async with session.get(f"http://127.0.0.1:{port}/sign-in") as response:
                    assert response.status == 200
                    return await response.text()
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.5)
    raise AssertionError("the staff web app did not answer")


@pytest.mark.parametrize("command", [["web"], ["run", "--web"]])
async def test_the_web_app_serves_alone_or_inside_the_bot(
    command: list[str], api: FakeBotApi, tmp_path: Path
) -> None:
    port, secret = _free_port(), "fake-secret-key-for-this-test-only"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "STAFF_"))}
    env.update(
        STAFF_SECRET_KEY=secret,
        STAFF_PORT=str(port),
        DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}",
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=api.base_url,
        TELEGRAM_API_FILE_URL=api.base_file_url,
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *command,
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        page = await _serving(port, process)
        assert 'name="password"' in page
    finally:
        process.terminate()
        output, _ = await process.communicate()
    assert secret not in output.decode()
    assert f"staff web app on http://127.0.0.1:{port}" in output.decode()
