"""``ssw-bot export`` as staff run it: files, summary, progress bar, bad values, no half files."""

from __future__ import annotations

import asyncio
import csv
import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import openpyxl
import pytest

from bot.cli import main
from bot.storage.db import create_engine
from tests.staff.factory import add_lead, add_unfinished


def ssw_bot(cwd: Path, database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    env["DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "bot", "export", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """An empty folder to export into (the test database lives next to it)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


@pytest.fixture
def seeded(sqlite_url: str) -> str:
    async def run() -> None:
        database = create_engine(sqlite_url)
        try:
            await add_lead(database, full_name="محمد علی", answers={"sectors": ["agriculture"]})
            await add_lead(database, full_name="Test Bilal", answers={"province": "sindh"})
            await add_unfinished(database, {"consent": "yes", "full_name": "Test Zara"}, "cnic")
        finally:
            await database.dispose()

    asyncio.run(run())
    return sqlite_url


def test_csv_and_xlsx_files_with_a_summary(out: Path, seeded: str) -> None:
    result = ssw_bot(out, seeded, "--format", "csv", "--out", "leads.csv")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no progress bar when stderr is not a terminal
    assert result.stdout.startswith("wrote 2 leads to leads.csv in ")
    assert result.stdout.strip().endswith(" s") and len(result.stdout.splitlines()) == 1
    with (out / "leads.csv").open(encoding="utf-8-sig", newline="") as file:
        names = [row["Full name"] for row in csv.DictReader(file)]
    assert names == ["محمد علی", "Test Bilal"]
    assert (out / "leads.csv").stat().st_mode & 0o077 == 0  # personal data: owner only

    result = ssw_bot(out, seeded, "--out", "sindh.xlsx", "--province", "Sindh")
    assert result.returncode == 0, result.stderr
    assert "wrote 1 leads to sindh.xlsx" in result.stdout
    sheet = openpyxl.load_workbook(out / "sindh.xlsx").active
    assert sheet["C2"].value == "Test Bilal"

    result = ssw_bot(out, seeded, "--out", "stopped.csv", "--unfinished")
    assert result.returncode == 0, result.stderr
    assert "wrote 1 unfinished registrations" in result.stdout
    assert "CNIC" in (out / "stopped.csv").read_text(encoding="utf-8-sig")
    assert sorted(p.name for p in out.iterdir()) == ["leads.csv", "sindh.xlsx", "stopped.csv"]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--sector", "rocket_science"], ["unknown value 'rocket_science'", "construction"]),
        (["--since", "yesterday"], ["2026-11-25", "25/11/2026"]),
        (["--since", "2026-11-05", "--until", "2026-11-01"], ["before"]),
        (["--province", "texas"], ["punjab (Punjab)"]),
        (["--eligible", "maybe"], ["meets", "not_now", "none"]),
        (["--language", "fr"], ["ur (Urdu)"]),
        (["--unfinished", "--status", "new"], ["unfinished"]),
        (["--format", "pdf"], ["invalid choice"]),
    ],
)
def test_bad_values_exit_2_and_write_nothing(
    out: Path, seeded: str, args: list[str], says: list[str]
) -> None:
    result = ssw_bot(out, seeded, "--out", "leads.csv", *args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    for text in says:
        assert text in result.stderr
    assert list(out.iterdir()) == []


def test_no_format_and_no_known_extension(out: Path, seeded: str) -> None:
    result = ssw_bot(out, seeded, "--out", "leads.dat")
    assert result.returncode == 2 and "--format csv" in result.stderr
    result = ssw_bot(out, seeded, "--out", "missing/leads.csv")
    assert result.returncode == 2 and "does not exist" in result.stderr


def test_a_missing_database_is_not_created(out: Path) -> None:
    result = ssw_bot(out, f"sqlite:///{out / 'nothing.db'}", "--out", "x.csv")
    assert result.returncode == 1 and "no database" in result.stderr
    assert list(out.iterdir()) == []


def test_a_failed_export_leaves_no_half_file(
    out: Path, seeded: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows already written go to a temporary file, removed when the export fails; an
    earlier file of the same name is left as it was."""
    from bot.staff import export as export_module

    async def broken(database, where, format, sink, progress=None):  # type: ignore[no-untyped-def]
        await sink.write(b"half a file")
        raise OSError("disk full")

    monkeypatch.setattr(export_module, "export", broken)
    monkeypatch.setenv("DATABASE_URL", seeded)
    monkeypatch.chdir(out)
    (out / "leads.csv").write_text("the earlier export")
    with pytest.raises(OSError, match="disk full"):
        main(["export", "--out", "leads.csv"])
    assert sorted(p.name for p in out.iterdir()) == ["leads.csv"]
    assert (out / "leads.csv").read_text() == "the earlier export"


def test_a_progress_bar_on_a_terminal(out: Path, seeded: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    env["DATABASE_URL"] = seeded
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    try:
        result = subprocess.run(
            [sys.executable, "-m", "bot", "export", "--out", "leads.csv"],
            cwd=out,
            env=env,
            stdout=subprocess.PIPE,
            stderr=follower,
            text=True,
            timeout=120,
        )
        os.close(follower)
        follower = -1
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
    finally:
        if follower >= 0:
            os.close(follower)
        os.close(leader)
    assert result.returncode == 0
    assert b"leads.csv" in shown and b"2/2" in shown  # tqdm: name, rows done of total
    assert result.stdout.startswith("wrote 2 leads")
