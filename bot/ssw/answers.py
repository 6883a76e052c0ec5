"""The worker's answers as the eligibility check reads them: checked, typed, with sectors and
tests looked up in the catalogue (``read_answers``). A wrong value raises ``ValueError``.

Answer keys (all optional; a missing key means "unknown"; other keys are ignored):

=====================  ========================================================================
``age``                int, years now
``sector``             sector id from ``flows/sectors.yaml``
``sector_category``    job type inside the sector (truck/taxi/bus, a railway job type)
``jp_tests``           list of passed tests: jft_a2 (JFT-Basic A2.2, the old A2), jft_a2_1,
                       jft_a1, jlpt_n5 … jlpt_n1, care_japanese
                       ("none" is ignored; an empty list means "none passed")
``skills_test``        "yes" | "no" | "unknown": passed the chosen sector's skills test
``titp``               "none" | "completed" | "incomplete": Technical Intern Training (ii)
``titp_field``         sector id of the training job (anything else counts as another field)
``ssw1_years``         int, years already spent on SSW (i)
``degree``             "none" | "it_related" | "nursing" | "other"
``experience_years``   int, years of work in the chosen kind of work
``job_offer``          "yes" | "no": a job offer (contract) from a company in Japan (IT visa)
``job_related``        "yes" | "no" | "unknown": that job is related to the degree or experience
``job_pay``            "yes" | "no" | "unknown": it pays at least what a Japanese employee gets
``nursing_licence``    "yes" | "no": a nursing licence from home
``japan_licence``      "yes" | "no": a Japanese driving licence
=====================  ========================================================================
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal, TypeVar

from bot.ssw import catalogue
from bot.ssw.assessment import CriterionStatus
from bot.ssw.model import DEGREES, JAPANESE_TEST_IDS, Category, Sector

_T = TypeVar("_T", bound=str)


YesNo = Literal["yes", "no"]
Titp = Literal["none", "completed", "incomplete"]
_YES_NO: tuple[YesNo, ...] = ("yes", "no")


@dataclass(frozen=True)
class Answers:
    age: int | None = None
    sector: Sector | None = None
    category: Category | None = None
    jp_tests: frozenset[str] | None = None
    skills_test: YesNo | None = None
    titp: Titp | None = None
    titp_field: str | None = None
    ssw1_years: int | None = None
    degree: str | None = None
    experience_years: int | None = None
    job_offer: YesNo | None = None
    job_related: YesNo | None = None
    job_pay: YesNo | None = None
    nursing_licence: YesNo | None = None
    japan_licence: YesNo | None = None


def _answer_int(answers: Mapping[str, object], key: str) -> int | None:
    value = answers.get(key)
    if value is None:
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"answer {key!r} must be a whole number of years, got {value!r}")
    return value


def _answer_choice(answers: Mapping[str, object], key: str, allowed: tuple[_T, ...]) -> _T | None:
    value = answers.get(key)
    if value is True:
        value = "yes"
    elif value is False:
        value = "no"
    if value is None or value == "unknown":
        return None
    for item in allowed:
        if value == item:
            return item
    raise ValueError(f"answer {key!r} must be one of {', '.join(allowed)}, got {value!r}")


def _read_sector(answers: Mapping[str, object]) -> tuple[Sector | None, Category | None]:
    sector: Sector | None = None
    sector_id = answers.get("sector")
    if sector_id is not None:
        if not isinstance(sector_id, str):
            raise ValueError(f"answer 'sector' must be a sector id, got {sector_id!r}")
        try:
            sector = catalogue.sector(sector_id)
        except KeyError:
            raise ValueError(f"answer 'sector': unknown sector id {sector_id!r}") from None

    category: Category | None = None
    category_id = answers.get("sector_category")
    if category_id is not None and sector is not None and sector.categories:
        if not isinstance(category_id, str) or sector.category(category_id) is None:
            known = ", ".join(c.id for c in sector.categories)
            raise ValueError(
                f"answer 'sector_category' {category_id!r} is not a job type of {sector.id} "
                f"({known})"
            )
        category = sector.category(category_id)
    return sector, category


def _read_tests(answers: Mapping[str, object]) -> frozenset[str] | None:
    raw_tests = answers.get("jp_tests")
    if raw_tests is None:
        return None
    if isinstance(raw_tests, str) or not isinstance(raw_tests, Iterable):
        raise ValueError(f"answer 'jp_tests' must be a list of test ids, got {raw_tests!r}")
    tests = [t for t in raw_tests if t != "none"]
    for test in tests:
        if test not in JAPANESE_TEST_IDS:
            raise ValueError(f"answer 'jp_tests': unknown test id {test!r}")
    return frozenset(str(t) for t in tests)


def read_answers(answers: Mapping[str, object]) -> Answers:
    sector, category = _read_sector(answers)
    titp_field = answers.get("titp_field")
    if titp_field is not None and not isinstance(titp_field, str):
        raise ValueError(f"answer 'titp_field' must be a string, got {titp_field!r}")
    return Answers(
        age=_answer_int(answers, "age"),
        sector=sector,
        category=category,
        jp_tests=_read_tests(answers),
        skills_test=_answer_choice(answers, "skills_test", _YES_NO),
        titp=_answer_choice(answers, "titp", ("none", "completed", "incomplete")),
        titp_field=titp_field,
        ssw1_years=_answer_int(answers, "ssw1_years"),
        degree=_answer_choice(answers, "degree", DEGREES),
        experience_years=_answer_int(answers, "experience_years"),
        job_offer=_answer_choice(answers, "job_offer", _YES_NO),
        job_related=_answer_choice(answers, "job_related", _YES_NO),
        job_pay=_answer_choice(answers, "job_pay", _YES_NO),
        nursing_licence=_answer_choice(answers, "nursing_licence", _YES_NO),
        japan_licence=_answer_choice(answers, "japan_licence", _YES_NO),
    )


def yes_no_status(answer: YesNo | None) -> CriterionStatus:
    if answer is None:
        return "unknown"
    return "met" if answer == "yes" else "not_met"
