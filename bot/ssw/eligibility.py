"""A first eligibility check: which routes to Japan fit a worker's answers, and what is missing.

``assess(answers, today=...)`` is a pure function of the answers, the date and the sector
catalogue (``bot.ssw.catalogue``, loaded once): no I/O, no clock, no translation. It returns an
``Assessment`` whose routes hold gettext msgids with ``{name}`` placeholders and their params,
plus the sources of every fact and rule used (``bot.ssw.assessment``); ``bot.ssw.rendering``
translates it at display time. A fact past its ``review_by`` date on ``today`` is given with a
hedge ("This was the news on ..."), never as current (``bot.ssw.review``).

The answer keys it reads are listed in ``bot.ssw.answers``.

Routes (only those that apply are returned): ``not_eligible`` (under the age limit, or a field
not open yet), ``ssw1_now`` / ``ssw1_after_tests`` / ``ssw1_titp``, ``ssw2``, ``it_visa``,
``nurse_licence`` and ``nursing_care_alternative``. Each has a verdict: ``meets`` only when
every criterion is met; ``not_now`` when something the worker cannot change now blocks it
(under 17, a field not open yet, the SSW (i) years used up, no degree or experience for the IT
visa, no nursing licence); otherwise ``after_steps``, with the next steps in order. Every number
shown comes from a rule or a fact in the catalogue, never from this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import TypeVar

from bot.i18n import N_
from bot.ssw import catalogue
from bot.ssw.answers import Answers, read_answers, yes_no_status
from bot.ssw.assessment import (
    Assessment,
    CriterionStatus,
    Route,
    RouteId,
    RouteStatus,
)
from bot.ssw.model import (
    JFT_LEVELS,
    JLPT_LEVELS,
    JapaneseTest,
    Sector,
)
from bot.ssw.route_builder import RouteBuilder

_T = TypeVar("_T", bound=str)

YOUR_FIELD = N_("your field")

LICENCE_NAMES: Mapping[str, str] = {
    "first_class": N_("first class"),
    "second_class": N_("second class"),
}


def _passed_any(answers: Answers, any_of: Iterable[str]) -> CriterionStatus:
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
        if len(others) == 1 and others[0] in JFT_LEVELS:
            return N_("Japanese: {jft}, or {jlpt} or higher"), {
                "jft": name[others[0]],
                "jlpt": name[jlpt[0]],
            }
        if not others:
            return N_("Japanese: {jlpt} or higher"), {"jlpt": name[jlpt[0]]}
    if len(any_of) == 1:
        return N_("Japanese: {test}"), {"test": name[any_of[0]]}
    return N_("Japanese: one of {tests}"), {"tests": ", ".join(name[t] for t in any_of)}


# "Take this test": (or higher, as the other choice after JFT-Basic) -> msgid. The hosted forms
# say who holds the test in Pakistan for the body that runs it (the JLPT: MAAP for the Japan
# Foundation).
_TAKE: Mapping[tuple[bool, bool], str] = {
    (False, False): N_("Take the {test}. It is run by {body}."),
    (False, True): N_("Take the {test}. It is run by {body}."),
    (True, False): N_("Take the {test} or higher. It is run by {body}."),
    (True, True): N_("Or take the {test} or higher. It is run by {body}."),
}
_TAKE_HOSTED: Mapping[tuple[bool, bool], str] = {
    (False, False): N_("Take the {test}. It is run by {body}. In Pakistan, {host} holds it."),
    (False, True): N_("Take the {test}. It is run by {body}. In Pakistan, {host} holds it."),
    (True, False): N_(
        "Take the {test} or higher. It is run by {body}. In Pakistan, {host} holds it."
    ),
    (True, True): N_(
        "Or take the {test} or higher. It is run by {body}. In Pakistan, {host} holds it."
    ),
}


def _take_step(builder: RouteBuilder, test: JapaneseTest, *, or_higher: bool, other: bool) -> None:
    """Which test to take, who runs it and, where known, who holds it in Pakistan."""
    if test.host is None:
        builder.step(_TAKE[or_higher, other], test=test.name, body=test.body)
    else:
        builder.step(_TAKE_HOSTED[or_higher, other], test=test.name, body=test.body, host=test.host)


def _japanese_steps(builder: RouteBuilder, any_of: tuple[str, ...]) -> None:
    """Which Japanese test to take, who runs it, where in Pakistan, and how to prepare."""
    jlpt = [t for t in JLPT_LEVELS if t in any_of]
    jft = next((t for t in reversed(JFT_LEVELS) if t in any_of), None)
    if jft is not None:
        test = catalogue.japanese_test(jft)
        _take_step(builder, test, or_higher=False, other=False)
        builder.fact_step(test.facts.get("tests_in_pakistan"))
    if jlpt:
        test = catalogue.japanese_test(jlpt[0])
        or_higher = tuple(jlpt) == _at_least(jlpt[0]) and len(jlpt) > 1
        # Where in Pakistan is in the FAQ; here only who runs and holds it, to keep it short.
        builder.cite(test.facts.get("tests_in_pakistan"))
        _take_step(builder, test, or_higher=or_higher, other=jft is not None)
    builder.step(N_("To prepare, join a Japanese course (see the FAQ)."))


def _lower_jft(answers: Answers, accepted: Iterable[str]) -> JapaneseTest | None:
    """The worker's best JFT-Basic level when it is below every level these tests accept."""
    accepted_levels = [JFT_LEVELS.index(t) for t in accepted if t in JFT_LEVELS]
    if answers.jp_tests is None or not accepted_levels:
        return None
    below = [t for t in JFT_LEVELS[: min(accepted_levels)] if t in answers.jp_tests]
    return catalogue.japanese_test(below[-1]) if below else None


