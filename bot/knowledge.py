"""The bot's knowledge: the SSW sector catalogue and the FAQ, loaded from YAML and validated.

``flows/sectors.yaml`` holds the programme-wide rules, the Japanese tests and the sectors (the
16 open SSW fields, the 3 fields added in Jan 2026 and 2 non-SSW routes); ``flows/faq.yaml`` holds
the "About SSW" answers. Both files document their schema in a comment block at the top. Every
fact carries its ``source`` (as written in the team's fact sheet), the date it was ``checked`` and
a ``confidence`` mark (H, M or L), and loading fails with a ``ValueError`` naming the file and the
entry when any of these is missing or malformed, or when a rule names an unknown id.

The English texts (``text``, ``name``, ``question``, ``answer``) are gettext msgids: this module
never translates; callers pass them through ``bot.i18n.gettext`` when rendering.

Pure data access: no Telegram, HTTP or database imports, so the eligibility logic, the facts
document and the tests can use it anywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Literal, cast

import yaml

FLOWS_DIR = Path(__file__).resolve().parent.parent / "flows"
SECTORS_FILE = FLOWS_DIR / "sectors.yaml"
FAQ_FILE = FLOWS_DIR / "faq.yaml"

Confidence = Literal["H", "M", "L"]
SectorStatus = Literal["open", "from_2027", "other_route"]
Held = Literal["yes", "expected", "no", "unknown"]
Licence = Literal["first_class", "second_class"]

CONFIDENCES: tuple[Confidence, ...] = ("H", "M", "L")
SECTOR_STATUSES: tuple[SectorStatus, ...] = ("open", "from_2027", "other_route")
HELD_VALUES: tuple[Held, ...] = ("yes", "expected", "no", "unknown")
LICENCES: tuple[Licence, ...] = ("first_class", "second_class")

# Test ids a worker can report (the ``jp_tests`` answer). JLPT levels from easiest to hardest.
JLPT_LEVELS: tuple[str, ...] = ("jlpt_n5", "jlpt_n4", "jlpt_n3", "jlpt_n2", "jlpt_n1")
JAPANESE_TEST_IDS: tuple[str, ...] = ("jft_a2", *JLPT_LEVELS, "care_japanese")
DEGREES: tuple[str, ...] = ("none", "it_related", "nursing", "other")

# Keys whose values are user-visible English msgids (translated); everything else is machine data.
TRANSLATED_KEYS = frozenset({"text", "name", "question", "answer"})

_ID = re.compile(r"^[a-z][a-z0-9_]*$")

# Facts each kind of sector must have, and the optional extras.
REQUIRED_FACTS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "open": frozenset({"work", "skills_test", "japanese", "ssw2", "tests_in_pakistan"}),
        "from_2027": frozenset({"outlook"}),
        "other_route": frozenset({"work", "route", "japanese"}),
    }
)
OPTIONAL_FACTS = frozenset(
    {"work", "licence", "education", "epa", "alternative", "jobs", "it_exams", "it_exams_pakistan"}
)
# Machine fields allowed on a fact, by fact key: field name -> required?
_FACT_FIELDS: Mapping[str, Mapping[str, bool]] = MappingProxyType(
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
    }
)


@dataclass(frozen=True)
class Fact:
    """One statement the bot may make, with where it comes from.

    ``text`` is an English msgid. The machine fields are set only on the fact keys that use them:
    ``name``/``name_ja``/``body``/``body_ja`` on ``skills_test``, ``available`` on ``ssw2`` and
    ``held`` on ``tests_in_pakistan``.
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
    """A Japanese test a worker can report: JFT-Basic, a JLPT level, the Care Japanese test."""

    id: str
    name: str
    body: str
    source: tuple[str, ...]
    checked: date
    confidence: Confidence
    facts: Mapping[str, Fact]


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

    def as_fact(self) -> Fact:
        return Fact(self.answer, self.source, self.checked, self.confidence)


# ------------------------------------------------------------------------------------------------
# Validation helpers. ``where`` names the file and the entry, e.g. "sectors.yaml: sectors[3]
# (construction): facts.work".


class _Where:
    def __init__(self, path: Path, *parts: str) -> None:
        self.path = path
        self.parts = parts

    def __truediv__(self, part: str) -> _Where:
        return _Where(self.path, *self.parts, part)

    def __str__(self) -> str:
        return f"{self.path.name}: {' > '.join(self.parts)}" if self.parts else self.path.name

    def error(self, problem: str) -> ValueError:
        return ValueError(f"{self}: {problem}")


