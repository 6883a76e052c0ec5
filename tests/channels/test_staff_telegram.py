"""Staff on Telegram, end to end over real HTTP: a configured staff id gets today's and the
week's figures with /stats and the last 7 days' XLSX with /export (read back with openpyxl),
recorded in the audit log; anyone else gets exactly the worker's "unknown command" answer."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest
from sqlalchemy import select

from bot.app import Services
from bot.storage.db import session_factory
from bot.storage.staff_models import AuditEntry
from tests.channels.conftest import Person, at_menu, running_bot
from tests.fake_bot_api import FakeBotApi
from tests.staff import factory

STAFF = 4242


@pytest.fixture
async def bot(api: FakeBotApi, database_url: str) -> AsyncIterator[Services]:
    async with running_bot(api, database_url, staff_ids={STAFF}) as services:
        yield services


async def leads(bot: Services) -> list[str]:
    """Two leads today, one three days ago, one ten days ago; the references of the week's."""
    now = datetime.now(UTC)
    week = [
        await factory.add_lead(bot.database, created_at=now),
        await factory.add_lead(bot.database, created_at=now, answers={"province": "sindh"}),
        await factory.add_lead(bot.database, created_at=now - timedelta(days=3)),
    ]
    await factory.add_lead(bot.database, created_at=now - timedelta(days=10))
    return week


async def test_stats_and_export_for_staff(api: FakeBotApi, bot: Services) -> None:
    week = await leads(bot)
    staff = Person(api.user(STAFF, language_code="en"))

    await staff.user.send("/stats")
    (stats,) = (await staff.quiet_turn()).messages
    today, last_week, note = stats.text.split("\n\n")
    assert today.startswith("Today, ") and "Registered: 2" in today
    assert last_week.startswith("Last 7 days, ") and "Registered: 3" in last_week
    assert "Pakistan time" in note

    await staff.user.send("/export")
    (sent,) = (await staff.quiet_turn()).messages
    assert sent.document is not None and sent.document.filename.endswith(".xlsx")
    assert sent.text.startswith("Leads registered from ") and sent.text.endswith(": 3")
    sheet = openpyxl.load_workbook(io.BytesIO(sent.document.data), read_only=True).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Reference" and len(rows) == 4
    assert sorted(str(r[0]) for r in rows[1:]) == sorted(week)

    async with session_factory(bot.database)() as db:
        (entry,) = (await db.scalars(select(AuditEntry))).all()
    assert (entry.action, entry.actor, entry.account_id) == ("export", f"telegram:{STAFF}", None)
    assert entry.detail is not None and entry.detail["rows"] == 3
    assert entry.detail["via"] == "telegram" and entry.detail["format"] == "xlsx"


async def test_anyone_else_gets_the_unknown_command_answer(api: FakeBotApi, bot: Services) -> None:
    await leads(bot)
    worker = await at_menu(api, 4343)
    expected = [m.text for m in (await worker.say("/nosuchcommand")).messages]
    assert "I don't know that command" in expected[0]
    for command in ("/stats", "/export"):
        answer = await worker.say(command)
        assert [m.text for m in answer.messages] == expected
        assert all(m.document is None for m in answer.messages)
    async with session_factory(bot.database)() as db:
        assert (await db.scalars(select(AuditEntry))).all() == []


async def test_stats_in_urdu_read_right_to_left(api: FakeBotApi, bot: Services) -> None:
    await leads(bot)
    staff = Person(api.user(STAFF, language_code="ur"), "ur")
    await staff.user.send("/stats")
    (stats,) = (await staff.quiet_turn()).messages
    for line in stats.text.split("\n"):
        assert not line or (line.startswith("\u200f") and "\u0600" <= line[1] <= "\u06ff"), line
