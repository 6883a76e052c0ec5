"""Figures for staff on Telegram (/stats): how many people came, checked, started and
registered in a span of time. Counts only, never a person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.lead_queries import current_lead
from bot.storage.models import FunnelEvent, Lead, User


@dataclass(frozen=True)
class Figures:
    people: int  # new people who wrote to the bot
    checks: int  # eligibility checks completed
    started: int  # people who started the registration form
    registered: int  # new leads


async def figures(db: AsyncSession, since: datetime, until: datetime) -> Figures:
    """The figures of ``since`` (inclusive) to ``until`` (exclusive)."""

    async def count(query: Select[Any]) -> int:
        return int(await db.scalar(query) or 0)

    def funnel(flow: str, kind: str) -> Select[Any]:
        return (
            select(func.count(func.distinct(FunnelEvent.user_id)))
            .where(FunnelEvent.flow == flow, FunnelEvent.kind == kind)
            .where(FunnelEvent.at >= since, FunnelEvent.at < until)
        )

    people = (
        select(func.count())
        .select_from(User)
        .where(User.created_at >= since, User.created_at < until)
    )
    leads = (
        select(func.count())
        .select_from(Lead)
        .where(Lead.created_at >= since, Lead.created_at < until, current_lead())
    )
    return Figures(
        people=await count(people),
        checks=await count(funnel("eligibility", "completed")),
        started=await count(funnel("registration", "started")),
        registered=await count(leads),
    )
