"""The eligibility check, table-driven, on the real sector catalogue.

Each case gives answers and what must come out: the routes (in order) with their status, some
criteria with their status (by English label), and fragments of the next steps.
"""

from __future__ import annotations

import ast
import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

from bot.engine.phone import fits
from bot.i18n import FSI, RLM, using_language
from bot.ssw import (
    Assessment,
    Route,
    Step,
    assess,
    catalogue,
    eligibility,
    render,
    render_route,
    render_screens,
    rendering,
    review,
)
from bot.ssw.assessment import ROUTE_IDS, ROUTE_STATUSES
from bot.ssw.rendering import (
    DISCLAIMER,
    MARKS,
    NEXT_STEPS,
    ROUTE_TITLES,
    STATUS_LINES,
)
from bot.ssw.review import STALE_NOTE, STALE_RULE

TODAY = date(2026, 11, 25)  # the tests' clock: before every review date
LATER = date(2027, 6, 2)  # past the review dates of the JFT-Basic and nursing-test news

JFT = "Japanese: JFT-Basic level A2.2 (A2), or JLPT N4 or higher"
TAKE_JFT = "Take the JFT-Basic level A2.2 (A2). It is run by the Japan Foundation."
OR_JLPT_N4 = (
    "Or take the JLPT N4 or higher. It is run by the Japan Foundation. "
    "In Pakistan, MAAP (with NUML) holds it."
)
JLPT_N3 = (
    "Take the JLPT N3 or higher. It is run by the Japan Foundation. "
    "In Pakistan, MAAP (with NUML) holds it."
)
A2_1_MEANS = "JFT-Basic level A2.1 (a score of 175 to 199) is not enough for SSW (i)."
A1_MEANS = "JFT-Basic level A1 (a score of 145 to 174) is not enough for SSW (i)."
SKILL_DEVELOPMENT = "Employment for Skill Development is a different programme."
SKILL_DEVELOPMENT_FAQ = "Read “What is Employment for Skill Development?”."
QUALIFIED = "A degree in a related subject, or 10 years or more of related work experience"
JOB_OFFER = "A job offer: a contract with a company in Japan"
RELATED = "The work is related to your degree or experience"
PAY = "The pay is at least what a Japanese employee gets"
NOT_SSW = "IT work is not an SSW field"
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
    no_steps: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # step fragments


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
        {"ssw1_now": "meets"},
        {"ssw1_now": {AGE_OK: "met", CARE_SKILLS: "met", JFT: "met", CARE_JP: "met"}},
        {
            "ssw1_now": (
                "Find an employer in Japan",
                "What happens after I register?",
                "SSW (ii) is not available in nursing care",
            )
        },
    ),
    Case(
        "nursing_care_needs_care_japanese",
        {"age": 25, "sector": "nursing_care", "jp_tests": ["jlpt_n4"], "skills_test": "yes"},
        {"ssw1_after_tests": "after_steps"},
        {"ssw1_after_tests": {JFT: "met", CARE_JP: "not_met"}},
        {
            "ssw1_after_tests": (
                "Take the Care Japanese Evaluation Test. It is run by Prometric.",
                "Not confirmed; ask OEC.",
            )
        },
    ),
    Case(
        "nursing_care_test_in_pakistan_expected",
        {"age": 30, "sector": "nursing_care", "skills_test": "no", "jp_tests": ["jft_a2"]},
        {"ssw1_after_tests": "after_steps"},
        {"ssw1_after_tests": {CARE_SKILLS: "not_met"}},
        {
            "ssw1_after_tests": (
                "Take the Nursing Care Skills Evaluation Test. It is run by Prometric.",
                "announced this test for Pakistan from August or September 2025",
                "We found no news that it was held.",
                "Not confirmed: check the test body's website, or ask OEC.",
            )
        },
    ),
    Case(
        "construction_after_tests",
        {"age": 22, "sector": "construction", "jp_tests": [], "skills_test": "no"},
        {"ssw1_after_tests": "after_steps", "ssw2": "after_steps"},
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
                TAKE_JFT,
                "F-8 Markaz",
                "Later dates are not confirmed.",
                "Japan Foundation's JFT-Basic test schedule",
                OR_JLPT_N4,
                "join a Japanese course",
                "Then find an employer in Japan",
            )
        },
        {"ssw2": (N3,)},
        {"ssw1_after_tests": ("run by MAAP", SKILL_DEVELOPMENT, STALE_NOTE[:10])},
    ),
    # --- JFT-Basic levels (fact sheet U1, U2) -------------------------------------------------
    Case(
        "jft_a2_1_is_not_enough_and_points_to_skill_development",
        {"age": 22, "sector": "construction", "jp_tests": ["jft_a2_1"], "skills_test": "yes"},
        {"ssw1_after_tests": "after_steps", "ssw2": "after_steps"},
        {"ssw1_after_tests": {JFT: "not_met"}},
        {
            "ssw1_after_tests": (
                A2_1_MEANS,
                "SSW (i) needs level A2.2, a score of 200 or more.",
                TAKE_JFT,
                OR_JLPT_N4,
                SKILL_DEVELOPMENT,
                "It starts later, on 1 April 2027, with its own conditions.",
                "It accepts Japanese at level A1.",
                SKILL_DEVELOPMENT_FAQ,
            )
        },
    ),
    Case(
        "jft_a1_is_not_enough_and_points_to_skill_development",
        {"age": 22, "sector": "agriculture", "jp_tests": ["jft_a1"], "skills_test": "yes"},
        {"ssw1_after_tests": "after_steps", "ssw2": "after_steps"},
        {"ssw1_after_tests": {JFT: "not_met"}},
        {"ssw1_after_tests": (A1_MEANS, TAKE_JFT, SKILL_DEVELOPMENT)},
        {},
        {"ssw1_after_tests": (A2_1_MEANS,)},
    ),
    Case(
        "jft_a2_1_and_a1_the_higher_level_is_explained",
        {"age": 22, "sector": "agriculture", "jp_tests": ["jft_a1", "jft_a2_1"]},
        {"ssw1_after_tests": "after_steps", "ssw2": "after_steps"},
        {"ssw1_after_tests": {JFT: "not_met"}},
        {"ssw1_after_tests": (A2_1_MEANS, SKILL_DEVELOPMENT)},
        {},
        {"ssw1_after_tests": (A1_MEANS,)},
    ),
    Case(
        "jft_a2_1_with_jlpt_n4_meets_the_japanese_rule",
        {
            "age": 22,
            "sector": "construction",
            "jp_tests": ["jft_a2_1", "jlpt_n4"],
            "skills_test": "yes",
        },
        {"ssw1_now": "meets", "ssw2": "after_steps"},
        {"ssw1_now": {JFT: "met"}},
        {},
        {},
        {"ssw1_now": (A2_1_MEANS, SKILL_DEVELOPMENT)},
    ),
    Case(
        "jft_a2_2_meets_the_japanese_rule",
        {"age": 22, "sector": "construction", "jp_tests": ["jft_a2"], "skills_test": "yes"},
        {"ssw1_now": "meets", "ssw2": "after_steps"},
        {"ssw1_now": {JFT: "met"}},
        {"ssw1_now": ("Find an employer in Japan",)},
        {},
        {"ssw1_now": (SKILL_DEVELOPMENT, "Then find an employer")},
    ),
    Case(
        "jft_a2_1_for_a_job_type_that_needs_n3",
        {
            "age": 25,
            "sector": "auto_transport",
            "sector_category": "taxi",
            "skills_test": "yes",
            "jp_tests": ["jft_a2_1"],
            "japan_licence": "no",
        },
        {"ssw1_after_tests": "after_steps"},
        {"ssw1_after_tests": {N3: "not_met"}},
        {"ssw1_after_tests": (JLPT_N3,)},
        {},
        {"ssw1_after_tests": (SKILL_DEVELOPMENT,)},
    ),
    Case(
        "jft_a2_1_before_the_job_type_is_known",
        {"age": 25, "sector": "railway", "jp_tests": ["jft_a2_1"], "skills_test": "yes"},
        {"ssw1_after_tests": "after_steps"},
        {"ssw1_after_tests": {"Japanese: the level depends on the job type": "not_met"}},
        {"ssw1_after_tests": (A2_1_MEANS, TAKE_JFT, SKILL_DEVELOPMENT)},
    ),
    Case(
        "jp_tests_none_means_none_passed",
        {"age": 22, "sector": "accommodation", "jp_tests": ["none"], "skills_test": "yes"},
        {"ssw1_after_tests": "after_steps", "ssw2": "after_steps"},
        {"ssw1_after_tests": {JFT: "not_met"}},
    ),
    Case(
        "jlpt_n5_is_not_enough",
        {"age": 22, "sector": "aviation", "jp_tests": ["jlpt_n5"], "skills_test": "yes"},
        {"ssw1_after_tests": "after_steps", "ssw2": "after_steps"},
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
        {"ssw1_after_tests": "after_steps"},
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
        {"ssw1_now": "meets"},
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
        {"ssw1_after_tests": "after_steps"},
        {"ssw1_after_tests": {N3: "not_met", "Japanese driving licence: second class": "not_met"}},
        {
            "ssw1_after_tests": (
                JLPT_N3,
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
        {"ssw1_after_tests": "after_steps"},
        {"ssw1_after_tests": {N3: "met", "Japanese driving licence: second class": "unknown"}},
    ),
    Case(
        "auto_transport_job_type_unknown",
        {"age": 25, "sector": "auto_transport", "jp_tests": ["jlpt_n4"]},
        {"ssw1_after_tests": "after_steps"},
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
        {"ssw1_after_tests": "after_steps"},
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
        {"ssw1_after_tests": "after_steps"},
        {"ssw1_after_tests": {JFT: "met"}},
        {"ssw1_after_tests": ("It is run by 日本鉄道施設協会.",)},
    ),
    Case(
        "railway_job_type_unknown_but_n3_passed",
        {"age": 25, "sector": "railway", "jp_tests": ["jlpt_n3"], "skills_test": "yes"},
        {"ssw1_now": "meets"},
        {"ssw1_now": {"Japanese: the level depends on the job type": "met"}},
    ),
    Case(
        "forestry_tests_only_in_japan",
        {"age": 25, "sector": "forestry", "jp_tests": ["jft_a2"]},
        {"ssw1_after_tests": "after_steps"},
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
        {"ssw1_after_tests": "after_steps"},
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
        {"ssw1_after_tests": "not_now", "ssw2": "after_steps"},
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
        {"ssw1_now": "meets", "ssw2": "after_steps"},
        {"ssw1_now": {"Time on SSW (i) so far: 3 of at most 5 years": "met"}},
    ),
    # --- Technical Intern Training --------------------------------------------------------------
    Case(
        "titp_related_field_waives_skills_and_japanese",
        {"age": 25, "sector": "construction", "titp": "completed", "titp_field": "construction"},
        {"ssw1_titp": "meets", "ssw2": "after_steps"},
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
        {"ssw1_titp": "after_steps", "ssw2": "after_steps"},
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
        {"ssw1_titp": "meets", "ssw2": "after_steps"},
        {"ssw1_titp": {"Pass the skills test: Agriculture Skills Test": "met", JP_WAIVED: "met"}},
    ),
    Case(
        "titp_field_unknown",
        {"age": 25, "sector": "agriculture", "titp": "completed"},
        {"ssw1_titp": "after_steps", "ssw2": "after_steps"},
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
        {"ssw1_titp": "meets"},
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
        {"ssw1_titp": "after_steps"},
        {"ssw1_titp": {CARE_SKILLS: "not_met", JP_WAIVED: "met", CARE_JP: "not_met"}},
        {"ssw1_titp": ("Take the Care Japanese Evaluation Test.",)},
    ),
    Case(
        "nursing_care_titp_field_unknown",
        {"age": 25, "sector": "nursing_care", "titp": "completed"},
        {"ssw1_titp": "after_steps"},
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
        {"ssw1_after_tests": "after_steps", "ssw2": "after_steps"},
        {"ssw1_after_tests": {JFT: "unknown"}},
        {"ssw1_after_tests": ("Your Technical Intern Training is not complete",)},
        {"ssw1_after_tests": (SKILLS_WAIVED, JP_WAIVED)},
    ),
    # --- SSW (ii) -------------------------------------------------------------------------------
    Case(
        "food_service_ssw2_needs_n3",
        {"age": 25, "sector": "food_service", "jp_tests": ["jlpt_n4"], "experience_years": 0},
        {"ssw1_after_tests": "after_steps", "ssw2": "after_steps"},
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
        {"ssw1_after_tests": "after_steps", "ssw2": "after_steps"},
        {"ssw2": {N3: "met"}},
    ),
    Case(
        "building_cleaning_ssw2_without_a_japanese_test",
        {"age": 25, "sector": "building_cleaning"},
        {"ssw1_after_tests": "after_steps", "ssw2": "after_steps"},
        {},
        {},
        {"ssw2": (N3,)},
    ),
    # --- IT and nurses --------------------------------------------------------------------------
    # The IT visa (fact sheet U3): never "meets" without a job offer.
    Case(
        "it_related_degree_without_a_job_offer",
        {"sector": "it_engineer", "degree": "it_related", "experience_years": 2, "job_offer": "no"},
        {"it_visa": "after_steps"},
        {"it_visa": {QUALIFIED: "met", JOB_OFFER: "not_met", RELATED: "unknown", PAY: "unknown"}},
        {
            "it_visa": (
                NOT_SSW,
                "Find a job offer from a company in Japan.",
                "jobs.oec.gov.pk",
                "The pay must be at least what a Japanese employee would get.",
            )
        },
    ),
    Case(
        "it_related_degree_job_offer_not_asked",
        {"sector": "it_engineer", "degree": "it_related", "experience_years": 2},
        {"it_visa": "after_steps"},
        {"it_visa": {QUALIFIED: "met", JOB_OFFER: "unknown"}},
        {"it_visa": (NOT_SSW, "Find a job offer from a company in Japan.")},
    ),
    Case(
        "it_ten_years_instead_of_a_degree_with_a_good_offer",
        {
            "sector": "it_engineer",
            "degree": "other",
            "experience_years": 10,
            "job_offer": "yes",
            "job_related": "yes",
            "job_pay": "yes",
        },
        {"it_visa": "meets"},
        {"it_visa": {QUALIFIED: "met", JOB_OFFER: "met", RELATED: "met", PAY: "met"}},
        {"it_visa": (NOT_SSW, "This visa has no fixed Japanese test.")},
        {},
        {"it_visa": ("Find a job offer",)},
    ),
    Case(
        "it_offer_with_pay_not_known",
        {
            "sector": "it_engineer",
            "degree": "it_related",
            "job_offer": "yes",
            "job_related": "yes",
            "job_pay": "unknown",
        },
        {"it_visa": "after_steps"},
        {"it_visa": {JOB_OFFER: "met", RELATED: "met", PAY: "unknown"}},
        {"it_visa": ("Ask the company to confirm this in your contract.",)},
        {},
        {"it_visa": ("Find a job offer",)},
    ),
    Case(
        "it_offer_for_unrelated_work",
        {
            "sector": "it_engineer",
            "degree": "it_related",
            "job_offer": "yes",
            "job_related": "no",
            "job_pay": "yes",
        },
        {"it_visa": "after_steps"},
        {"it_visa": {RELATED: "not_met", PAY: "met"}},
        {"it_visa": ("This offer does not meet these rules. Look for another offer.",)},
    ),
    Case(
        "it_neither_degree_nor_ten_years",
        {"sector": "it_engineer", "degree": "none", "experience_years": 9, "job_offer": "yes"},
        {"it_visa": "not_now"},
        {"it_visa": {QUALIFIED: "not_met"}},
        {
            "it_visa": (
                NOT_SSW,
                "IPA Fundamental Information Technology Engineer exam",
                "We have not confirmed whether any Pakistani IT certificate counts",
                "They need no degree",
            )
        },
        {"it_visa": (JOB_OFFER, RELATED, PAY)},
        {"it_visa": ("Find a job offer",)},
    ),
    Case(
        "it_unknown",
        {"sector": "it_engineer"},
        {"it_visa": "after_steps"},
        {"it_visa": {QUALIFIED: "unknown", JOB_OFFER: "unknown"}},
        {"it_visa": (NOT_SSW, "IPA Fundamental Information Technology Engineer exam")},
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
        {"nurse_licence": "after_steps", "nursing_care_alternative": "after_steps"},
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
        {"nurse_licence": "after_steps", "nursing_care_alternative": "after_steps"},
        {"nurse_licence": {"Japanese: JLPT N1": "not_met"}},
        {"nurse_licence": ("Study Japanese up to JLPT N1.",)},
    ),
    Case(
        "nurse_without_a_licence",
        {"age": 30, "sector": "nurse", "nursing_licence": "no", "degree": "none"},
        {"nurse_licence": "not_now", "nursing_care_alternative": "after_steps"},
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
        {"nurse_licence": "after_steps", "nursing_care_alternative": "meets"},
        {"nursing_care_alternative": {SKILLS_WAIVED: "met", JP_WAIVED: "met"}},
    ),
    # --- Age and fields not open ----------------------------------------------------------------
    Case(
        "under_18",
        {"age": 15, "sector": "food_service", "jp_tests": []},
        {"not_eligible": "not_now", "ssw1_after_tests": "not_now"},
        {"not_eligible": {"18 or older on the day you enter Japan (you are 15)": "not_met"}},
        {
            "not_eligible": (
                "You can register with OEC from the age of 17. "
                "You can go to Japan from the age of 18.",
                "From the age of 17 you can take most skills tests.",
                "Start learning Japanese now.",
            )
        },
        {},
        {
            "not_eligible": ("You can register now",),
            "ssw1_after_tests": ("You can register now", "find an employer"),
        },
    ),
    Case(
        "under_18_nurse",
        {"age": 16, "sector": "nurse"},
        {
            "not_eligible": "not_now",
            "nurse_licence": "after_steps",
            "nursing_care_alternative": "not_now",
        },
    ),
    Case(
        "seventeen_can_start",
        {"age": 17, "sector": "agriculture"},
        {"ssw1_after_tests": "after_steps", "ssw2": "after_steps"},
        {"ssw1_after_tests": {"18 or older on the day you enter Japan (you are 17)": "unknown"}},
        {
            "ssw1_after_tests": (
                "At 17 you can already take most skills tests, and the COE can be applied for",
                "You must be 18 on the day you enter Japan.",
                "announced this test for Pakistan",
                "Then find an employer in Japan",
            )
        },
    ),
    Case(
        "seventeen_with_every_test_still_waits_for_18",
        {"age": 17, "sector": "construction", "skills_test": "yes", "jp_tests": ["jlpt_n4"]},
        {"ssw1_after_tests": "after_steps", "ssw2": "after_steps"},
        {"ssw1_after_tests": {"18 or older on the day you enter Japan (you are 17)": "unknown"}},
        {"ssw1_after_tests": ("You must be 18 on the day you enter Japan.",)},
    ),
    Case(
        "over_sixty_meets_the_age_rule",
        {"age": 64, "sector": "building_cleaning", "skills_test": "yes", "jp_tests": ["jlpt_n4"]},
        {"ssw1_now": "meets", "ssw2": "after_steps"},
        {"ssw1_now": {"18 or older on the day you enter Japan (you are 64)": "met"}},
    ),
    Case(
        "from_2027_field",
        {"age": 25, "sector": "logistics_warehousing", "jp_tests": ["jlpt_n4"]},
        {"not_eligible": "not_now"},
        {"not_eligible": {"Logistics warehousing: hiring is expected from about 2027": "not_met"}},
        {"not_eligible": ("Japan added this field on 23 Jan 2026", "register your interest")},
        {},
        {"not_eligible": (STALE_NOTE[:10], STALE_RULE[:10])},
    ),
    # --- Unknown answers ------------------------------------------------------------------------
    Case(
        "nothing_known",
        {},
        {"ssw1_after_tests": "after_steps"},
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
        {"ssw1_after_tests": "after_steps", "ssw2": "after_steps"},
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
        {"ssw1_after_tests": "after_steps", "ssw2": "after_steps"},
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
    result = assess(case.answers, today=TODAY)
    assert [(r.id, r.status) for r in result.routes] == list(case.routes.items())


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_criteria(case: Case) -> None:
    result = assess(case.answers, today=TODAY)
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
    result = assess(case.answers, today=TODAY)
    for route_id, fragments in case.steps.items():
        route = result.route(route_id)
        assert route is not None
        text = _steps(route)
        for fragment in fragments:
            assert fragment in text, f"{route_id}: {fragment!r} not in\n{text}"
    for route_id, fragments in case.no_steps.items():
        route = result.route(route_id)
        assert route is not None
        text = _steps(route)
        assert [f for f in fragments if f in text] == [], f"{route_id}:\n{text}"


def test_every_route_is_covered() -> None:
    seen = {route_id for case in CASES for route_id in case.routes}
    assert seen == set(ROUTE_IDS)


@pytest.mark.parametrize(
    "sector_id", ["nursing_care", "auto_transport", "railway", "forestry", "wood_industry"]
)
def test_no_ssw2_route_where_the_field_has_none(sector_id: str) -> None:
    result = assess(
        {"age": 30, "sector": sector_id, "experience_years": 6, "ssw1_years": 4}, today=TODAY
    )
    assert "ssw2" not in result.route_ids
    steps = _steps(result.routes[0])
    assert "SSW (ii) is not available" in steps


@pytest.mark.parametrize(
    "sector_id", [s.id for s in catalogue.sectors() if s.status == "open" and s.ssw2_available]
)
def test_ssw2_route_where_the_field_has_it(sector_id: str) -> None:
    result = assess({"age": 30, "sector": sector_id}, today=TODAY)
    route = result.route("ssw2")
    assert route is not None
    has_n3 = N3 in _label(route)
    assert has_n3 is (sector_id in {"food_service", "fishery"})


@pytest.mark.parametrize("sector_id", [s.id for s in catalogue.sectors()])
def test_every_sector_assesses_and_cites_the_catalogue(sector_id: str) -> None:
    result = assess({"age": 25, "sector": sector_id}, today=TODAY)
    assert result.routes
    known = {s for _, f in catalogue.all_facts() for s in f.source}
    known |= {s for _, r in catalogue.all_rules() for s in r.source}
    for route in result.routes:
        assert route.sources, route.id
        assert set(route.sources) <= known
        assert route.criteria


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_round_trip(case: Case) -> None:
    result = assess(case.answers, today=TODAY)
    stored = json.loads(json.dumps(result.to_dict()))
    assert Assessment.from_dict(stored) == result


def _stored(
    route_id: str, status: str, criteria: tuple[str, ...] = (), steps: tuple[str, ...] = ()
) -> dict[str, object]:
    """A route as ``to_dict`` stores it; ``criteria`` are criterion statuses."""
    return {
        "id": route_id,
        "status": status,
        "params": {},
        "criteria": [
            {"label_msgid": f"c{i}", "status": c, "params": {}} for i, c in enumerate(criteria)
        ],
        "next_steps": [{"msgid": m, "params": {}} for m in steps],
        "sources": [],
    }


@pytest.mark.parametrize(
    "broken",
    [
        {"version": 3, "routes": []},
        {"version": True, "routes": []},
        {"version": 2, "routes": [{"id": "visa", "status": "meets"}]},
        {"version": 1, "routes": "x"},
        {"version": 2, "routes": [_stored("ssw2", "possible")]},  # a v1 status in v2
        {"version": 1, "routes": [_stored("ssw2", "meets")]},  # a v2 status in v1
        {
            "version": 2,
            "routes": [
                {
                    "id": "ssw2",
                    "status": "after_steps",
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
    result = assess(case.answers, today=TODAY)
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
    result = assess({"age": 25, "sector": "construction", "jp_tests": ["jlpt_n4"]}, today=TODAY)
    with using_language("ur"):
        text = render(result)
    assert all(line.startswith(RLM) for line in text.split("\n") if line)
    assert f"{FSI}25" in text


def test_assess_is_pure() -> None:
    answers = {"age": 25, "sector": "nursing_care", "jp_tests": ["jft_a2"]}
    before = json.dumps(answers, sort_keys=True)
    assert assess(answers, today=TODAY) == assess(answers, today=TODAY)
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
        assess(answers, today=TODAY)


def test_lenient_answer_forms() -> None:
    """Numbers typed as text and yes/no stored as booleans are read as the same answers."""
    assert assess(
        {"age": "25", "sector": "construction", "skills_test": True}, today=TODAY
    ) == assess({"age": 25, "sector": "construction", "skills_test": "yes"}, today=TODAY)


def _marked_msgids() -> list[str]:
    trees = [
        ast.parse(Path(module.__file__ or "").read_text(encoding="utf-8"))
        for module in (eligibility, rendering, review)
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


# ------------------------------------------------------------------------------------------------
# Verdicts say what they mean: "meets" only when every criterion is met; "not now" names what
# is not met; "after these steps" lists the steps.


def _check_verdict(route: Route) -> None:
    statuses = [c.status for c in route.criteria]
    if route.status == "meets":
        assert statuses and all(s == "met" for s in statuses), route.id
    elif route.status == "not_now":
        assert "not_met" in statuses, route.id
    else:
        assert route.status == "after_steps"
        assert any(s != "met" for s in statuses), route.id
        assert route.next_steps, route.id


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_verdicts_follow_the_criteria(case: Case) -> None:
    for route in assess(case.answers, today=TODAY).routes:
        _check_verdict(route)


SWEEP = list(
    itertools.product(
        [s.id for s in catalogue.sectors()],
        [15, 17, 30, 66],
        [None, [], ["jft_a2"], ["jft_a2_1"], ["jlpt_n3"], ["jft_a1", "care_japanese"]],
        ["yes", "no", None],
    )
)


def test_verdicts_follow_the_criteria_for_every_sector_and_many_answers() -> None:
    for sector_id, age, tests, answer in SWEEP:
        answers: dict[str, object] = {"sector": sector_id, "age": age}
        if tests is not None:
            answers["jp_tests"] = tests
        if answer is not None:
            answers.update(
                skills_test=answer,
                job_offer=answer,
                job_related=answer,
                job_pay=answer,
                degree="it_related" if answer == "yes" else "none",
                nursing_licence=answer,
            )
        for route in assess(answers, today=TODAY).routes:
            _check_verdict(route)


@pytest.mark.parametrize(
    "answers",
    [
        {"sector": "it_engineer", "degree": "it_related", "experience_years": 12},
        {"sector": "it_engineer", "degree": "it_related", "job_offer": "no"},
        {"sector": "it_engineer", "degree": "it_related", "job_offer": "yes"},
        {"sector": "it_engineer", "degree": "it_related", "job_offer": "yes", "job_pay": "yes"},
    ],
)
def test_the_it_visa_never_meets_without_an_offer_that_meets_every_rule(
    answers: dict[str, object],
) -> None:
    route = assess(answers, today=TODAY).route("it_visa")
    assert route is not None and route.status == "after_steps"
    assert NOT_SSW in _steps(route)


def test_under_17_is_never_told_to_register_now() -> None:
    for sector in catalogue.sectors():
        result = assess({"age": 16, "sector": sector.id}, today=TODAY)
        text = "\n".join(_steps(route) for route in result.routes)
        assert "register now" not in text and "register your interest" not in text, sector.id


def test_under_17_in_a_field_opening_later_is_told_from_when() -> None:
    result = assess({"age": 15, "sector": "linen_supply"}, today=TODAY)
    assert [(r.id, r.status) for r in result.routes] == [
        ("not_eligible", "not_now"),
        ("not_eligible", "not_now"),
    ]
    steps = _steps(result.routes[0])
    assert "You can register with OEC from the age of 17." in steps


# ------------------------------------------------------------------------------------------------
# Dates go stale: a fact past its review date is given with a hedge, never as current.


def _after(route: Route, fact_start: str) -> Step | None:
    """The step right after the fact that starts so."""
    steps = list(route.next_steps)
    index = next(i for i, s in enumerate(steps) if s.msgid.startswith(fact_start))
    return steps[index + 1] if index + 1 < len(steps) else None


def _hedged_after(route: Route, fact_start: str) -> bool:
    step = _after(route, fact_start)
    return step is not None and step.msgid == STALE_NOTE


@pytest.mark.parametrize(
    ("answers", "route_id", "fact_start", "url"),
    [
        (
            {"age": 22, "sector": "construction", "jp_tests": [], "skills_test": "yes"},
            "ssw1_after_tests",
            "JFT-Basic was held in Islamabad",
            "https://www.jpf.go.jp/jft-basic/e/",
        ),
        (
            {"age": 30, "sector": "agriculture", "skills_test": "no", "jp_tests": ["jlpt_n4"]},
            "ssw1_after_tests",
            "In 2025, Pakistan's embassy in Tokyo announced",
            "https://www.ssw.go.jp/",
        ),
        (
            {"age": 22, "sector": "food_service", "jp_tests": ["jft_a2_1"], "skills_test": "yes"},
            "ssw1_after_tests",
            "Employment for Skill Development is a different programme",
            "https://www.moj.go.jp/isa/",
        ),
        (
            {"age": 25, "sector": "resource_circulation"},
            "not_eligible",
            "Japan added this field on 23 Jan 2026",
            "https://www.moj.go.jp/isa/03_00169.html",
        ),
    ],
)
def test_a_fact_past_its_review_date_is_hedged(
    answers: dict[str, object], route_id: str, fact_start: str, url: str
) -> None:
    before = assess(answers, today=TODAY).route(route_id)
    after = assess(answers, today=LATER).route(route_id)
    assert before is not None and after is not None
    assert not _hedged_after(before, fact_start)
    assert STALE_NOTE not in [s.msgid for s in before.next_steps]
    assert _hedged_after(after, fact_start)
    hedge = _after(after, fact_start)
    assert hedge is not None and hedge.params == {"date": "2026-12-01", "url": url}
    with using_language("en"):
        text = render(Assessment((after,)))
    assert f"⚠️ This was the news on December 1, 2026. It may have changed. Check {url}" in text


def test_a_rule_hedge_is_not_repeated_after_the_same_news() -> None:
    route = assess({"age": 25, "sector": "linen_supply"}, today=LATER).routes[0]
    msgids = [s.msgid for s in route.next_steps]
    assert msgids.count(STALE_NOTE) == 1 and STALE_RULE not in msgids


def test_on_the_review_date_the_fact_is_still_current() -> None:
    answers = {"age": 22, "sector": "construction", "jp_tests": [], "skills_test": "yes"}
    on_the_day = assess(answers, today=date(2027, 3, 1)).routes[0]
    next_day = assess(answers, today=date(2027, 3, 2)).routes[0]
    assert STALE_NOTE not in [s.msgid for s in on_the_day.next_steps]
    assert STALE_NOTE in [s.msgid for s in next_day.next_steps]


# ------------------------------------------------------------------------------------------------
# Stored results: version 2, and version 1 (leads already store it) read and mapped.


@pytest.mark.parametrize(
    ("route_id", "v1_status", "criteria", "v2_status"),
    [
        ("ssw1_now", "eligible", ("met", "met"), "meets"),
        ("ssw1_now", "eligible", ("met", "unknown"), "after_steps"),
        ("it_visa", "eligible", ("met", "not_met"), "after_steps"),  # v1 never asked for an offer
        ("it_visa", "eligible", ("met",), "after_steps"),
        ("ssw1_after_tests", "possible", ("met", "not_met"), "after_steps"),
        ("not_eligible", "not_yet", ("not_met",), "not_now"),
        ("it_visa", "not_eligible", ("not_met", "not_met"), "not_now"),
    ],
)
def test_version_1_results_are_mapped(
    route_id: str, v1_status: str, criteria: tuple[str, ...], v2_status: str
) -> None:
    stored = {"version": 1, "routes": [_stored(route_id, v1_status, criteria)]}
    assert Assessment.from_dict(stored).routes[0].status == v2_status


def test_version_1_wrong_advice_to_under_17s_is_dropped() -> None:
    wrong = "You can register now. You can go to Japan from the age of {min_age}."
    steps = (wrong, "Start learning Japanese now.")
    stored = {"version": 1, "routes": [_stored("not_eligible", "not_yet", ("not_met",), steps)]}
    route = Assessment.from_dict(stored).routes[0]
    assert [s.msgid for s in route.next_steps] == ["Start learning Japanese now."]


def test_results_are_stored_as_version_2() -> None:
    stored = assess({"age": 25}, today=TODAY).to_dict()
    assert stored["version"] == 2
    assert {r["status"] for r in stored["routes"]} <= set(ROUTE_STATUSES)  # type: ignore[index]


# ------------------------------------------------------------------------------------------------
# The verdict words, where they stand.


def _lines(route: Route) -> list[str]:
    with using_language("en"):
        return render_route(route).split("\n")


def test_meets_reads_plainly_above_the_criteria() -> None:
    route = assess(
        {"age": 25, "sector": "construction", "skills_test": "yes", "jp_tests": ["jlpt_n4"]},
        today=TODAY,
    ).routes[0]
    lines = _lines(route)
    assert route.status == "meets" and lines[1] == "You meet the main requirements."
    assert lines.index(NEXT_STEPS) > 1


def test_after_steps_heads_the_steps_in_order() -> None:
    route = assess({"age": 25, "sector": "construction"}, today=TODAY).routes[0]
    lines = [line for line in _lines(route) if line]
    heading = lines.index("You can get there after these steps:")
    assert all(not line.startswith(("✅", "❌", "❔")) for line in lines[heading + 1 :])
    steps = [line for line in lines[heading + 1 :] if line[:1].isdigit()]
    assert [line.split(".")[0] for line in steps] == [str(n) for n in range(1, len(steps) + 1)]
    assert steps[-2].split(". ", 1)[1].startswith("Then find an employer in Japan")
    assert NEXT_STEPS not in lines


def test_not_now_gives_the_reasons_first() -> None:
    route = assess(
        {"age": 30, "sector": "construction", "skills_test": "yes", "ssw1_years": 5},
        today=TODAY,
    ).routes[0]
    lines = _lines(route)
    assert route.status == "not_now"
    assert lines[1] == "Not now, because:"
    assert lines[2] == "❌ Time on SSW (i) so far: 5 of at most 5 years"


def test_the_old_status_words_are_gone() -> None:
    assert set(STATUS_LINES) == set(ROUTE_STATUSES) == {"meets", "after_steps", "not_now"}
    assert "Possible. Some points are still open." not in STATUS_LINES.values()
