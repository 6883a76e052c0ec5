"""Each thing asked once: answers of an eligibility check done just before are carried into the
registration (real flows), not asked again, shown on the review screen and changeable there."""

from __future__ import annotations

from typing import Any

import pytest

from bot.engine.engine import Engine
from tests.engine.talk import Talk, real_engine

CONSTRUCTION_TITP = {
    "sector": "construction",
    "jp_tests": "jlpt_n4",
    "skills_test": "yes",
    "titp": "completed",
    "titp_field": "construction",
    "ssw1": "no",
}


@pytest.fixture(scope="module")
def engine() -> Engine:
    return real_engine()


def checked(engine: Engine, picks: dict[str, str], talk: Talk | None = None) -> Talk:
    """A worker who did the eligibility check with these answers."""
    talk = talk or Talk(engine)
    talk.start("eligibility")
    talk.answer_all(lambda step: picks.get(step.id))
    assert talk.events[-1].kind == "completed"
    return talk


def register(talk: Talk) -> list[str]:
    """Answer the registration up to the review; returns the ids of the questions asked."""
    asked = []
    while talk.state.mode == "ask":
        asked.append(talk.step().id)
        talk.answer()
    assert talk.state.mode == "review"
    return asked


def test_eligibility_answers_are_not_asked_again_and_show_on_the_review(engine: Engine) -> None:
    talk = checked(engine, CONSTRUCTION_TITP)
    assert "Step 5 of 17" in talk.start("registration")  # 4 answers carried: counted as done
    asked = register(talk)
    assert not {"sectors", "jp_tests", "japan_history", "titp_field"} & set(asked)
    assert asked[-3:] == ["japanese_level", "skills_test", "passport"]
    review, edits = talk.review()
    assert "• Work you want: Construction" in review
    assert "• Japanese tests passed: JLPT N4" in review
    assert "• Earlier time in Japan: Technical Intern Training, completed" in review
    assert "• Technical Intern Training field: Construction" in review
    assert {"r:e:sectors", "r:e:jp_tests", "r:e:japan_history", "r:e:titp_field"} <= set(edits)
    talk.tap("r:ok")
    submitted = talk.events[-1].answers
    assert submitted is not None
    assert submitted["sectors"] == ["construction"]
    assert submitted["jp_tests"] == ["jlpt_n4"]
    assert submitted["japan_history"] == "titp_completed"
    assert submitted["titp_field"] == "construction"


def test_a_carried_answer_can_be_changed_on_the_review(engine: Engine) -> None:
    talk = checked(engine, CONSTRUCTION_TITP)
    talk.start("registration")
    register(talk)
    text = talk.tap("r:e:sectors")
    assert "Now: Construction" in text
    assert "☑️ Construction" in talk.labels()  # the carried pick is ticked
    talk.tap("t:sectors:agriculture")
    assert "Please check your answers" in talk.tap("d:sectors")
    assert "• Work you want: Construction, Agriculture" in talk.review()[0]
    assert "sectors" not in talk.state.carried["registration"]  # the worker's answer now
    talk.tap("r:e:japan_history")
    talk.tap("a:japan_history:never")  # the TITP field no longer applies
    assert "Technical Intern Training field" not in talk.review()[0]
    talk.tap("r:ok")
    submitted = talk.events[-1].answers
    assert submitted is not None and "titp_field" not in submitted
    assert submitted["sectors"] == ["construction", "agriculture"]


def test_no_technical_intern_training_says_nothing_about_other_visits(engine: Engine) -> None:
    talk = checked(engine, {**CONSTRUCTION_TITP, "titp": "none"})
    talk.start("registration")
    asked = register(talk)
    assert "japan_history" in asked and "titp_field" not in asked
    assert "sectors" not in asked and "jp_tests" not in asked


def test_training_not_completed_is_carried_and_its_field_asked(engine: Engine) -> None:
    talk = checked(engine, {**CONSTRUCTION_TITP, "titp": "incomplete"})
    talk.start("registration")
    asked = register(talk)
    assert "japan_history" not in asked and asked[-1] == "titp_field"  # eligibility had not
    assert talk.state.answers["registration"]["japan_history"] == "titp_left"


@pytest.mark.parametrize(
    ("picks", "asked_again"),
    [
        ({"sector": "it_engineer"}, {"jp_tests", "japan_history"}),  # no tests asked for IT
        ({"sector": "linen_supply"}, {"sectors", "japan_history"}),  # not a registration field
    ],
)
def test_only_answers_the_registration_can_take_are_carried(
    engine: Engine, picks: dict[str, str], asked_again: set[str]
) -> None:
    talk = checked(engine, picks)
    talk.start("registration")
    asked = set(register(talk))
    assert asked_again <= asked
    carried = set(talk.state.carried["registration"])
    assert not carried & asked


def test_carry_over_fills_only_what_the_worker_has_not_answered(engine: Engine) -> None:
    talk = Talk(engine)
    talk.start("registration")
    for _ in range(10):  # consent ... experience, then sectors
        talk.answer()
    assert talk.step().id == "sectors"
    talk.answer("nursing_care")
    while talk.state.flow is not None:  # back to the menu; the answers are kept
        talk.back()
    checked(engine, CONSTRUCTION_TITP, talk)
    talk.start("registration")
    given = talk.state.answers["registration"]
    assert given["sectors"] == ["nursing_care"]  # the worker's own answer stays
    assert given["jp_tests"] == ["jlpt_n4"]  # what was still open is filled
    assert talk.step().id == "japanese_level"


def test_only_flows_something_carries_from_are_remembered(engine: Engine) -> None:
    talk = checked(engine, CONSTRUCTION_TITP)
    talk.start("registration")
    register(talk)
    talk.tap("r:ok")
    assert set(talk.state.completed) == {"eligibility"}  # no CNIC or name kept in the state
    assert "registration" not in talk.state.answers


def test_a_sector_handed_over_by_the_catalogue_counts_as_done(engine: Engine) -> None:
    talk = Talk(engine)
    talk.start("sectors")
    talk.tap("a:sector:agriculture")
    assert "Step 2 of 16" in talk.tap("a:detail:register")
    asked = register(talk)
    assert "sectors" not in asked
    assert talk.state.answers["registration"]["sectors"] == ["agriculture"]


def _carried_answers(talk: Talk) -> dict[str, Any]:
    given = talk.state.answers["registration"]
    return {k: given[k] for k in talk.state.carried["registration"]}


def test_a_new_check_before_registering_carries_its_own_answers(engine: Engine) -> None:
    talk = checked(engine, CONSTRUCTION_TITP)
    checked(engine, {**CONSTRUCTION_TITP, "sector": "agriculture", "jp_tests": "jlpt_n3"}, talk)
    talk.start("registration")
    assert _carried_answers(talk)["sectors"] == ["agriculture"]
    assert _carried_answers(talk)["jp_tests"] == ["jlpt_n3"]
