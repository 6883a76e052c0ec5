"""A first eligibility check: which routes to Japan fit a worker's answers, and what is missing.

``assess(answers)`` is a pure function of the answers and the sector catalogue
(``bot.ssw.catalogue``, loaded once): no I/O, no translation. It returns an ``Assessment`` whose
routes hold gettext msgids with ``{name}`` placeholders and their params, plus the sources of
every fact and rule used (``bot.ssw.assessment``); ``bot.ssw.rendering`` translates it at display
time.

Answer keys (all optional; a missing key means "unknown"; other keys are ignored):

=====================  ========================================================================
``age``                int, years now
``sector``             sector id from ``flows/sectors.yaml``
``sector_category``    job type inside the sector (truck/taxi/bus, a railway job type)
``jp_tests``           list of passed tests: jft_a2, jlpt_n5 … jlpt_n1, care_japanese
                       ("none" is ignored; an empty list means "none passed")
``skills_test``        "yes" | "no" | "unknown": passed the chosen sector's skills test
``titp``               "none" | "completed" | "incomplete": Technical Intern Training (ii)
``titp_field``         sector id of the training job (anything else counts as another field)
``ssw1_years``         int, years already spent on SSW (i)
``degree``             "none" | "it_related" | "nursing" | "other"
``experience_years``   int, years of work in the chosen kind of work
``nursing_licence``    "yes" | "no": a nursing licence from home
``japan_licence``      "yes" | "no": a Japanese driving licence
=====================  ========================================================================

Routes (only those that apply are returned): ``not_eligible`` (under the age limit, or a field
not open yet), ``ssw1_now`` / ``ssw1_after_tests`` / ``ssw1_titp``, ``ssw2``, ``it_visa``,
``nurse_licence`` and ``nursing_care_alternative``. Every number shown comes from a rule or a
fact in the catalogue, never from this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal, TypeVar

from bot.i18n import N_
from bot.ssw import catalogue
from bot.ssw.assessment import (
    Assessment,
    Criterion,
    CriterionStatus,
    Route,
    RouteId,
    RouteStatus,
    Step,
)
from bot.ssw.model import DEGREES, JAPANESE_TEST_IDS, JLPT_LEVELS, Category, Fact, Rule, Sector

_T = TypeVar("_T", bound=str)

YOUR_FIELD = N_("your field")

LICENCE_NAMES: Mapping[str, str] = {
    "first_class": N_("first class"),
    "second_class": N_("second class"),
}


# ------------------------------------------------------------------------------------------------
# Reading the answers.

YesNo = Literal["yes", "no"]
Titp = Literal["none", "completed", "incomplete"]


@dataclass(frozen=True)
class _Answers:
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


def _read_answers(answers: Mapping[str, object]) -> _Answers:
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

    jp_tests: frozenset[str] | None = None
    raw_tests = answers.get("jp_tests")
    if raw_tests is not None:
        if isinstance(raw_tests, str) or not isinstance(raw_tests, Iterable):
            raise ValueError(f"answer 'jp_tests' must be a list of test ids, got {raw_tests!r}")
        tests = [t for t in raw_tests if t != "none"]
        for test in tests:
            if test not in JAPANESE_TEST_IDS:
                raise ValueError(f"answer 'jp_tests': unknown test id {test!r}")
        jp_tests = frozenset(str(t) for t in tests)

    titp_field = answers.get("titp_field")
    if titp_field is not None and not isinstance(titp_field, str):
        raise ValueError(f"answer 'titp_field' must be a string, got {titp_field!r}")

    yes_no: tuple[YesNo, ...] = ("yes", "no")
    return _Answers(
        age=_answer_int(answers, "age"),
        sector=sector,
        category=category,
        jp_tests=jp_tests,
        skills_test=_answer_choice(answers, "skills_test", yes_no),
        titp=_answer_choice(answers, "titp", ("none", "completed", "incomplete")),
        titp_field=titp_field,
        ssw1_years=_answer_int(answers, "ssw1_years"),
        degree=_answer_choice(answers, "degree", DEGREES),
        experience_years=_answer_int(answers, "experience_years"),
        nursing_licence=_answer_choice(answers, "nursing_licence", yes_no),
        japan_licence=_answer_choice(answers, "japan_licence", yes_no),
    )


# ------------------------------------------------------------------------------------------------
# Building routes.


class _Builder:
    """Collects the criteria, steps and sources of one route."""

    def __init__(self) -> None:
        self.criteria: list[Criterion] = []
        self.steps: list[Step] = []
        self.sources: list[str] = []
        self.blocked_by_age = False
        self.cap_reached = False

    def cite(self, *items: Fact | Rule | None) -> None:
        for item in items:
            if item is not None:
                for source in item.source:
                    if source not in self.sources:
                        self.sources.append(source)

    def check(self, label: str, status: CriterionStatus, **params: object) -> CriterionStatus:
        self.criteria.append(Criterion(label, status, {k: str(v) for k, v in params.items()}))
        return status

    def step(self, msgid: str, **params: object) -> None:
        step = Step(msgid, {k: str(v) for k, v in params.items()})
        if step not in self.steps:
            self.steps.append(step)

    def fact_step(self, fact: Fact | None) -> None:
        if fact is not None:
            self.cite(fact)
            self.step(fact.text)

    def status(self) -> RouteStatus:
        if self.blocked_by_age:
            return "not_yet"
        if self.cap_reached:
            return "not_eligible"
        if all(c.status == "met" for c in self.criteria):
            return "eligible"
        return "possible"

    def route(self, route_id: RouteId, status: RouteStatus, **params: str) -> Route:
        return Route(
            id=route_id,
            status=status,
            criteria=tuple(self.criteria),
            next_steps=tuple(self.steps),
            sources=tuple(self.sources),
            params=dict(params),
        )


def _passed_any(answers: _Answers, any_of: Iterable[str]) -> CriterionStatus:
    if answers.jp_tests is None:
        return "unknown"
    return "met" if answers.jp_tests & set(any_of) else "not_met"


def _at_least(level: str) -> tuple[str, ...]:
    """``jlpt_n3`` -> (jlpt_n3, jlpt_n2, jlpt_n1): this level or higher."""
    return JLPT_LEVELS[JLPT_LEVELS.index(level) :]


def _easiest_jlpt(any_of: tuple[str, ...]) -> int:
    """The easiest JLPT level a list of tests accepts (0 = N5); tests without JLPT sort last."""
    return min((JLPT_LEVELS.index(t) for t in any_of if t in JLPT_LEVELS), default=len(JLPT_LEVELS))


def _japanese_label(any_of: tuple[str, ...]) -> tuple[str, dict[str, str]]:
    """A readable msgid for "pass one of these tests", with the test names as params."""
    jlpt = [t for t in JLPT_LEVELS if t in any_of]
    others = [t for t in any_of if t not in JLPT_LEVELS]
    name = {t.id: t.name for t in catalogue.japanese_tests()}
    if jlpt and tuple(jlpt) == _at_least(jlpt[0]) and len(jlpt) > 1:
        if others == ["jft_a2"]:
            return N_("Japanese: {jft}, or {jlpt} or higher"), {
                "jft": name["jft_a2"],
                "jlpt": name[jlpt[0]],
            }
        if not others:
            return N_("Japanese: {jlpt} or higher"), {"jlpt": name[jlpt[0]]}
    if len(any_of) == 1:
        return N_("Japanese: {test}"), {"test": name[any_of[0]]}
    return N_("Japanese: one of {tests}"), {"tests": ", ".join(name[t] for t in any_of)}


def _japanese_steps(builder: _Builder, any_of: tuple[str, ...]) -> None:
    """Which Japanese test to take, who runs it, where in Pakistan, and how to prepare."""
    jlpt = [t for t in JLPT_LEVELS if t in any_of]
    take_jft = "jft_a2" in any_of
    if take_jft:
        jft = catalogue.japanese_test("jft_a2")
        builder.step(N_("Take the {test}. It is run by {body}."), test=jft.name, body=jft.body)
        builder.fact_step(jft.facts.get("tests_in_pakistan"))
    if jlpt:
        test = catalogue.japanese_test(jlpt[0])
        if tuple(jlpt) == _at_least(jlpt[0]) and len(jlpt) > 1:
            msgid = (
                N_("Or take the {test} or higher. In Pakistan it is run by {body}.")
                if take_jft
                else N_("Take the {test} or higher. In Pakistan it is run by {body}.")
            )
        else:
            msgid = N_("Take the {test}. In Pakistan it is run by {body}.")
        # Where in Pakistan is in the FAQ; here only who runs it, to keep the screen short.
        builder.cite(test.facts.get("tests_in_pakistan"))
        builder.step(msgid, test=test.name, body=test.body)
    builder.step(N_("To prepare, join a Japanese course (see the FAQ)."))


def _age(builder: _Builder, answers: _Answers) -> None:
    programme = catalogue.programme()
    min_age, coe_age = programme.min_age_at_entry, programme.coe_min_age
    builder.cite(programme.rules["min_age_at_entry"])
    if answers.age is None:
        builder.check(
            N_("{min_age} or older on the day you enter Japan"), "unknown", min_age=min_age
        )
        return
    label = N_("{min_age} or older on the day you enter Japan (you are {age})")
    if answers.age >= min_age:
        builder.check(label, "met", min_age=min_age, age=answers.age)
    elif answers.age >= coe_age:
        builder.cite(programme.rules["coe_min_age"])
        builder.check(label, "unknown", min_age=min_age, age=answers.age)
        builder.step(
            N_(
                "At {coe_age} you can already take most skills tests, and the COE can be "
                "applied for. You must be {min_age} on the day you enter Japan."
            ),
            coe_age=coe_age,
            min_age=min_age,
        )
    else:
        builder.check(label, "not_met", min_age=min_age, age=answers.age)
        builder.blocked_by_age = True


def _skills(
    builder: _Builder, sector: Sector | None, answers: _Answers, skills_known: bool
) -> None:
    """The skills-test criterion and, when it is not met, the test to take."""
    status: CriterionStatus = "unknown"
    if skills_known and answers.skills_test is not None:
        status = "met" if answers.skills_test == "yes" else "not_met"
    if sector is None:
        builder.check(N_("Pass the skills test of your field"), status)
        if status != "met":
            builder.step(N_("Choose a field. Each field has its own skills test."))
        return
    fact = sector.fact("skills_test")
    assert fact is not None and fact.name is not None
    builder.cite(sector.rule("skills_test_id"), fact)
    if builder.check(N_("Pass the skills test: {test}"), status, test=fact.name) == "met":
        return
    category = answers.category
    # A job type's own test body, else the field's (ClassNK for all driving jobs).
    body = (category.body if category is not None else None) or fact.body
    if body is not None:
        builder.step(N_("Take the {test}. It is run by {body}."), test=fact.name, body=body)
    elif category is not None:
        builder.step(
            N_("Take the {test}. Who runs it for your job type is not confirmed; ask OEC."),
            test=fact.name,
        )
    else:
        builder.step(N_("Take the {test}. Each job type has its own test body."), test=fact.name)
    builder.fact_step(sector.fact("tests_in_pakistan"))
    if sector.tests_only_in_japan:
        builder.cite(sector.rule("tests_only_in_japan"))
        builder.step(N_("Because the test is only in Japan, ask OEC before you choose this field."))
    builder.step(N_("To prepare, read the test body's website and ask OEC about training."))


def _japanese(builder: _Builder, sector: Sector | None, answers: _Answers) -> None:
    """The Japanese-test criterion (by job type where the sector has job types)."""
    programme = catalogue.programme()
    if sector is None:
        any_of = programme.japanese_any_of
        builder.cite(programme.rules["japanese_any_of"])
    elif sector.categories:
        builder.cite(sector.rule("categories"))
        if answers.category is None:
            options = [c.japanese_any_of for c in sector.categories]
            if answers.jp_tests is None:
                status: CriterionStatus = "unknown"
            elif all(answers.jp_tests & set(o) for o in options):
                status = "met"
            elif not any(answers.jp_tests & set(o) for o in options):
                status = "not_met"
            else:
                status = "unknown"
            builder.check(N_("Japanese: the level depends on the job type"), status)
            if status != "met":
                builder.fact_step(sector.fact("japanese"))
            if status == "not_met" or answers.jp_tests is None:
                # Point to the easiest level; the fact above says which job types need more.
                easiest = min(options, key=_easiest_jlpt)
                _japanese_steps(builder, easiest)
            return
        any_of = answers.category.japanese_any_of
    else:
        any_of = sector.japanese_any_of
        builder.cite(sector.rule("japanese_any_of"))
    label, params = _japanese_label(any_of)
    if builder.check(label, _passed_any(answers, any_of), **params) != "met":
        _japanese_steps(builder, any_of)


def _extra_tests(builder: _Builder, sector: Sector, answers: _Answers, waived: bool | None) -> None:
    """Further tests the field needs (nursing care: the Care Japanese test).

    ``waived``: True when Technical Intern Training waives them, None when that depends on the
    training field we do not know, False otherwise.
    """
    if not sector.extra_tests:
        return
    builder.cite(sector.rule("extra_tests"))
    for test_id in sector.extra_tests:
        test = catalogue.japanese_test(test_id)
        if waived:
            builder.cite(sector.rule("titp_extra_tests_need_related_field"))
            builder.check(
                N_("{test}: not needed after training in this field"), "met", test=test.name
            )
            continue
        if waived is None:
            builder.cite(sector.rule("titp_extra_tests_need_related_field"))
            builder.check(
                N_("{test}: not needed if your training was in {sector}"),
                "unknown",
                test=test.name,
                sector=sector.name,
            )
            continue
        status = _passed_any(answers, (test_id,))
        if builder.check(N_("Pass the {test}"), status, test=test.name) != "met":
            builder.step(
                N_("Take the {test}. It is run by {body}."), test=test.name, body=test.body
            )
            builder.fact_step(test.facts.get("tests_in_pakistan"))


def _licence(builder: _Builder, sector: Sector, answers: _Answers) -> None:
    """The Japanese driving licence for driving jobs (first class for trucks, second for taxis)."""
    if not any(c.licence for c in sector.categories):
        return
    builder.cite(sector.rule("categories"))
    category = answers.category
    if category is not None and category.licence is None:
        return
    if category is None:
        status: CriterionStatus = "not_met" if answers.japan_licence == "no" else "unknown"
        builder.check(N_("Japanese driving licence: the class depends on the job type"), status)
    else:
        if answers.japan_licence is None:
            status = "unknown"
        elif answers.japan_licence == "no":
            status = "not_met"
        else:
            # A licence of unknown class meets a first-class need; taxis and buses need
            # second class.
            status = "met" if category.licence == "first_class" else "unknown"
        assert category.licence is not None
        builder.check(
            N_("Japanese driving licence: {licence}"),
            status,
            licence=LICENCE_NAMES[category.licence],
        )
    if status != "met":
        builder.fact_step(sector.fact("licence"))


def _ssw1_years(builder: _Builder, answers: _Answers) -> None:
    if answers.ssw1_years is None:
        return
    programme = catalogue.programme()
    maximum = programme.ssw1_max_years
    builder.cite(programme.rules["ssw1_max_years"])
    met = answers.ssw1_years < maximum
    builder.check(
        N_("Time on SSW (i) so far: {years} of at most {max} years"),
        "met" if met else "not_met",
        years=answers.ssw1_years,
        max=maximum,
    )
    if not met:
        builder.cap_reached = True
        stay_longer = catalogue.faq_entry("stay_longer")
        builder.cite(stay_longer.as_fact())
        builder.step(
            N_("You have used all {max} years of SSW (i). Read “{question}”."),
            max=maximum,
            question=stay_longer.question,
        )


def _ssw1(sector: Sector | None, answers: _Answers, *, alternative: bool = False) -> Route:
    """SSW (i): with the tests, or after Technical Intern Training (ii)."""
    builder = _Builder()
    programme = catalogue.programme()
    if alternative and sector is not None:
        nurse = answers.sector
        builder.fact_step(nurse.fact("alternative") if nurse is not None else None)
    # The skills-test answer is about the chosen sector; for an alternative it says nothing.
    skills_known = not alternative
    _age(builder, answers)
    titp = answers.titp == "completed"
    if titp:
        builder.cite(
            programme.rules["titp_waives_japanese"], programme.rules["titp_related_waives_skills"]
        )
        builder.check(N_("Completed Technical Intern Training (ii) in good standing"), "met")
        related: bool | None = None
        if answers.titp_field is not None and sector is not None:
            related = answers.titp_field == sector.id
        if related and programme.titp_related_waives_skills:
            builder.check(
                N_("Skills test: not needed, because your training job is related"), "met"
            )
        elif related is None and sector is not None:
            builder.check(
                N_("Skills test: not needed if your training job was in {sector}"),
                "unknown",
                sector=sector.name,
            )
        else:
            _skills(builder, sector, answers, skills_known)
        if programme.titp_waives_japanese:
            builder.check(
                N_("Japanese test: not needed after Technical Intern Training (ii)"), "met"
            )
        else:
            _japanese(builder, sector, answers)
        if sector is not None:
            waived: bool | None = related or not sector.titp_extra_tests_need_related_field
            if related is None and sector.titp_extra_tests_need_related_field:
                waived = None
            _extra_tests(builder, sector, answers, waived)
    else:
        _skills(builder, sector, answers, skills_known)
        _japanese(builder, sector, answers)
        if sector is not None:
            _extra_tests(builder, sector, answers, False)
        if answers.titp == "incomplete":
            builder.cite(programme.rules["titp_waives_japanese"])
            builder.step(
                N_(
                    "Your Technical Intern Training is not complete, "
                    "so the test exemption does not apply."
                )
            )
    if sector is not None:
        _licence(builder, sector, answers)
    _ssw1_years(builder, answers)

    status = builder.status()
    if status == "eligible":
        path = catalogue.faq_entry("path")
        for entry_id in ("fraud", "costs", "path"):
            builder.cite(catalogue.faq_entry(entry_id).as_fact())
        builder.step(
            N_(
                "Next: find an employer in Japan, through OEC or a licensed agent (OEP). "
                "Never pay a deposit."
            )
        )
        builder.step(N_("Read “{question}” for all the steps."), question=path.question)
    if sector is not None and not sector.ssw2_available:
        builder.fact_step(sector.fact("ssw2"))

    if alternative:
        route_id: RouteId = "nursing_care_alternative"
    elif titp:
        route_id = "ssw1_titp"
    else:
        route_id = "ssw1_now" if status == "eligible" else "ssw1_after_tests"
    return builder.route(route_id, status, sector=sector.name if sector is not None else YOUR_FIELD)


def _ssw2(sector: Sector, answers: _Answers) -> Route:
    builder = _Builder()
    fact = sector.fact("ssw2")
    builder.cite(fact)
    builder.check(N_("Pass the SSW (ii) skills test for {sector}"), "unknown", sector=sector.name)
    no_experience = answers.experience_years == 0 and not answers.ssw1_years
    builder.check(
        N_("Practical or supervisory work experience in this field"),
        "not_met" if no_experience else "unknown",
    )
    if sector.ssw2_japanese is not None:
        builder.cite(sector.rule("ssw2_japanese"))
        level = catalogue.japanese_test(sector.ssw2_japanese)
        status = _passed_any(answers, _at_least(sector.ssw2_japanese))
        if builder.check(N_("Japanese: {jlpt} or higher"), status, jlpt=level.name) != "met":
            builder.step(N_("Study Japanese up to {test} or higher."), test=level.name)
    builder.fact_step(fact)
    return builder.route("ssw2", "possible", sector=sector.name)


def _it_visa(sector: Sector, answers: _Answers) -> Route:
    builder = _Builder()
    builder.cite(sector.rule("degree_any_of"), sector.fact("route"))
    degree: CriterionStatus = "unknown"
    if answers.degree is not None:
        degree = "met" if answers.degree in sector.degree_any_of else "not_met"
    builder.check(N_("A degree in a related subject from a university or college"), degree)
    years = sector.experience_years_instead
    experience: CriterionStatus = "unknown"
    if years is not None:
        builder.cite(sector.rule("experience_years_instead"))
        if answers.experience_years is not None:
            experience = "met" if answers.experience_years >= years else "not_met"
        builder.check(
            N_("Or {years} years or more of related work experience"), experience, years=years
        )
    if "met" in (degree, experience):
        status: RouteStatus = "eligible"
    elif degree == "not_met" and experience == "not_met":
        status = "not_eligible"
    else:
        status = "possible"
    if status != "eligible":
        builder.fact_step(sector.fact("it_exams"))
        builder.fact_step(sector.fact("it_exams_pakistan"))
    if status == "not_eligible":
        builder.fact_step(sector.fact("work"))
        builder.cite(catalogue.faq_entry("who_can_apply").as_fact())
        builder.step(N_("You can also look at the SSW fields. They need no degree."))
    builder.fact_step(sector.fact("jobs"))
    builder.fact_step(sector.fact("japanese"))
    return builder.route("it_visa", status)


def _nurse_licence(sector: Sector, answers: _Answers) -> Route:
    builder = _Builder()
    builder.cite(sector.fact("work"))
    licence: CriterionStatus = "unknown"
    if sector.requires_home_licence:
        builder.cite(sector.rule("requires_home_licence"))
        if answers.nursing_licence is not None:
            licence = "met" if answers.nursing_licence == "yes" else "not_met"
        builder.check(N_("A nursing licence from Pakistan (not as an assistant nurse)"), licence)
    school, total = sector.min_nursing_school_years, sector.min_education_years
    if school is not None and total is not None:
        builder.cite(sector.rule("min_nursing_school_years"), sector.rule("min_education_years"))
        education: CriterionStatus = "unknown"
        if answers.degree is not None and answers.degree != "nursing":
            education = "not_met"
        builder.check(
            N_(
                "A nursing course of {school} years or more, and {total} years or more of education"
            ),
            education,
            school=school,
            total=total,
        )
    any_of = sector.japanese_any_of
    builder.cite(sector.rule("japanese_any_of"))
    label, params = _japanese_label(any_of)
    japanese = builder.check(label, _passed_any(answers, any_of), **params)
    builder.check(N_("Acceptance by Japan's health ministry (MHLW) for the exam"), "unknown")
    builder.check(N_("Pass Japan's national nursing exam"), "unknown")
    builder.fact_step(sector.fact("route"))
    builder.fact_step(sector.fact("education"))
    if japanese != "met":
        builder.cite(sector.fact("japanese"))
        test = catalogue.japanese_test(any_of[0])
        builder.step(N_("Study Japanese up to {test}."), test=test.name)
    status: RouteStatus = "not_eligible" if licence == "not_met" else "possible"
    return builder.route("nurse_licence", status)


def _under_age(answers: _Answers) -> Route:
    builder = _Builder()
    programme = catalogue.programme()
    builder.cite(programme.rules["min_age_at_entry"], programme.rules["coe_min_age"])
    builder.check(
        N_("{min_age} or older on the day you enter Japan (you are {age})"),
        "not_met",
        min_age=programme.min_age_at_entry,
        age=answers.age,
    )
    builder.step(
        N_("You can register now. You can go to Japan from the age of {min_age}."),
        min_age=programme.min_age_at_entry,
    )
    builder.step(
        N_("From the age of {coe_age} you can take most skills tests."),
        coe_age=programme.coe_min_age,
    )
    builder.step(N_("Start learning Japanese now."))
    return builder.route("not_eligible", "not_yet")


def _not_open(sector: Sector) -> Route:
    builder = _Builder()
    builder.cite(sector.rule("hiring_from"))
    builder.check(
        N_("{sector}: hiring is expected from about {year}"),
        "not_met",
        sector=sector.name,
        year=sector.hiring_from,
    )
    builder.fact_step(sector.fact("outlook"))
    builder.step(N_("You can register your interest now, and start learning Japanese."))
    return builder.route("not_eligible", "not_yet", sector=sector.name)


def assess(answers: Mapping[str, object]) -> Assessment:
    """Which routes fit these answers, with what is met, missing or unknown, and what to do next.

    Raises ``ValueError`` for answers of the wrong type or unknown ids.
    """
    a = _read_answers(answers)
    sector = a.sector
    programme = catalogue.programme()
    routes: list[Route] = []
    too_young = a.age is not None and a.age < programme.coe_min_age

    if sector is not None and sector.status == "from_2027":
        routes.append(_not_open(sector))
        return Assessment(tuple(routes))

    if sector is None or sector.status == "open":
        if too_young:
            routes.append(_under_age(a))
        routes.append(_ssw1(sector, a))
        if sector is not None and sector.ssw2_available and not too_young:
            routes.append(_ssw2(sector, a))
        return Assessment(tuple(routes))

    # Non-SSW routes.
    if sector.degree_any_of:
        routes.append(_it_visa(sector, a))
    if sector.requires_home_licence:
        routes.append(_nurse_licence(sector, a))
    alternative_id = sector.alternative_sector
    if alternative_id is not None:
        if too_young:
            routes.insert(0, _under_age(a))
        routes.append(_ssw1(catalogue.sector(alternative_id), a, alternative=True))
    return Assessment(tuple(routes))
