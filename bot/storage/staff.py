"""The staff repository: accounts, sessions, sign-in throttling, the audit log and each lead's
follow-up (status, notes, assignment). Plain functions on an ``AsyncSession``: the caller owns
the transaction (the web app opens one per request, the CLI one per command).

The audit log is only ever added to (``audit``); nothing here updates or deletes it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from bot.storage import outbox
from bot.storage.models import FunnelEvent, Lead, User
from bot.storage.staff_models import (
    AuditEntry,
    LeadEvent,
    SignInThrottle,
    StaffAccount,
    StaffSession,
)


def as_utc(value: datetime) -> datetime:
    """SQLite keeps no time zone: a naive value read back is UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


# -- accounts ---------------------------------------------------------------------------------


async def add_account(
    db: AsyncSession, name: str, password_hash: str, role: str, at: datetime, language: str = "en"
) -> StaffAccount:
    account = StaffAccount(
        name=name,
        password_hash=password_hash,
        role=role,
        language=language,
        created_at=at,
        password_changed_at=at,
    )
    db.add(account)
    await db.flush()
    return account


async def account_by_name(db: AsyncSession, name: str) -> StaffAccount | None:
    return await db.scalar(select(StaffAccount).where(StaffAccount.name == name))


async def account_by_id(db: AsyncSession, account_id: int) -> StaffAccount | None:
    return await db.get(StaffAccount, account_id)


async def accounts(db: AsyncSession) -> Sequence[StaffAccount]:
    return (await db.scalars(select(StaffAccount).order_by(StaffAccount.name))).all()


async def assignable_accounts(db: AsyncSession) -> Sequence[StaffAccount]:
    """Enabled officers and admins: the people a lead can be assigned to."""
    query = (
        select(StaffAccount)
        .where(StaffAccount.disabled_at.is_(None), StaffAccount.role.in_(("officer", "admin")))
        .order_by(StaffAccount.name)
    )
    return (await db.scalars(query)).all()


async def account_names(db: AsyncSession) -> dict[int, str]:
    rows = await db.execute(select(StaffAccount.id, StaffAccount.name))
    return {account_id: name for account_id, name in rows.all()}


async def set_password(
    db: AsyncSession, account: StaffAccount, password_hash: str, at: datetime, *, sign_out: bool
) -> None:
    """A new password hash; ``sign_out`` ends every session of the account (a reset)."""
    account.password_hash = password_hash
    account.password_changed_at = at
    if sign_out:
        await end_sessions(db, account.id)


async def disable_account(db: AsyncSession, account: StaffAccount, at: datetime) -> None:
    account.disabled_at = at
    await end_sessions(db, account.id)


async def enable_account(db: AsyncSession, account: StaffAccount) -> None:
    account.disabled_at = None


# -- sessions ---------------------------------------------------------------------------------


async def create_session(
    db: AsyncSession, session_id: str, account_id: int, at: datetime, address: str | None
) -> None:
    db.add(
        StaffSession(
            id=session_id, account_id=account_id, created_at=at, last_seen_at=at, address=address
        )
    )
    await db.flush()


async def load_session(
    db: AsyncSession, session_id: str
) -> tuple[StaffSession, StaffAccount] | None:
    row = (
        await db.execute(
            select(StaffSession, StaffAccount)
            .join(StaffAccount, StaffAccount.id == StaffSession.account_id)
            .where(StaffSession.id == session_id)
        )
    ).first()
    return (row[0], row[1]) if row else None


async def end_session(db: AsyncSession, session_id: str) -> None:
    await db.execute(
        delete(StaffSession)
        .where(StaffSession.id == session_id)
        .execution_options(synchronize_session="fetch")
    )


async def end_sessions(db: AsyncSession, account_id: int) -> None:
    await db.execute(
        delete(StaffSession)
        .where(StaffSession.account_id == account_id)
        .execution_options(synchronize_session="fetch")
    )


async def end_idle_sessions(db: AsyncSession, seen_before: datetime) -> None:
    await db.execute(
        delete(StaffSession)
        .where(StaffSession.last_seen_at < seen_before)
        .execution_options(synchronize_session="fetch")
    )


# -- sign-in throttling -----------------------------------------------------------------------


async def throttles(db: AsyncSession, keys: Sequence[str]) -> dict[str, SignInThrottle]:
    rows = await db.scalars(select(SignInThrottle).where(SignInThrottle.key.in_(keys)))
    return {row.key: row for row in rows}


async def throttle_row(db: AsyncSession, key: str, at: datetime) -> SignInThrottle:
    """The key's row, created empty if it has none yet (locked on PostgreSQL)."""
    row = await db.scalar(select(SignInThrottle).where(SignInThrottle.key == key).with_for_update())
    if row is None:
        row = SignInThrottle(key=key, failures=0, last_failure_at=at)
        db.add(row)
    return row


async def clear_throttle(db: AsyncSession, key: str) -> None:
    await db.execute(delete(SignInThrottle).where(SignInThrottle.key == key))


# -- audit log --------------------------------------------------------------------------------


