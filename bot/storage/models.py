"""Database tables: users, their conversation state, leads for OEC, funnel events and the
outbox of messages the bot sends unprompted."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine.interfaces import ExecutionContext
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, validates

from bot.staff.outcome import stored_outcome

JsonType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


def sectors_text(answers: Any) -> str | None:
    """A lead's chosen sectors as ``,construction,agriculture,`` (``Lead.sectors``), or None."""
    picked = answers.get("sectors") if isinstance(answers, dict) else None
    if isinstance(picked, str):
        picked = [picked]
    if not isinstance(picked, list) or not picked:
        return None
    return "," + ",".join(str(sector) for sector in picked) + ","


def _outcome_default(context: ExecutionContext) -> str:
    return stored_outcome(context.get_current_parameters().get("eligibility"))  # type: ignore[attr-defined]


def _sectors_default(context: ExecutionContext) -> str | None:
    return sectors_text(context.get_current_parameters().get("answers"))  # type: ignore[attr-defined]


class User(Base):
    """Someone who talks to the bot on a channel (a Telegram user, a terminal session)."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("channel", "external_id", name="uq_users_channel_external"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(8))
    client_language: Mapped[str | None] = mapped_column(String(16))
    source: Mapped[str | None] = mapped_column(String(64))  # deep-link payload of the first /start
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # the worker asked for no more announcements or reminders (the "stop" button)
    opted_out_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Telegram answered 403 (the chat blocked the bot): skipped until they write again
    blocked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # the worker asked for no more job invitations ("Stop job messages"); browsing stays open
    jobs_opted_out_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Conversation(Base):
    """Where the user is in the flows (the engine's state), saved with every answer."""

    __tablename__ = "conversations"
    __table_args__ = (Index("ix_conversations_flow_updated", "flow", "updated_at"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    # the channel's id of the last event handled (Telegram update_id): a redelivered update
    # (after a crash, or a webhook retry) is recognised and not applied twice
    last_event_id: Mapped[int | None] = mapped_column(BigInteger)
    # the ids of the last events handled, newest last (at most RECENT_EVENTS): an update is a
    # duplicate only when its id is here, so an older one that arrives late is still applied
    recent_event_ids: Mapped[list[int] | None] = mapped_column(JsonType)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    # the flow in progress (``state["flow"]``, None when none), kept with the state: reminders
    # and the retention purge find unfinished conversations by it without reading states
    flow: Mapped[str | None] = mapped_column(String(32))
    # when the one reminder to finish the flow in progress was queued
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @validates("state")
    def _keep_flow(self, _key: str, state: dict[str, Any]) -> dict[str, Any]:
        self.flow = flow_of(state)
        return state


def flow_of(state: Any) -> str | None:
    """``Conversation.flow`` for a state: the flow in progress, None when none."""
    flow = state.get("flow") if isinstance(state, Mapping) else None
    return str(flow)[:32] if flow else None


class Lead(Base):
    """A registration for OEC to follow up. One per account and CNIC: the same account
    registering the same CNIC again updates it.

    A CNIC or mobile number already on another account's lead does not take that lead over:
    the new lead is stored on its own and marked as a possible duplicate of the earlier one
    (``duplicate_of_id``, ``duplicate_reason`` "cnic" or "mobile") for OEC staff to resolve.
    A lead is a possible duplicate exactly when ``duplicate_of_id`` is set.
    """

    __tablename__ = "leads"
    __table_args__ = (
        UniqueConstraint("user_id", "cnic", name="uq_leads_user_cnic"),
        # the order of the staff list and of exports (and date filters)
        Index("ix_leads_created_at_id", "created_at", "id"),
        # the marked leads alone, in order, with their reason: the staff's duplicates page
        # reads a page of them without scanning every lead
        Index(
            "ix_leads_marked",
            "id",
            "duplicate_reason",
            sqlite_where=text("duplicate_of_id IS NOT NULL"),
            postgresql_where=text("duplicate_of_id IS NOT NULL"),
        ),
        # the staff list's search and filters and the dashboard's counts, answered from the
        # index alone: on SQLite a lead's row (answers, eligibility) spans several pages
        Index(
            "ix_leads_list",
            "created_at",
            "id",
            "province",
            "language",
            "status",
            "source",
            "sectors",
            "outcome",
            "assigned_officer_id",
            "full_name",
            "reference",
            "cnic",
            "mobile",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    cnic: Mapped[str] = mapped_column(String(13), index=True)
    full_name: Mapped[str] = mapped_column(String(100))
    mobile: Mapped[str] = mapped_column(String(16), index=True)
    birth_date: Mapped[date | None] = mapped_column(Date)  # None only once deleted
    province: Mapped[str | None] = mapped_column(String(32))
    answers: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    # answers["sectors"] as ",construction,agriculture," (``sectors_text``), kept in step with
    # the answers on every insert and ORM assignment: the sector filter and counts read it
    sectors: Mapped[str | None] = mapped_column(String(400), default=_sectors_default)
    eligibility: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    # the eligibility check's outcome (meets, after_steps, not_now or none, from
    # ``bot.staff.outcome.stored_outcome``), kept in step with ``eligibility`` like
    # ``sectors``: the list's outcome filter reads it
    outcome: Mapped[str | None] = mapped_column(String(12), default=_outcome_default)
    source: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default="new")
    # the OEC officer following the lead up (staff web); its history is in lead_events
    assigned_officer_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_accounts.id", ondelete="SET NULL", name="fk_leads_assigned_officer_id"),
        index=True,
    )
    consent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # when they agreed
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    # the earliest other account's lead with the same CNIC (or else mobile number)
    duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("leads.id", ondelete="SET NULL", name="fk_leads_duplicate_of_id"), index=True
    )
    duplicate_reason: Mapped[str | None] = mapped_column(String(8))  # cnic | mobile
    # set when an officer merged this lead into another (its status is then "invalid"); a
    # merged lead is never marked as a possible duplicate again (``bot.storage.duplicates``)
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("leads.id", ondelete="SET NULL", name="fk_leads_merged_into_id"), index=True
    )
    # when the lead was counted in an announcement to the OEC staff group (once per lead)
    announced_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # the worker used /delete: the lead stays as a tombstone for OEC (it may have been
    # exported), its personal fields erased, left out of the lists and of later exports
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @validates("answers")
    def _keep_sectors(self, _key: str, answers: dict[str, Any]) -> dict[str, Any]:
        self.sectors = sectors_text(answers)
        return answers

    @validates("eligibility")
    def _keep_outcome(self, _key: str, eligibility: dict[str, Any] | None) -> Any:
        self.outcome = stored_outcome(eligibility)
        return eligibility


class FunnelEvent(Base):
    """How far people get in each flow, and where they give up.

    Kinds: started, resumed (started again while unfinished), step (a question reached),
    viewed (a browsing flow's choice, the topic or sector id in ``value``), left (went
    elsewhere without finishing), dropped (cancelled), declined (consent refused), completed,
    registered (a lead saved)."""

    __tablename__ = "funnel_events"
    __table_args__ = (
        # counts per flow and kind over a period; the dashboard's people per stage; each
        # person's latest step and whether they registered since, from the index alone
        Index("ix_funnel_flow_kind_at_user", "flow", "kind", "at", "user_id"),
        Index("ix_funnel_kind_at_flow_user", "kind", "at", "flow", "user_id"),
        Index("ix_funnel_user_flow_kind", "user_id", "flow", "kind", "id", "at", "step"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    flow: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    step: Mapped[str | None] = mapped_column(String(32))
    value: Mapped[str | None] = mapped_column(String(64))  # never an answer with personal data
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class OutboxMessage(Base):
    """A message the bot sends unprompted (a status notice to a worker, an announcement of new
    leads to the staff group), queued in the transaction that caused it and sent by a sender.

    ``state``: pending → sent | failed (transient errors, too many times) | blocked (the chat
    blocked the bot). A sender claims pending rows for a while (``claimed_by`` until
    ``claimed_until``); a row whose lease ran out is taken over by another. ``payload`` holds
    ids, statuses and counts, never personal data: the text is rendered when sent, in the
    language of the chat at that time."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_state_next", "state", "next_attempt_at"),
        Index("ix_outbox_broadcast_state", "broadcast_id", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # status | new_leads | broadcast | reminder
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(  # the worker's notices go when they delete
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    # the status change a worker's notice tells of (the lead's timeline shows how it went)
    lead_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("lead_events.id", ondelete="CASCADE", name="fk_outbox_lead_event_id"),
        index=True,
    )
    language: Mapped[str] = mapped_column(String(8))  # when queued; the user's own wins
    payload: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    # the announcement this message is one of (its state pauses or cancels it)
    broadcast_id: Mapped[int | None] = mapped_column(
        ForeignKey("broadcasts.id", ondelete="CASCADE", name="fk_outbox_broadcast_id")
    )
    state: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(String(64))  # an error's kind, no text
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Broadcast(Base):
    """An announcement from OEC staff: a text in each language, the segment it goes to
    (``bot.staff`` describes the keys), and where the sending stands.

    ``state``: draft → sending ⇄ paused → done | cancelled. Its messages are outbox rows
    (``OutboxMessage.broadcast_id``); their states give the counts (sent, blocked, failed)."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_accounts.id", ondelete="SET NULL", name="fk_broadcasts_created_by_id")
    )
    texts: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)  # language → text
    segment: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    state: Mapped[str] = mapped_column(String(12), default="draft")
    total: Mapped[int] = mapped_column(Integer, default=0)  # messages queued when sent
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ScheduledJob(Base):
    """A periodic background job (reminders, the retention purge): the instance that holds
    its lease runs it; a lease that ran out (the instance died) is taken over."""

    __tablename__ = "scheduled_jobs"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_run_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    next_run_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
