"""The matching classes (meets / nearly / no) on their edge cases, table by table, and the
cache of ``matcher`` checked against ``match`` on generated workers and openings."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.ssw import catalogue
from bot.ssw.matching import (
    ANSWER_KEYS,
    EDUCATION_LEVELS,
    JAPANESE_LEVELS,
    Requirements,
    Worker,
    accepted_tests,
    age_on,
    match,
    matcher,
)

TODAY = date(2026, 12, 2)
ENTRY = date(2027, 4, 1)
BORN = date(1998, 3, 15)  # 29 on the day of entry
FOOD = "food_manufacturing"
# A worker who meets a plain SSW (i) opening in food manufacturing from registration answers.
READY: dict[str, Any] = {
    "sectors": [FOOD],
    "jp_tests": ["jft_a2"],
    "skills_test": "yes",
    "japan_history": "never",
    "experience_years": 3,
    "education": "matric",
}
OPENING = Requirements(FOOD, ENTRY)


def _class(requirements: Requirements, birth_date: date | None, **answers: Any) -> str:
    return match(requirements, Worker(birth_date, {**READY, **answers}), today=TODAY).match


def _missing(requirements: Requirements, birth_date: date | None, **answers: Any) -> list[str]:
    result = match(requirements, Worker(birth_date, {**READY, **answers}), today=TODAY)
    return [c.topic for c in result.missing]


# -- age on the day of entry -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("requirements", "birth_date", "expected"),
    [
        pytest.param(OPENING, date(2009, 3, 31), "meets", id="18th-birthday-the-day-before-entry"),
        pytest.param(OPENING, date(2009, 4, 1), "meets", id="18th-birthday-on-the-entry-day"),
        pytest.param(OPENING, date(2009, 4, 2), "no", id="18th-birthday-the-day-after-entry"),
        pytest.param(
            replace(OPENING, min_age=16), date(2010, 3, 1), "no", id="opening-says-16-law-says-18"
        ),
        pytest.param(
            replace(OPENING, min_age=16), date(2009, 4, 1), "meets", id="opening-16-worker-18"
        ),
        pytest.param(
            replace(OPENING, min_age=21), date(2006, 4, 2), "no", id="opening-min-21-worker-20"
        ),
        pytest.param(
            replace(OPENING, max_age=35), date(1991, 4, 2), "meets", id="max-35-worker-35-at-entry"
        ),
        pytest.param(
            replace(OPENING, max_age=35), date(1991, 4, 1), "no", id="max-35-36th-birthday-on-entry"
        ),
        pytest.param(
            replace(OPENING, entry_date=date(2026, 2, 28)),
            date(2008, 2, 29),
            "no",
            id="leap-day-birthday-not-yet-18-on-28-feb",
        ),
        pytest.param(
            replace(OPENING, entry_date=date(2026, 3, 1)),
            date(2008, 2, 29),
            "meets",
            id="leap-day-birthday-18-on-1-march",
        ),
    ],
)
def test_age_is_taken_on_the_day_of_entry(
    requirements: Requirements, birth_date: date, expected: str
) -> None:
    assert _class(requirements, birth_date) == expected
    if expected == "no":  # age is fixed: never "nearly", whatever else is met
        assert _missing(requirements, birth_date) == ["age"]


def test_the_programme_minimum_is_shown_even_when_the_opening_says_less() -> None:
    result = match(replace(OPENING, min_age=16), Worker(date(2010, 3, 1), READY), today=TODAY)
    (age,) = [c for c in result.criteria if c.topic == "age"]
    assert dict(age.params) == {"min_age": "18", "age": "17"}
    assert catalogue.programme().min_age_at_entry == 18


# -- Japanese levels ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "accepted"),
    [
        pytest.param(
            "jft_a1",
            {"jft_a1", "jft_a2_1", "jft_a2", "jlpt_n4", "jlpt_n3", "jlpt_n2", "jlpt_n1"},
            id="jft-a1",
        ),
        pytest.param(
            "jft_a2_1",
            {"jft_a2_1", "jft_a2", "jlpt_n4", "jlpt_n3", "jlpt_n2", "jlpt_n1"},
            id="a2.1",
        ),
        pytest.param("jft_a2", {"jft_a2", "jlpt_n4", "jlpt_n3", "jlpt_n2", "jlpt_n1"}, id="a2.2"),
        pytest.param("jlpt_n5", {"jlpt_n5", "jlpt_n4", "jlpt_n3", "jlpt_n2", "jlpt_n1"}, id="n5"),
        pytest.param("jlpt_n4", {"jlpt_n4", "jlpt_n3", "jlpt_n2", "jlpt_n1"}, id="n4-not-jft"),
        pytest.param("jlpt_n3", {"jlpt_n3", "jlpt_n2", "jlpt_n1"}, id="n3"),
        pytest.param("jlpt_n1", {"jlpt_n1"}, id="n1"),
    ],
)
def test_accepted_tests_are_this_level_or_higher(level: str, accepted: set[str]) -> None:
    assert accepted_tests(level) == accepted


def test_accepted_tests_refuse_an_unknown_level() -> None:
    with pytest.raises(ValueError):
        accepted_tests("care_japanese")


@pytest.mark.parametrize(
    ("required", "tests", "expected"),
    [
        # no level asked: the programme's SSW (i) rule, JFT-Basic A2.2 or JLPT N4 or higher
        pytest.param(None, ["jft_a2"], "meets", id="programme-a2.2"),
        pytest.param(None, ["jlpt_n4"], "meets", id="programme-n4"),
        pytest.param(None, ["jlpt_n1"], "meets", id="programme-n1"),
        pytest.param(None, ["jft_a2_1"], "nearly", id="programme-a2.1-too-low"),
        pytest.param(None, ["jft_a1"], "nearly", id="programme-a1-too-low"),
        pytest.param(None, ["jlpt_n5"], "nearly", id="programme-n5-too-low"),
        pytest.param(None, [], "nearly", id="programme-no-test-yet"),
        # an opening asking more than the programme: its level decides
        pytest.param("jlpt_n3", ["jlpt_n3"], "meets", id="n3-asked-n3"),
        pytest.param("jlpt_n3", ["jlpt_n2"], "meets", id="n3-asked-n2"),
        pytest.param("jlpt_n3", ["jlpt_n4"], "nearly", id="n3-asked-n4"),
        pytest.param("jlpt_n3", ["jft_a2"], "nearly", id="n3-asked-jft-a2"),
        pytest.param("jlpt_n4", ["jft_a2"], "nearly", id="n4-asked-jft-does-not-count"),
        pytest.param("jft_a2", ["jlpt_n4"], "meets", id="a2-asked-n4-counts"),
        pytest.param("jft_a2", ["jft_a2_1", "jlpt_n5"], "nearly", id="a2-asked-a2.1-and-n5"),
        # an opening asking less than the programme does not lower the programme's rule
        pytest.param("jft_a1", ["jft_a1"], "nearly", id="a1-asked-still-needs-a2.2"),
        pytest.param("jft_a2_1", ["jft_a2_1"], "nearly", id="a2.1-asked-still-needs-a2.2"),
        pytest.param("jft_a2_1", ["jft_a2"], "meets", id="a2.1-asked-a2.2"),
        pytest.param("jlpt_n5", ["jlpt_n4"], "meets", id="n5-asked-n4"),
    ],
)
def test_japanese_levels(required: str | None, tests: list[str], expected: str) -> None:
    requirements = replace(OPENING, japanese=required)
    assert _class(requirements, BORN, jp_tests=tests or ["none"]) == expected
    if expected == "nearly":
        assert set(_missing(requirements, BORN, jp_tests=tests or ["none"])) == {"japanese"}


# -- Technical Intern Training ------------------------------------------------------------------

NO_TESTS: dict[str, Any] = {"jp_tests": ["none"], "skills_test": "no"}


@pytest.mark.parametrize(
    ("requirements", "answers", "expected", "missing"),
    [
        pytest.param(
            OPENING,
            {"japan_history": "titp_completed", "titp_field": FOOD},
            "meets",
            [],
            id="completed-same-field-waives-both-tests",
        ),
        pytest.param(
            OPENING,
            {"japan_history": "titp_left", "titp_field": FOOD},
            "nearly",
            ["skills", "japanese"],
            id="left-early-waives-nothing",
        ),
        pytest.param(
            OPENING,
            {"japan_history": "titp_completed", "titp_field": "construction"},
            "nearly",
            ["skills"],
            id="completed-other-field-waives-japanese-only",
        ),
        pytest.param(
            OPENING,
            {"japan_history": "never"},
            "nearly",
            ["skills", "japanese"],
            id="no-training-two-tests-missing",
        ),
        pytest.param(
            replace(OPENING, japanese="jlpt_n3"),
            {"japan_history": "titp_completed", "titp_field": FOOD},
            "nearly",
            ["japanese"],
            id="the-employers-own-level-is-not-waived",
        ),
        pytest.param(
            replace(OPENING, skills_test="not_needed"),
            {"japan_history": "titp_left", "titp_field": FOOD},
            "nearly",
            ["japanese"],
            id="skills-not-needed-before-applying",
        ),
    ],
)
def test_technical_intern_training_waivers(
    requirements: Requirements, answers: dict[str, Any], expected: str, missing: list[str]
) -> None:
    assert _class(requirements, BORN, **NO_TESTS, **answers) == expected
    assert _missing(requirements, BORN, **NO_TESTS, **answers) == missing


# -- SSW (ii) -----------------------------------------------------------------------------------

SSW2 = replace(OPENING, route="ssw2")


@pytest.mark.parametrize(
    ("requirements", "answers"),
    [
        pytest.param(SSW2, {}, id="ssw1-ready-worker"),
        pytest.param(SSW2, {"jp_tests": ["jlpt_n1"], "experience_years": 10}, id="n1-ten-years"),
        pytest.param(replace(SSW2, skills_test="not_needed"), {}, id="skills-not-needed"),
        pytest.param(
            SSW2, {"japan_history": "titp_completed", "titp_field": FOOD}, id="completed-training"
        ),
    ],
)
def test_ssw2_is_never_met_from_registration_answers(
    requirements: Requirements, answers: dict[str, Any]
) -> None:
    """The registration asks about the SSW (i) skills test only ("skills_test"), never the
    SSW (ii) test nor supervisory experience: those stay unknown, so a worker can at best
    nearly meet an SSW (ii) opening, and the officer asks about the rest."""
    result = match(requirements, Worker(BORN, {**READY, **answers}), today=TODAY)
    assert result.match == "nearly"
    assert {c.status for c in result.missing} == {"unknown"}


def test_ssw2_is_not_open_in_every_field() -> None:
    closed = [s.id for s in catalogue.sectors() if s.status == "open" and not _has_ssw2(s.id)]
    for sector in closed:
        result = match(replace(SSW2, sector=sector), Worker(BORN, READY), today=TODAY)
        assert result.match == "no", sector
        assert [c.topic for c in result.criteria] == ["field"]


def _has_ssw2(sector: str) -> bool:
    from bot.ssw.eligibility import assess

    routes = assess({"sector": sector, "age": 30}, today=TODAY).routes
    return any(r.id == "ssw2" for r in routes)


# -- nearly and no ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("requirements", "birth_date", "answers", "expected"),
    [
        pytest.param(OPENING, BORN, {}, "meets", id="nothing-missing"),
        pytest.param(OPENING, BORN, {"skills_test": "no"}, "nearly", id="one-missing"),
        pytest.param(OPENING, BORN, NO_TESTS, "nearly", id="two-missing"),
        pytest.param(
            replace(OPENING, min_experience_years=5), BORN, NO_TESTS, "no", id="three-missing"
        ),
        pytest.param(
            replace(OPENING, min_experience_years=5),
            BORN,
            {"skills_test": "no"},
            "nearly",
            id="two-missing-one-of-them-experience",
        ),
        pytest.param(
            replace(OPENING, education="bachelor"),
            BORN,
            {"education": None, "skills_test": "no"},
            "nearly",
            id="education-not-known-counts-as-missing",
        ),
        pytest.param(
            replace(OPENING, education="bachelor", min_experience_years=5),
            BORN,
            {"skills_test": "no"},
            "no",
            id="education-experience-and-skills-missing",
        ),
        pytest.param(
            replace(OPENING, education="matric"), BORN, {}, "meets", id="education-exactly-enough"
        ),
        pytest.param(replace(OPENING, max_age=25), BORN, {}, "no", id="only-age-missing-is-fixed"),
        pytest.param(
            replace(OPENING, max_age=25),
            BORN,
            {"skills_test": "no"},
            "no",
            id="age-and-one-more-missing",
        ),
    ],
)
def test_nearly_is_one_or_two_missing_and_none_fixed(
    requirements: Requirements, birth_date: date, answers: dict[str, Any], expected: str
) -> None:
    worker_answers = {k: v for k, v in {**READY, **answers}.items() if v is not None}
    result = match(requirements, Worker(birth_date, worker_answers), today=TODAY)
    assert result.match == expected
    if expected == "nearly":
        assert 1 <= len(result.missing) <= 2


@pytest.mark.parametrize(
    "sector", ["linen_supply", "logistics_warehousing", "resource_circulation"]
)
def test_a_field_not_open_yet_is_no(sector: str) -> None:
    assert catalogue.sector(sector).status == "from_2027"
    result = match(Requirements(sector, ENTRY), Worker(BORN, READY), today=TODAY)
    assert result.match == "no"
    assert [(c.topic, c.status) for c in result.criteria] == [("field", "not_met")]
    assert matcher(Requirements(sector, ENTRY), today=TODAY)(Worker(BORN, READY)) == result


def test_requirements_refuse_what_they_cannot_mean() -> None:
    with pytest.raises(KeyError):
        Requirements("spaceflight", ENTRY)
    with pytest.raises(ValueError):
        Requirements(FOOD, ENTRY, min_age=40, max_age=30)
    with pytest.raises(ValueError):
        Requirements(FOOD, ENTRY, japanese="care_japanese")
    with pytest.raises(ValueError):
        Requirements(FOOD, ENTRY, education="phd")


def test_age_on_counts_full_years() -> None:
    assert age_on(date(2000, 6, 15), date(2026, 6, 14)) == 25
    assert age_on(date(2000, 6, 15), date(2026, 6, 15)) == 26


# -- the cache never changes a result ------------------------------------------------------------

SECTORS = [s.id for s in catalogue.sectors()]
HISTORIES = ["never", "titp_completed", "titp_left", "other_stay", None]
TEST_IDS = ["none", *JAPANESE_LEVELS, "care_japanese"]

workers = st.builds(
    lambda born, answers: Worker(born, answers),
    st.one_of(st.none(), st.dates(date(1975, 1, 1), date(2012, 12, 31))),
    st.fixed_dictionaries(
        {},
        optional={
            "jp_tests": st.lists(st.sampled_from(TEST_IDS), max_size=3, unique=True),
            "skills_test": st.sampled_from(["yes", "no"]),
            "japan_history": st.sampled_from([h for h in HISTORIES if h]),
            "titp_field": st.sampled_from([FOOD, "construction", "agriculture", "other"]),
            "experience_years": st.integers(0, 30),
            "education": st.sampled_from(EDUCATION_LEVELS),
        },
    ),
)


@st.composite
def openings(draw: st.DrawFn) -> Requirements:
    sector = draw(st.sampled_from(SECTORS))
    categories = [c.id for c in catalogue.sector(sector).categories]
    low = draw(st.one_of(st.none(), st.integers(16, 30)))
    high = draw(st.one_of(st.none(), st.integers(max(low or 18, 18), 45)))
    return Requirements(
        sector=sector,
        entry_date=TODAY + timedelta(days=draw(st.integers(0, 900))),
        route=draw(st.sampled_from(["ssw1", "ssw2"])),
        category=draw(st.one_of(st.none(), st.sampled_from(categories))) if categories else None,
        min_age=low,
        max_age=high,
        japanese=draw(st.one_of(st.none(), st.sampled_from(JAPANESE_LEVELS))),
        skills_test=draw(st.sampled_from(["passed", "not_needed"])),
        min_experience_years=draw(st.one_of(st.none(), st.integers(0, 6))),
        education=draw(st.one_of(st.none(), st.sampled_from(EDUCATION_LEVELS))),
    )


NEIGHBOURS: dict[str, st.SearchStrategy[Any]] = {
    "jp_tests": st.lists(st.sampled_from(TEST_IDS), max_size=2, unique=True),
    "skills_test": st.sampled_from(["yes", "no"]),
    "japan_history": st.sampled_from([h for h in HISTORIES if h]),
    "titp_field": st.sampled_from([FOOD, "construction", "agriculture", "other"]),
    "experience_years": st.integers(0, 6),
    "education": st.sampled_from(EDUCATION_LEVELS),
}


@st.composite
def neighbours(draw: st.DrawFn, worker: Worker) -> Worker:
    """The worker with one answer (or the birth date) changed: a cache keyed on too few
    answers would hand the first one's result to the second."""
    key = draw(st.sampled_from(["birth_date", *NEIGHBOURS]))
    if key == "birth_date":
        return Worker(draw(st.dates(date(1975, 1, 1), date(2012, 12, 31))), worker.answers)
    return Worker(worker.birth_date, {**worker.answers, key: draw(NEIGHBOURS[key])})