def _japanese_gap(builder: RouteBuilder, answers: Answers, any_of: tuple[str, ...]) -> None:
    """Steps for a Japanese requirement not met, in order.

    A JFT-Basic level that is too low first (what it means), then the tests to take, then the
    programme that accepts that level (Employment for Skill Development, which starts later).
    """
    lower = _lower_jft(answers, any_of)
    if lower is not None:
        builder.fact_step(lower.facts.get("about"))
    _japanese_steps(builder, any_of)
    if lower is not None and lower.facts.get("skill_development") is not None:
        builder.fact_step(lower.facts.get("skill_development"))
        entry = catalogue.faq_entry("skill_development")
        builder.refer(entry)
        builder.step(N_("Read “{question}”."), question=entry.question)


def _age(builder: RouteBuilder, answers: Answers) -> None:
    builder.topic = "age"
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
        builder.block(label, "not_met", min_age=min_age, age=answers.age)


def _skills(
    builder: RouteBuilder, sector: Sector | None, answers: Answers, skills_known: bool
) -> None:
    """The skills-test criterion and, when it is not met, the test to take."""
    builder.topic = "skills"
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


def _category_japanese(builder: RouteBuilder, sector: Sector, answers: Answers) -> None:
    """The Japanese criterion of a field whose job types differ, before the job type is known."""
    builder.topic = "japanese"
    builder.cite(sector.rule("categories"))
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
        _japanese_gap(builder, answers, min(options, key=_easiest_jlpt))


def _japanese(builder: RouteBuilder, sector: Sector | None, answers: Answers) -> None:
    """The Japanese-test criterion (by job type where the sector has job types)."""
    builder.topic = "japanese"
    programme = catalogue.programme()
    if sector is None:
        any_of = programme.japanese_any_of
        builder.cite(programme.rules["japanese_any_of"])
    elif sector.categories:
        if answers.category is None:
            _category_japanese(builder, sector, answers)
            return
        builder.cite(sector.rule("categories"))
        any_of = answers.category.japanese_any_of
    else:
        any_of = sector.japanese_any_of
        builder.cite(sector.rule("japanese_any_of"))
    label, params = _japanese_label(any_of)
    if builder.check(label, _passed_any(answers, any_of), **params) != "met":
        _japanese_gap(builder, answers, any_of)


def _extra_tests(
    builder: RouteBuilder, sector: Sector, answers: Answers, waived: bool | None
) -> None:
    """Further tests the field needs (nursing care: the Care Japanese test).

    ``waived``: True when Technical Intern Training waives them, None when that depends on the
    training field we do not know, False otherwise.
    """
    builder.topic = "extra_test"
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
            _take_step(builder, test, or_higher=False, other=False)
            builder.fact_step(test.facts.get("tests_in_pakistan"))


def _licence(builder: RouteBuilder, sector: Sector, answers: Answers) -> None:
    """The Japanese driving licence for driving jobs (first class for trucks, second for taxis)."""
    builder.topic = "licence"
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


