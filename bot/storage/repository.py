"""The repository: the only storage API the rest of the code calls.

``Repository.user(channel, external_id)`` opens one transaction for one user, holding their row
locked (``SELECT ... FOR UPDATE`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite) so that several
bot instances never interleave one user's updates. Everything said and stored while handling an
update is committed together, or not at all.

The conversation row and the funnel rows, written on every update, are plain values here, not
ORM objects: what changed is written at the end of the unit in one ``UPDATE`` (only the columns
that changed) and one ``INSERT`` of the funnel rows (``UserUnit._write``), without the ORM's
flush bookkeeping. The user is an ORM object (its columns change seldom).

A user only ever reads, changes or deletes their own leads. A CNIC or mobile number already on
another account's lead gives a new lead marked as a possible duplicate of that one; the check is
serialised per CNIC and mobile number (advisory locks on PostgreSQL, one writer on SQLite).
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from bot.staff.outcome import stored_outcome
from bot.storage import duplicates, housekeeping, openings
from bot.storage.models import Conversation, FunnelEvent, Lead, User, flow_of, utcnow
from bot.storage.opening_models import Opening, OpeningCandidate
from bot.storage.staff_models import DuplicateDecision, LeadEvent

SEEN_RESOLUTION = timedelta(minutes=1)
RECENT_EVENTS = 32  # update ids remembered per conversation, for exact de-duplication
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no 0/O, 1/I/L, U


# a deleted lead's personal fields, erased (``UserUnit.erase``); an empty CNIC marks a
# tombstone in the covering indexes (``bot.storage.lead_queries.current_lead``)
ERASED: dict[str, Any] = {
    "cnic": "",
    "full_name": "",
    "mobile": "",
    "birth_date": None,
    "province": None,
    "answers": {},
    "sectors": None,
    "eligibility": None,
    "outcome": stored_outcome(None),
    "duplicate_of_id": None,
    "duplicate_reason": None,
}


def new_reference() -> str:
    """A short, unguessable reference a worker can read out on the phone: SSW-7KQ4-M2XP."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"SSW-{chars[:4]}-{chars[4:]}"


@dataclass(frozen=True)
class LeadData:
    """What a completed registration gives the repository. ``consent_at``: when the worker
    agreed (None: unknown, keep the lead's or take now)."""

    cnic: str
    full_name: str
    mobile: str
    birth_date: date
    province: str | None
    answers: Mapping[str, Any]
    language: str
    eligibility: Mapping[str, Any] | None = None
    consent_at: datetime | None = None


@dataclass(frozen=True)
class SavedLead:
    """A stored registration: its reference, and why it may duplicate another account's lead
    ("cnic", "mobile" or None)."""

    reference: str
    duplicate: str | None = None


# -- the statements of every update, built once (their parameters are bound per execution;
# an UPDATE without ``values`` sets the columns its parameters name, ``updated_at`` follows)
FUNNEL = cast(Table, FunnelEvent.__table__)
CONVERSATIONS = cast(Table, Conversation.__table__)
# the conversation's columns that ``UserUnit`` reads and writes
CONVERSATION_COLUMNS = (
    Conversation.state,
    Conversation.last_event_id,
    Conversation.recent_event_ids,
    Conversation.flow,
    Conversation.reminded_at,
)
_THE_USER = (User.channel == bindparam("channel"), User.external_id == bindparam("external_id"))
# a known user and their conversation in one query: both rows locked, so PostgreSQL re-reads
# both after waiting for another transaction on them (a joined row not locked would be stale)
USER_AND_CONVERSATION = (
    select(User, *CONVERSATION_COLUMNS)
    .join(Conversation, Conversation.user_id == User.id)
    .where(*_THE_USER)
    .with_for_update()
)
USER_ALONE = select(User).where(*_THE_USER).with_for_update()
CONVERSATION_OF = select(*CONVERSATION_COLUMNS).where(Conversation.user_id == bindparam("user"))
INSERT_FUNNEL = insert(FUNNEL)
INSERT_CONVERSATION = insert(CONVERSATIONS)
UPDATE_CONVERSATION = update(CONVERSATIONS).where(CONVERSATIONS.c.user_id == bindparam("user"))


