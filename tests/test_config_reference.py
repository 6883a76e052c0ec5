"""The README's configuration reference is the one generated from ``bot.config.Settings``."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.config import Settings
from bot.config_reference import README, REGENERATE, current, rewrite, table


def test_the_readme_lists_every_setting_as_generated() -> None:
    found = current(README.read_text(encoding="utf-8"))
    assert found is not None, "README.md lost its settings markers"
    assert found == table(), f"README.md's configuration table is out of date: run {REGENERATE}"


def test_every_setting_has_a_row_with_its_default() -> None:
    rows = table().splitlines()
    for name, field in Settings.model_fields.items():
        row = next((r for r in rows if r.startswith(f"| `{name.upper()}` |")), None)
        assert row is not None, name
        assert field.description and " ".join(field.description.split()) in row.replace("\\|", "|")
    assert "| `STAFF_PORT` | `8080` | The staff web app's port. |" in rows
    assert "| `STAFF_SECURE_COOKIES` | `false` |" in table()


def test_a_changed_table_is_detected_and_rewritten() -> None:
    stale = README.read_text(encoding="utf-8").replace("| `STAFF_PORT` | `8080` |", "| `X` | 1 |")
    assert current(stale) != table()
    assert current(rewrite(stale)) == table()
    with pytest.raises(ValueError, match="markers"):
        rewrite("# a README without the markers\n")


def test_python_m_bot_config_prints_the_table() -> None:
    printed = subprocess.run(
        [sys.executable, "-m", "bot.config"], capture_output=True, text=True, check=True
    ).stdout
    assert printed == table()