def _mapping(value: object, where: _Where) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise where.error(f"expected a mapping, got {type(value).__name__}")
    for key in value:
        if not isinstance(key, str):
            raise where.error(f"keys must be strings, got {key!r}")
    return cast(Mapping[str, object], value)


def _list(value: object, where: _Where) -> list[object]:
    if not isinstance(value, list):
        raise where.error(f"expected a list, got {type(value).__name__}")
    return value


def _only_keys(
    data: Mapping[str, object], allowed: set[str] | frozenset[str], where: _Where
) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise where.error(f"unknown key(s) {', '.join(unknown)}")


def _text(data: Mapping[str, object], key: str, where: _Where) -> str:
    if key not in data or data[key] is None:
        raise where.error(f"missing '{key}'")
    value = data[key]
    if isinstance(value, bool):
        raise where.error(f"'{key}' must be a string; quote yes/no/true/false in YAML")
    if not isinstance(value, str) or not value.strip():
        raise where.error(f"'{key}' must be a non-empty string")
    return value


def _optional_text(data: Mapping[str, object], key: str, where: _Where) -> str | None:
    if data.get(key) is None:
        return None
    return _text(data, key, where)


def _id(data: Mapping[str, object], where: _Where) -> str:
    value = _text(data, "id", where)
    if not _ID.match(value):
        raise where.error(f"id {value!r} must be snake_case (a-z, 0-9, _)")
    return value


def _sources(data: Mapping[str, object], where: _Where) -> tuple[str, ...]:
    if "source" not in data:
        raise where.error("missing 'source'")
    raw = data["source"]
    if not isinstance(raw, list) or not raw:
        raise where.error("'source' must be a non-empty list of strings")
    sources: list[str] = []
    for item in raw:
        if not isinstance(item, str) or not item.strip():
            raise where.error("'source' must be a non-empty list of strings")
        sources.append(item)
    return tuple(sources)


def _checked(data: Mapping[str, object], where: _Where) -> date:
    if "checked" not in data:
        raise where.error("missing 'checked'")
    raw = data["checked"]
    if isinstance(raw, date):
        return raw
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    raise where.error(f"'checked' must be a date YYYY-MM-DD, got {raw!r}")


def _confidence(data: Mapping[str, object], where: _Where) -> Confidence:
    raw = data.get("confidence")
    for confidence in CONFIDENCES:
        if raw == confidence:
            return confidence
    raise where.error(f"'confidence' must be one of H, M, L, got {raw!r}")


def _test_ids(value: object, where: _Where) -> tuple[str, ...]:
    items = _list(value, where)
    if not items:
        raise where.error("expected at least one test id")
    for item in items:
        if item not in JAPANESE_TEST_IDS:
            raise where.error(f"unknown test id {item!r}")
    return tuple(str(item) for item in items)


# ------------------------------------------------------------------------------------------------
# Parsing.

_FACT_BASE_KEYS = frozenset({"text", "source", "checked", "confidence"})


def _fact(key: str, raw: object, where: _Where) -> Fact:
    data = _mapping(raw, where)
    machine = _FACT_FIELDS.get(key, {})
    _only_keys(data, _FACT_BASE_KEYS | set(machine), where)
    for name, required in machine.items():
        if required and name not in data:
            raise where.error(f"missing '{name}'")
    available: bool | None = None
    if "available" in data:
        if not isinstance(data["available"], bool):
            raise where.error("'available' must be true or false")
        available = data["available"]
    held: Held | None = None
    if "held" in data:
        raw_held = data["held"]
        if isinstance(raw_held, bool):
            raise where.error(
                '\'held\' must be quoted ("yes"/"no"): YAML reads bare yes/no as booleans'
            )
        held = next((h for h in HELD_VALUES if h == raw_held), None)
        if held is None:
            raise where.error(f"'held' must be one of {', '.join(HELD_VALUES)}, got {raw_held!r}")
    return Fact(
        text=_text(data, "text", where),
        source=_sources(data, where),
        checked=_checked(data, where),
        confidence=_confidence(data, where),
        name=_optional_text(data, "name", where) if "name" in machine else None,
        name_ja=_optional_text(data, "name_ja", where),
        body=_optional_text(data, "body", where),
        body_ja=_optional_text(data, "body_ja", where),
        available=available,
        held=held,
    )


