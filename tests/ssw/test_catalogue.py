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

from bot.engine.flows import load_flows
from bot.ssw import catalogue, facts_doc, loader
from bot.ssw.model import (
    JAPANESE_TEST_IDS,
    TRANSLATED_KEYS,
    Category,
    Fact,
    FaqEntry,
    Rule,
    Sector,
)

ROOT = Path(__file__).resolve().parents[2]
FACT_SHEET = ROOT.parent / "shared" / "reference" / "ssw-facts.md"
CHECKED = date(2026, 11, 25)
RECHECKED = date(2026, 12, 1)  # the fact sheet's section 0: updates checked 2026-12-01
CHECK_DATES = {CHECKED, RECHECKED}
# Sources that only section 0 of the sheet cites: an entry using one was re-checked then.
SECTION_0_SOURCES = {
    "jpf.go.jp/jft-basic/e/notice",
    "japantimes.co.jp 2025-07-28",
    "sapporocapls.com/clp/320",
    "jitco.or.jp/?p=41683",
    "urdunews.com/node/897247",
    "ARY News 2025-12-31",
    "jil.go.jp 2024/06",
    "info.jees-jlpt.jp",
}
# Date-bound wording: a year (so also "from about 2027"), a month ("from 3 Mar 2025"), "since".
# Such a fact goes stale: it needs review_by.
MONTHS = (
    "January|February|March|April|June|July|August|September|October|November|December"
    "|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
DATE_BOUND = re.compile(rf"\b20\d\d\b|\b(?:{MONTHS})\b|\bMay \d|\d May\b|\bsince\b", re.IGNORECASE)

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
    "skill_development",
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


# U1: a JFT-Basic result shows a level; each answer button says which, with its score range.
@pytest.mark.parametrize(
    ("test_id", "level", "scores"),
    [
        ("jft_a2", "A2.2 or A2", "200–250"),
        ("jft_a2_1", "A2.1", "175–199"),
        ("jft_a1", "A1", "145–174"),
    ],
)
def test_jft_basic_levels_show_the_result_sheet_level_and_scores(
    test_id: str, level: str, scores: str
) -> None:
    test = catalogue.japanese_test(test_id)
    assert test.option_label == f"JFT-Basic {level} (score {scores})"
    assert test.body == "the Japan Foundation"
    assert "jpf.go.jp/jft-basic/e/notice" in test.source


@pytest.mark.parametrize("test_id", ["jft_a2_1", "jft_a1"])
def test_lower_jft_levels_meet_no_rule_and_point_to_skill_development(test_id: str) -> None:
    assert test_id not in {t for _, t in _test_ids_in_rules()}
    test = catalogue.japanese_test(test_id)
    assert "not enough for SSW (i)" in test.facts["about"].text
    skill_development = test.facts["skill_development"]
    assert "different programme" in skill_development.text
    assert "1 April 2027" in skill_development.text
    assert skill_development.review_by is not None


def test_the_answer_buttons_are_in_catalogue_order_with_none_first() -> None:
    from bot.ssw.options import japanese_tests

    options = japanese_tests({})
    assert [o.value for o in options] == ["none", *(t.id for t in catalogue.japanese_tests())]
    assert options[0].label == "None yet"
    assert [o.value for o in options][1:4] == ["jft_a2", "jft_a2_1", "jft_a1"]


@pytest.mark.parametrize("flow_id", ["eligibility", "registration"])
def test_both_flows_take_the_japanese_tests_from_the_catalogue(flow_id: str) -> None:
    step = load_flows()[flow_id].step("jp_tests")
    assert step.options_from == "japanese_tests" and not step.options
    assert "result sheet" in step.prompt and step.source


# U9: the JLPT abroad is run by the Japan Foundation; MAAP (with NUML) holds it in Pakistan.
@pytest.mark.parametrize("test_id", [t for t in JAPANESE_TEST_IDS if t.startswith("jlpt_")])
def test_jlpt_is_run_by_the_japan_foundation_and_held_by_maap(test_id: str) -> None:
    test = catalogue.japanese_test(test_id)
    assert test.body == "the Japan Foundation"
    assert test.host is not None and "MAAP" in test.host
    assert "info.jees-jlpt.jp" in test.source


# ------------------------------------------------------------------------------------------------
# Provenance


FACTS = list(catalogue.all_facts())
RULES = list(catalogue.all_rules())


@pytest.mark.parametrize(("where", "fact"), FACTS, ids=[w for w, _ in FACTS])
def test_every_fact_has_source_and_checked(where: str, fact: Fact) -> None:
    assert fact.source and all(s.strip() for s in fact.source)
    assert fact.checked in CHECK_DATES
    assert fact.confidence in ("H", "M", "L")


@pytest.mark.parametrize(("where", "rule"), RULES, ids=[w for w, _ in RULES])
def test_every_rule_has_source_and_checked(where: str, rule: Rule) -> None:
    assert rule.source and rule.checked in CHECK_DATES and rule.confidence in ("H", "M", "L")


@pytest.mark.parametrize("sector", catalogue.sectors(), ids=lambda s: s.id)
def test_every_sector_has_source_and_checked(sector: Sector) -> None:
    assert sector.source and sector.checked in CHECK_DATES


@pytest.mark.parametrize("entry", catalogue.faq(), ids=lambda e: e.id)
def test_every_faq_entry_has_source_and_checked(entry: FaqEntry) -> None:
    assert entry.source and entry.checked in CHECK_DATES
    assert all(link.startswith("https://") for link in entry.links)


def _provenanced() -> Iterator[tuple[str, tuple[str, ...], date]]:
    """(where, sources, checked) of every fact, rule, sector, Japanese test and FAQ entry."""
    for where, item in [*FACTS, *RULES]:
        yield where, item.source, item.checked
    for sector in catalogue.sectors():
        yield f"sector {sector.id}", sector.source, sector.checked
    for test in catalogue.japanese_tests():
        yield f"test {test.id}", test.source, test.checked


def test_every_source_is_quoted_from_the_fact_sheet(sheet: str) -> None:
    sources = {s for _, item_sources, _ in _provenanced() for s in item_sources}
    assert sorted(s for s in sources if s not in sheet) == []


def test_section_0_sources_appear_in_section_0_of_the_sheet(sheet: str) -> None:
    section_0 = sheet.split("## 0.", 1)[1].split("\n## 1.", 1)[0]
    assert sorted(s for s in SECTION_0_SOURCES if s not in section_0) == []


def test_what_section_0_changed_was_checked_on_its_date() -> None:
    """An entry citing a source found only in section 0 was re-checked on 2026-12-01."""
    stale = [
        where
        for where, sources, checked in _provenanced()
        if set(sources) & SECTION_0_SOURCES and checked != RECHECKED
    ]
    assert stale == []


# ------------------------------------------------------------------------------------------------
# Dates go stale (fact sheet U10): every date-bound fact has a review date and an official page.
# This checks that the dates exist, never that the calendar has not passed them.


REVIEWABLE = [
    *((where, fact.text, fact) for where, fact in FACTS),
    *((where, f"{rule.name} = {rule.value}", rule) for where, rule in RULES),
]


def _date_bound(text: str, item: Fact | Rule) -> bool:
    if isinstance(item, Rule):
        value = item.value
        return isinstance(value, int) and not isinstance(value, bool) and 2000 <= value < 2100
    return bool(DATE_BOUND.search(text))


@pytest.mark.parametrize(("where", "text", "item"), REVIEWABLE, ids=[w for w, _, _ in REVIEWABLE])
def test_every_date_bound_fact_has_a_review_date(where: str, text: str, item: Fact | Rule) -> None:
    if _date_bound(text, item):
        assert item.review_by is not None, f"{where} is date-bound: give it review_by"
    if item.review_by is not None:
        assert item.review_by > item.checked
        assert item.official is not None and item.official.startswith("https://")


@pytest.mark.parametrize(
    ("text", "bound"),
    [
        ("Held in Pakistan since 3 Mar 2025.", True),
        ("Hiring is expected from about 2027.", True),
        ("It is held once a year, in about February.", True),
        ("up to March 2029", True),
        ("It may be required for Japan too.", False),
        ("A nursing licence from another country is not accepted.", False),
        ("From the age of 17 you can take most skills tests.", False),
        ("Scores run from 10 to 250.", False),
        ("Since 19 Nov 2025 the protector needs it.", True),
    ],
)
def test_date_bound_detection(text: str, bound: bool) -> None:
    fact = Fact(text, ("x",), CHECKED, "H")
    assert _date_bound(text, fact) is bound


def test_the_date_bound_facts_we_know_of_are_detected() -> None:
    bound = {where for where, text, item in REVIEWABLE if _date_bound(text, item)}
    assert {
        "test jft_a2: tests_in_pakistan",
        "test jft_a2_1: skill_development",
        "sector nursing_care: tests_in_pakistan",
        "sector agriculture: tests_in_pakistan",
        "sector auto_transport: tests_in_pakistan",
        "sector linen_supply: outlook",
        "sector linen_supply: hiring_from",
        "faq path",
        "faq protector",
        "faq pay",
        "faq quota",
        "faq jft_basic",
        "faq skill_development",
    } <= bound


def test_official_pages_are_on_domains_the_sheet_names(sheet: str) -> None:
    officials = {item.official for _, _, item in REVIEWABLE if item.official}
    officials |= {e.official for e in catalogue.faq() if e.official}
    hosts = {re.sub(r"^https://(www\.)?", "", url).split("/")[0] for url in officials}
    assert hosts and sorted(h for h in hosts if h not in sheet) == []


FORMAT_EXAMPLE = re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b")


def test_every_number_in_a_flow_text_is_in_the_fact_sheet(sheet: str) -> None:
    """The flows' own texts (the JFT-Basic score ranges, the CNIC's 13 digits) are facts too;
    a date written to show its format (15/03/1998, 15-3-98) is not."""
    missing = [
        (flow.id, step.id, number)
        for flow in load_flows().values()
        for step in flow.steps
        for text in (step.prompt, step.notice, step.older_notice)
        for number in NUMBER.findall(FORMAT_EXAMPLE.sub("", text))
        if number not in sheet
    ]
    assert missing == []


def test_flow_texts_carry_no_dates() -> None:
    """Dates belong in the data, where they carry review_by; flow prompts state none."""
    for flow in load_flows().values():
        for step in flow.steps:
            for text in (step.prompt, step.notice, step.older_notice):
                assert not DATE_BOUND.search(text), (flow.id, step.id)


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


# Section 0 of the sheet (checked 2026-12-01) overrides older lines: what must no longer be
# said, and what must be said wherever the subject comes up.
NEVER_SAID = [
    ("U1", "JFT-Basic (A2)"),  # the level must be named: A2.2 (the old A2)
    ("U4", "Sessions were planned"),  # past sessions are not the next step
    ("U5", "would start in Pakistan"),
    ("U6", "does not count"),  # time off may not count, with proof, within limits
    ("U7", "all overseas work visas"),
    ("U9", "run by MAAP"),
    ("U9", "MAAP runs"),
    ("U9", "organised by MAAP"),
    ("U9", "MAAP organises"),
]
ALWAYS_WITH = [
    ("U1", "A2", "A2.2"),  # a level A2 is always named as A2.2
    ("U7", "Pak Soft Skills", "may be required"),
    ("U7", "Pak Soft Skills", "BE&OE or OEC"),
    ("U8", "198,000", "2023"),
    ("U8", "198,000", "before tax and social insurance"),
    ("U9", "MAAP", "Japan Foundation"),
]


@pytest.mark.parametrize(("point", "phrase"), NEVER_SAID)
def test_section_0_corrections_wrong_lines_are_gone(point: str, phrase: str) -> None:
    assert [where for where, text, _ in ALL_TEXTS if phrase.lower() in text.lower()] == []


@pytest.mark.parametrize(("point", "subject", "phrase"), ALWAYS_WITH)
def test_section_0_corrections_are_said_with_the_subject(
    point: str, subject: str, phrase: str
) -> None:
    about = [(where, text) for where, text, _ in ALL_TEXTS if subject in text]
    about = [(w, t) for w, t in about if not w.endswith((".name", ".label", ".question"))]
    assert about, f"{point}: nothing mentions {subject!r}"
    assert [where for where, text in about if phrase not in text] == []


def test_u3_the_it_visa_needs_a_job_offer() -> None:
    it = catalogue.sector("it_engineer")
    assert it.job_offer_required and it.related_work_required and it.pay_at_least_japanese
    offer = it.fact("job_offer")
    assert offer is not None and "contract with a company in Japan" in offer.text
    assert "job offer" in catalogue.faq_entry("it_route").answer


@pytest.mark.parametrize("sector_id", ["nursing_care", "agriculture"])
def test_u5_announced_tests_are_not_presented_as_confirmed(sector_id: str) -> None:
    fact = catalogue.sector(sector_id).fact("tests_in_pakistan")
    assert fact is not None and fact.confidence == "L"
    assert "announced" in fact.text and "not confirmed" in fact.text.lower()
    assert "test body" in fact.text and fact.official


def test_u4_jft_basic_in_pakistan_points_to_the_schedule() -> None:
    fact = catalogue.japanese_test("jft_a2").facts["tests_in_pakistan"]
    assert "2025" in fact.text and "not confirmed" in fact.text
    assert "test schedule" in fact.text and "Prometric" in fact.text
    assert fact.official == "https://www.jpf.go.jp/jft-basic/e/"


def test_u6_stay_longer_is_hedged() -> None:
    answer = catalogue.faq_entry("stay_longer").answer
    assert "may not count" in answer and "proof" in answer and "set cases" in answer
    assert "jitco.or.jp/?p=41683" in catalogue.faq_entry("stay_longer").source


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
        (
            '        review_by: 2027-06-01\n        official: "https://www.pearsonvue.com/jp/ja/classnk.html"\n',
            "        review_by: 2027-06-01\n",
            r"\(auto_transport\) > facts > tests_in_pakistan: 'review_by' needs 'official'",
        ),
        (
            'official: "https://www.pearsonvue.com/jp/ja/classnk.html"',
            'official: "http://www.pearsonvue.com/jp/ja/classnk.html"',
            r"\(auto_transport\) > facts > tests_in_pakistan: 'official' must be an https:// URL",
        ),
        (
            "review_by: 2027-06-01",
            "review_by: 2026-06-01",
            r"tests_in_pakistan: 'review_by' must be later than 'checked'",
        ),
        (
            "review_by: 2027-06-01",
            "review_by: soon",
            r"tests_in_pakistan: 'review_by' must be a date YYYY-MM-DD",
        ),
        ("  - id: jft_a2_1\n", "  - id: jft_b1\n", r"unknown Japanese test id 'jft_b1'"),
    ],
)
def test_loader_errors(tmp_path: Path, replace: str, by: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        loader.load_catalogue(_write(tmp_path, _sectors_with(replace, by)))


@pytest.mark.parametrize(
    ("replace", "by", "message"),
    [
        (
            '    checked: 2026-12-01\n    confidence: H\n    links: ["https://www.ssw.go.jp/ur/faq/"]\n',
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
        (
            "    review_by: 2027-06-30\n",
            "",
            r"\(pay\): 'official' is only used with 'review_by'",
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