@dataclass
class ConversationRow:
    """The user's ``conversations`` row as read, and what is to be written back: ``changed``
    holds the new values of the columns that changed (``set``); ``new``: no row yet."""

    state: dict[str, Any]
    last_event_id: int | None = None
    recent_event_ids: list[int] | None = None
    flow: str | None = None
    reminded_at: datetime | None = None
    new: bool = False
    changed: dict[str, Any] = field(default_factory=dict)

    def set(self, **values: Any) -> None:
        for name, value in values.items():
            if getattr(self, name) != value:
                setattr(self, name, value)
                self.changed[name] = value


class UserUnit:
    """One user's data within one transaction."""

    def __init__(self, session: AsyncSession, user: User, conversation: ConversationRow) -> None:
        self.leads_created = 0  # new leads saved in this unit (counted once it commits)
        self._session = session
        self._user = user
        self._conversation = conversation
        self._funnel: list[dict[str, Any]] = []  # funnel rows recorded, not written yet
        self._erased = False

    @property
    def user_id(self) -> int:
        return self._user.id

    @property
    def language(self) -> str | None:
        return self._user.language

    @property
    def client_language(self) -> str | None:
        return self._user.client_language

    @property
    def source(self) -> str | None:
        return self._user.source

    @property
    def state(self) -> dict[str, Any]:
        return dict(self._conversation.state or {})

    def set_language(self, language: str) -> None:
        self._user.language = language

    @property
    def opted_out(self) -> bool:
        """They asked for no more announcements (broadcasts)."""
        return self._user.opted_out_at is not None

    def set_opted_out(self, at: datetime | None) -> None:
        """Stop announcements from ``at``; None: receive them again."""
        self._user.opted_out_at = at

    @property
    def jobs_opted_out(self) -> bool:
        """They asked for no more job messages (invitations to openings)."""
        return self._user.jobs_opted_out_at is not None

    async def stop_jobs(self, at: datetime) -> None:
        """No more invitations to job openings; those queued and not sent are dropped."""
        if self._user.jobs_opted_out_at is None:
            self._user.jobs_opted_out_at = at
        await openings.drop_pending_invitations(self._session, self._user.id, at)

    def start_jobs(self) -> None:
        """Job messages again."""
        self._user.jobs_opted_out_at = None

    async def open_openings(self, today: date) -> Sequence[Opening]:
        """The openings workers can see now (``bot.storage.openings.open_openings``)."""
        return await openings.open_openings(self._session, today)

    async def opening(self, opening_id: int) -> Opening | None:
        return await openings.get(self._session, opening_id)

    async def job_answers(self) -> dict[int, str | None]:
        """This worker's answers per opening (None: asked, no answer yet)."""
        return await openings.answers_of(self._session, self._user.id)

    async def answer_opening(
        self,
        opening: Opening,
        lead: Lead,
        *,
        interested: bool,
        match_class: str,
        missing: list[dict[str, Any]],
        now: datetime,
    ) -> OpeningCandidate:
        """Record this worker's answer to an opening, for their own lead."""
        assert lead.user_id == self._user.id
        return await openings.answer(
            self._session,
            opening,
            lead_id=lead.id,
            user_id=self._user.id,
            interested=interested,
            match_class=match_class,
            missing=missing,
            now=now,
        )

    async def current_lead(self) -> Lead | None:
        """This account's most recently updated lead that was not deleted."""
        return await self._session.scalar(
            select(Lead)
            .where(Lead.user_id == self._user.id, Lead.deleted_at.is_(None))
            .order_by(Lead.updated_at.desc(), Lead.id.desc())
        )

    def seen(self, client_language: str | None) -> None:
        """Note the visit: last seen to the minute (no write on every message), the client's
        language when it changed."""
        now = utcnow()
        last = self._user.last_seen_at
        if last is not None and last.tzinfo is None:  # SQLite keeps no time zone: it is UTC
            last = last.replace(tzinfo=UTC)
        if last is None or now - last > SEEN_RESOLUTION:
            self._user.last_seen_at = now
        if client_language and self._user.client_language != client_language[:16]:
            self._user.client_language = client_language[:16]
        if self._user.blocked_at is not None:  # they write again: they unblocked the bot
            self._user.blocked_at = None

    def set_source(self, source: str) -> None:
        """The deep-link payload of the first /start that had one."""
        if not self._user.source:
            self._user.source = source[:64]

    def already_handled(self, event_id: int | None) -> bool:
        """True for an event handled before (its id is among the last ``RECENT_EVENTS`` of
        this user's); otherwise remember it. Exact whatever the order of arrival: an older
        update delivered after a newer one is new. Older than all the remembered ones, with
        the list full, counts as handled (that many later updates of one user came first)."""
        if event_id is None:
            return False
        conversation = self._conversation
        recent = list(conversation.recent_event_ids or [])
        last = conversation.last_event_id
        if not recent and last is not None:  # written before the list existed
            recent = [last]
        if event_id in recent:
            return True
        if len(recent) >= RECENT_EVENTS and event_id < min(recent):
            return True
        recent.append(event_id)
        conversation.set(
            recent_event_ids=recent[-RECENT_EVENTS:], last_event_id=max(event_id, last or event_id)
        )
        return False

    def save_state(self, state: Mapping[str, Any]) -> None:
        conversation = self._conversation
        conversation.set(state=dict(state), flow=flow_of(state))
        if conversation.flow is None and conversation.reminded_at is not None:
            conversation.set(reminded_at=None)  # that attempt ended: a new one may be reminded

    async def came_back(self) -> None:
        """The worker wrote: a reminder queued for them and not sent yet would be stale (it
        is only looked for once they were reminded in this attempt, ``reminded_at``)."""
        if self._conversation.reminded_at is not None:
            await housekeeping.drop_pending_reminders(self._session, self._user.id)

    async def opt_out(self, at: datetime) -> None:
        """No more reminders or announcements for this user (the "stop" button); what is
        queued for them and not sent is dropped."""
        if self._user.opted_out_at is None:
            self._user.opted_out_at = at
        await housekeeping.drop_pending_reminders(self._session, self._user.id)

    def record(
        self, kind: str, flow: str, step: str | None = None, value: str | None = None
    ) -> None:
        """A funnel row, written with the unit (``_write``), in the order recorded."""
        self._funnel.append(
            {"user_id": self._user.id, "flow": flow, "kind": kind, "step": step, "value": value}
        )

    async def _write(self) -> None:
        """Write what this unit recorded and changed: the funnel rows, then the conversation
        (one statement each, none when there is nothing to write)."""
        if self._funnel:
            rows, self._funnel = self._funnel, []
            await self._session.execute(INSERT_FUNNEL, rows)  # one executemany
        conversation = self._conversation
        if self._erased:
            return
        if conversation.new:
            values = {
                column.key: getattr(conversation, column.key) for column in CONVERSATION_COLUMNS
            }
            await self._session.execute(INSERT_CONVERSATION, {"user_id": self._user.id, **values})
            conversation.new = False
        elif conversation.changed:
            await self._session.execute(
                UPDATE_CONVERSATION, {"user": self._user.id, **conversation.changed}
            )
        conversation.changed = {}

    async def save_lead(self, data: LeadData) -> SavedLead:
        """Store a registration: this account's lead for the CNIC is created or updated.

        Another account's lead is never read out, changed or taken over: a CNIC or mobile
        number already on one makes this lead a possible duplicate of it, for staff to check."""
        mine = select(Lead).where(Lead.user_id == self._user.id, Lead.cnic == data.cnic)
        old_mobile = await self._session.scalar(mine.with_only_columns(Lead.mobile))
        await self._serialise([data.cnic], [data.mobile, old_mobile])
        lead = await self._session.scalar(mine.execution_options(populate_existing=True))
        now = utcnow()
        if lead is None:
            lead = Lead(
                reference=new_reference(),
                user_id=self._user.id,
                cnic=data.cnic,
                created_at=now,
                consent_at=data.consent_at or now,
            )
            self._session.add(lead)
            self.leads_created += 1
        elif data.consent_at is not None:
            lead.consent_at = data.consent_at
        lead.full_name = data.full_name
        lead.mobile = data.mobile
        lead.birth_date = data.birth_date
        lead.province = data.province
        lead.answers = dict(data.answers)
        lead.eligibility = dict(data.eligibility) if data.eligibility is not None else None
        lead.language = data.language
        lead.source = self._user.source
        lead.updated_at = now
        await self._session.flush()
        await self._flag(lead)
        affected = await self._sharing_with_later(lead) + await self._pointing_at([lead.id])
        await self._reflag(affected)
        return SavedLead(lead.reference, lead.duplicate_reason)

    async def update_lead_eligibility(self, assessment: Mapping[str, Any]) -> None:
        """Keep the newest eligibility result with the user's lead, if they registered."""
        lead = await self.lead()
        if lead is not None:
            lead.eligibility = dict(assessment)

    async def lead(self) -> Lead | None:
        """This account's most recently updated lead."""
        return await self._session.scalar(
            select(Lead).where(Lead.user_id == self._user.id).order_by(Lead.updated_at.desc())
        )

    async def leads(self) -> Sequence[Lead]:
        """This account's leads (one per CNIC it registered), oldest first."""
        return (
            await self._session.scalars(
                select(Lead).where(Lead.user_id == self._user.id).order_by(Lead.id)
            )
        ).all()

    async def erase(self) -> None:
        """The worker's /delete: the user, their conversation and queued messages go (funnel
        events stay, anonymous); their leads stay as tombstones (OEC may have exported them):
        ``deleted_at`` set, detached from the user, every personal field erased (name, CNIC,
        mobile, birth date, province, answers, eligibility, the duplicate mark and decisions,
        the officers' notes); the reference, dates, status, language, source and officer stay. Other
        accounts' leads marked as duplicates of these are checked again."""
        await self._write()  # funnel rows recorded so far stay (anonymous once the user goes)
        self._erased = True
        own = (
            await self._session.execute(
                select(Lead.id, Lead.cnic, Lead.mobile).where(Lead.user_id == self._user.id)
            )
        ).all()
        ids = [row.id for row in own]
        await self._serialise([row.cnic for row in own], [row.mobile for row in own])
        flagged = [i for i in await self._pointing_at(ids) if i not in ids]
        if ids:
            now = utcnow()
            await self._session.execute(
                update(Lead)
                .where(Lead.id.in_(ids))
                .values(**ERASED, user_id=None, deleted_at=now, updated_at=now)
                .execution_options(synchronize_session=False)
            )
            await self._session.execute(
                update(LeadEvent)
                .where(LeadEvent.lead_id.in_(ids), LeadEvent.note.is_not(None))
                .values(note=None)
                .execution_options(synchronize_session=False)
            )
            await self._session.execute(  # decisions on these pairs go with the person
                delete(DuplicateDecision)
                .where(or_(DuplicateDecision.lead_id.in_(ids), DuplicateDecision.other_id.in_(ids)))
                .execution_options(synchronize_session=False)
            )
        await self._session.execute(
            delete(Conversation).where(Conversation.user_id == self._user.id)
        )
        await self._session.delete(self._user)
        await self._session.flush()
        await self._reflag(flagged)

    # -- possible duplicates (the mark itself: bot.storage.duplicates) ----------------------

    async def _serialise(self, cnics: Iterable[str | None], mobiles: Iterable[str | None]) -> None:
        await duplicates.serialise(self._session, cnics, mobiles)

    async def _flag(self, lead: Lead) -> None:
        await duplicates.flag(self._session, lead)

    async def _sharing_with_later(self, lead: Lead) -> list[int]:
        return await duplicates.sharing_with_later(self._session, lead)

    async def _pointing_at(self, ids: Sequence[int]) -> list[int]:
        return await duplicates.pointing_at(self._session, ids)

    async def _reflag(self, ids: Sequence[int]) -> None:
        await duplicates.reflag(self._session, ids)