@st.composite
def crowds(draw: st.DrawFn) -> list[Worker]:
    people = draw(st.lists(workers, min_size=1, max_size=6))
    return [*people, *(draw(neighbours(p)) for p in people for _ in range(2))]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(openings(), openings().map(lambda r: replace(r, sector=FOOD, category=None))),
    crowds(),
)
def test_matcher_gives_the_same_result_as_match(
    requirements: Requirements, people: list[Worker]
) -> None:
    one = matcher(requirements, today=TODAY)
    # each worker twice, in order: the second sees a warm cache built by the others
    for worker in [*people, *people]:
        assert one(worker) == match(requirements, worker, today=TODAY)


@pytest.mark.parametrize(
    "requirements",
    [
        pytest.param(OPENING, id="food-programme-rules"),
        pytest.param(replace(OPENING, japanese="jft_a1", max_age=30), id="food-a1-max-30"),
        pytest.param(
            replace(OPENING, sector="construction", japanese="jlpt_n3", min_experience_years=2),
            id="construction-n3-2-years",
        ),
        pytest.param(
            replace(OPENING, sector="nursing_care", education="intermediate"), id="care-inter"
        ),
        pytest.param(replace(SSW2, sector="agriculture"), id="agriculture-ssw2"),
    ],
)
def test_matcher_agrees_with_match_on_seeded_workers(requirements: Requirements) -> None:
    from bench.seed import _Faker

    faker = _Faker(7)
    people = []
    for n in range(1500):
        answers = faker.answers(n)
        if n % 3 == 0:  # the seed has no JFT-Basic A1 or A2.1: add some
            answers["jp_tests"] = faker.rng.sample(TEST_IDS, faker.rng.randrange(3))
        people.append(Worker(date.fromisoformat(answers["birth_date"]), answers))
    one = matcher(requirements, today=TODAY)
    assert [one(w) for w in people] == [match(requirements, w, today=TODAY) for w in people]
    # storage loads only ANSWER_KEYS of each lead: nothing else may change a result
    trimmed = [
        Worker(w.birth_date, {k: w.answers[k] for k in ANSWER_KEYS if k in w.answers})
        for w in people
    ]
    assert [one(w) for w in trimmed] == [match(requirements, w, today=TODAY) for w in people]
