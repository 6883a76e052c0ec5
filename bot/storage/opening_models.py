"""Tables of job openings: an employer's demand entered by OEC staff, and the registered
workers matched to it (``bot.ssw.matching``) with what each was asked and answered.

``openings.state``: draft → open → closed | filled (closed at the deadline or by hand). Its
requirements are columns the matching reads (``bot.storage.openings.requirements``).

``opening_candidates`` holds, per opening, the leads that meet it or nearly do (with the
criteria they miss), and every lead that was invited or answered, whatever they match now:
one row per opening and lead, so nobody is invited twice to one opening. ``answer``: None
(not asked, or no answer yet), interested, declined. ``shortlisted_at``: an officer put an
interested lead on the shortlist; from there the lead moves through the lead pipeline.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, JsonType, utcnow

DRAFT, OPEN, CLOSED, FILLED = "draft", "open", "closed", "filled"
OPENING_STATES = (DRAFT, OPEN, CLOSED, FILLED)
INTERESTED, DECLINED = "interested", "declined"
ANSWERS = (INTERESTED, DECLINED)


class Opening(Base):
    """A job opening from an employer in Japan, as an OEC officer entered it."""

    __tablename__ = "openings"
    __table_args__ = (Index("ix_openings_state_deadline", "state", "deadline"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    sector: Mapped[str] = mapped_column(String(32))  # a sector id (flows/sectors.yaml)
    category: Mapped[str | None] = mapped_column(String(32))  # its job type, where it has some
    route: Mapped[str] = mapped_column(String(8), default="ssw1")  # ssw1 | ssw2
    employer: Mapped[str] = mapped_column(String(120))  # the employer or partner
    prefecture: Mapped[str] = mapped_column(String(16))  # a prefecture id (flows/prefectures.yaml)
    places: Mapped[int] = mapped_column(Integer, default=1)
    min_age: Mapped[int | None] = mapped_column(Integer)  # on the day of entry
    max_age: Mapped[int | None] = mapped_column(Integer)
    japanese: Mapped[str | None] = mapped_column(String(16))  # a test id: this or higher
    skills_test: Mapped[str] = mapped_column(String(12), default="passed")  # | not_needed
    min_experience_years: Mapped[int | None] = mapped_column(Integer)
    education: Mapped[str | None] = mapped_column(String(16))  # the lowest accepted
    pay_yen: Mapped[int | None] = mapped_column(Integer)  # monthly, before deductions
    pay_includes: Mapped[str | None] = mapped_column(String(200))  # as the employer gave it
    deadline: Mapped[date] = mapped_column(Date)  # applications close at the end of this day
    entry_date: Mapped[date | None] = mapped_column(Date)  # expected start; else the deadline
    descriptions: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)  # lang → text
    state: Mapped[str] = mapped_column(String(8), default=DRAFT)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_accounts.id", ondelete="SET NULL", name="fk_openings_created_by_id")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # the last matching: when, and how many leads were in each class (meets, nearly, no)
    matched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    match_counts: Mapped[dict[str, Any] | None] = mapped_column(JsonType)


class OpeningCandidate(Base):
    """One lead for one opening: how they match it, whether they were asked, what they said."""

    __tablename__ = "opening_candidates"
    __table_args__ = (
        UniqueConstraint("opening_id", "lead_id", name="uq_opening_candidates_opening_lead"),
        Index("ix_opening_candidates_opening_match", "opening_id", "match"),
        Index("ix_opening_candidates_opening_answer", "opening_id", "answer"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    opening_id: Mapped[int] = mapped_column(ForeignKey("openings.id", ondelete="CASCADE"))
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    match: Mapped[str] = mapped_column(String(8))  # meets | nearly | no
    # the criteria not met or not known: [{label_msgid, status, params, topic}]
    missing: Mapped[list[Any]] = mapped_column(JsonType, default=list)
    matched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    invited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answer: Mapped[str | None] = mapped_column(String(12))  # interested | declined
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    shortlisted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # the worker was told the opening closed (after saying they were interested)
    closed_notice_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
