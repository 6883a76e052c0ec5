"""Job openings for the staff web's tests: a valid form, and openings and candidates written
straight into the database. Every name and employer is obviously fake."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage import openings
from bot.storage.db import session_factory
from bot.storage.models import Lead
from tests.staff import factory

DESCRIPTIONS = factory.OPENING_DESCRIPTIONS
FOOD = ["food_manufacturing"]
PASSED = {"sectors": FOOD, "jp_tests": ["jft_a2"], "skills_test": "yes"}  # meets the form below


def opening_form(**changes: str) -> dict[str, str]:
    """The form of a valid opening (food manufacturing in Aichi, JFT-Basic A2, skills test)."""
    form = {
        "title": "Test food factory workers",
        "sector": "food_manufacturing",
        "category": "",
        "route": "ssw1",
        "employer": "Example Foods KK (fake)",
        "prefecture": "aichi",
        "places": "20",
        "min_age": "18",
        "max_age": "35",
        "japanese": "jft_a2",
        "skills_test": "passed",
        "min_experience_years": "",
        "education": "",
        "pay_yen": "210000",
        "pay_includes": "housing, fake",
        "deadline": "2027-03-01",
        "entry_date": "",
        **{f"description_{lang}": text for lang, text in DESCRIPTIONS.items()},
    }
    form.update(changes)
    return form


async def add_opening(engine: AsyncEngine, **values: Any) -> int:
    """An opening written in storage (a draft unless ``state`` says otherwise, matched when
    open); its id."""
    values.setdefault("state", "draft")
    match_on = datetime(2026, 11, 25, 4, tzinfo=UTC) if values["state"] == "open" else None
    return await factory.add_opening(engine, match_on=match_on, **values)


async def add_answer(engine: AsyncEngine, opening_id: int, lead_id: int, interested: bool) -> int:
    """A worker's answer, recorded as the bot records it; the candidate's id."""
    async with session_factory(engine)() as db, db.begin():
        opening = await openings.get(db, opening_id)
        assert opening is not None
        lead = await db.get(Lead, lead_id)
        assert lead is not None and lead.user_id is not None
        candidate = await openings.answer(
            db, opening, lead_id=lead_id, user_id=lead.user_id, interested=interested,
            match_class="meets", missing=[], now=datetime(2026, 11, 25, 5, tzinfo=UTC),
        )  # fmt: skip
        return candidate.id