def _facts(
    raw: object, where: _Where, required: frozenset[str], optional: frozenset[str]
) -> Mapping[str, Fact]:
    data = _mapping(raw, where)
    missing = sorted(required - set(data))
    if missing:
        raise where.error(f"missing fact(s) {', '.join(missing)}")
    _only_keys(data, required | optional, where)
    return MappingProxyType({key: _fact(key, value, where / key) for key, value in data.items()})


def _category(raw: object, where: _Where) -> Category:
    data = _mapping(raw, where)
    _only_keys(data, {"id", "name", "japanese_any_of", "licence", "body", "body_ja"}, where)
    licence: Licence | None = None
    if data.get("licence") is not None:
        licence = next((item for item in LICENCES if item == data["licence"]), None)
        if licence is None:
            raise where.error(f"'licence' must be one of {', '.join(LICENCES)}")
    if "japanese_any_of" not in data:
        raise where.error("missing 'japanese_any_of'")
    return Category(
        id=_id(data, where),
        name=_text(data, "name", where),
        japanese_any_of=_test_ids(data["japanese_any_of"], where / "japanese_any_of"),
        licence=licence,
        body=_optional_text(data, "body", where),
        body_ja=_optional_text(data, "body_ja", where),
    )


def _rule_value(kind: RuleKind, raw: object, where: _Where) -> RuleValue:
    if kind == "int":
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise where.error("'value' must be a whole number")
        return raw
    if kind == "bool":
        if not isinstance(raw, bool):
            raise where.error("'value' must be true or false")
        return raw
    if kind in ("str", "sector_id"):
        if not isinstance(raw, str) or not _ID.match(raw):
            raise where.error("'value' must be a snake_case id")
        return raw
    if kind == "test_id":
        return _test_ids([raw], where)[0]
    if kind == "test_ids":
        return _test_ids(raw, where)
    if kind == "degrees":
        items = _list(raw, where)
        for item in items:
            if item not in DEGREES:
                raise where.error(f"unknown degree {item!r}; known: {', '.join(DEGREES)}")
        return tuple(str(item) for item in items)
    categories = tuple(
        _category(item, where / f"[{index}]") for index, item in enumerate(_list(raw, where))
    )
    ids = [category.id for category in categories]
    if len(set(ids)) != len(ids) or not ids:
        raise where.error("categories need unique ids")
    return categories


def _rules(raw: object, where: _Where, kinds: Mapping[str, RuleKind]) -> Mapping[str, Rule]:
    data = _mapping(raw, where)
    rules: dict[str, Rule] = {}
    for name, rule_raw in data.items():
        rule_where = where / name
        if name not in kinds:
            raise rule_where.error(f"unknown rule; known: {', '.join(sorted(kinds))}")
        rule_data = _mapping(rule_raw, rule_where)
        _only_keys(rule_data, {"value", "source", "checked", "confidence"}, rule_where)
        if "value" not in rule_data:
            raise rule_where.error("missing 'value'")
        rules[name] = Rule(
            name=name,
            value=_rule_value(kinds[name], rule_data["value"], rule_where),
            source=_sources(rule_data, rule_where),
            checked=_checked(rule_data, rule_where),
            confidence=_confidence(rule_data, rule_where),
        )
    return MappingProxyType(rules)


def _sector(raw: object, where: _Where) -> Sector:
    data = _mapping(raw, where)
    sector_id = _id(data, where)
    where = _Where(where.path, *where.parts[:-1], f"{where.parts[-1]} ({sector_id})")
    _only_keys(
        data,
        {"id", "status", "name", "name_ja", "source", "checked", "confidence", "facts", "rules"},
        where,
    )
    status = next((s for s in SECTOR_STATUSES if s == data.get("status")), None)
    if status is None:
        raise where.error(f"'status' must be one of {', '.join(SECTOR_STATUSES)}")
    if "facts" not in data:
        raise where.error("missing 'facts'")
    sector = Sector(
        id=sector_id,
        status=status,
        name=_text(data, "name", where),
        name_ja=_text(data, "name_ja", where),
        source=_sources(data, where),
        checked=_checked(data, where),
        confidence=_confidence(data, where),
        facts=_facts(data["facts"], where / "facts", REQUIRED_FACTS[status], OPTIONAL_FACTS),
        rules=_rules(data.get("rules") or {}, where / "rules", SECTOR_RULES),
    )
    if status == "open":
        if sector.skills_test_id is None:
            raise where.error("an open field needs the rule 'skills_test_id'")
        if not sector.japanese_any_of and not sector.categories:
            raise where.error("an open field needs 'japanese_any_of' or 'categories'")
    if status == "from_2027" and sector.hiring_from is None:
        raise where.error("a from_2027 field needs the rule 'hiring_from'")
    return sector