def _ssw1_years(builder: RouteBuilder, answers: Answers) -> None:
    builder.topic = "ssw1_years"
    if answers.ssw1_years is None:
        return
    programme = catalogue.programme()
    maximum = programme.ssw1_max_years
    builder.cite(programme.rules["ssw1_max_years"])
    met = answers.ssw1_years < maximum
    builder.block(
        N_("Time on SSW (i) so far: {years} of at most {max} years"),
        "met" if met else "not_met",
        years=answers.ssw1_years,
        max=maximum,
    )
    if not met:
        stay_longer = catalogue.faq_entry("stay_longer")
        builder.refer(stay_longer)
        builder.step(
            N_("You have used all {max} years of SSW (i). Read “{question}”."),
            max=maximum,
            question=stay_longer.question,
        )


def _titp_exemptions(builder: RouteBuilder, sector: Sector | None, answers: Answers) -> None:
    """SSW (i) after Technical Intern Training (ii): which tests it waives."""
    programme = catalogue.programme()
    builder.cite(
        programme.rules["titp_waives_japanese"], programme.rules["titp_related_waives_skills"]
    )
    builder.topic = "titp"
    builder.check(N_("Completed Technical Intern Training (ii) in good standing"), "met")
    builder.topic = "skills"
    related: bool | None = None
    if answers.titp_field is not None and sector is not None:
        related = answers.titp_field == sector.id
    if related and programme.titp_related_waives_skills:
        builder.check(N_("Skills test: not needed, because your training job is related"), "met")
    elif related is None and sector is not None:
        builder.check(
            N_("Skills test: not needed if your training job was in {sector}"),
            "unknown",
            sector=sector.name,
        )
        builder.step(
            N_("If your training was in another field, you need the skills test: {test}."),
            test=_skills_test_name(sector),
        )
    else:
        _skills(builder, sector, answers, skills_known=True)
    if programme.titp_waives_japanese:
        builder.topic = "japanese"
        builder.check(N_("Japanese test: not needed after Technical Intern Training (ii)"), "met")
    else:
        _japanese(builder, sector, answers)
    if sector is not None:
        waived: bool | None = related or not sector.titp_extra_tests_need_related_field
        if related is None and sector.titp_extra_tests_need_related_field:
            waived = None
        _extra_tests(builder, sector, answers, waived)


def _skills_test_name(sector: Sector) -> str:
    fact = sector.fact("skills_test")
    return fact.name if fact is not None and fact.name is not None else sector.name


def _find_employer(builder: RouteBuilder, status: RouteStatus) -> None:
    """The way on once the requirements are met (now, or after the steps above)."""
    for entry_id in ("fraud", "costs", "path"):
        builder.refer(catalogue.faq_entry(entry_id))
    if status == "meets":
        builder.step(
            N_(
                "Find an employer in Japan, through OEC or a licensed agent (OEP). "
                "Never pay a deposit."
            )
        )
    else:
        builder.step(
            N_(
                "Then find an employer in Japan, through OEC or a licensed agent (OEP). "
                "Never pay a deposit."
            )
        )
    path = catalogue.faq_entry("path")
    builder.step(N_("Read “{question}” for all the steps."), question=path.question)


def _ssw1(
    sector: Sector | None, answers: Answers, today: date, *, alternative: bool = False
) -> Route:
    """SSW (i): with the tests, or after Technical Intern Training (ii)."""
    builder = RouteBuilder(today)
    programme = catalogue.programme()
    if alternative and sector is not None:
        nurse = answers.sector
        builder.fact_step(nurse.fact("alternative") if nurse is not None else None)
    _age(builder, answers)
    titp = answers.titp == "completed"
    if titp:
        _titp_exemptions(builder, sector, answers)
    else:
        # The skills-test answer is about the chosen sector; for an alternative it says nothing.
        _skills(builder, sector, answers, skills_known=not alternative)
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
    if status != "not_now":
        _find_employer(builder, status)
    if sector is not None and not sector.ssw2_available:
        builder.fact_step(sector.fact("ssw2"))

    if alternative:
        route_id: RouteId = "nursing_care_alternative"
    elif titp:
        route_id = "ssw1_titp"
    else:
        route_id = "ssw1_now" if status == "meets" else "ssw1_after_tests"
    return builder.route(route_id, sector=sector.name if sector is not None else YOUR_FIELD)


