"""The sector catalogue and FAQ data: provenance on every fact, ids, hedging, and the loader.

Runs on the real ``flows/sectors.yaml`` and ``flows/faq.yaml``. Where the team's fact sheet is
present (``../shared/reference/ssw-facts.md``), sources and numbers are also checked against it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import yaml

from bot.ssw import catalogue, facts_doc, loader
from bot.ssw.model import JAPANESE_TEST_IDS, TRANSLATED_KEYS, Category, Fact, FaqEntry, Rule, Sector

ROOT = Path(__file__).resolve().parents[2]
FACT_SHEET = ROOT.parent / "shared" / "reference" / "ssw-facts.md"
CHECKED = date(2026, 11, 25)

OPEN = [
    "nursing_care",
    "building_cleaning",
    "industrial_products",
    "construction",
    "shipbuilding",
    "auto_repair",
    "aviation",
    "accommodation",
    "auto_transport",
    "railway",
    "agriculture",
    "fishery",
    "food_manufacturing",
    "food_service",
    "forestry",
    "wood_industry",
]
FROM_2027 = ["linen_supply", "logistics_warehousing", "resource_circulation"]
OTHER_ROUTES = ["it_engineer", "nurse"]
NO_SSW2 = {"nursing_care", "auto_transport", "railway", "forestry", "wood_industry"}
HELD_IN_PAKISTAN = {
    "auto_transport": "yes",
    "nursing_care": "expected",
    "agriculture": "expected",
    "forestry": "no",
    "wood_industry": "no",
}
FAQ_IDS = {
    "ssw_overview",
    "ssw1",
    "ssw2",
    "who_can_apply",
    "titp",
    "path",
    "costs",
    "fraud",
    "jft_basic",
    "jlpt",
    "learn_japanese",
    "pay",
    "family",
    "stay_longer",
    "quota",
    "new_fields",
    "urdu_pages",
    "oec",
    "beoe",
    "protector",
    "it_route",
    "nurse_route",
}
# Per-field caps from the fact sheet: they changed in Jan 2026, so the bot must not state them.
CAPS = ["135,000", "173,300", "139,000", "53,000", "37,000", "36,000", "24,500", "78,000"]
HEDGES = ("not confirmed", "ask oec", "we do not know", "we have not confirmed")
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]")
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def _raw(path: Path) -> object:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _translated(
    node: object, where: str = "", sourced: bool = False
) -> Iterator[tuple[str, str, bool]]:
    """(where, text, has a source) for every translated string in a raw YAML tree."""
    if isinstance(node, dict):
        sourced = sourced or bool(node.get("source"))
        label = f"{where}/{node['id']}" if isinstance(node.get("id"), str) else where
        for key, value in node.items():
            if key in TRANSLATED_KEYS and isinstance(value, str):
                yield f"{label}.{key}", value, sourced
            else:
                yield from _translated(value, f"{label}.{key}", sourced)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _translated(item, f"{where}[{index}]", sourced)


ALL_TEXTS = [
    *_translated(_raw(loader.SECTORS_FILE), "sectors.yaml"),
    *_translated(_raw(loader.FAQ_FILE), "faq.yaml"),
]
TEXT_IDS = [where for where, _, _ in ALL_TEXTS]


@pytest.fixture(scope="module")
def sheet() -> str:
    if not FACT_SHEET.exists():
        if os.environ.get("CI"):  # CI has shared/ beside the clone: the check must run
            pytest.fail(f"fact sheet not found at {FACT_SHEET}")
        pytest.skip(f"fact sheet not found at {FACT_SHEET}")
    return FACT_SHEET.read_text(encoding="utf-8")


# ------------------------------------------------------------------------------------------------
# Ids and statuses


def test_sector_ids_in_order() -> None:
    assert [s.id for s in catalogue.sectors()] == OPEN + FROM_2027 + OTHER_ROUTES


@pytest.mark.parametrize(
    ("ids", "status"), [(OPEN, "open"), (FROM_2027, "from_2027"), (OTHER_ROUTES, "other_route")]
)
def test_statuses(ids: list[str], status: str) -> None:
    assert [catalogue.sector(i).status for i in ids] == [status] * len(ids)


@pytest.mark.parametrize("sector_id", FROM_2027)
def test_from_2027_fields_are_marked(sector_id: str) -> None:
    sector = catalogue.sector(sector_id)
    assert sector.hiring_from == 2027
    outlook = sector.fact("outlook")
    assert outlook is not None and "2027" in outlook.text
    assert sector.skills_test_id is None and sector.fact("skills_test") is None


def test_sector_lookup() -> None:
    assert catalogue.sector("nursing_care").name_ja == "介護"
    with pytest.raises(KeyError, match="unknown sector id"):
        catalogue.sector("it")


def test_faq_ids() -> None:
    ids = [e.id for e in catalogue.faq()]
    assert len(ids) == len(set(ids))
    assert set(ids) >= FAQ_IDS


def test_japanese_tests() -> None:
    assert sorted(t.id for t in catalogue.japanese_tests()) == sorted(JAPANESE_TEST_IDS)
    jft = catalogue.japanese_test("jft_a2").facts["tests_in_pakistan"]
    assert jft.held == "yes" and "Islamabad" in jft.text and "F-8 Markaz" in jft.text


# ------------------------------------------------------------------------------------------------
# Provenance


FACTS = list(catalogue.all_facts())
RULES = list(catalogue.all_rules())


@pytest.mark.parametrize(("where", "fact"), FACTS, ids=[w for w, _ in FACTS])
def test_every_fact_has_source_and_checked(where: str, fact: Fact) -> None:
    assert fact.source and all(s.strip() for s in fact.source)
    assert fact.checked == CHECKED
    assert fact.confidence in ("H", "M", "L")


@pytest.mark.parametrize(("where", "rule"), RULES, ids=[w for w, _ in RULES])
def test_every_rule_has_source_and_checked(where: str, rule: Rule) -> None:
    assert rule.source and rule.checked == CHECKED and rule.confidence in ("H", "M", "L")


@pytest.mark.parametrize("sector", catalogue.sectors(), ids=lambda s: s.id)
def test_every_sector_has_source_and_checked(sector: Sector) -> None:
    assert sector.source and sector.checked == CHECKED


@pytest.mark.parametrize("entry", catalogue.faq(), ids=lambda e: e.id)
def test_every_faq_entry_has_source_and_checked(entry: FaqEntry) -> None:
    assert entry.source and entry.checked == CHECKED
    assert all(link.startswith("https://") for link in entry.links)


def test_every_source_is_quoted_from_the_fact_sheet(sheet: str) -> None:
    sources = {s for _, f in FACTS for s in f.source} | {s for _, r in RULES for s in r.source}
    sources |= {s for sector in catalogue.sectors() for s in sector.source}
    sources |= {s for test in catalogue.japanese_tests() for s in test.source}
    assert sorted(s for s in sources if s not in sheet) == []


# ------------------------------------------------------------------------------------------------
# The translated texts


@pytest.mark.parametrize(("where", "text", "sourced"), ALL_TEXTS, ids=TEXT_IDS)
def test_no_digit_without_a_source(where: str, text: str, sourced: bool) -> None:
    assert sourced or not re.search(r"\d", text)


@pytest.mark.parametrize(("where", "text", "sourced"), ALL_TEXTS, ids=TEXT_IDS)
def test_every_number_is_in_the_fact_sheet(
    where: str, text: str, sourced: bool, sheet: str
) -> None:
    missing = [n for n in NUMBER.findall(text) if n not in sheet]
    assert missing == []


@pytest.mark.parametrize(("where", "text", "sourced"), ALL_TEXTS, ids=TEXT_IDS)
def test_texts_are_plain_english(where: str, text: str, sourced: bool) -> None:
    assert not CJK.search(text), "Japanese script belongs in name_ja/body_ja, not in msgids"
    assert "{" not in text and "}" not in text, "braces would break str.format"
    assert text == text.strip()


@pytest.mark.parametrize(("where", "text", "sourced"), ALL_TEXTS, ids=TEXT_IDS)
def test_texts_are_short(where: str, text: str, sourced: bool) -> None:
    limit = 700 if where.endswith(".answer") else 300
    assert len(text) <= limit


@pytest.mark.parametrize(("where", "text", "sourced"), ALL_TEXTS, ids=TEXT_IDS)
def test_no_per_field_caps(where: str, text: str, sourced: bool) -> None:
    assert not [cap for cap in CAPS if cap in text]


def test_low_confidence_facts_are_hedged() -> None:
    unhedged = [
        where
        for where, fact in FACTS
        if fact.confidence == "L" and not any(h in fact.text.lower() for h in HEDGES)
    ]
    assert unhedged == []


# ------------------------------------------------------------------------------------------------
# Sector facts and rules


@pytest.mark.parametrize("sector_id", OPEN)
def test_tests_in_pakistan(sector_id: str) -> None:
    fact = catalogue.sector(sector_id).fact("tests_in_pakistan")
    assert fact is not None
    expected = HELD_IN_PAKISTAN.get(sector_id, "unknown")
    assert fact.held == expected
    if expected in ("unknown", "expected"):
        assert any(h in fact.text.lower() for h in HEDGES)


@pytest.mark.parametrize("sector_id", OPEN)
def test_ssw2_availability(sector_id: str) -> None:
    sector = catalogue.sector(sector_id)
    assert sector.ssw2_available is (sector_id not in NO_SSW2)


def test_eleven_ssw2_fields() -> None:
    assert sum(s.ssw2_available for s in catalogue.sectors()) == 11


@pytest.mark.parametrize("sector_id", OPEN)
def test_open_fields_have_skills_test_and_japanese_rule(sector_id: str) -> None:
    sector = catalogue.sector(sector_id)
    fact = sector.fact("skills_test")
    assert fact is not None and fact.name
    assert sector.skills_test_id
    assert sector.japanese_any_of or sector.categories
    if not sector.categories:
        assert fact.body


def test_skills_test_ids_are_unique() -> None:
    ids = [s.skills_test_id for s in catalogue.sectors() if s.skills_test_id]
    assert len(ids) == len(set(ids)) == len(OPEN)


def _test_ids_in_rules() -> Iterator[tuple[str, str]]:
    for where, rule in RULES:
        if rule.name in ("japanese_any_of", "extra_tests"):
            assert isinstance(rule.value, tuple)
            yield from ((where, str(v)) for v in rule.value)
        elif rule.name == "ssw2_japanese":
            yield where, str(rule.value)
        elif rule.name == "categories":
            assert isinstance(rule.value, tuple)
            for category in rule.value:
                assert isinstance(category, Category)
                yield from ((f"{where}/{category.id}", t) for t in category.japanese_any_of)


def test_rules_reference_only_known_test_ids() -> None:
    found = list(_test_ids_in_rules())
    assert found
    assert [(w, t) for w, t in found if t not in JAPANESE_TEST_IDS] == []


def test_nursing_care_needs_care_japanese() -> None:
    sector = catalogue.sector("nursing_care")
    assert sector.extra_tests == ("care_japanese",)
    assert sector.titp_extra_tests_need_related_field


@pytest.mark.parametrize(
    ("category", "lowest", "licence"),
    [
        ("truck", "jlpt_n4", "first_class"),
        ("taxi", "jlpt_n3", "second_class"),
        ("bus", "jlpt_n3", "second_class"),
    ],
)
def test_auto_transport_categories(category: str, lowest: str, licence: str) -> None:
    found = catalogue.sector("auto_transport").category(category)
    assert found is not None and found.licence == licence
    assert lowest in found.japanese_any_of
    assert "jlpt_n4" not in found.japanese_any_of or lowest == "jlpt_n4"


def test_railway_categories() -> None:
    categories = catalogue.sector("railway").categories
    assert len(categories) == 5
    for category in categories:
        n4_ok = "jlpt_n4" in category.japanese_any_of
        assert n4_ok is (category.id != "transport_staff")


@pytest.mark.parametrize(
    ("sector_id", "level"), [("food_service", "jlpt_n3"), ("fishery", "jlpt_n3")]
)
def test_ssw2_japanese(sector_id: str, level: str) -> None:
    assert catalogue.sector(sector_id).ssw2_japanese == level
    others = [s.id for s in catalogue.sectors() if s.ssw2_japanese and s.id != sector_id]
    assert set(others) <= {"food_service", "fishery"}


def test_forestry_tests_only_in_japan() -> None:
    assert [s.id for s in catalogue.sectors() if s.tests_only_in_japan] == ["forestry"]


def test_other_routes() -> None:
    it = catalogue.sector("it_engineer")
    assert it.degree_any_of == ("it_related",) and it.experience_years_instead == 10
    nurse = catalogue.sector("nurse")
    assert nurse.japanese_any_of == ("jlpt_n1",) and nurse.requires_home_licence
    assert nurse.alternative_sector == "nursing_care"


def test_programme_rules() -> None:
    programme = catalogue.programme()
    assert (programme.min_age_at_entry, programme.coe_min_age, programme.ssw1_max_years) == (
        18,
        17,
        5,
    )
    assert programme.titp_waives_japanese and programme.titp_related_waives_skills


# ------------------------------------------------------------------------------------------------
# The loader rejects bad data with the file and entry named


def _write(tmp_path: Path, text: str, name: str = "sectors.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _sectors_with(replace: str, by: str) -> str:
    text = loader.SECTORS_FILE.read_text(encoding="utf-8")
    assert replace in text
    return text.replace(replace, by, 1)


@pytest.mark.parametrize(
    ("replace", "by", "message"),
    [
        (
            'text: "Cleaning work in buildings."\n        source: ["hrc.or.jp"]\n',
            'text: "Cleaning work in buildings."\n',
            r"sectors.yaml: sectors\[1\] \(building_cleaning\) > facts > work: missing 'source'",
        ),
        (
            '    name_ja: "介護"\n    source: ["hrc.or.jp", "rts-visa.com/column/5199"]\n'
            "    checked: 2026-11-25\n",
            '    name_ja: "介護"\n    source: ["hrc.or.jp", "rts-visa.com/column/5199"]\n'
            "    checked: 2026-13-45\n",
            r"\(nursing_care\): 'checked' must be a date",
        ),
        (
            "value: [care_japanese]",
            "value: [care_japanese_test]",
            r"\(nursing_care\) > rules > extra_tests: unknown test id 'care_japanese_test'",
        ),
        (
            'held: "no"',
            "held: no",
            r"\(forestry\) > facts > tests_in_pakistan: 'held' must be quoted",
        ),
        ("value: nursing_care\n", "value: nursing\n", r"unknown sector id 'nursing'"),
        (
            "      tests_only_in_japan:",
            "      only_in_japan:",
            r"\(forestry\) > rules > only_in_japan: unknown rule",
        ),
        ("status: from_2027", "status: later", r"\(linen_supply\): 'status' must be one of"),
        ("confidence: L", "confidence: low", r"'confidence' must be one of H, M, L"),
    ],
)
def test_loader_errors(tmp_path: Path, replace: str, by: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        loader.load_catalogue(_write(tmp_path, _sectors_with(replace, by)))


@pytest.mark.parametrize(
    ("replace", "by", "message"),
    [
        (
            '    checked: 2026-11-25\n    confidence: H\n    links: ["https://www.ssw.go.jp/ur/faq/"]\n',
            '    confidence: H\n    links: ["https://www.ssw.go.jp/ur/faq/"]\n',
            r"faq.yaml: entries\[0\] \(ssw_overview\): missing 'checked'",
        ),
        (
            '    source: ["ssworker.jp/page/en/type1-en.html"]\n',
            "",
            r"\(living_in_japan\): missing 'source'",
        ),
        (
            'links: ["https://maap.edu.pk"]',
            'links: ["maap.edu.pk"]',
            r"\(jlpt\): links must be https://",
        ),
    ],
)
def test_faq_loader_errors(tmp_path: Path, replace: str, by: str, message: str) -> None:
    text = loader.FAQ_FILE.read_text(encoding="utf-8")
    assert replace in text
    with pytest.raises(ValueError, match=message):
        loader.load_faq(_write(tmp_path, text.replace(replace, by, 1), "faq.yaml"))


def test_loader_reports_bad_yaml(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"faq\.yaml: not valid YAML"):
        loader.load_faq(_write(tmp_path, "entries: [\n", "faq.yaml"))


# ------------------------------------------------------------------------------------------------
# Review document and import hygiene


def test_facts_doc_is_up_to_date() -> None:
    """docs/facts.md is generated: `python -m bot.ssw.facts_doc > docs/facts.md` after a change."""
    assert (ROOT / "docs" / "facts.md").read_text(encoding="utf-8") == facts_doc.render_markdown()


def test_facts_doc_lists_every_fact_with_its_source() -> None:
    document = facts_doc.render_markdown()
    for _, fact in FACTS:
        for line in fact.text.splitlines():
            assert line in document
        assert "; ".join(fact.source) in document
    for entry in catalogue.faq():
        assert f"`{entry.id}`" in document


def test_no_framework_imports() -> None:
    code = (
        "import sys, bot.ssw, bot.ssw.facts_doc, bot.ssw.screens, bot.ssw.options; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('telegram', 'aiohttp', 'sqlalchemy')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.strip() == "[]"