def _japanese_test(raw: object, where: _Where) -> JapaneseTest:
    data = _mapping(raw, where)
    test_id = _id(data, where)
    if test_id not in JAPANESE_TEST_IDS:
        raise where.error(f"unknown Japanese test id {test_id!r}")
    where = _Where(where.path, *where.parts[:-1], f"{where.parts[-1]} ({test_id})")
    _only_keys(data, {"id", "name", "body", "source", "checked", "confidence", "facts"}, where)
    if "facts" not in data:
        raise where.error("missing 'facts'")
    required = frozenset({"about", "tests_in_pakistan"})
    return JapaneseTest(
        id=test_id,
        name=_text(data, "name", where),
        body=_text(data, "body", where),
        source=_sources(data, where),
        checked=_checked(data, where),
        confidence=_confidence(data, where),
        facts=_facts(data["facts"], where / "facts", required, frozenset()),
    )


class _SafeLoader(yaml.SafeLoader):
    """PyYAML's safe loader, except that dates stay text.

    ``yaml.safe_load`` would turn ``checked: 2026-13-45`` into an error that names neither the
    file nor the entry; keeping the text lets ``_checked`` report exactly where the bad date is.
    """


def _timestamp_as_text(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    if not isinstance(node, yaml.ScalarNode):
        raise yaml.constructor.ConstructorError(None, None, "expected a date", node.start_mark)
    return str(loader.construct_scalar(node))


_SafeLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)


def _read_yaml(path: Path) -> Mapping[str, object]:
    try:
        with path.open(encoding="utf-8") as handle:
            raw: object = yaml.load(handle, Loader=_SafeLoader)  # a SafeLoader: safe
    except yaml.YAMLError as exc:
        raise ValueError(f"{path.name}: not valid YAML: {exc}") from exc
    return _mapping(raw, _Where(path))


def load_catalogue(path: Path = SECTORS_FILE) -> Catalogue:
    """Read and validate a sector catalogue file (``flows/sectors.yaml`` by default)."""
    data = _read_yaml(path)
    top = _Where(path)
    _only_keys(data, {"programme", "japanese_tests", "sectors"}, top)
    for key in ("programme", "japanese_tests", "sectors"):
        if key not in data:
            raise top.error(f"missing top-level '{key}'")

    programme_data = _mapping(data["programme"], top / "programme")
    _only_keys(programme_data, {"rules"}, top / "programme")
    programme = Programme(
        _rules(programme_data.get("rules") or {}, top / "programme" / "rules", PROGRAMME_RULES)
    )
    missing_rules = sorted(set(PROGRAMME_RULES) - set(programme.rules))
    if missing_rules:
        raise (top / "programme").error(f"missing rule(s) {', '.join(missing_rules)}")

    tests = tuple(
        _japanese_test(item, top / f"japanese_tests[{index}]")
        for index, item in enumerate(_list(data["japanese_tests"], top / "japanese_tests"))
    )
    test_ids = [test.id for test in tests]
    if sorted(test_ids) != sorted(JAPANESE_TEST_IDS):
        raise (top / "japanese_tests").error(
            f"must define exactly the tests {', '.join(JAPANESE_TEST_IDS)}, "
            f"got {', '.join(test_ids)}"
        )

    sectors = tuple(
        _sector(item, top / f"sectors[{index}]")
        for index, item in enumerate(_list(data["sectors"], top / "sectors"))
    )
    seen: set[str] = set()
    skills_tests: set[str] = set()
    for sector in sectors:
        if sector.id in seen:
            raise (top / "sectors").error(f"duplicate sector id {sector.id!r}")
        seen.add(sector.id)
        skills_test_id = sector.skills_test_id
        if skills_test_id is not None:
            if skills_test_id in skills_tests or skills_test_id in JAPANESE_TEST_IDS:
                raise (top / "sectors" / sector.id).error(
                    f"skills_test_id {skills_test_id!r} is used twice"
                )
            skills_tests.add(skills_test_id)
    for sector in sectors:
        alternative = sector.alternative_sector
        if alternative is not None and alternative not in seen:
            raise (top / "sectors" / sector.id / "rules" / "alternative_sector").error(
                f"unknown sector id {alternative!r}"
            )
    return Catalogue(programme=programme, japanese_tests=tests, sectors=sectors)