def _ssw2(sector: Sector, answers: Answers, today: date) -> Route:
    """SSW (ii) later: never "meets" here, since its skills test is not asked about."""
    builder = RouteBuilder(today)
    fact = sector.fact("ssw2")
    builder.cite(fact)
    builder.topic = "skills"
    builder.check(N_("Pass the SSW (ii) skills test for {sector}"), "unknown", sector=sector.name)
    builder.topic = "experience"
    no_experience = answers.experience_years == 0 and not answers.ssw1_years
    builder.check(
        N_("Practical or supervisory work experience in this field"),
        "not_met" if no_experience else "unknown",
    )
    builder.fact_step(fact)
    if sector.ssw2_japanese is not None:
        builder.cite(sector.rule("ssw2_japanese"))
        level = catalogue.japanese_test(sector.ssw2_japanese)
        builder.topic = "japanese"
        status = _passed_any(answers, _at_least(sector.ssw2_japanese))
        if builder.check(N_("Japanese: {jlpt} or higher"), status, jlpt=level.name) != "met":
            builder.step(N_("Study Japanese up to {test} or higher."), test=level.name)
    return builder.route("ssw2", sector=sector.name)


def _qualification(sector: Sector, answers: Answers) -> CriterionStatus:
    """A related degree, or the years of related experience that replace it."""
    degree: CriterionStatus = "unknown"
    if answers.degree is not None:
        degree = "met" if answers.degree in sector.degree_any_of else "not_met"
    experience: CriterionStatus = "unknown"
    years = sector.experience_years_instead
    if years is None:
        experience = "not_met"
    elif answers.experience_years is not None:
        experience = "met" if answers.experience_years >= years else "not_met"
    if "met" in (degree, experience):
        return "met"
    if degree == experience == "not_met":
        return "not_met"
    return "unknown"


def _job_offer(builder: RouteBuilder, sector: Sector, answers: Answers) -> None:
    """The IT visa's job offer: a contract, for related work, paid at least the Japanese level."""
    offer: CriterionStatus = "met"
    if sector.job_offer_required:
        builder.cite(sector.rule("job_offer_required"), sector.fact("job_offer"))
        offer = builder.check(
            N_("A job offer: a contract with a company in Japan"), yes_no_status(answers.job_offer)
        )
    terms: list[CriterionStatus] = []
    if sector.related_work_required:
        builder.cite(sector.rule("related_work_required"))
        related = yes_no_status(answers.job_related) if offer == "met" else "unknown"
        terms.append(builder.check(N_("The work is related to your degree or experience"), related))
    if sector.pay_at_least_japanese:
        builder.cite(sector.rule("pay_at_least_japanese"))
        pay = yes_no_status(answers.job_pay) if offer == "met" else "unknown"
        terms.append(builder.check(N_("The pay is at least what a Japanese employee gets"), pay))
    if offer != "met":
        builder.step(N_("Find a job offer from a company in Japan."))
        builder.fact_step(sector.fact("jobs"))
    if offer != "met" or any(term != "met" for term in terms):
        builder.fact_step(sector.fact("job_offer"))
    if offer == "met" and "not_met" in terms:
        builder.step(N_("This offer does not meet these rules. Look for another offer."))
    elif offer == "met" and "unknown" in terms:
        builder.step(N_("Ask the company to confirm this in your contract."))


def _it_visa(sector: Sector, answers: Answers, today: date) -> Route:
    """The engineer visa: a related degree (or years of experience) and a job offer in Japan."""
    builder = RouteBuilder(today)
    builder.fact_step(sector.fact("work"))  # IT is not an SSW field
    builder.cite(sector.rule("degree_any_of"), sector.fact("route"))
    years = sector.experience_years_instead
    if years is not None:
        builder.cite(sector.rule("experience_years_instead"))
        label = N_(
            "A degree in a related subject, or {years} years or more of related work experience"
        )
        qualification = builder.block(label, _qualification(sector, answers), years=years)
    else:
        qualification = builder.block(
            N_("A degree in a related subject from a university or college"),
            _qualification(sector, answers),
        )
    if qualification != "met":
        builder.fact_step(sector.fact("it_exams"))
        builder.fact_step(sector.fact("it_exams_pakistan"))
    if qualification == "not_met":
        builder.refer(catalogue.faq_entry("who_can_apply"))
        builder.step(N_("You can also look at the SSW fields. They need no degree."))
        _job_offer(RouteBuilder(today), sector, answers)  # not shown: the degree comes first
    else:
        _job_offer(builder, sector, answers)
    builder.fact_step(sector.fact("japanese"))
    return builder.route("it_visa")


