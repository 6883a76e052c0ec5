"""Leads, unfinished registrations and job openings written straight into the database, for
staff tests (and the bot's tests of openings)."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import ssw
from bot.storage import openings
from bot.storage.db import session_factory
from bot.storage.models import Conversation, FunnelEvent, Lead, User
from bot.storage.opening_models import Opening

_counter = itertools.count(1)

BASE_ANSWERS: dict[str, Any] = {
    "consent": "yes",
    "gender": "male",
    "province": "punjab",
    "district": "Faisalabad",
    "education": "matric",
    "experience_years": 3,
    "sectors": ["construction"],
    "japanese_level": "learning",
    "jp_tests": ["jft_a2"],
    "skills_test": "no",
    "passport": "yes",
    "japan_history": "never",
}


def eligibility(**answers: Any) -> dict[str, object]:
    """A real assessment of these eligibility answers, as stored with a lead."""
    return ssw.assess(answers, today=date(2026, 11, 25)).to_dict()


async def add_user(database: AsyncEngine, **values: Any) -> int:
    n = next(_counter)
    row = {
        "channel": "telegram",
        "external_id": f"u{n}",
        "language": "en",
        "source": None,
        "created_at": datetime(2026, 11, 1, tzinfo=UTC),
        "last_seen_at": datetime(2026, 11, 1, tzinfo=UTC),
        **values,
    }
    async with database.begin() as connection:
        result = await connection.execute(insert(User).values(**row).returning(User.id))
        return int(result.scalar_one())


async def add_lead(
    database: AsyncEngine,
    *,
    answers: Mapping[str, Any] | None = None,
    eligibility: Mapping[str, object] | None = None,
    created_at: datetime = datetime(2026, 11, 10, 12, tzinfo=UTC),
    **values: Any,
) -> str:
    """A lead (with its user); returns its reference. ``values`` override columns."""
    n = next(_counter)
    user_id = await add_user(database, source=values.get("source"))
    merged = {**BASE_ANSWERS, **(answers or {})}
    row: dict[str, Any] = {
        "reference": f"SSW-T{n:03d}-TEST",
        "user_id": user_id,
        "cnic": f"99{n:011d}",
        "full_name": f"Test Worker {n}",
        "mobile": f"+92300555{n % 10000:04d}",
        "birth_date": date(1998, 3, 15),
        "province": merged.get("province"),
        "eligibility": eligibility,
        "source": None,
        "language": "en",
        "status": "new",
        "consent_at": created_at,
        "created_at": created_at,
        "updated_at": created_at,
        **values,
    }
    merged.setdefault("full_name", row["full_name"])
    merged.setdefault("cnic", row["cnic"])
    merged.setdefault("mobile", row["mobile"])
    merged.setdefault("birth_date", row["birth_date"].isoformat())
    row["answers"] = merged
    async with database.begin() as connection:
        await connection.execute(insert(Lead).values(**row))
    return str(row["reference"])


async def add_unfinished(
    database: AsyncEngine,
    answers: Mapping[str, Any],
    step: str | None,
    *,
    flow: str | None = "registration",
    mode: str = "ask",
    last_seen_at: datetime = datetime(2026, 11, 12, 8, tzinfo=UTC),
    **user: Any,
) -> int:
    """A user who started registering and stopped at ``step``; returns the user id."""
    user_id = await add_user(database, last_seen_at=last_seen_at, **user)
    state = {
        "flow": flow,
        "step": step,
        "mode": mode,
        "tries": 0,
        "picks": [],
        "page": 0,
        "answers": {"registration": dict(answers)},
        "results": {},
    }
    async with database.begin() as connection:
        await connection.execute(insert(Conversation).values(user_id=user_id, state=state))
    return user_id


async def add_events(
    database: AsyncEngine,
    user_id: int | None,
    events: Sequence[tuple[str, str, str | None, datetime]],
) -> None:
    """Funnel events of one user: (flow, kind, step, at), in the order they happened."""
    rows = [
        {"user_id": user_id, "flow": flow, "kind": kind, "step": step, "at": at}
        for flow, kind, step, at in events
    ]
    async with database.begin() as connection:
        await connection.execute(insert(FunnelEvent), rows)


OPENING_DESCRIPTIONS = {
    "en": "Test opening: packing food in a factory. Fake text.",
    "ur": "آزمائشی ملازمت: فیکٹری میں کھانے کی پیکنگ۔",
    "ja": "テスト求人：工場での食品の包装。",
}
OPENING: dict[str, Any] = {  # a valid open opening: food manufacturing in Aichi, JFT-Basic A2
    "title": "Test food factory workers",
    "sector": "food_manufacturing",
    "route": "ssw1",
    "employer": "Example Foods KK (fake)",
    "prefecture": "aichi",
    "places": 20,
    "min_age": 18,
    "max_age": 35,
    "japanese": "jft_a2",
    "skills_test": "passed",
    "pay_yen": 210000,
    "pay_includes": "housing, fake",
    "deadline": date(2027, 3, 1),
    "descriptions": OPENING_DESCRIPTIONS,
    "state": "open",
}


async def add_opening(
    database: AsyncEngine, *, match_on: datetime | None = None, **values: Any
) -> int:
    """A job opening written in storage (``OPENING``, ``values`` override columns); its id.
    ``match_on``: also match it then (as publishing does)."""
    at = datetime(2026, 11, 25, 4, tzinfo=UTC)
    row = {**OPENING, "created_at": at, "updated_at": at, **values}
    row["descriptions"] = dict(row["descriptions"])
    async with session_factory(database)() as db, db.begin():
        opening = Opening(**row)
        db.add(opening)
        await db.flush()
        if match_on is not None:
            await openings.run_matching(db, opening, today=match_on.date(), now=match_on)
        return opening.id