def load_faq(path: Path = FAQ_FILE) -> tuple[FaqEntry, ...]:
    """Read and validate an FAQ file (``flows/faq.yaml`` by default)."""
    data = _read_yaml(path)
    top = _Where(path)
    _only_keys(data, {"entries"}, top)
    if "entries" not in data:
        raise top.error("missing top-level 'entries'")
    entries: list[FaqEntry] = []
    seen: set[str] = set()
    for index, raw in enumerate(_list(data["entries"], top / "entries")):
        where = top / f"entries[{index}]"
        entry = _mapping(raw, where)
        entry_id = _id(entry, where)
        where = top / f"entries[{index}] ({entry_id})"
        if entry_id in seen:
            raise where.error(f"duplicate entry id {entry_id!r}")
        seen.add(entry_id)
        _only_keys(
            entry,
            {"id", "question", "answer", "source", "checked", "confidence", "links"},
            where,
        )
        links: list[str] = []
        for link in _list(entry.get("links") or [], where / "links"):
            if not isinstance(link, str) or not link.startswith("https://"):
                raise where.error(f"links must be https:// URLs, got {link!r}")
            links.append(link)
        entries.append(
            FaqEntry(
                id=entry_id,
                question=_text(entry, "question", where),
                answer=_text(entry, "answer", where),
                source=_sources(entry, where),
                checked=_checked(entry, where),
                confidence=_confidence(entry, where),
                links=tuple(links),
            )
        )
    return tuple(entries)


# ------------------------------------------------------------------------------------------------
# Cached access to the project's own files.


@cache
def catalogue() -> Catalogue:
    """The validated ``flows/sectors.yaml``, loaded once per process."""
    return load_catalogue(SECTORS_FILE)


def programme() -> Programme:
    return catalogue().programme


def sectors() -> tuple[Sector, ...]:
    """All sectors in catalogue order (open fields, fields from 2027, other routes)."""
    return catalogue().sectors


@cache
def _sectors_by_id() -> Mapping[str, Sector]:
    return MappingProxyType({s.id: s for s in sectors()})


def sector(sector_id: str) -> Sector:
    """The sector with this id; ``KeyError`` when there is none."""
    try:
        return _sectors_by_id()[sector_id]
    except KeyError:
        raise KeyError(f"unknown sector id {sector_id!r}") from None


def japanese_tests() -> tuple[JapaneseTest, ...]:
    return catalogue().japanese_tests


def japanese_test(test_id: str) -> JapaneseTest:
    """The Japanese test with this id; ``KeyError`` when there is none."""
    for test in japanese_tests():
        if test.id == test_id:
            return test
    raise KeyError(f"unknown Japanese test id {test_id!r}")


@cache
def faq() -> tuple[FaqEntry, ...]:
    """The validated ``flows/faq.yaml`` entries in order, loaded once per process."""
    return load_faq(FAQ_FILE)


def faq_entry(entry_id: str) -> FaqEntry:
    for entry in faq():
        if entry.id == entry_id:
            return entry
    raise KeyError(f"unknown FAQ entry {entry_id!r}")


def all_facts() -> Iterator[tuple[str, Fact]]:
    """Every user-visible fact with a label saying where it lives.

    Sector facts ("sector nursing_care: skills_test"), Japanese-test facts ("test jft_a2: about")
    and FAQ answers ("faq pay", as a ``Fact`` whose text is the answer).
    """
    for test in japanese_tests():
        for key, fact in test.facts.items():
            yield f"test {test.id}: {key}", fact
    for item in sectors():
        for key, fact in item.facts.items():
            yield f"sector {item.id}: {key}", fact
    for entry in faq():
        yield f"faq {entry.id}", entry.as_fact()


def all_rules() -> Iterator[tuple[str, Rule]]:
    """Every machine rule with a label saying where it lives."""
    for name, rule in programme().rules.items():
        yield f"programme: {name}", rule
    for item in sectors():
        for name, rule in item.rules.items():
            yield f"sector {item.id}: {name}", rule
