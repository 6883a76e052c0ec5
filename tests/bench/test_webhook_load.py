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


def test_the_mobile_question_is_answered_only_once_its_hint_arrived() -> None:
    """The mobile number's question comes in two messages; a simulated user who answered at
    the first would take the second for the next question and overtake it (the bad and lost
    replies of earlier runs)."""
    from bench.registration_actions import registration_actions
    from bench.webhook_load import carries_next
    from tests.fake_bot_api import BotMessage, Button

    mobile = next(a for a in registration_actions(7) if a.prompt)
    assert mobile.value == "03000000007"

    def message(text: str, inline: bool, keyboard: bool) -> BotMessage:
        buttons = [[Button(text="⬅️ Back", callback_data="b")]] if inline else []
        reply = [[Button(text="📱 Share my number")]] if keyboard else []
        return BotMessage(1, 1, text, buttons, reply, False, None)

    question = message("Step 4 of 16\n\nWhat is your mobile number?", True, False)
    hint = message("Or tap the button below to share this phone's number.", False, True)
    assert not carries_next("ours", question, mobile)
    assert carries_next("ours", hint, mobile)
    birth_date = registration_actions(7)[7]
    assert carries_next("ours", question, birth_date)  # a one-message question carries
