"""The conversation service without any channel: failures roll back and apologise."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from bot.app import Services, build_services
from bot.conversation import Incoming
from bot.engine.engine import Press, Text
from tests.conftest import TODAY


async def say(services: Services, **kw: object) -> str:
    replies = await services.conversations.handle(Incoming("terminal", "tester", **kw))  # type: ignore[arg-type]
    return "\n".join(r.text for r in replies)


@pytest.fixture
async def breakable(sqlite_url: str) -> AsyncIterator[Services]:
    """Services on a private SQLite file, which a test may damage."""
    built = build_services(sqlite_url, today=lambda: TODAY)
    yield built
    await built.close()


async def test_a_storage_failure_keeps_earlier_answers_and_logs_no_personal_data(
    breakable: Services, caplog: pytest.LogCaptureFixture
) -> None:
    services = breakable
    await say(services, action=Press("l:en"))
    await say(services, action=Press("m:register"))
    await say(services, action=Press("a:consent:yes"))
    await say(services, action=Text("Test Worker Kappa"))
    async with services.database.begin() as connection:  # the funnel table breaks
        await connection.execute(text("DROP TABLE funnel_events"))
    with caplog.at_level(logging.ERROR):
        reply = await say(services, action=Text("42101-4817263-5"))
    assert "Sorry, something went wrong on our side." in reply
    assert "4210148172635" not in caplog.text and "42101-4817263-5" not in caplog.text
    assert "Test Worker Kappa" not in caplog.text
    state = await services.repository.state_of("terminal", "tester")
    assert state is not None
    assert state["step"] == "cnic"  # the failed answer was not half-saved
    assert state["answers"]["registration"]["full_name"] == "Test Worker Kappa"


async def test_a_repeated_event_is_applied_once(services: Services) -> None:
    await say(services, action=Press("l:en"), event_id=10)
    await say(services, action=Press("m:register"), event_id=11)
    assert await say(services, action=Press("m:register"), event_id=11) == ""
    assert await services.repository.funnel("registration") == {"started": 1, "step": 1}
