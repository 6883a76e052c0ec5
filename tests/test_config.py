"""Settings for staff on Telegram, read from the environment as an operator writes them."""

from __future__ import annotations

import pytest

from bot.config import Settings


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
