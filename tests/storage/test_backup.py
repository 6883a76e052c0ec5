"""``ssw-bot db backup``: back up a database the bot is using, restore it into a fresh one
(a copied SQLite file; ``pg_restore`` into a new PostgreSQL database), find the leads."""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import asyncpg
import pytest

from bot.app import Services, build_services
from bot.storage.backup import BackupError, backup, libpq_url
from bot.storage.repository import LeadData
from tests.conftest import PG_ADMIN_URL, _pg_dsn


async def _register(services: Services, n: int) -> set[str]:
    references = set()
    for i in range(n):
        async with services.repository.user("telegram", str(5000 + i)) as unit:
            saved = await unit.save_lead(
                LeadData(
                    cnic=f"35202{i:08d}",
                    full_name=f"Test Worker {i}",
                    mobile=f"+92300{i:07d}",
                    birth_date=date(1998, 3, 15),
                    province="punjab",
                    answers={"sectors": ["construction"]},
                    language="ur",
                )
            )
            references.add(saved.reference)
    return references


async def _references(url: str) -> set[str]:
    restored = build_services(url)
    try:
        return {lead.reference for lead in await restored.repository.leads()}
    finally:
        await restored.close()


def _ssw_bot(
    database_url: str, *args: str, path: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    env["DATABASE_URL"] = database_url
    if path is not None:
        env["PATH"] = path
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], env=env, capture_output=True, text=True, timeout=120
    )


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def test_backup_then_restore_finds_the_leads(
    services: Services, database_url: str, tmp_path: Path
) -> None:
    references = await _register(services, 3)
    out = tmp_path / "ssw.backup"
    # the bot's own engine stays open (as a running bot's would) while the backup is taken
    async with services.repository.user("telegram", "5000") as unit:
        assert unit.user_id > 0
    done = await asyncio.to_thread(_ssw_bot, database_url, "db", "backup", str(out))
    assert done.returncode == 0, done.stderr
    assert out.stat().st_size > 0 and not out.with_name(out.name + ".partial").exists()

    if database_url.startswith("sqlite"):
        restored = tmp_path / "restored.db"  # the restore step: copy the file into place
        shutil.copyfile(out, restored)
        assert await _references(f"sqlite:///{restored}") == references
        return
    name = f"ssw_restore_{secrets.token_hex(6)}"
    await _admin(f'CREATE DATABASE "{name}"')
    try:
        target, env = libpq_url(_pg_dsn(name))
        restore = await asyncio.to_thread(
            subprocess.run,
            ["pg_restore", "--no-owner", "--dbname", target, str(out)],
            env=env,
            capture_output=True,
            text=True,
        )
        assert restore.returncode == 0, restore.stderr
        assert await _references(_pg_dsn(name)) == references
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_without_pg_dump_the_error_says_what_to_install(tmp_path: Path) -> None:
    bare = tmp_path / "bin"
    bare.mkdir()  # a PATH with no pg_dump on it
    done = _ssw_bot(
        "postgresql://postgres@127.0.0.1:5432/test", "db", "backup", str(tmp_path / "x"),
        path=str(bare),
    )  # fmt: skip
    assert done.returncode == 1
    assert "pg_dump not found" in done.stderr and "postgresql-client" in done.stderr
    assert not (tmp_path / "x").exists()


def test_a_missing_sqlite_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="no SQLite database file"):
        backup(f"sqlite:///{tmp_path / 'none.db'}", tmp_path / "out.db")
    assert not (tmp_path / "none.db").exists()


def test_the_password_goes_in_the_environment_not_the_command_line() -> None:
    url, env = libpq_url("postgresql+asyncpg://oec:s3cret@db.example:5432/ssw")
    assert url == "postgresql://oec@db.example:5432/ssw"
    assert env["PGPASSWORD"] == "s3cret"
