"""The shape of the SSW knowledge: sectors, Japanese tests, rules, facts and FAQ entries.

Plain frozen dataclasses and the schema constants the loader checks against (which facts and
rules each kind of sector has). The English texts (``text``, ``name``, ``question``, ``answer``)
are gettext msgids: nothing here translates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Literal

Confidence = Literal["H", "M", "L"]
SectorStatus = Literal["open", "from_2027", "other_route"]
Held = Literal["yes", "expected", "no", "unknown"]
Licence = Literal["first_class", "second_class"]

CONFIDENCES: tuple[Confidence, ...] = ("H", "M", "L")
SECTOR_STATUSES: tuple[SectorStatus, ...] = ("open", "from_2027", "other_route")
HELD_VALUES: tuple[Held, ...] = ("yes", "expected", "no", "unknown")
LICENCES: tuple[Licence, ...] = ("first_class", "second_class")

# Test ids a worker can report (the ``jp_tests`` answer). JLPT levels from easiest to hardest.
# JFT-Basic results show a level since Aug 2026: ``jft_a2`` is A2.2 (the old "A2", the level
# SSW (i) asks for; leads already store this id), ``jft_a2_1`` is A2.1 and ``jft_a1`` is A1.
JLPT_LEVELS: tuple[str, ...] = ("jlpt_n5", "jlpt_n4", "jlpt_n3", "jlpt_n2", "jlpt_n1")
JFT_LEVELS: tuple[str, ...] = ("jft_a1", "jft_a2_1", "jft_a2")  # from lowest to highest
JAPANESE_TEST_IDS: tuple[str, ...] = (
    "jft_a2",
    "jft_a2_1",
    "jft_a1",
    *JLPT_LEVELS,
    "care_japanese",
)
DEGREES: tuple[str, ...] = ("none", "it_related", "nursing", "other")

# Keys whose values are user-visible English msgids (translated); everything else is machine data.
TRANSLATED_KEYS = frozenset({"text", "name", "question", "answer", "label"})

# Facts each kind of sector must have, and the optional extras.
REQUIRED_FACTS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "open": frozenset({"work", "skills_test", "japanese", "ssw2", "tests_in_pakistan"}),
        "from_2027": frozenset({"outlook"}),
        "other_route": frozenset({"work", "route", "japanese"}),
    }
)
OPTIONAL_FACTS = frozenset(
    {
        "work",
        "licence",
        "education",
        "epa",
        "alternative",
        "jobs",
        "it_exams",
        "it_exams_pakistan",
        "job_offer",
    }
)
# Machine fields allowed on a fact, by fact key: field name -> required?
FACT_FIELDS: Mapping[str, Mapping[str, bool]] = MappingProxyType(
    {
        "skills_test": {"name": True, "body": True, "name_ja": False, "body_ja": False},
        "ssw2": {"available": True},
        "tests_in_pakistan": {"held": True},
    }
)

RuleKind = Literal[
    "int", "bool", "str", "test_id", "test_ids", "degrees", "sector_id", "categories"
]
PROGRAMME_RULES: Mapping[str, RuleKind] = MappingProxyType(
    {
        "min_age_at_entry": "int",
        "coe_min_age": "int",
        "japanese_any_of": "test_ids",
        "ssw1_max_years": "int",
        "titp_waives_japanese": "bool",
        "titp_related_waives_skills": "bool",
    }
)
SECTOR_RULES: Mapping[str, RuleKind] = MappingProxyType(
    {
        "skills_test_id": "str",
        "japanese_any_of": "test_ids",
        "extra_tests": "test_ids",
        "titp_extra_tests_need_related_field": "bool",
        "categories": "categories",
        "ssw2_japanese": "test_id",
        "tests_only_in_japan": "bool",
        "hiring_from": "int",
        "degree_any_of": "degrees",
        "experience_years_instead": "int",
        "requires_home_licence": "bool",
        "min_education_years": "int",
        "min_nursing_school_years": "int",
        "alternative_sector": "sector_id",
        "job_offer_required": "bool",
        "related_work_required": "bool",
        "pay_at_least_japanese": "bool",
    }
)
# Optional facts of a Japanese test (required: about, tests_in_pakistan).
JAPANESE_TEST_OPTIONAL_FACTS = frozenset({"skill_development"})


@dataclass(frozen=True)
class Fact:
    """One statement the bot may make, with where it comes from.

    ``text`` is an English msgid. The machine fields are set only on the fact keys that use them:
    ``name``/``name_ja``/``body``/``body_ja`` on ``skills_test``, ``available`` on ``ssw2`` and
    ``held`` on ``tests_in_pakistan``. A date-bound fact (a test session, an announcement, a
    "since"/"from" date) has ``review_by`` and the ``official`` page to check once that has passed.
    """

    text: str
    source: tuple[str, ...]
    checked: date
    confidence: Confidence
    name: str | None = None
    name_ja: str | None = None
    body: str | None = None
    body_ja: str | None = None
    available: bool | None = None
    held: Held | None = None
    review_by: date | None = None  # date-bound: re-check by then; after it, shown hedged
    official: str | None = None  # the https page to point to once it is past review_by


@dataclass(frozen=True)
class Category:
    """A job type inside a sector with its own rules (truck/taxi/bus, the railway job types)."""

    id: str
    name: str
    japanese_any_of: tuple[str, ...]
    licence: Licence | None = None
    body: str | None = None
    body_ja: str | None = None


RuleValue = int | bool | str | tuple[str, ...] | tuple[Category, ...]


@dataclass(frozen=True)
class Rule:
    """A machine-readable rule for the eligibility logic, with its provenance."""

    name: str
    value: RuleValue
    source: tuple[str, ...]
    checked: date
    confidence: Confidence
    review_by: date | None = None  # as on a Fact: date-bound rules (a year hiring starts)
    official: str | None = None


def _rule_int(rules: Mapping[str, Rule], name: str) -> int | None:
    rule = rules.get(name)
    if rule is None:
        return None
    value = rule.value
    assert isinstance(value, int) and not isinstance(value, bool)
    return value


def _rule_bool(rules: Mapping[str, Rule], name: str) -> bool:
    rule = rules.get(name)
    return rule is not None and rule.value is True


def _rule_str(rules: Mapping[str, Rule], name: str) -> str | None:
    rule = rules.get(name)
    if rule is None:
        return None
    assert isinstance(rule.value, str)
    return rule.value


def _rule_strs(rules: Mapping[str, Rule], name: str) -> tuple[str, ...]:
    rule = rules.get(name)
    if rule is None:
        return ()
    assert isinstance(rule.value, tuple)
    return tuple(str(item) for item in rule.value)


@dataclass(frozen=True)
class Programme:
    """Rules that hold in every SSW field."""

    rules: Mapping[str, Rule]

    def _int(self, name: str) -> int:
        value = _rule_int(self.rules, name)
        assert value is not None
        return value

    @property
    def min_age_at_entry(self) -> int:
        return self._int("min_age_at_entry")

    @property
    def coe_min_age(self) -> int:
        return self._int("coe_min_age")

    @property
    def ssw1_max_years(self) -> int:
        return self._int("ssw1_max_years")

    @property
    def japanese_any_of(self) -> tuple[str, ...]:
        return _rule_strs(self.rules, "japanese_any_of")

    @property
    def titp_waives_japanese(self) -> bool:
        return _rule_bool(self.rules, "titp_waives_japanese")

    @property
    def titp_related_waives_skills(self) -> bool:
        return _rule_bool(self.rules, "titp_related_waives_skills")


@dataclass(frozen=True)
class JapaneseTest:
    """A Japanese test a worker can report: a JFT-Basic level, a JLPT level, the Care Japanese test.

    ``name`` is used inside sentences ("Take the {test}"); ``label`` is the answer button (for
    JFT-Basic: the level on the result sheet and its score range). ``body`` runs the test;
    ``host`` holds it in Pakistan for the body (the JLPT: MAAP for the Japan Foundation).
    """

    id: str
    name: str
    body: str
    source: tuple[str, ...]
    checked: date
    confidence: Confidence
    facts: Mapping[str, Fact]
    label: str = ""
    host: str | None = None

    @property
    def option_label(self) -> str:
        return self.label or self.name


@dataclass(frozen=True)
class Sector:
    """An SSW field, a field opening later, or a non-SSW route (IT, registered nurse)."""

    id: str
    status: SectorStatus
    name: str
    name_ja: str
    source: tuple[str, ...]
    checked: date
    confidence: Confidence
    facts: Mapping[str, Fact]
    rules: Mapping[str, Rule] = field(default_factory=lambda: MappingProxyType({}))

    def fact(self, key: str) -> Fact | None:
        return self.facts.get(key)

    def rule(self, name: str) -> Rule | None:
        return self.rules.get(name)

    @property
    def skills_test_id(self) -> str | None:
        return _rule_str(self.rules, "skills_test_id")

    @property
    def japanese_any_of(self) -> tuple[str, ...]:
        return _rule_strs(self.rules, "japanese_any_of")

    @property
    def extra_tests(self) -> tuple[str, ...]:
        return _rule_strs(self.rules, "extra_tests")

    @property
    def titp_extra_tests_need_related_field(self) -> bool:
        return _rule_bool(self.rules, "titp_extra_tests_need_related_field")

    @property
    def categories(self) -> tuple[Category, ...]:
        rule = self.rules.get("categories")
        if rule is None:
            return ()
        assert isinstance(rule.value, tuple)
        return tuple(item for item in rule.value if isinstance(item, Category))

    def category(self, category_id: str) -> Category | None:
        return next((c for c in self.categories if c.id == category_id), None)

    @property
    def ssw2_available(self) -> bool:
        fact = self.facts.get("ssw2")
        return fact is not None and fact.available is True

    @property
    def ssw2_japanese(self) -> str | None:
        return _rule_str(self.rules, "ssw2_japanese")

    @property
    def tests_only_in_japan(self) -> bool:
        return _rule_bool(self.rules, "tests_only_in_japan")

    @property
    def hiring_from(self) -> int | None:
        return _rule_int(self.rules, "hiring_from")

    @property
    def degree_any_of(self) -> tuple[str, ...]:
        return _rule_strs(self.rules, "degree_any_of")

    @property
    def experience_years_instead(self) -> int | None:
        return _rule_int(self.rules, "experience_years_instead")

    @property
    def requires_home_licence(self) -> bool:
        return _rule_bool(self.rules, "requires_home_licence")

    @property
    def min_education_years(self) -> int | None:
        return _rule_int(self.rules, "min_education_years")

    @property
    def min_nursing_school_years(self) -> int | None:
        return _rule_int(self.rules, "min_nursing_school_years")

    @property
    def alternative_sector(self) -> str | None:
        return _rule_str(self.rules, "alternative_sector")

    @property
    def job_offer_required(self) -> bool:
        return _rule_bool(self.rules, "job_offer_required")

    @property
    def related_work_required(self) -> bool:
        return _rule_bool(self.rules, "related_work_required")

    @property
    def pay_at_least_japanese(self) -> bool:
        return _rule_bool(self.rules, "pay_at_least_japanese")


@dataclass(frozen=True)
class Catalogue:
    """Everything in ``flows/sectors.yaml``."""

    programme: Programme
    japanese_tests: tuple[JapaneseTest, ...]
    sectors: tuple[Sector, ...]


@dataclass(frozen=True)
class FaqEntry:
    """One "About SSW" question with its answer (both msgids) and provenance."""

    id: str
    question: str
    answer: str
    source: tuple[str, ...]
    checked: date
    confidence: Confidence
    links: tuple[str, ...] = ()
    review_by: date | None = None
    official: str | None = None

    def as_fact(self) -> Fact:
        return Fact(
            self.answer,
            self.source,
            self.checked,
            self.confidence,
            review_by=self.review_by,
            official=self.official,
        )
