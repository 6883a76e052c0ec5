"""The conversation service without any channel: failures roll back and apologise."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from bot.app import Services, build_services
from bot.conversation import Incoming
from bot.engine.model import Press, Text
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


AGE_LABEL = "{min_age} or older on the day you enter Japan (you are {age})"
OLD_ADVICE = "You can register now. You can go to Japan from the age of {min_age}."


async def test_mydata_reads_an_eligibility_result_stored_in_version_1(services: Services) -> None:
    """Leads already store version 1 results: /mydata shows them with the new verdict words,
    without the old advice that told under-17s to register now."""
    await say(services, action=Press("l:en"))
    old = {
        "version": 1,
        "routes": [
            {
                "id": "not_eligible",
                "status": "not_yet",
                "params": {},
                "criteria": [
                    {
                        "label_msgid": AGE_LABEL,
                        "status": "not_met",
                        "params": {"min_age": "18", "age": "15"},
                    }
                ],
                "next_steps": [
                    {
                        "msgid": OLD_ADVICE,
                        "params": {"min_age": "18"},
                    },
                    {"msgid": "Start learning Japanese now.", "params": {}},
                ],
                "sources": ["ss1-office.jp"],
            }
        ],
    }
    async with services.repository.user("terminal", "tester") as unit:
        unit.save_state({"results": {"eligibility": old}})
    reply = await say(services, command="mydata")
    assert "Not now, because:" in reply
    assert "❌ 18 or older on the day you enter Japan (you are 15)" in reply
    assert "Start learning Japanese now." in reply
    assert "You can register now" not in reply