def _nurse_licence(sector: Sector, answers: Answers, today: date) -> Route:
    builder = RouteBuilder(today)
    builder.cite(sector.fact("work"))
    if sector.requires_home_licence:
        builder.cite(sector.rule("requires_home_licence"))
        builder.block(
            N_("A nursing licence from Pakistan (not as an assistant nurse)"),
            yes_no_status(answers.nursing_licence),
        )
    school, total = sector.min_nursing_school_years, sector.min_education_years
    if school is not None and total is not None:
        builder.cite(sector.rule("min_nursing_school_years"), sector.rule("min_education_years"))
        education: CriterionStatus = "unknown"
        if answers.degree is not None and answers.degree != "nursing":
            education = "not_met"
        builder.block(
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
    return builder.route("nurse_licence")


def _under_age(answers: Answers, today: date) -> Route:
    """Under the age from which one can register, take tests and apply (17): not now."""
    builder = RouteBuilder(today)
    programme = catalogue.programme()
    builder.cite(programme.rules["min_age_at_entry"], programme.rules["coe_min_age"])
    builder.block(
        N_("{min_age} or older on the day you enter Japan (you are {age})"),
        "not_met",
        min_age=programme.min_age_at_entry,
        age=answers.age,
    )
    builder.step(
        N_(
            "You can register with OEC from the age of {coe_age}. "
            "You can go to Japan from the age of {min_age}."
        ),
        coe_age=programme.coe_min_age,
        min_age=programme.min_age_at_entry,
    )
    builder.step(
        N_("From the age of {coe_age} you can take most skills tests."),
        coe_age=programme.coe_min_age,
    )
    builder.step(N_("Start learning Japanese now."))
    return builder.route("not_eligible")


def _not_open(sector: Sector, today: date, *, too_young: bool) -> Route:
    builder = RouteBuilder(today)
    builder.cite(sector.rule("hiring_from"))
    builder.block(
        N_("{sector}: hiring is expected from about {year}"),
        "not_met",
        sector=sector.name,
        year=sector.hiring_from,
    )
    builder.fact_step(sector.fact("outlook"))
    if too_young:  # registration refuses them: the under-age route says from when
        builder.step(N_("Start learning Japanese now."))
    else:
        builder.step(N_("You can register your interest now, and start learning Japanese."))
    return builder.route("not_eligible", sector=sector.name)


def _ssw_ages_apply(sector: Sector | None) -> bool:
    """The SSW age rules apply: no field yet, an SSW field, or a route with an SSW alternative."""
    return sector is None or sector.status != "other_route" or bool(sector.alternative_sector)


def assess(answers: Mapping[str, object], *, today: date) -> Assessment:
    """Which routes fit these answers, with what is met, missing or unknown, and what to do next.

    ``today`` is the date of the check (the engine's clock): facts past their review date are
    hedged. Raises ``ValueError`` for answers of the wrong type or unknown ids.
    """
    a = read_answers(answers)
    sector = a.sector
    programme = catalogue.programme()
    too_young = a.age is not None and a.age < programme.coe_min_age
    routes: list[Route] = []
    if too_young and _ssw_ages_apply(sector):
        routes.append(_under_age(a, today))

    if sector is not None and sector.status == "from_2027":
        routes.append(_not_open(sector, today, too_young=too_young))
        return Assessment(tuple(routes))

    if sector is None or sector.status == "open":
        routes.append(_ssw1(sector, a, today))
        if sector is not None and sector.ssw2_available and not too_young:
            routes.append(_ssw2(sector, a, today))
        return Assessment(tuple(routes))

    # Non-SSW routes.
    if sector.degree_any_of:
        routes.append(_it_visa(sector, a, today))
    if sector.requires_home_licence:
        routes.append(_nurse_licence(sector, a, today))
    alternative_id = sector.alternative_sector
    if alternative_id is not None:
        routes.append(_ssw1(catalogue.sector(alternative_id), a, today, alternative=True))
    return Assessment(tuple(routes))
