"""The repository on a real SQLite file and on the real PostgreSQL server."""

from __future__ import annotations

import asyncio
from datetime import date

from bot.app import Services
from bot.storage.repository import REFERENCE_ALPHABET, LeadData, new_reference


def lead(cnic: str = "1234512345671", name: str = "Test Worker Alpha") -> LeadData:
    return LeadData(
        cnic=cnic,
        full_name=name,
        mobile="+923001234567",
        birth_date=date(1998, 3, 15),
        province="punjab",
        answers={"full_name": name, "sectors": ["construction"]},
        language="ur",
    )


def test_references_are_readable() -> None:
    reference = new_reference()
    assert reference.startswith("SSW-") and len(reference) == 13
    assert set(reference[4:].replace("-", "")) <= set(REFERENCE_ALPHABET)


async def test_state_and_language_persist_between_transactions(services: Services) -> None:
    repo = services.repository
    async with repo.user("telegram", "1001") as unit:
        unit.set_language("ur")
        unit.set_source("roadshow_lahore")
        unit.save_state({"flow": "registration", "step": "cnic", "answers": {"x": 1}})
    async with repo.user("telegram", "1001") as unit:
        assert unit.language == "ur"
        assert unit.source == "roadshow_lahore"
        unit.set_source("later_campaign")  # the first source is kept
        assert unit.state["step"] == "cnic"
    assert (await repo.state_of("telegram", "1001") or {})["answers"] == {"x": 1}
    async with repo.user("telegram", "1001") as unit:
        assert unit.source == "roadshow_lahore"


async def test_a_failed_transaction_saves_nothing(services: Services) -> None:
    repo = services.repository
    try:
        async with repo.user("telegram", "1002") as unit:
            unit.save_state({"step": "lost"})
            raise RuntimeError("handler crashed")
    except RuntimeError:
        pass
    assert await repo.state_of("telegram", "1002") is None


async def test_same_cnic_updates_the_lead(services: Services) -> None:
    repo = services.repository
    async with repo.user("telegram", "2001") as unit:
        first = await unit.save_lead(lead())
    async with repo.user("telegram", "2002") as unit:
        second = await unit.save_lead(lead(name="Test Worker Beta"))
    assert first == second
    leads = await repo.leads()
    assert len(leads) == 1
    assert leads[0].full_name == "Test Worker Beta"
    assert leads[0].birth_date == date(1998, 3, 15)
    assert leads[0].answers["sectors"] == ["construction"]


async def test_erase_removes_user_lead_and_conversation(services: Services) -> None:
    repo = services.repository
    async with repo.user("telegram", "3001") as unit:
        unit.save_state({"step": "x"})
        unit.record("started", "registration")
        await unit.save_lead(lead(cnic="1111111111111"))
    async with repo.user("telegram", "3001") as unit:
        assert (await unit.lead()) is not None
        await unit.erase()
    assert await repo.leads() == []
    assert await repo.state_of("telegram", "3001") is None
    assert await repo.funnel("registration") == {"started": 1}  # kept, without the person


async def test_one_users_concurrent_updates_never_lose_a_write(services: Services) -> None:
    repo = services.repository

    async def bump() -> None:
        async with repo.user("telegram", "4001") as unit:
            count = unit.state.get("count", 0)
            await asyncio.sleep(0)  # let the others try to interleave
            unit.save_state({"count": count + 1})

    await asyncio.gather(*(bump() for _ in range(25)))
    assert (await repo.state_of("telegram", "4001") or {})["count"] == 25
