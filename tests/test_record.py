"""The exact record, through the conversation service on real databases: the funnel rows of a
worker who reads, starts, leaves, comes back and cancels; and the consent time of a lead, which
is when the worker agreed, not when they submitted."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.app import Services, build_services
from bot.conversation import Incoming
from bot.engine.model import Action, Press, Text
from bot.ssw.options import OPTION_SOURCES
from tests.conftest import TODAY

AGREED = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
TYPED = {
    "full_name": "Test Worker Lambda",
    "cnic": "42101-4817263-5",
    "mobile": "0300 1234567",
    "birth_date": "15/03/1998",
    "district": "Lahore",
    "experience_years": "3",
}


class Clock:
    """The service's clock, set by the test."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(AGREED)


@pytest.fixture
async def clocked(database_url: str, clock: Clock) -> AsyncIterator[Services]:
    built = build_services(database_url, today=lambda: TODAY, now=clock)
    try:
        yield built
    finally:
        await built.close()


async def act(services: Services, action: Action, user: str = "worker") -> str:
    replies = await services.conversations.handle(Incoming("terminal", user, action=action))
    return "\n".join(r.text for r in replies)


async def state(services: Services, user: str = "worker") -> dict[str, Any]:
    found = await services.repository.state_of("terminal", user)
    assert found is not None
    return found


async def answer_registration(services: Services, user: str = "worker") -> None:
    """Answer whatever the registration asks (typed answers from TYPED, else the first
    option) until its review screen."""
    flow = services.conversations.engine.flows["registration"]
    for _ in range(60):
        now = await state(services, user)
        if now["mode"] == "review":
            return
        step = flow.step(now["step"])
        if step.id in TYPED:
            await act(services, Text(TYPED[step.id]), user)
            continue
        given = now["answers"]["registration"]
        options = step.options or OPTION_SOURCES[step.options_from or ""](given)
        if step.kind == "multi_choice":
            await act(services, Press(f"t:{step.id}:{options[0].value}"), user)
            await act(services, Press(f"d:{step.id}"), user)
        else:
            await act(services, Press(f"a:{step.id}:{options[0].value}"), user)
    raise AssertionError("the registration never reached its review")


def rows(events: Any) -> list[tuple[str, str, str | None, str | None]]:
    return [(e.flow, e.kind, e.step, e.value) for e in events]


async def test_funnel_of_a_worker_who_reads_leaves_comes_back_and_cancels(
    services: Services,
) -> None:
    topics = [o.value for o in OPTION_SOURCES["faq_topics"]({})][:2]
    await act(services, Press("l:en"))
    await act(services, Press("m:about"))
    await act(services, Press(f"a:topic:{topics[0]}"))
    await act(services, Press("a:answer:more"))
    await act(services, Press(f"a:topic:{topics[1]}"))
    assert "Before we start" in await act(services, Press("a:answer:register"))
    assert "What would you like to do?" in await act(services, Press("n:back:consent"))
    assert "Before we start" in await act(services, Press("m:register"))
    assert "Stop now?" in await act(services, Press("n:cancel"))
    await act(services, Press("c:yes"))
    assert rows(await services.repository.funnel_events()) == [
        ("about", "started", None, None),
        ("about", "step", "topic", None),
        ("about", "viewed", "topic", topics[0]),
        ("about", "step", "answer", None),
        ("about", "step", "topic", None),
        ("about", "viewed", "topic", topics[1]),
        ("about", "step", "answer", None),
        ("about", "left", "answer", None),
        ("registration", "started", None, None),
        ("registration", "step", "consent", None),
        ("registration", "left", "consent", None),  # Back from the first question
        ("registration", "resumed", None, None),
        ("registration", "step", "consent", None),
        ("registration", "dropped", "consent", None),
    ]
    funnel = await services.repository.funnel("registration")
    assert funnel == {"started": 1, "step": 2, "left": 1, "resumed": 1, "dropped": 1}


async def test_a_sector_read_and_the_main_menu_are_recorded(services: Services) -> None:
    sector = OPTION_SOURCES["all_sectors"]({})[0].value
    await act(services, Press("l:en"))
    await act(services, Press("m:sectors"))
    await act(services, Press(f"a:sector:{sector}"))
    await act(services, Press("n:cancel"))  # "🏠 Main menu"
    await act(services, Press("m:register"))
    await act(services, Press("a:consent:no"))
    assert rows(await services.repository.funnel_events()) == [
        ("sectors", "started", None, None),
        ("sectors", "step", "sector", None),
        ("sectors", "viewed", "sector", sector),
        ("sectors", "step", "detail", None),
        ("sectors", "left", "detail", None),
        ("registration", "started", None, None),
        ("registration", "step", "consent", None),
        ("registration", "declined", None, None),
    ]


async def test_consent_time_is_when_the_worker_agreed(clocked: Services, clock: Clock) -> None:
    services = clocked
    await act(services, Press("l:en"))
    await act(services, Press("m:register"))
    await act(services, Press("a:consent:yes"))
    assert (await state(services))["results"]["consent_at"] == {"registration": AGREED.isoformat()}
    clock.now = AGREED + timedelta(hours=3)  # the worker takes their time
    await answer_registration(services)
    clock.now = AGREED + timedelta(days=1)
    assert "Your reference number is" in await act(services, Press("r:ok"))
    (lead,) = await services.repository.leads()
    assert _utc(lead.consent_at) == AGREED
    assert "consent_at" not in (await state(services))["results"]  # used once

    again = AGREED + timedelta(days=5)  # registering again from the same account
    clock.now = again
    await act(services, Press("m:register"))
    await act(services, Press("a:consent:yes"))
    clock.now = again + timedelta(minutes=20)
    await answer_registration(services)
    await act(services, Press("r:ok"))
    (lead,) = await services.repository.leads()  # the same lead, updated
    assert _utc(lead.consent_at) == again


async def test_a_consent_time_goes_with_a_cancelled_form(clocked: Services) -> None:
    services = clocked
    await act(services, Press("l:en"))
    await act(services, Press("m:register"))
    await act(services, Press("a:consent:yes"))
    await act(services, Press("n:cancel"))
    await act(services, Press("c:yes"))
    assert "consent_at" not in (await state(services))["results"]


def _utc(moment: datetime) -> datetime:
    """SQLite gives the stored UTC time back without its zone."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
