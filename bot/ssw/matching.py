"""Does a registered worker fit a job opening? The eligibility check, with the employer's demands.

``match(requirements, worker, today=...)`` is pure, like ``assess``: it runs the one eligibility
engine (``bot.ssw.eligibility.assess``) on the worker's answers for the opening's field and job
type, with the worker's age on the day of entry, and takes the criteria of the opening's route
(SSW (i): ``ssw1_now`` / ``ssw1_after_tests`` / ``ssw1_titp``; SSW (ii): ``ssw2``). These are
the programme's own rules: the Japanese test, the skills test and what Technical Intern Training
waives, licences, the years of SSW (i) used. The employer's demands are added as criteria of
their own, each replacing the engine's criteria on the same topic when it is stricter:

* an age range on the day of entry (the programme's minimum always applies);
* a Japanese level, "this test or higher" (``accepted_tests``); it replaces the programme's
  Japanese criterion only when it is at least as strict (``japanese_demand_replaces``): an
  opening asking JFT-Basic A1 for SSW (i) still needs the programme's A2.2 (or N4);
* the skills test passed already, or not needed before applying (the programme's rule stays
  as a step, not a criterion);
* years of experience, and a lowest education.

The class: ``meets`` when every criterion is met; ``nearly`` when one or two are missing or not
known and none of them is one the worker cannot change (age, a field not open yet, the SSW (i)
years used up); else ``no``. A criterion not known counts as missing: the officer asks.

``worker_answers`` turns a lead's registration answers (``flows/registration.flow.yaml``) into
the answer keys ``assess`` reads (``bot.ssw.answers``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, Literal

from bot.i18n import N_
from bot.ssw import catalogue
from bot.ssw.assessment import Criterion, CriterionStatus, Route
from bot.ssw.eligibility import assess
from bot.ssw.model import JFT_LEVELS, JLPT_LEVELS

MatchClass = Literal["meets", "nearly", "no"]
MATCH_CLASSES: tuple[MatchClass, ...] = ("meets", "nearly", "no")
RouteChoice = Literal["ssw1", "ssw2"]
ROUTES: tuple[RouteChoice, ...] = ("ssw1", "ssw2")
SkillsDemand = Literal["passed", "not_needed"]
SKILLS_DEMANDS: tuple[SkillsDemand, ...] = ("passed", "not_needed")
# The registration's education options, lowest first, with the flow's own labels
# (flows/registration.flow.yaml; a test keeps the two the same).
EDUCATION_LABELS: dict[str, str] = {
    "none": N_("No formal education"),
    "primary": N_("Primary (class 5)"),
    "middle": N_("Middle (class 8)"),
    "matric": N_("Matric (class 10)"),
    "intermediate": N_("Intermediate (class 12)"),
    "diploma": N_("Diploma (DAE or technical)"),
    "bachelor": N_("Bachelor's degree"),
    "master": N_("Master's degree or higher"),
}
EDUCATION_LEVELS: tuple[str, ...] = tuple(EDUCATION_LABELS)
# The Japanese levels an opening may ask for: the tests the eligibility check knows.
JAPANESE_LEVELS: tuple[str, ...] = (*JFT_LEVELS, *JLPT_LEVELS)
NEARLY_MOST = 2  # "nearly": at most this many criteria missing
# Topics a worker cannot change by studying or taking a test: missing one is never "nearly".
FIXED_TOPICS = frozenset({"age", "ssw1_years", "field"})
SSW1_ROUTES = ("ssw1_now", "ssw1_after_tests", "ssw1_titp")
# The registration answers matching reads (besides the birth date): storage may load only
# these (``bot.storage.openings``).
ANSWER_KEYS = (
    "jp_tests",
    "skills_test",
    "japan_history",
    "titp_field",
    "experience_years",
    "education",
)

AGE_RANGE = N_("Age on the day of entry: {min_age} to {max_age} (you will be {age})")
AGE_FROM = N_("Age on the day of entry: {min_age} or older (you will be {age})")
AGE_UNKNOWN = N_("Age on the day of entry: {min_age} to {max_age}")
JAPANESE_DEMAND = N_("Japanese: {test} or higher")
SKILLS_DEMAND = N_("Skills test for this work passed")
EXPERIENCE_DEMAND = N_("At least {years} years of work experience (you have {have})")
EXPERIENCE_UNKNOWN = N_("At least {years} years of work experience")
EDUCATION_DEMAND = N_("Education: {level} or higher")
FIELD_CLOSED = N_("This kind of work is not open to SSW workers yet")
ROUTE_MISSING = N_("This route is not available for this kind of work")


@dataclass(frozen=True)
class Requirements:
    """What an opening asks for, as data (the staff web's form stores it with the opening)."""

    sector: str  # a sector id from flows/sectors.yaml
    entry_date: date  # the day the worker would enter Japan: their age is taken on it
    route: RouteChoice = "ssw1"
    category: str | None = None  # the job type, for fields that have them
    min_age: int | None = None
    max_age: int | None = None
    japanese: str | None = None  # a test id from JAPANESE_LEVELS: this or higher
    skills_test: SkillsDemand = "passed"
    min_experience_years: int | None = None
    education: str | None = None  # from EDUCATION_LEVELS: this or higher

    def __post_init__(self) -> None:
        catalogue.sector(self.sector)  # KeyError for an unknown field
        if self.route not in ROUTES:
            raise ValueError(f"route must be one of {ROUTES}, got {self.route!r}")
        if self.japanese is not None and self.japanese not in JAPANESE_LEVELS:
            raise ValueError(f"unknown Japanese level {self.japanese!r}")
        if self.skills_test not in SKILLS_DEMANDS:
            raise ValueError(f"skills_test must be one of {SKILLS_DEMANDS}")
        if self.education is not None and self.education not in EDUCATION_LEVELS:
            raise ValueError(f"unknown education level {self.education!r}")
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            raise ValueError("min_age is above max_age")

    @property
    def lowest_age(self) -> int:
        """The youngest a worker may be on the day of entry: the programme's rule or more."""
        legal = catalogue.programme().min_age_at_entry
        return max(legal, self.min_age or 0)


@dataclass(frozen=True)
class Worker:
    """What matching reads of a lead: the birth date and the registration's answers."""

    birth_date: date | None
    answers: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Match:
    match: MatchClass
    criteria: tuple[Criterion, ...]

    @property
    def missing(self) -> tuple[Criterion, ...]:
        """The criteria not met or not known, in the order checked."""
        return tuple(c for c in self.criteria if c.status != "met")


def age_on(birth_date: date, day: date) -> int:
    """Full years of age on ``day``."""
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - before_birthday


def accepted_tests(level: str) -> frozenset[str]:
    """The tests that meet "``level`` or higher".

    A JLPT level is met by it or a higher JLPT level. A JFT-Basic level is met by it, a higher
    JFT-Basic level, or JLPT N4 or higher (N4 is accepted wherever JFT-Basic A2 is).
    """
    if level in JLPT_LEVELS:
        return frozenset(JLPT_LEVELS[JLPT_LEVELS.index(level) :])
    if level in JFT_LEVELS:
        return frozenset(JFT_LEVELS[JFT_LEVELS.index(level) :]) | frozenset(JLPT_LEVELS[1:])
    raise ValueError(f"unknown Japanese level {level!r}")


def worker_answers(worker: Worker, requirements: Requirements) -> dict[str, Any]:
    """The registration's answers as ``assess`` reads them, for the opening's field."""
    answers = worker.answers
    mapped: dict[str, Any] = {"sector": requirements.sector}
    if requirements.category is not None:
        mapped["sector_category"] = requirements.category
    if worker.birth_date is not None:
        mapped["age"] = max(age_on(worker.birth_date, requirements.entry_date), 0)
    tests = answers.get("jp_tests")
    if isinstance(tests, list):
        mapped["jp_tests"] = [t for t in tests if t != "none"]
    if answers.get("skills_test") in ("yes", "no"):
        mapped["skills_test"] = answers["skills_test"]
    history = answers.get("japan_history")
    titp = {"titp_completed": "completed", "titp_left": "incomplete"}.get(str(history))
    if titp is not None:
        mapped["titp"] = titp
        if isinstance(answers.get("titp_field"), str):
            mapped["titp_field"] = answers["titp_field"]
    elif history in ("never", "other_stay"):
        mapped["titp"] = "none"
    years = answers.get("experience_years")
    if isinstance(years, int) and not isinstance(years, bool) and years >= 0:
        mapped["experience_years"] = years
    return mapped


def _route(requirements: Requirements, answers: Mapping[str, Any], today: date) -> Route | None:
    wanted = SSW1_ROUTES if requirements.route == "ssw1" else ("ssw2",)
    assessment = assess(answers, today=today)
    return next((r for r in assessment.routes if r.id in wanted), None)


def _age(requirements: Requirements, worker: Worker) -> Criterion:
    lowest = requirements.lowest_age
    if worker.birth_date is None:
        highest = requirements.max_age if requirements.max_age is not None else "—"
        return Criterion(
            AGE_UNKNOWN, "unknown", {"min_age": str(lowest), "max_age": str(highest)}, "age"
        )
    age = age_on(worker.birth_date, requirements.entry_date)
    fits = age >= lowest and (requirements.max_age is None or age <= requirements.max_age)
    params = {"min_age": str(lowest), "age": str(age)}
    if requirements.max_age is None:
        return Criterion(AGE_FROM, "met" if fits else "not_met", params, "age")
    params["max_age"] = str(requirements.max_age)
    return Criterion(AGE_RANGE, "met" if fits else "not_met", params, "age")


def _japanese(level: str, answers: Mapping[str, Any]) -> Criterion:
    name = catalogue.japanese_test(level).name
    tests = answers.get("jp_tests")
    status: CriterionStatus = "unknown"
    if isinstance(tests, list):
        status = "met" if accepted_tests(level) & set(tests) else "not_met"
    return Criterion(JAPANESE_DEMAND, status, {"test": name}, "japanese")


def _skills(route_criteria: tuple[Criterion, ...], answers: Mapping[str, Any]) -> Criterion:
    """The employer wants the skills test passed: the engine's skills criteria (which know the
    training waivers) decide; "met" only if all of them are met."""
    engine = [c for c in route_criteria if c.topic == "skills"]
    status: CriterionStatus
    if engine:
        statuses = {c.status for c in engine}
        status = "met" if statuses == {"met"} else "not_met" if "not_met" in statuses else "unknown"
    else:
        status = (
            "unknown"
            if answers.get("skills_test") is None
            else ("met" if answers.get("skills_test") == "yes" else "not_met")
        )
    return Criterion(SKILLS_DEMAND, status, {}, "skills")


def _experience(years: int, answers: Mapping[str, Any]) -> Criterion:
    have = answers.get("experience_years")
    if not isinstance(have, int) or isinstance(have, bool):
        return Criterion(EXPERIENCE_UNKNOWN, "unknown", {"years": str(years)}, "experience")
    status: CriterionStatus = "met" if have >= years else "not_met"
    return Criterion(
        EXPERIENCE_DEMAND, status, {"years": str(years), "have": str(have)}, "experience"
    )


def _education(level: str, answers: Mapping[str, Any]) -> Criterion:
    have = answers.get("education")
    status: CriterionStatus = "unknown"
    if isinstance(have, str) and have in EDUCATION_LEVELS:
        met = EDUCATION_LEVELS.index(have) >= EDUCATION_LEVELS.index(level)
        status = "met" if met else "not_met"
    return Criterion(EDUCATION_DEMAND, status, {"level": EDUCATION_LABELS[level]}, "education")


def _engine(
    requirements: Requirements, answers: Mapping[str, Any], today: date
) -> tuple[Criterion, ...] | None:
    """The criteria of the opening's route from the eligibility engine, or None when the
    route does not apply to the field."""
    route = _route(requirements, answers, today)
    return None if route is None else route.criteria


@lru_cache(maxsize=256)
def japanese_demand_replaces(requirements: Requirements, today: date) -> bool:
    """Whether the opening's Japanese level is at least the programme's for its route and
    field, so that the programme's Japanese criterion adds nothing to it: every lowest test
    the demand accepts also meets the programme's rule. A lower demand (JFT-Basic A1 for
    SSW (i), JLPT N4 for SSW (ii)) does not lower the programme's rule: both stay."""
    if requirements.japanese is None:
        return False
    level = requirements.japanese
    lowest = [level] if level in JLPT_LEVELS else [level, JLPT_LEVELS[1]]
    for test in lowest:
        answers: dict[str, Any] = {
            "sector": requirements.sector,
            "age": 30,
            "jp_tests": [test],
            "skills_test": "yes",
            "titp": "none",
            "experience_years": 5,
        }
        if requirements.category is not None:
            answers["sector_category"] = requirements.category
        route = _route(requirements, answers, today)
        if route is None or any(c.status != "met" for c in route.criteria if c.topic == "japanese"):
            return False
    return True


def _classify(
    requirements: Requirements,
    worker: Worker,
    answers: Mapping[str, Any],
    engine: tuple[Criterion, ...] | None,
    today: date,
) -> Match:
    if engine is None:
        return Match("no", (Criterion(ROUTE_MISSING, "not_met", {}, "field"),))
    replaced = {"age", "skills"}
    demands: list[Criterion] = [_age(requirements, worker)]
    if requirements.japanese is not None:
        if japanese_demand_replaces(requirements, today):
            replaced.add("japanese")
        demands.append(_japanese(requirements.japanese, answers))
    if requirements.skills_test == "passed":
        demands.append(_skills(engine, answers))
    if requirements.min_experience_years:
        demands.append(_experience(requirements.min_experience_years, answers))
    if requirements.education is not None and requirements.education != EDUCATION_LEVELS[0]:
        demands.append(_education(requirements.education, worker.answers))
    criteria = (*demands, *(c for c in engine if c.topic not in replaced))
    missing = [c for c in criteria if c.status != "met"]
    if not missing:
        return Match("meets", criteria)
    fixed = any(c.topic in FIXED_TOPICS for c in missing)
    if len(missing) <= NEARLY_MOST and not fixed:
        return Match("nearly", criteria)
    return Match("no", criteria)


def _closed(requirements: Requirements) -> Match | None:
    if catalogue.sector(requirements.sector).status != "open":
        return Match("no", (Criterion(FIELD_CLOSED, "not_met", {}, "field"),))
    return None


def match(requirements: Requirements, worker: Worker, *, today: date) -> Match:
    """How the worker fits the opening, criterion by criterion (see the module's docstring)."""
    closed = _closed(requirements)
    if closed is not None:
        return closed
    answers = worker_answers(worker, requirements)
    return _classify(requirements, worker, answers, _engine(requirements, answers, today), today)


def _result_key(requirements: Requirements, worker: Worker) -> tuple[object, ...]:
    """Everything of a worker that ``match`` reads for this opening, reduced to what can
    change its result (a mirror of ``worker_answers`` and the demands' checks)."""
    answers = worker.answers
    born = worker.birth_date
    tests = answers.get("jp_tests")
    skills = answers.get("skills_test")
    history = answers.get("japan_history")
    titp_field = answers.get("titp_field")
    years = answers.get("experience_years")
    if not isinstance(years, int) or isinstance(years, bool) or years < 0:
        years = None
    elif not requirements.min_experience_years:
        years = min(years, 1)  # the engine asks "any experience?" only
    education = answers.get("education") if requirements.education is not None else None
    return (
        None if born is None else age_on(born, requirements.entry_date),
        frozenset(tests) - {"none"} if isinstance(tests, list) else None,
        skills if skills in ("yes", "no") else None,
        history,
        titp_field if isinstance(titp_field, str) else None,
        years,
        education if isinstance(education, str) else None,
    )


def matcher(requirements: Requirements, *, today: date) -> Callable[[Worker], Match]:
    """``match`` for many workers of one opening, giving the same results. A result depends
    on a few answers only (``ANSWER_KEYS``) and the age on the day of entry, so it is
    reasoned once per distinct set of them (``_result_key``): matching 100,000 leads
    reasons a few thousand times."""
    closed = _closed(requirements)
    results: dict[tuple[object, ...], Match] = {}
    engine_cache: dict[tuple[object, ...], tuple[Criterion, ...] | None] = {}
    legal_age = catalogue.programme().min_age_at_entry

    def reason(worker: Worker) -> Match:
        """``match``, with the engine's part cached on the answers it reads."""
        answers = worker_answers(worker, requirements)
        age = answers.get("age")
        tests = answers.get("jp_tests")
        years = answers.get("experience_years")
        key = (
            None if age is None else min(int(age), legal_age),
            None if tests is None else frozenset(tests),
            answers.get("skills_test"),
            answers.get("titp"),
            answers.get("titp_field"),
            None if years is None else min(int(years), 1),
        )
        if key not in engine_cache:
            engine_cache[key] = _engine(requirements, answers, today)
        return _classify(requirements, worker, answers, engine_cache[key], today)

    def one(worker: Worker) -> Match:
        if closed is not None:
            return closed
        key = _result_key(requirements, worker)
        found = results.get(key)
        if found is None:
            found = results[key] = reason(worker)
        return found

    return one
