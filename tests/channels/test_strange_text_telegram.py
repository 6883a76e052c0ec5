"""Long and strange text over Telegram itself: python-telegram-bot, real HTTP, the fake Bot
API (which refuses a message over 4,096 characters, as Telegram does), a real SQLite file.
Every strange message gets an answer that fits, in plain text (no parse mode: ``<b>`` stays
text), and the question is asked again."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest

from bot.app import Services
from tests.channels.conftest import at_menu, running_bot
from tests.fake_bot_api import FakeBotApi
from tests.strange import STRANGE

NAME_PROMPT = "What is your full name, as on your CNIC?"
COMMANDS = (
    "/start " + "y" * 4089,  # 4,096 characters with the command
    "/" + "z" * 4095,
    "/mydata@ssw_test_bot <script>alert(1)</script>",
    "/language@someone_else",
    "/\u202estart",
    "/start '; DROP TABLE leads; --",
)


@pytest.fixture
async def bot_on_sqlite(api: FakeBotApi, sqlite_url: str) -> AsyncIterator[Services]:
    async with running_bot(api, sqlite_url) as services:
        yield services


async def test_strange_texts_and_commands_over_telegram(
    api: FakeBotApi, bot_on_sqlite: Services, caplog: pytest.LogCaptureFixture
) -> None:
    person = await at_menu(api, 9800)
    await person.tap("📝 Register with OEC for Japan")
    await person.tap("✅ I agree")
    caplog.set_level(logging.WARNING)
    for text in [t for t in STRANGE if 0 < len(t) <= 4096 and t.strip("\x00\x01\x7f ")]:
        await person.user.send(text)
        said = await person.user.replies_until_idle(quiet=0.3, timeout=5)
        assert said, text[:40]
        assert all(len(m.text) <= 4096 and m.parse_mode is None for m in said)
        state = await bot_on_sqlite.repository.state_of("telegram", "9800")
        assert state is not None
        if state["step"] != "full_name":  # taken as a name: go back to the question
            await person.say("/cancel")
            await person.tap("Yes, stop")
            await person.tap("📝 Register with OEC for Japan")
            await person.tap("✅ I agree")
    for command in COMMANDS:
        await person.user.send(command)
        said = await person.user.replies_until_idle(quiet=0.3, timeout=5)
        assert said, command[:40]
        assert all(len(m.text) <= 4096 for m in said)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    assert not [m for m in api.messages(9800) if len(m.text) > 4096]
    assert api.unanswered_callback_queries == []
