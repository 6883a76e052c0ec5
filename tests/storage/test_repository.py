"""The repository on a real SQLite file and on the real PostgreSQL server."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any

from bot.app import Services
from bot.storage.models import Lead
from bot.storage.repository import REFERENCE_ALPHABET, LeadData, new_reference


def lead(
    cnic: str = "1234512345671",
    name: str = "Test Worker Alpha",
    mobile: str = "+923001234567",
    province: str = "punjab",
    consent_at: datetime | None = None,
) -> LeadData:
    return LeadData(
        cnic=cnic,
        full_name=name,
        mobile=mobile,
        birth_date=date(1998, 3, 15),
        province=province,
        answers={"full_name": name, "sectors": ["construction"]},
        language="ur",
        consent_at=consent_at,
    )


def utc(moment: datetime) -> datetime:
    """SQLite gives the stored UTC time back without its zone."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def snapshot(row: Lead) -> dict[str, Any]:
    """Every column of a lead, to compare before and after."""
    return {
        column.key: getattr(row, column.key)
        for column in Lead.__table__.columns  # type: ignore[attr-defined]
    }


async def lead_of(services: Services, reference: str) -> Lead:
    return next(r for r in await services.repository.leads() if r.reference == reference)


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


async def test_the_same_account_registering_again_updates_its_own_lead(
    services: Services,
) -> None:
    repo = services.repository
    agreed = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    async with repo.user("telegram", "2001") as unit:
        first = await unit.save_lead(lead(consent_at=agreed))
    async with repo.user("telegram", "2001") as unit:
        second = await unit.save_lead(lead(name="Test Worker Beta", mobile="+923111111111"))
    assert first.reference == second.reference
    assert first.duplicate is None and second.duplicate is None
    leads = await repo.leads()
    assert len(leads) == 1
    assert leads[0].full_name == "Test Worker Beta" and leads[0].mobile == "+923111111111"
    assert leads[0].duplicate_of_id is None
    assert utc(leads[0].consent_at) == agreed  # no new consent given: the first one is kept
    again = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)
    async with repo.user("telegram", "2001") as unit:
        await unit.save_lead(lead(consent_at=again))
    assert utc((await repo.leads())[0].consent_at) == again


async def test_a_cnic_of_another_account_gives_a_separate_lead_marked_as_duplicate(
    services: Services,
) -> None:
    repo = services.repository
    async with repo.user("telegram", "2101") as unit:
        first = await unit.save_lead(lead())
    before = snapshot((await repo.leads())[0])
    async with repo.user("telegram", "2102") as unit:
        second = await unit.save_lead(
            lead(name="Test Worker Beta", mobile="+923009999999", province="sindh")
        )
        assert [mine.reference for mine in await unit.leads()] == [second.reference]
        assert (await unit.lead()).reference == second.reference  # type: ignore[union-attr]
    assert second.reference != first.reference
    assert first.duplicate is None and second.duplicate == "cnic"
    original, duplicate = await repo.leads()
    assert snapshot(original) == before  # nothing of the first lead changed
    assert original.duplicate_of_id is None
    assert duplicate.duplicate_of_id == original.id and duplicate.duplicate_reason == "cnic"
    assert duplicate.full_name == "Test Worker Beta" and duplicate.cnic == original.cnic
    pairs = await repo.possible_duplicates()
    assert [(d.reference, o.reference) for d, o in pairs] == [(second.reference, first.reference)]
    assert (await repo.lead_by_cnic("1234512345671")).reference == first.reference  # type: ignore[union-attr]
    async with repo.user("telegram", "2101") as unit:
        assert [mine.reference for mine in await unit.leads()] == [first.reference]
    async with repo.user("telegram", "2102") as unit:  # registering again: still a duplicate
        again = await unit.save_lead(lead(name="Test Worker Beta", mobile="+923009999999"))
    assert again == second
    assert snapshot((await repo.leads())[0]) == before


async def test_a_mobile_on_another_accounts_lead_is_marked_not_refused(
    services: Services,
) -> None:
    repo = services.repository
    async with repo.user("telegram", "2201") as unit:
        father = await unit.save_lead(lead(cnic="1111111111111"))
        son = await unit.save_lead(lead(cnic="2222222222222", name="Test Worker Son"))
    assert father.duplicate is None and son.duplicate is None  # one account, one family phone
    async with repo.user("telegram", "2202") as unit:
        cousin = await unit.save_lead(lead(cnic="3333333333333", name="Test Worker Cousin"))
    assert cousin.duplicate == "mobile"
    leads = await repo.leads()
    assert len(leads) == 3
    assert leads[2].duplicate_of_id == leads[0].id and leads[2].duplicate_reason == "mobile"
    assert [d.reference for d, _ in await repo.possible_duplicates()] == [cousin.reference]
    async with repo.user("telegram", "2201") as unit:  # the father takes a new number
        await unit.save_lead(lead(cnic="1111111111111", mobile="+923220000000"))
        await unit.save_lead(lead(cnic="2222222222222", mobile="+923220000000"))
    assert await repo.possible_duplicates() == []  # the number is the cousin's alone now


async def test_a_mobile_taken_later_marks_the_later_lead_of_the_other_account(
    services: Services,
) -> None:
    """Marks follow the order of registration: an earlier lead that takes a later lead's
    number makes the later one the possible duplicate (staff see the pair either way)."""
    repo = services.repository
    async with repo.user("telegram", "2251") as unit:
        early = await unit.save_lead(lead(cnic="8888888888881", mobile="+923001111111"))
    async with repo.user("telegram", "2252") as unit:
        late = await unit.save_lead(lead(cnic="8888888888882", mobile="+923002222222"))
    assert await repo.possible_duplicates() == []
    async with repo.user("telegram", "2251") as unit:
        again = await unit.save_lead(lead(cnic="8888888888881", mobile="+923002222222"))
    assert again.duplicate is None
    pairs = await repo.possible_duplicates()
    assert [(d.reference, o.reference, d.duplicate_reason) for d, o in pairs] == [
        (late.reference, early.reference, "mobile")
    ]