class Repository:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], single_writer: bool = False):
        """``single_writer``: the database takes one writer at a time (SQLite). Transactions
        then queue on an in-process lock, in order, instead of in SQLite's busy handler, which
        polls with growing sleeps and makes waits long and unfair under load."""
        self._sessions = sessions
        self._writer = asyncio.Lock() if single_writer else None

    @asynccontextmanager
    async def user(self, channel: str, external_id: str) -> AsyncIterator[UserUnit]:
        """Open (creating if new) one user's data, locked until the block ends, then commit."""
        async with contextlib.AsyncExitStack() as stack:
            if self._writer is not None:
                await stack.enter_async_context(self._writer)
            session = await stack.enter_async_context(self._sessions())
            await stack.enter_async_context(session.begin())
            who = {"channel": channel, "external_id": external_id}
            row = (await session.execute(USER_AND_CONVERSATION, who)).first()
            user: User | None = None
            conversation: ConversationRow | None = None
            if row is not None:
                user, conversation = row[0], _conversation_row(row[1:])
            if user is None:
                user = await session.scalar(USER_ALONE, who)
            if user is None:  # first contact; another instance may be adding them right now
                upsert = (
                    pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
                )
                await session.execute(
                    upsert(User)
                    .values(
                        channel=channel,
                        external_id=external_id,
                        created_at=utcnow(),
                        last_seen_at=utcnow(),
                    )
                    .on_conflict_do_nothing(index_elements=["channel", "external_id"])
                )
                user = await session.scalar(USER_ALONE, who)
            assert user is not None
            if conversation is None:
                found = (await session.execute(CONVERSATION_OF, {"user": user.id})).first()
                conversation = _conversation_row(found) if found else ConversationRow({}, new=True)
            unit = UserUnit(session, user, conversation)
            yield unit
            await unit._write()  # the block ended without an error: then it commits

    async def mark_blocked(self, channel: str, external_id: str) -> None:
        """Telegram refused a reply: the user blocked the bot (cleared when they write)."""
        async with contextlib.AsyncExitStack() as stack:
            if self._writer is not None:
                await stack.enter_async_context(self._writer)
            session = await stack.enter_async_context(self._sessions())
            await stack.enter_async_context(session.begin())
            await session.execute(
                update(User)
                .where(
                    User.channel == channel,
                    User.external_id == external_id,
                    User.blocked_at.is_(None),
                )
                .values(blocked_at=utcnow())
                .execution_options(synchronize_session=False)
            )

    # -- read side, for staff tools and tests -------------------------------------------------

    async def leads(self) -> Sequence[Lead]:
        """The leads that stand (not the tombstones of a /delete), oldest first."""
        async with self._sessions() as session:
            query = select(Lead).where(Lead.deleted_at.is_(None)).order_by(Lead.created_at)
            return (await session.scalars(query)).all()

    async def lead_by_cnic(self, cnic: str) -> Lead | None:
        """The first lead registered with this CNIC (later ones are possible duplicates)."""
        async with self._sessions() as session:
            return await session.scalar(select(Lead).where(Lead.cnic == cnic).order_by(Lead.id))

    async def leads_by_cnic(self, cnic: str) -> Sequence[Lead]:
        async with self._sessions() as session:
            return (
                await session.scalars(select(Lead).where(Lead.cnic == cnic).order_by(Lead.id))
            ).all()

    async def possible_duplicates(self) -> list[tuple[Lead, Lead]]:
        """Every lead marked as a possible duplicate, with the lead it may duplicate, oldest
        first: for staff to compare side by side and resolve."""
        original = aliased(Lead)
        async with self._sessions() as session:
            rows = await session.execute(
                select(Lead, original)
                .join(original, Lead.duplicate_of_id == original.id)
                .order_by(Lead.id)
            )
            return [(duplicate, first) for duplicate, first in rows.all()]

    async def funnel(self, flow: str) -> dict[str, int]:
        """How many events of each kind a flow has had."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(FunnelEvent.kind, func.count())
                .where(FunnelEvent.flow == flow)
                .group_by(FunnelEvent.kind)
            )
            return {kind: count for kind, count in rows.all()}

    async def funnel_events(self, flow: str | None = None) -> Sequence[FunnelEvent]:
        """The funnel rows in the order they were written (of one flow, or all)."""
        query = select(FunnelEvent).order_by(FunnelEvent.id)
        if flow is not None:
            query = query.where(FunnelEvent.flow == flow)
        async with self._sessions() as session:
            return (await session.scalars(query)).all()

    async def state_of(self, channel: str, external_id: str) -> dict[str, Any] | None:
        async with self._sessions() as session:
            user = await session.scalar(
                select(User).where(User.channel == channel, User.external_id == external_id)
            )
            if user is None:
                return None
            conversation = await session.get(Conversation, user.id)
            return dict(conversation.state) if conversation else None


def _conversation_row(values: Sequence[Any]) -> ConversationRow:
    """A ``ConversationRow`` from ``CONVERSATION_COLUMNS``' values, in their order."""
    state, last_event_id, recent_event_ids, flow, reminded_at = values
    return ConversationRow(state or {}, last_event_id, recent_event_ids, flow, reminded_at)


def parse_birth_date(value: str | date | datetime) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(value)
