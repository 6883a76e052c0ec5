"""Settings read from the environment as an operator writes them: staff on Telegram, OEC's
time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from bot.config import Settings
from bot.oec_time import oec_clock, oec_today


def test_staff_ids_and_group_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STAFF_TELEGRAM_IDS", " 1001, 1002;1003 ,, not-a-number")
    monkeypatch.setenv("STAFF_GROUP_CHAT_ID", "-1001234567890")
    monkeypatch.setenv("STAFF_ANNOUNCE_MINUTES", "15")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.staff_ids() == {1001, 1002, 1003}
    assert settings.staff_group() == -1001234567890
    assert settings.staff_announce_minutes == 15


def test_no_staff_and_no_group_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("STAFF_TELEGRAM_IDS", "STAFF_GROUP_CHAT_ID"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.staff_ids() == frozenset() and settings.staff_group() is None
    assert settings.staff_group_language == "en"


def test_timezone_is_oecs_day_and_reminder_timezone_still_sets_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("TIMEZONE", "REMINDER_TIMEZONE"):
        monkeypatch.delenv(name, raising=False)
    assert Settings(_env_file=None).timezone == "Asia/Karachi"  # type: ignore[call-arg]
    monkeypatch.setenv("REMINDER_TIMEZONE", "Asia/Dubai")  # a deployment of before
    assert Settings(_env_file=None).timezone == "Asia/Dubai"  # type: ignore[call-arg]
    monkeypatch.setenv("TIMEZONE", "Asia/Tokyo")  # the new name wins
    assert Settings(_env_file=None).timezone == "Asia/Tokyo"  # type: ignore[call-arg]


def test_a_misspelt_timezone_is_refused_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIMEZONE", "Asia/Karachee")
    with pytest.raises(ValidationError, match="unknown time zone"):
        Settings(_env_file=None)  # type: ignore[call-arg]


def test_oecs_today_is_the_date_in_its_zone() -> None:
    evening = datetime(2026, 12, 1, 19, 30, tzinfo=UTC)  # 00:30 on 2 December in Karachi
    assert oec_today(evening) == date(2026, 12, 2)
    assert oec_today(evening, "UTC") == date(2026, 12, 1)
    assert oec_today(datetime(2026, 12, 1, 18, 59, tzinfo=UTC)) == date(2026, 12, 1)
    assert oec_clock("Asia/Karachi", lambda: evening)() == date(2026, 12, 2)
