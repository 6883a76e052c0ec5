"""Staff decisions on possible duplicates (``bot.storage.duplicates``), on a real SQLite file
and on PostgreSQL: keep both, merge, mark one invalid, undo; and each decision surviving the
bot's own re-check when a worker registers again or deletes their data."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import Services
from bot.storage import duplicates
from bot.storage import staff as store
from bot.storage.db import session_factory
from bot.storage.models import Lead
from bot.storage.staff_models import DuplicateDecision, LeadEvent, StaffAccount
from tests.storage.test_repository import lead

AT = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)
CNIC = "1234512345671"


async def _register(services: Services, account: str, **values: Any) -> None:
    async with services.repository.user("telegram", account) as unit:
        await unit.save_lead(lead(**values))


async def _leads(services: Services) -> list[Lead]:
    async with session_factory(services.database)() as db:
        return list((await db.scalars(select(Lead).order_by(Lead.id))).all())


async def _officer(db: AsyncSession) -> StaffAccount:
    return await store.add_account(db, "test.officer", "not-a-real-hash", "officer", AT)


async def _events(services: Services, lead_id: int) -> Sequence[LeadEvent]:
    async with session_factory(services.database)() as db:
        return await store.lead_events(db, lead_id)


async def _pair(services: Services) -> tuple[Lead, Lead]:
    """Two accounts registered the same CNIC: the second lead is marked."""
    await _register(services, "3001", name="Test Worker Alpha", mobile="+923001111111")
    await _register(services, "3002", name="Test Worker Beta", mobile="+923002222222")
    first, second = await _leads(services)
    assert second.duplicate_of_id == first.id and second.duplicate_reason == "cnic"
    return second, first


async def test_keep_both_clears_the_mark_and_survives_the_bots_recheck(
    services: Services,
) -> None:
    marked, other = await _pair(services)
    sessions = session_factory(services.database)
    async with sessions() as db, db.begin():
        officer = await _officer(db)
        decision = await duplicates.decide(db, marked.id, other.id, "keep_both", officer, AT)
        assert decision.decision == "keep_both" and decision.reason == "cnic"
    first, second = await _leads(services)
    assert second.duplicate_of_id is None and second.duplicate_reason is None
    assert (first.status, second.status) == ("new", "new")
    # the worker registers again from the second account, and the first one too: the bot
    # checks both leads again, and the officer's decision stands
    await _register(services, "3002", name="Test Worker Beta", mobile="+923002222222")
    await _register(services, "3001", name="Test Worker Alpha", mobile="+923001111111")
    assert [lead.duplicate_of_id for lead in await _leads(services)] == [None, None]
    assert await services.repository.possible_duplicates() == []
    # both timelines say who decided and when
    for lead_id, partner in ((marked.id, other.id), (other.id, marked.id)):
        events = await _events(services, lead_id)
        assert [(e.kind, e.new_value, e.old_value, e.actor) for e in events] == [
            ("duplicate", "keep_both", str(partner), "test.officer")
        ]


async def test_keep_both_still_lets_a_third_account_be_marked(services: Services) -> None:
    marked, other = await _pair(services)
    async with session_factory(services.database)() as db, db.begin():
        officer = await _officer(db)
        await duplicates.decide(db, marked.id, other.id, "keep_both", officer, AT)
    await _register(services, "3003", name="Test Worker Gamma", mobile="+923003333333")
    first, second, third = await _leads(services)
    assert second.duplicate_of_id is None
    assert third.duplicate_of_id == first.id and third.duplicate_reason == "cnic"


async def test_merge_keeps_one_and_links_the_other_then_undo(services: Services) -> None:
    marked, other = await _pair(services)
    sessions = session_factory(services.database)
    async with sessions() as db, db.begin():
        officer = await _officer(db)
        await store.add_note(db, marked, "Fake note on the second lead", officer, AT)
        decision = await duplicates.decide(
            db, marked.id, other.id, "merge", officer, AT, target_id=other.id
        )
        decision_id = decision.id
    kept, merged = await _leads(services)
    assert merged.merged_into_id == kept.id and merged.status == "invalid"
    assert merged.duplicate_of_id is None and kept.merged_into_id is None
    assert kept.status == "new"
    assert merged.updated_at == marked.updated_at  # when the worker registered, untouched
    events = await _events(services, merged.id)
    assert [(e.kind, e.new_value) for e in events] == [
        ("note", None),
        ("status", "invalid"),
        ("duplicate", "merged_into"),
    ]
    assert events[0].note == "Fake note on the second lead"  # kept, readable
    assert [(e.kind, e.new_value, e.old_value) for e in await _events(services, kept.id)] == [
        ("duplicate", "merged_from", str(merged.id))
    ]
    async with sessions() as db:
        assert await duplicates.merged_into(db, kept.id) == [(merged.id, merged.reference)]
    # a merged lead is not marked again when its worker registers again
    await _register(services, "3002", name="Test Worker Beta", mobile="+923002222222")
    assert [(r.duplicate_of_id, r.merged_into_id) for r in await _leads(services)] == [
        (None, None),
        (None, kept.id),
    ]

    later = AT + timedelta(minutes=5)
    async with sessions() as db, db.begin():
        undoer = await _officer_again(db)
        row = await duplicates.decision_by_id(db, decision_id)
        assert row is not None
        assert await duplicates.undo(db, row, undoer, later) is True
        assert await duplicates.undo(db, row, undoer, later) is False  # once is enough
    first, second = await _leads(services)
    assert second.merged_into_id is None and second.status == "new"
    assert second.duplicate_of_id == first.id and second.duplicate_reason == "cnic"
    async with sessions() as db:
        row = await db.get(DuplicateDecision, decision_id)
        assert row is not None and row.undone_by == "test.officer" and row.undone_at is not None
    assert [(e.kind, e.old_value, e.new_value) for e in await _events(services, second.id)][
        -2:
    ] == [("status", "invalid", "new"), ("duplicate", str(first.id), "undo_merge")]


async def test_mark_one_invalid_then_undo(services: Services) -> None:
    marked, other = await _pair(services)
    sessions = session_factory(services.database)
    async with sessions() as db, db.begin():
        officer = await _officer(db)
        await store.change_status(db, other, "contacted", officer, AT)
        decision = await duplicates.decide(
            db, marked.id, other.id, "invalid", officer, AT, target_id=other.id
        )
        assert decision.previous_status == "contacted" and decision.changed_id == other.id
    first, second = await _leads(services)
    assert first.status == "invalid" and second.status == "new"
    assert second.duplicate_of_id is None  # decided: the pair is no longer open
    await _register(services, "3002", name="Test Worker Beta", mobile="+923002222222")
    assert (await _leads(services))[1].duplicate_of_id is None
    async with sessions() as db, db.begin():
        officer = await _officer_again(db)
        row = await duplicates.decision_by_id(db, decision.id)
        assert row is not None
        await duplicates.undo(db, row, officer, AT + timedelta(hours=1))
    first, second = await _leads(services)
    assert first.status == "contacted"  # back to where it was
    assert second.duplicate_of_id == first.id


async def _officer_again(db: AsyncSession) -> StaffAccount:
    account = await store.account_by_name(db, "test.officer")
    assert account is not None
    return account


async def test_a_stale_pair_is_refused(services: Services) -> None:
    marked, other = await _pair(services)
    async with session_factory(services.database)() as db, db.begin():
        officer = await _officer(db)
        await duplicates.decide(db, marked.id, other.id, "keep_both", officer, AT)
        with pytest.raises(duplicates.StalePair):  # a second officer's click on the old page
            await duplicates.decide(db, marked.id, other.id, "merge", officer, AT, target_id=1)
        with pytest.raises(ValueError):
            await duplicates.decide(db, other.id, marked.id, "bogus", officer, AT)  # type: ignore[arg-type]


async def test_erasing_the_kept_lead_lets_the_pair_go(services: Services) -> None:
    marked, other = await _pair(services)
    async with session_factory(services.database)() as db, db.begin():
        officer = await _officer(db)
        await duplicates.decide(db, marked.id, other.id, "keep_both", officer, AT)
    async with services.repository.user("telegram", "3001") as unit:
        await unit.erase()
    (left,) = [lead for lead in await _leads(services) if lead.deleted_at is None]
    assert left.id == marked.id and left.duplicate_of_id is None
    async with session_factory(services.database)() as db:
        assert (await duplicates.decisions(db, 10, 0))[1] == 0  # went with the lead


async def test_pairs_page_counts_and_one_leads_pairs(services: Services) -> None:
    await _register(services, "3101", name="Test Worker A", mobile="+923001000001")
    await _register(services, "3102", name="Test Worker B", mobile="+923001000002")
    await _register(services, "3103", cnic="5555555555555", mobile="+923001000001")
    first, second, third = await _leads(services)
    async with session_factory(services.database)() as db:
        page = await duplicates.pairs(db, limit=1, offset=0)
        assert page.total == 2 and page.by_reason == {"cnic": 1, "mobile": 1}
        assert [(a.id, b.id) for a, b in page.pairs] == [(second.id, first.id)]
        page = await duplicates.pairs(db, limit=1, offset=1)
        assert [(a.id, b.id) for a, b in page.pairs] == [(third.id, first.id)]
        only = await duplicates.pairs(db, limit=10, offset=0, lead_id=third.id)
        assert [(a.id, b.id) for a, b in only.pairs] == [(third.id, first.id)]
        assert only.total == 1


async def test_a_decision_and_the_workers_new_registration_at_once(services: Services) -> None:
    """An officer keeps both while the marked lead's worker registers again, at the same
    moment: neither waits forever, and the decision stands whichever commits first."""
    marked, other = await _pair(services)
    async with session_factory(services.database)() as db, db.begin():
        await _officer(db)

    async def decide() -> None:
        async with session_factory(services.database)() as db, db.begin():
            officer = await _officer_again(db)
            await duplicates.decide(db, marked.id, other.id, "keep_both", officer, AT)

    async def register() -> None:
        await _register(services, "3002", name="Test Worker Beta", mobile="+923002222222")

    await asyncio.wait_for(asyncio.gather(decide(), register(), register()), timeout=30)
    assert [lead.duplicate_of_id for lead in await _leads(services)] == [None, None]
