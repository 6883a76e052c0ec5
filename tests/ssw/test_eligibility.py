"""The eligibility check, table-driven, on the real sector catalogue.

Each case gives answers and what must come out: the routes (in order) with their status, some
criteria with their status (by English label), and fragments of the next steps.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.engine.phone import fits
from bot.i18n import FSI, RLM, using_language
from bot.ssw import (
    Assessment,
    Route,
    assess,
    catalogue,
    eligibility,
    render,
    render_screens,
    rendering,
)
from bot.ssw.assessment import ROUTE_IDS
from bot.ssw.rendering import DISCLAIMER, MARKS, ROUTE_TITLES

JFT = "Japanese: JFT-Basic (A2), or JLPT N4 or higher"
N3 = "Japanese: JLPT N3 or higher"
AGE_OK = "18 or older on the day you enter Japan (you are 25)"
TITP_DONE = "Completed Technical Intern Training (ii) in good standing"
JP_WAIVED = "Japanese test: not needed after Technical Intern Training (ii)"
SKILLS_WAIVED = "Skills test: not needed, because your training job is related"
CARE_JP = "Pass the Care Japanese Evaluation Test"
CARE_SKILLS = "Pass the skills test: Nursing Care Skills Evaluation Test"


@dataclass(frozen=True)
class Case:
    id: str
    answers: Mapping[str, object]
    routes: Mapping[str, str]  # route id -> route status, in the expected order
    criteria: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    steps: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    absent: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # labels not expected


CASES = [
    # --- SSW (i) with tests ----------------------------------------------------------------------
    Case(
        "nursing_care_ready",
        {
            "age": 25,
            "sector": "nursing_care",
            "jp_tests": ["jft_a2", "care_japanese"],
            "skills_test": "yes",
        },
        {"ssw1_now": "eligible"},
        {"ssw1_now": {AGE_OK: "met", CARE_SKILLS: "met", JFT: "met", CARE_JP: "met"}},
        {
            "ssw1_now": (
                "find an employer",
                "What happens after I register?",
                "SSW (ii) is not available in nursing care",
            )
        },
    ),
    Case(
        "nursing_care_needs_care_japanese",
        {"age": 25, "sector": "nursing_care", "jp_tests": ["jlpt_n4"], "skills_test": "yes"},
        {"ssw1_after_tests": "possible"},
        {"ssw1_after_tests": {JFT: "met", CARE_JP: "not_met"}},
        {
            "ssw1_after_tests": (
                "Take the Care Japanese Evaluation Test. It is run by Prometric.",
                "not confirmed",
            )
        },
    ),
    Case(
        "nursing_care_test_in_pakistan_expected",
        {"age": 30, "sector": "nursing_care", "skills_test": "no", "jp_tests": ["jft_a2"]},
        {"ssw1_after_tests": "possible"},
        {"ssw1_after_tests": {CARE_SKILLS: "not_met"}},
        {
            "ssw1_after_tests": (
                "Take the Nursing Care Skills Evaluation Test. It is run by Prometric.",
                "would start in Pakistan",
                "Not confirmed yet; ask OEC.",
            )
        },
    ),
    Case(
        "construction_after_tests",
        {"age": 22, "sector": "construction", "jp_tests": [], "skills_test": "no"},
        {"ssw1_after_tests": "possible", "ssw2": "possible"},
        {
            "ssw1_after_tests": {
                "Pass the skills test: Construction SSW (i) Evaluation Test": "not_met",
                JFT: "not_met",
            }
        },
        {
            "ssw1_after_tests": (
                "It is run by JAC.",
                "We found no news that this test is held in Pakistan",
                "Take the JFT-Basic (A2). It is run by the Japan Foundation.",
                "F-8 Markaz",
                "Or take the JLPT N4 or higher. In Pakistan it is run by MAAP.",
                "join a Japanese course",
            )
        },
        {"ssw2": (N3,)},
    ),
    Case(
        "jp_tests_none_means_none_passed",
        {"age": 22, "sector": "accommodation", "jp_tests": ["none"], "skills_test": "yes"},
        {"ssw1_after_tests": "possible", "ssw2": "possible"},
        {"ssw1_after_tests": {JFT: "not_met"}},
    ),
    Case(
        "jlpt_n5_is_not_enough",
        {"age": 22, "sector": "aviation", "jp_tests": ["jlpt_n5"], "skills_test": "yes"},
        {"ssw1_after_tests": "possible", "ssw2": "possible"},
        {"ssw1_after_tests": {JFT: "not_met"}},
    ),
    Case(
        "auto_transport_held_in_pakistan",
        {
            "age": 25,
            "sector": "auto_transport",
            "sector_category": "truck",
            "skills_test": "no",
            "jp_tests": ["jft_a2"],
            "japan_licence": "no",
        },
        {"ssw1_after_tests": "possible"},
        {"ssw1_after_tests": {JFT: "met", "Japanese driving licence: first class": "not_met"}},
        {
            "ssw1_after_tests": (
                "It is run by ClassNK.",
                "Held in Pakistan since 3 Mar 2025",
                "Designated Activities",
            )
        },
    ),
    Case(
        "truck_ready",
        {
            "age": 25,
            "sector": "auto_transport",
            "sector_category": "truck",
            "skills_test": "yes",
            "jp_tests": ["jlpt_n4"],
            "japan_licence": "yes",
        },
        {"ssw1_now": "eligible"},
        {"ssw1_now": {JFT: "met", "Japanese driving licence: first class": "met"}},
        {"ssw1_now": ("SSW (ii) is not available in this field",)},
    ),
    Case(
        "taxi_needs_n3_and_second_class_licence",
        {
            "age": 25,
            "sector": "auto_transport",
            "sector_category": "taxi",
            "skills_test": "yes",
            "jp_tests": ["jft_a2", "jlpt_n4"],
            "japan_licence": "no",
        },
        {"ssw1_after_tests": "possible"},
        {"ssw1_after_tests": {N3: "not_met", "Japanese driving licence: second class": "not_met"}},
        {
            "ssw1_after_tests": (
                "Take the JLPT N3 or higher. In Pakistan it is run by MAAP.",
                "second class for taxis and buses",
            )
        },
    ),
    Case(
        "bus_with_n3_and_a_licence_of_unknown_class",
        {
            "age": 40,
            "sector": "auto_transport",
            "sector_category": "bus",
            "skills_test": "yes",
            "jp_tests": ["jlpt_n3"],
            "japan_licence": "yes",
        },
        {"ssw1_after_tests": "possible"},
        {"ssw1_after_tests": {N3: "met", "Japanese driving licence: second class": "unknown"}},
    ),
    Case(
        "auto_transport_job_type_unknown",
        {"age": 25, "sector": "auto_transport", "jp_tests": ["jlpt_n4"]},
        {"ssw1_after_tests": "possible"},
        {
            "ssw1_after_tests": {
                "Japanese: the level depends on the job type": "unknown",
                "Japanese driving licence: the class depends on the job type": "unknown",
            }
        },
        {"ssw1_after_tests": ("Taxi and bus drivers need JLPT N3",)},
    ),
    Case(
        "railway_transport_staff_needs_n3",
        {
            "age": 25,
            "sector": "railway",
            "sector_category": "transport_staff",
            "jp_tests": ["jft_a2", "jlpt_n4"],
            "skills_test": "no",
        },
        {"ssw1_after_tests": "possible"},
        {"ssw1_after_tests": {N3: "not_met"}},
        {"ssw1_after_tests": ("Who runs it for your job type is not confirmed; ask OEC.",)},
    ),
    Case(
        "railway_track_maintenance_n4",
        {
            "age": 25,
            "sector": "railway",
            "sector_category": "track",
            "jp_tests": ["jlpt_n4"],
            "skills_test": "no",
        },
        {"ssw1_after_tests": "possible"},
        {"ssw1_after_tests": {JFT: "met"}},
        {"ssw1_after_tests": ("It is run by 日本鉄道施設協会.",)},
    ),
    Case(
        "railway_job_type_unknown_but_n3_passed",
        {"age": 25, "sector": "railway", "jp_tests": ["jlpt_n3"], "skills_test": "yes"},
        {"ssw1_now": "eligible"},
        {"ssw1_now": {"Japanese: the level depends on the job type": "met"}},
    ),
    Case(
        "forestry_tests_only_in_japan",
        {"age": 25, "sector": "forestry", "jp_tests": ["jft_a2"]},
        {"ssw1_after_tests": "possible"},
        {"ssw1_after_tests": {"Pass the skills test: Forestry Skills Test": "unknown"}},
        {
            "ssw1_after_tests": (
                "only in Japan (Ehime, Nara and Hokkaido)",
                "Because the test is only in Japan, ask OEC",
            )
        },
    ),
    Case(
        "wood_industry_not_in_pakistan",
        {"age": 25, "sector": "wood_industry", "skills_test": "no", "jp_tests": ["jlpt_n4"]},
        {"ssw1_after_tests": "possible"},
        {},
        {"ssw1_after_tests": ("only in Japan and Indonesia",)},
    ),
    Case(
        "ssw1_years_used_up",
        {
            "age": 30,
            "sector": "construction",
            "skills_test": "yes",
            "jp_tests": ["jlpt_n4"],
            "ssw1_years": 5,
            "experience_years": 5,
        },
        {"ssw1_after_tests": "not_eligible", "ssw2": "possible"},
        {
            "ssw1_after_tests": {"Time on SSW (i) so far: 5 of at most 5 years": "not_met"},
            "ssw2": {"Practical or supervisory work experience in this field": "unknown"},
        },
        {"ssw1_after_tests": ("You have used all 5 years of SSW (i)",)},
    ),
    Case(
        "ssw1_years_left",
        {
            "age": 30,
            "sector": "construction",
            "skills_test": "yes",
            "jp_tests": ["jlpt_n4"],
            "ssw1_years": 3,
        },
        {"ssw1_now": "eligible", "ssw2": "possible"},
        {"ssw1_now": {"Time on SSW (i) so far: 3 of at most 5 years": "met"}},
    ),
    # --- Technical Intern Training --------------------------------------------------------------
    Case(
        "titp_related_field_waives_skills_and_japanese",
        {"age": 25, "sector": "construction", "titp": "completed", "titp_field": "construction"},
        {"ssw1_titp": "eligible", "ssw2": "possible"},
        {"ssw1_titp": {TITP_DONE: "met", SKILLS_WAIVED: "met", JP_WAIVED: "met"}},
    ),
    Case(
        "titp_unrelated_field_still_needs_the_skills_test",
        {
            "age": 25,
            "sector": "food_service",
            "titp": "completed",
            "titp_field": "construction",
            "skills_test": "no",
            "jp_tests": [],
        },
        {"ssw1_titp": "possible", "ssw2": "possible"},
        {
            "ssw1_titp": {
                "Pass the skills test: Food Service SSW (i) Skills Test": "not_met",
                JP_WAIVED: "met",
            }
        },
        {"ssw1_titp": ("It is run by OTAFF (otaff.or.jp).",)},
        {"ssw1_titp": (JFT,)},
    ),
    Case(
        "titp_other_field_from_the_menu",
        {
            "age": 25,
            "sector": "agriculture",
            "titp": "completed",
            "titp_field": "other",
            "skills_test": "yes",
        },
        {"ssw1_titp": "eligible", "ssw2": "possible"},
        {"ssw1_titp": {"Pass the skills test: Agriculture Skills Test": "met", JP_WAIVED: "met"}},
    ),
    Case(
        "titp_field_unknown",
        {"age": 25, "sector": "agriculture", "titp": "completed"},
        {"ssw1_titp": "possible", "ssw2": "possible"},
        {
            "ssw1_titp": {
                "Skills test: not needed if your training job was in Agriculture": "unknown",
                JP_WAIVED: "met",
            }
        },
    ),
    Case(
        "nursing_care_titp_in_nursing_care_waives_all_three_tests",
        {
            "age": 25,
            "sector": "nursing_care",
            "titp": "completed",
            "titp_field": "nursing_care",
            "jp_tests": [],
        },
        {"ssw1_titp": "eligible"},
        {
            "ssw1_titp": {
                SKILLS_WAIVED: "met",
                JP_WAIVED: "met",
                "Care Japanese Evaluation Test: not needed after training in this field": "met",
            }
        },
    ),
    Case(
        "nursing_care_titp_in_another_field_still_needs_care_tests",
        {
            "age": 25,
            "sector": "nursing_care",
            "titp": "completed",
            "titp_field": "construction",
            "jp_tests": [],
            "skills_test": "no",
        },
        {"ssw1_titp": "possible"},
        {"ssw1_titp": {CARE_SKILLS: "not_met", JP_WAIVED: "met", CARE_JP: "not_met"}},
        {"ssw1_titp": ("Take the Care Japanese Evaluation Test.",)},
    ),
    Case(
        "nursing_care_titp_field_unknown",
        {"age": 25, "sector": "nursing_care", "titp": "completed"},
        {"ssw1_titp": "possible"},
        {
            "ssw1_titp": {
                "Care Japanese Evaluation Test: not needed if your training was in "
                "Nursing care": "unknown"
            }
        },
    ),
    Case(
        "titp_incomplete_gives_no_exemption",
        {"age": 25, "sector": "construction", "titp": "incomplete", "titp_field": "construction"},
        {"ssw1_after_tests": "possible", "ssw2": "possible"},
        {"ssw1_after_tests": {JFT: "unknown"}},
        {"ssw1_after_tests": ("Your Technical Intern Training is not complete",)},
        {"ssw1_after_tests": (SKILLS_WAIVED, JP_WAIVED)},
    ),
    # --- SSW (ii) -------------------------------------------------------------------------------
    Case(
        "food_service_ssw2_needs_n3",
        {"age": 25, "sector": "food_service", "jp_tests": ["jlpt_n4"], "experience_years": 0},
        {"ssw1_after_tests": "possible", "ssw2": "possible"},
        {
            "ssw2": {
                N3: "not_met",
                "Practical or supervisory work experience in this field": "not_met",
                "Pass the SSW (ii) skills test for Food service": "unknown",
            }
        },
        {"ssw2": ("Study Japanese up to JLPT N3 or higher.", "SSW (ii) is available")},
    ),
    Case(
        "fishery_ssw2_n2_counts_as_n3_or_higher",
        {"age": 25, "sector": "fishery", "jp_tests": ["jlpt_n2"], "ssw1_years": 3},
        {"ssw1_after_tests": "possible", "ssw2": "possible"},
        {"ssw2": {N3: "met"}},
    ),
    Case(
        "building_cleaning_ssw2_without_a_japanese_test",
        {"age": 25, "sector": "building_cleaning"},
        {"ssw1_after_tests": "possible", "ssw2": "possible"},
        {},
        {},
        {"ssw2": (N3,)},
    ),
    # --- IT and nurses --------------------------------------------------------------------------
    Case(
        "it_related_degree",
        {"sector": "it_engineer", "degree": "it_related", "experience_years": 2},
        {"it_visa": "eligible"},
        {
            "it_visa": {
                "A degree in a related subject from a university or college": "met",
                "Or 10 years or more of related work experience": "not_met",
            }
        },
        {"it_visa": ("jobs.oec.gov.pk",)},
    ),
    Case(
        "it_ten_years_instead_of_a_degree",
        {"sector": "it_engineer", "degree": "other", "experience_years": 10},
        {"it_visa": "eligible"},
        {
            "it_visa": {
                "A degree in a related subject from a university or college": "not_met",
                "Or 10 years or more of related work experience": "met",
            }
        },
    ),
    Case(
        "it_neither_degree_nor_ten_years",
        {"sector": "it_engineer", "degree": "none", "experience_years": 9},
        {"it_visa": "not_eligible"},
        {},
        {
            "it_visa": (
                "IPA Fundamental Information Technology Engineer exam",
                "We have not confirmed whether any Pakistani IT certificate counts",
                "IT work is not an SSW field",
                "They need no degree",
            )
        },
    ),
    Case(
        "it_unknown",
        {"sector": "it_engineer"},
        {"it_visa": "possible"},
        {
            "it_visa": {
                "A degree in a related subject from a university or college": "unknown",
                "Or 10 years or more of related work experience": "unknown",
            }
        },
    ),
    Case(
        "nurse_with_licence_and_n1",
        {
            "age": 30,
            "sector": "nurse",
            "nursing_licence": "yes",
            "degree": "nursing",
            "jp_tests": ["jlpt_n1"],
        },
        {"nurse_licence": "possible", "nursing_care_alternative": "possible"},
        {
            "nurse_licence": {
                "A nursing licence from Pakistan (not as an assistant nurse)": "met",
                "Japanese: JLPT N1": "met",
                "A nursing course of 3 years or more, and 15 years or more of education": "unknown",
                "Acceptance by Japan's health ministry (MHLW) for the exam": "unknown",
                "Pass Japan's national nursing exam": "unknown",
            },
            "nursing_care_alternative": {JFT: "met", CARE_SKILLS: "unknown", CARE_JP: "not_met"},
        },
        {
            "nurse_licence": ("not accepted in Japan", "once a year, in about February"),
            "nursing_care_alternative": ("It does not need a nursing licence",),
        },
    ),
    Case(
        "nurse_needs_n1",
        {"age": 30, "sector": "nurse", "nursing_licence": "yes", "jp_tests": ["jlpt_n2"]},
        {"nurse_licence": "possible", "nursing_care_alternative": "possible"},
        {"nurse_licence": {"Japanese: JLPT N1": "not_met"}},
        {"nurse_licence": ("Study Japanese up to JLPT N1.",)},
    ),
    Case(
        "nurse_without_a_licence",
        {"age": 30, "sector": "nurse", "nursing_licence": "no", "degree": "none"},
        {"nurse_licence": "not_eligible", "nursing_care_alternative": "possible"},
        {
            "nurse_licence": {
                "A nursing licence from Pakistan (not as an assistant nurse)": "not_met",
                "A nursing course of 3 years or more, and 15 years or more of education": "not_met",
            }
        },
    ),
    Case(
        "nurse_who_did_titp_in_nursing_care",
        {"age": 30, "sector": "nurse", "titp": "completed", "titp_field": "nursing_care"},
        {"nurse_licence": "possible", "nursing_care_alternative": "eligible"},
        {"nursing_care_alternative": {SKILLS_WAIVED: "met", JP_WAIVED: "met"}},
    ),
    # --- Age and fields not open ----------------------------------------------------------------
    Case(
        "under_18",
        {"age": 15, "sector": "food_service", "jp_tests": []},
        {"not_eligible": "not_yet", "ssw1_after_tests": "not_yet"},
        {"not_eligible": {"18 or older on the day you enter Japan (you are 15)": "not_met"}},
        {
            "not_eligible": (
                "You can register now. You can go to Japan from the age of 18.",
                "From the age of 17 you can take most skills tests.",
            )
        },
    ),
    Case(
        "under_18_nurse",
        {"age": 16, "sector": "nurse"},
        {
            "not_eligible": "not_yet",
            "nurse_licence": "possible",
            "nursing_care_alternative": "not_yet",
        },
    ),
    Case(
        "seventeen_can_start",
        {"age": 17, "sector": "agriculture"},
        {"ssw1_after_tests": "possible", "ssw2": "possible"},
        {"ssw1_after_tests": {"18 or older on the day you enter Japan (you are 17)": "unknown"}},
        {
            "ssw1_after_tests": (
                "At 17 you can already take most skills tests, and the COE can be applied for",
                "would start in Pakistan",
            )
        },
    ),
    Case(
        "from_2027_field",
        {"age": 25, "sector": "logistics_warehousing", "jp_tests": ["jlpt_n4"]},
        {"not_eligible": "not_yet"},
        {"not_eligible": {"Logistics warehousing: hiring is expected from about 2027": "not_met"}},
        {"not_eligible": ("Japan added this field on 23 Jan 2026", "register your interest")},
    ),
    # --- Unknown answers ------------------------------------------------------------------------
    Case(
        "nothing_known",
        {},
        {"ssw1_after_tests": "possible"},
        {
            "ssw1_after_tests": {
                "18 or older on the day you enter Japan": "unknown",
                "Pass the skills test of your field": "unknown",
                JFT: "unknown",
            }
        },
        {"ssw1_after_tests": ("Choose a field",)},
    ),
    Case(
        "only_the_sector_known",
        {"sector": "shipbuilding"},
        {"ssw1_after_tests": "possible", "ssw2": "possible"},
        {
            "ssw1_after_tests": {
                "18 or older on the day you enter Japan": "unknown",
                "Pass the skills test: Shipbuilding and Ship Machinery SSW (i) Test": "unknown",
                JFT: "unknown",
            },
            "ssw2": {"Practical or supervisory work experience in this field": "unknown"},
        },
        {"ssw1_after_tests": ("It is run by ClassNK.",)},
    ),
    Case(
        "skills_test_answer_unknown",
        {
            "age": 30,
            "sector": "food_manufacturing",
            "skills_test": "unknown",
            "jp_tests": ["jft_a2"],
        },
        {"ssw1_after_tests": "possible", "ssw2": "possible"},
        {
            "ssw1_after_tests": {
                "Pass the skills test: Food and Beverage Manufacturing SSW (i) "
                "Skills Test": "unknown"
            }
        },
    ),
]
CASE_IDS = [case.id for case in CASES]


def _label(route: Route) -> dict[str, str]:
    """English label -> status for each criterion of a route."""
    return {c.label_msgid.format(**c.params): c.status for c in route.criteria}


def _steps(route: Route) -> str:
    return "\n".join(s.msgid.format(**s.params) if s.params else s.msgid for s in route.next_steps)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_routes(case: Case) -> None:
    result = assess(case.answers)
    assert [(r.id, r.status) for r in result.routes] == list(case.routes.items())


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_criteria(case: Case) -> None:
    result = assess(case.answers)
    for route_id, expected in case.criteria.items():
        route = result.route(route_id)
        assert route is not None
        labels = _label(route)
        for label, status in expected.items():
            assert labels.get(label) == status, f"{route_id}: {label!r} in {labels}"
    for route_id, labels_absent in case.absent.items():
        route = result.route(route_id)
        assert route is not None
        assert not set(labels_absent) & set(_label(route))


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_next_steps(case: Case) -> None:
    result = assess(case.answers)
    for route_id, fragments in case.steps.items():
        route = result.route(route_id)
        assert route is not None
        text = _steps(route)
        for fragment in fragments:
            assert fragment in text, f"{route_id}: {fragment!r} not in\n{text}"


def test_every_route_is_covered() -> None:
    seen = {route_id for case in CASES for route_id in case.routes}
    assert seen == set(ROUTE_IDS)


@pytest.mark.parametrize(
    "sector_id", ["nursing_care", "auto_transport", "railway", "forestry", "wood_industry"]
)
def test_no_ssw2_route_where_the_field_has_none(sector_id: str) -> None:
    result = assess({"age": 30, "sector": sector_id, "experience_years": 6, "ssw1_years": 4})
    assert "ssw2" not in result.route_ids
    steps = _steps(result.routes[0])
    assert "SSW (ii) is not available" in steps


@pytest.mark.parametrize(
    "sector_id", [s.id for s in catalogue.sectors() if s.status == "open" and s.ssw2_available]
)
def test_ssw2_route_where_the_field_has_it(sector_id: str) -> None:
    result = assess({"age": 30, "sector": sector_id})
    route = result.route("ssw2")
    assert route is not None
    has_n3 = N3 in _label(route)
    assert has_n3 is (sector_id in {"food_service", "fishery"})


@pytest.mark.parametrize("sector_id", [s.id for s in catalogue.sectors()])
def test_every_sector_assesses_and_cites_the_catalogue(sector_id: str) -> None:
    result = assess({"age": 25, "sector": sector_id})
    assert result.routes
    known = {s for _, f in catalogue.all_facts() for s in f.source}
    known |= {s for _, r in catalogue.all_rules() for s in r.source}
    for route in result.routes:
        assert route.sources, route.id
        assert set(route.sources) <= known
        assert route.criteria


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_round_trip(case: Case) -> None:
    result = assess(case.answers)
    stored = json.loads(json.dumps(result.to_dict()))
    assert Assessment.from_dict(stored) == result


@pytest.mark.parametrize(
    "broken",
    [
        {"version": 2, "routes": []},
        {"version": 1, "routes": [{"id": "visa", "status": "eligible"}]},
        {"version": 1, "routes": "x"},
        {
            "version": 1,
            "routes": [
                {
                    "id": "ssw2",
                    "status": "possible",
                    "criteria": [{"label_msgid": "x", "status": "maybe", "params": {}}],
                    "next_steps": [],
                    "sources": [],
                }
            ],
        },
    ],
)
def test_from_dict_rejects_malformed_data(broken: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="assessment"):
        Assessment.from_dict(broken)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_render(case: Case) -> None:
    result = assess(case.answers)
    with using_language("en"):
        text = render(result)
        screens = render_screens(result)
    for route in result.routes:
        title = ROUTE_TITLES[route.id].format(**route.params)
        assert title in text
        for criterion in route.criteria:
            mark = MARKS[criterion.status]
            assert f"{mark} {criterion.label_msgid.format(**criterion.params)}" in text
    assert DISCLAIMER in screens[-1]
    assert all(fits(screen) for screen in screens), screens


def test_render_in_urdu_isolates_inserted_values() -> None:
    result = assess({"age": 25, "sector": "construction", "jp_tests": ["jlpt_n4"]})
    with using_language("ur"):
        text = render(result)
    assert all(line.startswith(RLM) for line in text.split("\n") if line)
    assert f"{FSI}25" in text


def test_assess_is_pure() -> None:
    answers = {"age": 25, "sector": "nursing_care", "jp_tests": ["jft_a2"]}
    before = json.dumps(answers, sort_keys=True)
    assert assess(answers) == assess(answers)
    assert json.dumps(answers, sort_keys=True) == before


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"sector": "it"}, "unknown sector id 'it'"),
        ({"jp_tests": ["n4"]}, "unknown test id 'n4'"),
        ({"jp_tests": "jlpt_n4"}, "must be a list"),
        ({"age": -1}, "whole number"),
        ({"age": "twenty"}, "whole number"),
        ({"age": True}, "whole number"),
        ({"skills_test": "maybe"}, "must be one of yes, no"),
        ({"degree": "phd"}, "must be one of none, it_related, nursing, other"),
        (
            {"sector": "auto_transport", "sector_category": "van"},
            "not a job type of auto_transport",
        ),
    ],
)
def test_bad_answers(answers: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        assess(answers)


def test_lenient_answer_forms() -> None:
    """Numbers typed as text and yes/no stored as booleans are read as the same answers."""
    assert assess({"age": "25", "sector": "construction", "skills_test": True}) == assess(
        {"age": 25, "sector": "construction", "skills_test": "yes"}
    )


def _marked_msgids() -> list[str]:
    trees = [
        ast.parse(Path(module.__file__ or "").read_text(encoding="utf-8"))
        for module in (eligibility, rendering)
    ]
    return [
        node.args[0].value
        for tree in trees
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "N_"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ]


def test_msgids_carry_no_numbers() -> None:
    """Numbers come from the catalogue (with sources) as params, never from code."""
    msgids = _marked_msgids()
    assert len(msgids) > 30
    assert [m for m in msgids if any(ch.isdigit() for ch in m)] == []


def test_msgids_use_named_placeholders_only() -> None:
    for msgid in _marked_msgids():
        assert "{}" not in msgid and "{0" not in msgid