async def audit(
    db: AsyncSession,
    action: str,
    at: datetime,
    *,
    account: StaffAccount | None = None,
    lead_id: int | None = None,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
    address: str | None = None,
    actor: str | None = None,
) -> None:
    """Append one entry. ``detail`` holds ids, statuses and counts, never personal data.
    ``actor`` names someone without an account (staff on Telegram: ``telegram:<id>``)."""
    db.add(
        AuditEntry(
            at=at,
            account_id=account.id if account else None,
            actor=account.name if account else actor,
            action=action,
            lead_id=lead_id,
            target=target,
            detail=detail,
            address=address,
        )
    )
    await db.flush()


@dataclass(frozen=True)
class AuditQuery:
    """Filters of the audit log page; every one optional."""

    actor: str | None = None
    action: str | None = None
    lead_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None  # exclusive


async def audit_entries(
    db: AsyncSession, query: AuditQuery, limit: int, offset: int
) -> tuple[Sequence[AuditEntry], int]:
    """A page of entries, newest first, and how many match in all."""
    conditions = []
    if query.actor:
        conditions.append(AuditEntry.actor == query.actor)
    if query.action:
        conditions.append(AuditEntry.action == query.action)
    if query.lead_id is not None:
        conditions.append(AuditEntry.lead_id == query.lead_id)
    if query.since:
        conditions.append(AuditEntry.at >= query.since)
    if query.until:
        conditions.append(AuditEntry.at < query.until)
    total = await db.scalar(select(func.count()).select_from(AuditEntry).where(*conditions))
    rows = await db.scalars(
        select(AuditEntry)
        .where(*conditions)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return rows.all(), int(total or 0)


# -- a lead's follow-up -----------------------------------------------------------------------


async def lead_by_id(db: AsyncSession, lead_id: int, *, for_update: bool = False) -> Lead | None:
    query = select(Lead).where(Lead.id == lead_id)
    return await db.scalar(query.with_for_update() if for_update else query)


@dataclass(frozen=True)
class LeadTimes:
    started: datetime | None  # the registration's first start (or the first contact)
    last_seen: datetime | None  # the worker's last message to the bot


async def lead_times(db: AsyncSession, lead: Lead) -> LeadTimes:
    if lead.user_id is None:
        return LeadTimes(None, None)
    started = await db.scalar(
        select(func.min(FunnelEvent.at)).where(
            FunnelEvent.user_id == lead.user_id,
            FunnelEvent.flow == "registration",
            FunnelEvent.kind == "started",
        )
    )
    user = await db.get(User, lead.user_id)
    if started is None and user is not None:
        started = user.created_at
    return LeadTimes(
        as_utc(started) if started else None,
        as_utc(user.last_seen_at) if user and user.last_seen_at else None,
    )


async def lead_events(db: AsyncSession, lead_id: int) -> Sequence[LeadEvent]:
    """The lead's timeline, oldest first."""
    rows = await db.scalars(
        select(LeadEvent).where(LeadEvent.lead_id == lead_id).order_by(LeadEvent.at, LeadEvent.id)
    )
    return rows.all()


async def set_lead_columns(db: AsyncSession, lead: Lead, **values: object) -> None:
    """Change follow-up columns of a lead, leaving ``updated_at`` alone: it tells when the
    worker last registered, not when staff last touched the lead."""
    await db.execute(
        update(Lead)
        .where(Lead.id == lead.id)
        .values(**values, updated_at=Lead.updated_at)
        .execution_options(synchronize_session=False)
    )
    for key, value in values.items():
        set_committed_value(lead, key, value)


def _event(
    lead: Lead,
    account: StaffAccount,
    at: datetime,
    kind: str,
    old: str | None = None,
    new: str | None = None,
    note: str | None = None,
) -> LeadEvent:
    return LeadEvent(
        lead_id=lead.id,
        at=at,
        account_id=account.id,
        actor=account.name,
        kind=kind,
        old_value=old,
        new_value=new,
        note=note,
    )


async def change_status(
    db: AsyncSession,
    lead: Lead,
    status: str,
    account: StaffAccount,
    at: datetime,
    note: str | None = None,
    *,
    notify: Collection[str] = (),
) -> LeadEvent:
    """Move the lead to ``status`` (a note may go with it) and record who and when.

    ``notify``: the channels with a sender; a worker on one of them gets a notice of the new
    status through the outbox, queued in this same transaction (the note is never in it)."""
    event = _event(lead, account, at, "status", lead.status, status, note)
    await set_lead_columns(db, lead, status=status)
    db.add(event)
    await db.flush()
    if notify:
        await outbox.queue_status_notice(db, lead, status, at, notify, event.id)
    return event


async def add_note(
    db: AsyncSession, lead: Lead, note: str, account: StaffAccount, at: datetime
) -> LeadEvent:
    event = _event(lead, account, at, "note", note=note)
    db.add(event)
    await db.flush()
    return event


async def assign(
    db: AsyncSession,
    lead: Lead,
    officer: StaffAccount | None,
    account: StaffAccount,
    at: datetime,
) -> LeadEvent:
    """Give the lead to ``officer`` (None: to nobody); the timeline keeps both names."""
    names = await account_names(db)
    old = names.get(lead.assigned_officer_id) if lead.assigned_officer_id else None
    event = _event(lead, account, at, "assigned", old, officer.name if officer else None)
    await set_lead_columns(db, lead, assigned_officer_id=officer.id if officer else None)
    db.add(event)
    await db.flush()
    return event
