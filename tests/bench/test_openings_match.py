"""The matching benchmark works end to end (tiny settings, SQLite): both openings matched,
the same classes as the baseline, the dashboard figures timed, its table printed, exit 0."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_short_run_matches_like_the_baseline() -> None:
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "openings_match.py"),
            *("--leads", "400", "--database", "sqlite", "--repeat", "2"),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    rows = [line.split("|")[1:-1] for line in result.stdout.splitlines() if "| sqlite |" in line]
    assert [row[1].strip() for row in rows] == ["typical", "worst"]
    for row in rows:
        assert row[9].strip() == "yes"  # the same classes as match on every lead
    worst = rows[1]
    assert worst[2].strip() == "400"  # every lead chose the field
    assert "dashboard per-opening figures" in result.stdout
