"""``ssw-bot db backup OUT``: a consistent copy of the database, taken while the bot runs.

PostgreSQL: ``pg_dump -Fc`` of the configured URL (custom format, one snapshot; restore it
with ``pg_restore``). SQLite: the sqlite3 online backup API, page by page, which readers and
writers may use meanwhile; the copy is a plain SQLite file. The restore steps are in the
README ("Backup and restore").
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import URL, make_url


class BackupError(Exception):
    """The backup could not be made (the message says why, without the password)."""


def backup(url: str, out: Path) -> None:
    """Back the database at ``url`` up to ``out`` (overwritten)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        _sqlite(parsed.database or "", out)
    elif parsed.get_backend_name() == "postgresql":
        _postgres(url, out)
    else:
        raise BackupError(f"no backup for {parsed.get_backend_name()} databases")


def _sqlite(path: str, out: Path) -> None:
    if not path or path == ":memory:" or not Path(path).exists():
        raise BackupError(f"no SQLite database file at {path or '(none)'}")
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(path)
    try:
        target = sqlite3.connect(partial)
        try:
            source.backup(target, pages=1024)  # a step at a time: writers are not held up
        finally:
            target.close()
    finally:
        source.close()
    partial.replace(out)


def libpq_url(url: str) -> tuple[str, dict[str, str]]:
    """The URL as pg_dump takes it (no SQLAlchemy driver), and the environment that passes
    the password (``PGPASSWORD``), so it is not on the command line."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = URL.create(
        "postgresql",
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query=parsed.query,
    )
    return plain.render_as_string(hide_password=False), env


def _postgres(url: str, out: Path) -> None:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupError(
            "pg_dump not found: install the PostgreSQL client tools (Debian: apt-get install "
            "postgresql-client, the server's major version or newer), then run this again"
        )
    target, env = libpq_url(url)
    partial = out.with_name(out.name + ".partial")
    done = subprocess.run(
        [pg_dump, "--format=custom", "--no-owner", "--file", str(partial), target],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed ({done.returncode}): {done.stderr.strip()[:500]}")
    partial.replace(out)
