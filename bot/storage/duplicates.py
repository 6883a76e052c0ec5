"""Possible duplicates: the mark the bot puts on a lead and the staff's decisions on it.

The mark (``leads.duplicate_of_id``, ``duplicate_reason``): a lead is a possible duplicate of
the earliest lead of *another* account with the same CNIC, or else the same mobile number
(``flag``). The bot checks a lead again whenever it or an earlier lead changes or goes
(``reflag``, called by ``bot.storage.repository``).

An officer decides on a marked pair (``decide``): *keep both* (not the same person), *merge*
(one lead stays, the other becomes "invalid", pointing at it through ``leads.merged_into_id``,
its notes and timeline kept), or *mark one invalid*. Each decision is a ``DuplicateDecision``
row and an event on both leads' timelines; ``undo`` reverses it. While a decision stands, the
two leads are never marked as duplicates of each other again, and a merged lead is neither
marked nor a lead others are marked against. The caller owns the transaction and the audit
log (``bot.storage.staff.audit``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import ColumnElement, Exists, and_, exists, func, not_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.storage import staff as staff_store
from bot.storage.models import Lead
from bot.storage.staff_models import DuplicateDecision, LeadEvent, StaffAccount

Decision = Literal["keep_both", "merge", "invalid"]
DECISIONS: tuple[Decision, ...] = ("keep_both", "merge", "invalid")
INVALID = "invalid"
EVENT = "duplicate"  # lead_events.kind of a decision (new_value: what, old_value: other lead id)


def lock_key(kind: str, value: str) -> int:
    """A signed 64-bit key for PostgreSQL's advisory locks, the same in every process."""
    digest = hashlib.blake2b(f"ssw-lead:{kind}:{value}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


async def serialise(
    session: AsyncSession, cnics: Iterable[str | None], mobiles: Iterable[str | None]
) -> None:
    """Hold one lock per CNIC and mobile number until the transaction ends, so that two
    transactions checking the same one (two accounts registering, an officer deciding) run
    one after the other.

    PostgreSQL: transaction-level advisory locks, taken in one order everywhere so two
    transactions never wait for each other. SQLite takes one writer at a time anyway."""
    if session.get_bind().dialect.name != "postgresql":
        return
    keys = {lock_key("cnic", c) for c in cnics if c}
    keys |= {lock_key("mobile", m) for m in mobiles if m}
    for key in sorted(keys):
        await session.execute(select(func.pg_advisory_xact_lock(key)))


# -- the mark --------------------------------------------------------------------------------


def _decided_with(lead_id: int) -> Exists:
    """A standing decision between ``lead_id`` and the (outer) ``Lead`` row."""
    d = DuplicateDecision
    return exists().where(
        d.undone_at.is_(None),
        or_(
            and_(d.lead_id == lead_id, d.other_id == Lead.id),
            and_(d.lead_id == Lead.id, d.other_id == lead_id),
        ),
    )


async def flag(session: AsyncSession, lead: Lead) -> None:
    """Mark ``lead`` as a possible duplicate of another account's lead, or clear the mark.

    The earliest lead of another account with the same CNIC, or else with the same mobile
    number, leaving out merged leads and leads an officer decided on with this one; so the
    first lead of each CNIC stays unmarked. A merged lead is never marked."""
    first: int | None = None
    reason: str | None = None
    if lead.merged_into_id is None:
        earlier = (
            Lead.id < lead.id,
            Lead.user_id.is_distinct_from(lead.user_id),
            Lead.merged_into_id.is_(None),
            not_(_decided_with(lead.id)),
        )
        first = await session.scalar(
            select(func.min(Lead.id)).where(*earlier, Lead.cnic == lead.cnic)
        )
        reason = "cnic"
        if first is None:
            first = await session.scalar(
                select(func.min(Lead.id)).where(*earlier, Lead.mobile == lead.mobile)
            )
            reason = "mobile" if first is not None else None
    if (lead.duplicate_of_id, lead.duplicate_reason) != (first, reason):
        await staff_store.set_lead_columns(
            session, lead, duplicate_of_id=first, duplicate_reason=reason
        )


async def sharing_with_later(session: AsyncSession, lead: Lead) -> list[int]:
    """Later leads with this one's CNIC or mobile number: it may now be their earliest."""
    found = await session.scalars(
        select(Lead.id)
        .where(Lead.id > lead.id, or_(Lead.cnic == lead.cnic, Lead.mobile == lead.mobile))
        .order_by(Lead.id)
    )
    return list(found.all())


async def pointing_at(session: AsyncSession, ids: Sequence[int]) -> list[int]:
    """The leads marked as possible duplicates of these."""
    if not ids:
        return []
    found = await session.scalars(
        select(Lead.id).where(Lead.duplicate_of_id.in_(ids)).order_by(Lead.id)
    )
    return list(found.all())


async def reflag(session: AsyncSession, ids: Iterable[int]) -> None:
    """Check these leads' marks again (an earlier lead changed, went or was decided on)."""
    wanted = set(ids)
    if not wanted:
        return
    leads = await session.scalars(
        select(Lead)
        .where(Lead.id.in_(wanted))
        .order_by(Lead.id)
        .execution_options(populate_existing=True)
    )
    for lead in leads.all():
        await flag(session, lead)


# -- the pairs, for staff ----------------------------------------------------------------------


@dataclass(frozen=True)
class PairPage:
    pairs: list[tuple[Lead, Lead]]  # (the marked lead, the lead it may duplicate)
    total: int  # pairs matching, in all
    by_reason: dict[str, int]  # of every open pair: cnic → n, mobile → n


async def pairs(
    session: AsyncSession, limit: int, offset: int, lead_id: int | None = None
) -> PairPage:
    """A page of marked pairs, oldest mark first (of one lead's pairs, with ``lead_id``)."""
    original = aliased(Lead)
    conditions: list[ColumnElement[bool]] = [Lead.duplicate_of_id.is_not(None)]
    if lead_id is not None:
        conditions.append(or_(Lead.id == lead_id, Lead.duplicate_of_id == lead_id))
    total = await session.scalar(select(func.count()).select_from(Lead).where(*conditions))
    rows = await session.execute(
        select(Lead, original)
        .join(original, Lead.duplicate_of_id == original.id)
        .where(*conditions)
        .order_by(Lead.id)
        .limit(limit)
        .offset(offset)
    )
    reasons = await session.execute(
        select(Lead.duplicate_reason, func.count())
        .where(Lead.duplicate_of_id.is_not(None))
        .group_by(Lead.duplicate_reason)
    )
    return PairPage(
        [(lead, other) for lead, other in rows.all()],
        int(total or 0),
        {str(reason): int(n) for reason, n in reasons.all()},
    )


async def references(session: AsyncSession, ids: Iterable[int]) -> dict[int, str]:
    """Lead id → reference, for the leads that still exist."""
    wanted = set(ids)
    if not wanted:
        return {}
    rows = await session.execute(select(Lead.id, Lead.reference).where(Lead.id.in_(wanted)))
    return {lead_id: reference for lead_id, reference in rows.all()}


async def merged_into(session: AsyncSession, lead_id: int) -> list[tuple[int, str]]:
    """(id, reference) of the leads merged into this one."""
    rows = await session.execute(
        select(Lead.id, Lead.reference).where(Lead.merged_into_id == lead_id).order_by(Lead.id)
    )
    return [(i, r) for i, r in rows.all()]


# -- decisions ---------------------------------------------------------------------------------


class StalePair(Exception):
    """The pair is no longer marked as it was shown (someone decided, or the bot re-checked)."""


async def _locked_pair(session: AsyncSession, lead_id: int, other_id: int) -> tuple[Lead, Lead]:
    """Both leads, fresh and locked. The CNIC and mobile locks come first, in the same order
    as the bot's (``UserUnit.save_lead``), then the rows: a worker registering again and an
    officer deciding on the same pair wait for each other instead of deadlocking."""
    ids = sorted((lead_id, other_id))
    numbers = (await session.execute(select(Lead.cnic, Lead.mobile).where(Lead.id.in_(ids)))).all()
    if len(numbers) != 2:
        raise StalePair()
    await serialise(session, [row.cnic for row in numbers], [row.mobile for row in numbers])
    found = await session.scalars(
        select(Lead)
        .where(Lead.id.in_(ids))
        .order_by(Lead.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    leads = {lead.id: lead for lead in found.all()}
    if len(leads) != 2:
        raise StalePair()
    return leads[lead_id], leads[other_id]


def _event(
    lead_id: int, other_id: int, what: str, account: StaffAccount, at: datetime
) -> LeadEvent:
    return LeadEvent(
        lead_id=lead_id,
        at=at,
        account_id=account.id,
        actor=account.name,
        kind=EVENT,
        old_value=str(other_id),
        new_value=what,
    )


async def decide(
    session: AsyncSession,
    lead_id: int,
    other_id: int,
    decision: Decision,
    account: StaffAccount,
    at: datetime,
    *,
    target_id: int | None = None,
) -> DuplicateDecision:
    """Decide on the pair (``lead_id`` marked as a possible duplicate of ``other_id``).

    ``target_id`` is one of the two: for ``merge`` the lead that stays, for ``invalid`` the
    lead marked invalid. Raises ``StalePair`` when the pair is not marked so any more, and
    ``ValueError`` for a target outside the pair."""
    if decision not in DECISIONS:
        raise ValueError(f"unknown decision {decision!r}")
    lead, other = await _locked_pair(session, lead_id, other_id)
    if lead.duplicate_of_id != other.id:
        raise StalePair()
    row = DuplicateDecision(
        at=at,
        account_id=account.id,
        actor=account.name,
        decision=decision,
        lead_id=lead.id,
        other_id=other.id,
        reason=lead.duplicate_reason,
    )
    events: list[LeadEvent] = []
    if decision == "keep_both":
        events = [
            _event(lead.id, other.id, "keep_both", account, at),
            _event(other.id, lead.id, "keep_both", account, at),
        ]
    else:
        if target_id not in (lead.id, other.id):
            raise ValueError("the target must be one of the pair")
        target = lead if target_id == lead.id else other
        partner = other if target is lead else lead
        changed = partner if decision == "merge" else target
        row.kept_id = target.id if decision == "merge" else None
        row.changed_id = changed.id
        row.previous_status = changed.status
        if changed.status != INVALID:
            await staff_store.change_status(session, changed, INVALID, account, at)
        if decision == "merge":
            await staff_store.set_lead_columns(session, changed, merged_into_id=target.id)
            events = [
                _event(changed.id, target.id, "merged_into", account, at),
                _event(target.id, changed.id, "merged_from", account, at),
            ]
        else:
            events = [
                _event(changed.id, partner.id, "invalid", account, at),
                _event(partner.id, changed.id, "other_invalid", account, at),
            ]
    session.add(row)
    session.add_all(events)
    await session.flush()
    await reflag(session, [lead.id, other.id, *await pointing_at(session, [lead.id, other.id])])
    return row


async def decision_by_id(session: AsyncSession, decision_id: int) -> DuplicateDecision | None:
    return await session.get(DuplicateDecision, decision_id)


async def undo(
    session: AsyncSession, decision: DuplicateDecision, account: StaffAccount, at: datetime
) -> bool:
    """Reverse a decision: the changed lead's status back (if still "invalid"), no longer
    merged, the pair checked again (so marked again while the leads still share the CNIC or
    number). False when it was undone already."""
    lead, other = await _locked_pair(session, decision.lead_id, decision.other_id)
    await session.refresh(decision, with_for_update=True)
    if decision.undone_at is not None:
        return False
    decision.undone_at = at
    decision.undone_by_id = account.id
    decision.undone_by = account.name
    changed = {lead.id: lead, other.id: other}.get(decision.changed_id or 0)
    if changed is not None:
        if decision.decision == "merge" and changed.merged_into_id == decision.kept_id:
            await staff_store.set_lead_columns(session, changed, merged_into_id=None)
        if changed.status == INVALID and decision.previous_status not in (None, INVALID):
            await staff_store.change_status(session, changed, decision.previous_status, account, at)
    what = f"undo_{decision.decision}"
    session.add_all(
        [_event(lead.id, other.id, what, account, at), _event(other.id, lead.id, what, account, at)]
    )
    await session.flush()
    await reflag(session, [lead.id, other.id, *await pointing_at(session, [lead.id, other.id])])
    return True


async def decisions(
    session: AsyncSession, limit: int, offset: int
) -> tuple[Sequence[DuplicateDecision], int]:
    """A page of decisions, newest first, and how many there are."""
    total = await session.scalar(select(func.count()).select_from(DuplicateDecision))
    rows = await session.scalars(
        select(DuplicateDecision)
        .order_by(DuplicateDecision.at.desc(), DuplicateDecision.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return rows.all(), int(total or 0)
