"""Reading and validating ``flows/sectors.yaml`` and ``flows/faq.yaml``.

Every fact carries its ``source`` (as written in the team's fact sheet), the date it was
``checked`` and a ``confidence`` mark (H, M or L); a date-bound one also carries ``review_by`` (the
date to re-check it by) and ``official`` (the https page to point to once that date has passed).
Loading fails with a ``ValueError`` naming the file and the entry when any of these is missing or
malformed, or when a rule names an unknown id.
Both files document their schema in a comment block at the top.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import cast

import yaml

from bot.ssw.model import (
    CONFIDENCES,
    DEGREES,
    FACT_FIELDS,
    HELD_VALUES,
    JAPANESE_TEST_IDS,
    JAPANESE_TEST_OPTIONAL_FACTS,
    LICENCES,
    OPTIONAL_FACTS,
    PROGRAMME_RULES,
    REQUIRED_FACTS,
    SECTOR_RULES,
    SECTOR_STATUSES,
    Catalogue,
    Category,
    Confidence,
    Fact,
    FaqEntry,
    Held,
    JapaneseTest,
    Licence,
    Programme,
    Rule,
    RuleKind,
    RuleValue,
    Sector,
)

FLOWS_DIR = Path(__file__).resolve().parent.parent.parent / "flows"
SECTORS_FILE = FLOWS_DIR / "sectors.yaml"
FAQ_FILE = FLOWS_DIR / "faq.yaml"

_ID = re.compile(r"^[a-z][a-z0-9_]*$")

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


def _date(data: Mapping[str, object], key: str, where: _Where) -> date:
    raw = data[key]
    if isinstance(raw, date):
        return raw
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    raise where.error(f"'{key}' must be a date YYYY-MM-DD, got {raw!r}")


def _checked(data: Mapping[str, object], where: _Where) -> date:
    if "checked" not in data:
        raise where.error("missing 'checked'")
    return _date(data, "checked", where)


def _https(value: object, problem: str, where: _Where) -> str:
    if not isinstance(value, str) or not re.match(r"^https://[^\s/]+\.[^\s]+$", value):
        raise where.error(f"{problem}, got {value!r}")
    return value


def _review(data: Mapping[str, object], where: _Where) -> tuple[date | None, str | None]:
    """``review_by`` and ``official``: a date-bound entry names the page to check once stale."""
    if data.get("review_by") is None:
        if data.get("official") is not None:
            raise where.error("'official' is only used with 'review_by'")
        return None, None
    review_by = _date(data, "review_by", where)
    if review_by <= _checked(data, where):
        raise where.error("'review_by' must be later than 'checked'")
    if data.get("official") is None:
        raise where.error(
            "'review_by' needs 'official': the https:// page to point to once it has passed"
        )
    return review_by, _https(data["official"], "'official' must be an https:// URL", where)


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

_FACT_BASE_KEYS = frozenset({"text", "source", "checked", "confidence", "review_by", "official"})
_RULE_KEYS = frozenset({"value", "source", "checked", "confidence", "review_by", "official"})


def _fact(key: str, raw: object, where: _Where) -> Fact:
    data = _mapping(raw, where)
    machine = FACT_FIELDS.get(key, {})
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
    review_by, official = _review(data, where)
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
        review_by=review_by,
        official=official,
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
        _only_keys(rule_data, _RULE_KEYS, rule_where)
        if "value" not in rule_data:
            raise rule_where.error("missing 'value'")
        review_by, official = _review(rule_data, rule_where)
        rules[name] = Rule(
            name=name,
            value=_rule_value(kinds[name], rule_data["value"], rule_where),
            source=_sources(rule_data, rule_where),
            checked=_checked(rule_data, rule_where),
            confidence=_confidence(rule_data, rule_where),
            review_by=review_by,
            official=official,
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
    _only_keys(
        data,
        {"id", "name", "label", "body", "host", "source", "checked", "confidence", "facts"},
        where,
    )
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
        facts=_facts(data["facts"], where / "facts", required, JAPANESE_TEST_OPTIONAL_FACTS),
        label=_optional_text(data, "label", where) or "",
        host=_optional_text(data, "host", where),
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
            {
                "id",
                "question",
                "answer",
                "source",
                "checked",
                "confidence",
                "links",
                "review_by",
                "official",
            },
            where,
        )
        links = [
            _https(link, "links must be https:// URLs", where)
            for link in _list(entry.get("links") or [], where / "links")
        ]
        review_by, official = _review(entry, where)
        entries.append(
            FaqEntry(
                id=entry_id,
                question=_text(entry, "question", where),
                answer=_text(entry, "answer", where),
                source=_sources(entry, where),
                checked=_checked(entry, where),
                confidence=_confidence(entry, where),
                links=tuple(links),
                review_by=review_by,
                official=official,
            )
        )
    return tuple(entries)
