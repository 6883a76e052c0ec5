"""Tables of the OEC staff side: accounts, their sessions, sign-in throttling, the audit log
and each lead's follow-up timeline (status changes, notes, assignments).

A lead's current status is ``leads.status`` and its officer ``leads.assigned_officer_id``; every
change is also a ``lead_events`` row (who, when, from what to what), which is the timeline.
The audit log is append-only: the code has no way to change or delete a row, and the
migration adds triggers that refuse UPDATE and DELETE on it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, JsonType, utcnow


class StaffAccount(Base):
    """Someone at OEC who signs in to the staff web app. Disabled, never deleted (the audit
    log and timelines name them)."""

    __tablename__ = "staff_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)  # lower case, the sign-in name
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))  # viewer | officer | admin
    language: Mapped[str] = mapped_column(String(8), default="en")  # of the interface
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class StaffSession(Base):
    """A signed-in browser. ``id`` is a keyed hash of the cookie's token (the token itself is
    never stored); the session ends after ``staff_session_minutes`` without a request."""

    __tablename__ = "staff_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("staff_accounts.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    address: Mapped[str | None] = mapped_column(String(64))


class SignInThrottle(Base):
    """Failed sign-ins per key (``account:<name>`` or ``address:<ip>``), shared by every
    process through the database; ``blocked_until`` grows with the failures."""

    __tablename__ = "staff_sign_in_throttle"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    blocked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditEntry(Base):
    """Who did what, when, from where: sign-ins, lead views, changes, exports, accounts.

    ``actor`` keeps the account's name as it was; ``detail`` never holds answers, CNICs or
    phone numbers, only ids, statuses and counts."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_action_at", "action", "at"),
        Index("ix_audit_log_account_at", "account_id", "at"),
        Index("ix_audit_log_lead_id", "lead_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_accounts.id", ondelete="SET NULL")
    )
    actor: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    lead_id: Mapped[int | None] = mapped_column(Integer)  # no foreign key: outlives the lead
    target: Mapped[str | None] = mapped_column(String(64))  # e.g. the staff account changed
    detail: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    address: Mapped[str | None] = mapped_column(String(64))


class LeadEvent(Base):
    """One step of a lead's follow-up: a status change, a note or an assignment."""

    __tablename__ = "lead_events"
    __table_args__ = (Index("ix_lead_events_lead_at", "lead_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_accounts.id", ondelete="SET NULL")
    )
    actor: Mapped[str | None] = mapped_column(String(64))
    # status | note | assigned | duplicate (a decision on a possible duplicate: new_value is
    # what was decided, old_value the id of the other lead of the pair)
    kind: Mapped[str] = mapped_column(String(16))
    old_value: Mapped[str | None] = mapped_column(String(64))
    new_value: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)


class DuplicateDecision(Base):
    """An officer's decision on a pair of possible duplicates (``leads.duplicate_of_id``).

    ``lead_id`` was marked as a possible duplicate of ``other_id`` (for ``reason``). The
    decision is ``keep_both`` (not the same person), ``merge`` (``changed_id`` was merged into
    ``kept_id``) or ``invalid`` (``changed_id`` was marked invalid); ``previous_status`` is the
    changed lead's status before, for undoing. While a decision is not undone, the bot's
    re-check never marks the two leads as duplicates of each other again."""

    __tablename__ = "duplicate_decisions"
    __table_args__ = (
        Index("ix_duplicate_decisions_lead_id", "lead_id"),
        Index("ix_duplicate_decisions_other_id", "other_id"),
        Index("ix_duplicate_decisions_at", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_accounts.id", ondelete="SET NULL")
    )
    actor: Mapped[str | None] = mapped_column(String(64))
    decision: Mapped[str] = mapped_column(String(16))  # keep_both | merge | invalid
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    other_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    reason: Mapped[str | None] = mapped_column(String(8))  # cnic | mobile: the mark decided on
    kept_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    changed_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    previous_status: Mapped[str | None] = mapped_column(String(16))
    undone_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    undone_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_accounts.id", ondelete="SET NULL")
    )
    undone_by: Mapped[str | None] = mapped_column(String(64))