async def test_erasing_an_account_leaves_the_others_and_moves_their_marks(
    services: Services,
) -> None:
    repo = services.repository
    references = {}
    for account, name in [("2301", "Alpha"), ("2302", "Beta"), ("2303", "Gamma")]:
        async with repo.user("telegram", account) as unit:
            saved = await unit.save_lead(
                lead(name=f"Test Worker {name}", mobile=f"+92300{account}000")
            )
            references[account] = saved.reference
    first = snapshot(await lead_of(services, references["2301"]))
    async with repo.user("telegram", "2302") as unit:
        await unit.erase()
    assert snapshot(await lead_of(services, references["2301"])) == first
    third = await lead_of(services, references["2303"])
    assert third.duplicate_reason == "cnic"
    assert third.duplicate_of_id == (await lead_of(services, references["2301"])).id
    async with repo.user("telegram", "2301") as unit:
        await unit.erase()
    remaining = await repo.leads()
    assert [(r.reference, r.duplicate_of_id, r.duplicate_reason) for r in remaining] == [
        (references["2303"], None, None)  # the only one left with this CNIC
    ]


async def test_erasing_a_lead_marked_duplicate_by_mobile_clears_the_mark(
    services: Services,
) -> None:
    repo = services.repository
    for account, cnic in [("2401", "4444444444444"), ("2402", "5555555555555")]:
        async with repo.user("telegram", account) as unit:
            await unit.save_lead(lead(cnic=cnic))
    async with repo.user("telegram", "2401") as unit:
        await unit.erase()
    (left,) = await repo.leads()
    assert left.cnic == "5555555555555" and left.duplicate_of_id is None
    assert left.duplicate_reason is None


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


async def test_accounts_registering_one_cnic_at_once_leave_exactly_one_unmarked(
    services: Services,
) -> None:
    """Several instances share PostgreSQL: the check is serialised per CNIC and per mobile, so
    transactions that overlap (each held open after saving) cannot all find no earlier lead."""
    repo = services.repository

    async def register(account: str, cnic: str, mobile: str) -> None:
        async with repo.user("telegram", account) as unit:
            await unit.save_lead(lead(cnic=cnic, mobile=mobile, name=f"Test Worker {account}"))
            await asyncio.sleep(0.05)  # the others run meanwhile

    await asyncio.gather(
        *(register(f"25{n:02}", "6666666666666", f"+92301{n:07}") for n in range(6))
    )
    leads = await repo.leads()
    assert len(leads) == 6
    unmarked = [r for r in leads if r.duplicate_of_id is None]
    assert len(unmarked) == 1
    assert {r.duplicate_of_id for r in leads if r not in unmarked} == {unmarked[0].id}
    assert {r.duplicate_reason for r in leads if r not in unmarked} == {"cnic"}

    await asyncio.gather(
        *(register(f"26{n:02}", f"77777777777{n:02}", "+923330000000") for n in range(4))
    )
    shared = [r for r in await repo.leads() if r.mobile == "+923330000000"]
    assert len(shared) == 4
    assert sum(r.duplicate_of_id is None for r in shared) == 1
    assert {r.duplicate_reason for r in shared} == {None, "mobile"}


async def test_a_lead_keeps_its_sectors_column_in_step_with_its_answers(
    services: Services,
) -> None:
    """``leads.sectors`` (read by the staff list's sector filter and the dashboard) follows the
    answers when a lead is saved and when it is registered again."""
    async with services.repository.user("telegram", "1201") as unit:
        saved = await unit.save_lead(lead())
    assert (await lead_of(services, saved.reference)).sectors == ",construction,"
    changed = LeadData(**{**lead().__dict__, "answers": {"sectors": ["agriculture", "fishery"]}})
    async with services.repository.user("telegram", "1201") as unit:
        again = await unit.save_lead(changed)
    assert again.reference == saved.reference
    assert (await lead_of(services, saved.reference)).sectors == ",agriculture,fishery,"
    none = LeadData(**{**lead().__dict__, "answers": {}})
    async with services.repository.user("telegram", "1201") as unit:
        await unit.save_lead(none)
    assert (await lead_of(services, saved.reference)).sectors is None


async def test_a_lead_keeps_its_outcome_column_in_step_with_its_check(
    services: Services,
) -> None:
    """``leads.outcome`` (the staff list's outcome filter) follows the eligibility check stored
    with the lead: none without one, the best route's outcome with one, again when it changes."""
    async with services.repository.user("telegram", "1202") as unit:
        saved = await unit.save_lead(lead())
    assert (await lead_of(services, saved.reference)).outcome == "none"
    checked = {"routes": [{"status": "not_now"}, {"status": "after_steps"}]}
    async with services.repository.user("telegram", "1202") as unit:
        await unit.save_lead(LeadData(**{**lead().__dict__, "eligibility": checked}))
    assert (await lead_of(services, saved.reference)).outcome == "after_steps"
    met = {"routes": [{"status": "meets"}]}
    async with services.repository.user("telegram", "1202") as unit:
        await unit.save_lead(LeadData(**{**lead().__dict__, "eligibility": met}))
    assert (await lead_of(services, saved.reference)).outcome == "meets"
