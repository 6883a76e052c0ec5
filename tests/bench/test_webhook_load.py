"""The load benchmark's harness works end to end (tiny settings: a few seconds of load on
SQLite, the echo bot and ours): every action is answered, it prints its table and exits 0."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def bench(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "bench" / "webhook_load.py"), *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=240,
    )


def test_a_short_run_measures_both_bots() -> None:
    result = bench(
        "--rates",
        "4",
        "--window",
        "3",
        "--grace",
        "5",
        "--database",
        "sqlite",
        "--configs",
        "echo,ours",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    rows = {
        line.split("|")[0].strip(): [cell.strip() for cell in line.split("|")]
        for line in result.stdout.splitlines()
        if line.count("|") == 11
    }
    assert {"echo", "ours x1"} <= set(rows)
    for name in ("echo", "ours x1"):
        offered, achieved, missing, lost, bad = (rows[name][i] for i in (1, 2, 5, 6, 7))
        assert offered == "4" and float(achieved) > 2 and missing == lost == bad == "0"
