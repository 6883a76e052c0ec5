"""Back, edit and choices do what they say (real flows): Back shows the earlier answer and keeps
it, a second tap on an old Back is stale, a changed answer asks its dependents again (and an
unchanged one does not), a multiple choice opens with its ticks, "None yet" is exclusive."""

from __future__ import annotations

import pytest

from bot.engine.engine import Engine
from tests.engine.talk import Talk, real_engine


@pytest.fixture(scope="module")
def engine() -> Engine:
    return real_engine()


def registration_at(engine: Engine, step_id: str) -> Talk:
    talk = Talk(engine)
    talk.start("registration")
    while talk.step().id != step_id:
        talk.answer()
    return talk


def reviewed(engine: Engine) -> Talk:
    talk = registration_at(engine, "consent")
    while talk.state.mode == "ask":
        talk.answer()
    return talk


def test_back_shows_the_answer_and_keep_keeps_it(engine: Engine) -> None:
    talk = registration_at(engine, "gender")
    text = talk.back()
    assert "What is your date of birth?" in text
    assert "Now: March 15, 1998" in text  # as on the review screen
    assert "k:birth_date" in talk.buttons()
    assert "What is your gender?" in talk.tap("k:birth_date")
    assert talk.state.answers["registration"]["birth_date"] == "1998-03-15"


def test_after_back_the_worker_walks_forward_through_the_answers(engine: Engine) -> None:
    talk = registration_at(engine, "district")
    talk.back()
    talk.back()
    assert talk.step().id == "gender"
    assert "✓ Male" in talk.labels()  # the current option is marked
    talk.tap("a:gender:female")  # a change: the next answered question follows, not a jump
    assert talk.step().id == "province" and "Now: Punjab" in talk.text
    talk.tap("k:province")
    assert talk.step().id == "district" and "Now:" not in talk.text
    assert talk.state.answers["registration"]["gender"] == "female"


def test_a_second_tap_on_back_goes_back_one_step_only(engine: Engine) -> None:
    talk = registration_at(engine, "gender")
    stale_back = next(d for d in talk.buttons() if d.startswith("n:back:"))
    assert stale_back == "n:back:gender"
    talk.tap(stale_back)
    text = talk.tap(stale_back)  # the same button again, before it went away
    assert "That button belongs to an earlier question" in text
    assert talk.step().id == "birth_date"
    assert "That button belongs" in talk.tap("n:back")  # the old data, without a step


def test_back_on_the_review_goes_to_the_last_question(engine: Engine) -> None:
    talk = reviewed(engine)
    assert "n:back:@review" in talk.buttons()
    talk.tap("n:back:@review")
    assert talk.step().id == "japan_history" and "Now: No, never" in talk.text
    assert "Please check your answers" in talk.tap("k:japan_history")


def test_a_changed_province_asks_the_district_again(engine: Engine) -> None:
    talk = reviewed(engine)
    talk.tap("r:e:province")
    assert "Step" not in talk.text  # a change from the review: no counter
    text = talk.tap("a:province:sindh")
    assert "Which district or city do you live in?" in text and "Now:" not in text
    assert "Please check your answers" in talk.say("Karachi")  # then back to the review
    assert "• District or city: Karachi" in talk.text


def test_the_same_province_keeps_the_district(engine: Engine) -> None:
    talk = reviewed(engine)
    talk.tap("r:e:province")
    assert "Please check your answers" in talk.tap("a:province:punjab")
    assert talk.state.answers["registration"]["district"] == "Lahore"
    talk.tap("r:e:province")
    assert "Please check your answers" in talk.tap("k:province")
    assert talk.state.answers["registration"]["district"] == "Lahore"


def test_back_from_a_change_returns_to_the_review_unchanged(engine: Engine) -> None:
    talk = reviewed(engine)
    talk.tap("r:e:full_name")
    assert "Please check your answers" in talk.back()
    assert talk.state.answers["registration"]["full_name"] == "Test Worker"


def test_a_new_province_by_back_asks_the_district_again(engine: Engine) -> None:
    talk = registration_at(engine, "education")
    talk.back()
    talk.back()
    talk.tap("a:province:kp")
    assert talk.step().id == "district" and "Now:" not in talk.text
    assert "district" not in talk.state.answers["registration"]


def eligibility_taxi(engine: Engine) -> Talk:
    talk = Talk(engine)
    talk.start("eligibility")
    picks = {"sector": "auto_transport", "sector_category": "taxi", "jp_tests": "jlpt_n4"}
    while talk.step().id != "titp":
        talk.answer(picks.get(talk.step().id))
    while talk.step().id != "sector":
        talk.back()
    return talk


def test_a_new_sector_asks_the_job_type_again(engine: Engine) -> None:
    talk = eligibility_taxi(engine)
    talk.tap("a:sector:railway")  # taxi is not a railway job
    assert talk.step().id == "sector_category"
    assert "Now:" not in talk.text and "a:sector_category:taxi" not in talk.buttons()
    talk.answer()
    assert talk.step().id == "jp_tests" and "Now: JLPT N4" in talk.text  # tests stay
    assert "☑️ JLPT N4" in talk.labels()
    talk.tap("d:jp_tests")
    assert talk.step().id == "skills_test" and "Now:" not in talk.text  # "for this field"


def test_a_sector_without_job_types_and_back_asks_it_again(engine: Engine) -> None:
    talk = eligibility_taxi(engine)
    talk.tap("a:sector:construction")
    assert "sector_category" not in talk.state.answers["eligibility"]
    assert "japan_licence" not in talk.state.answers["eligibility"]
    talk.back()
    talk.tap("a:sector:auto_transport")
    assert talk.step().id == "sector_category" and "Now:" not in talk.text


def test_the_same_sector_keeps_every_answer(engine: Engine) -> None:
    talk = eligibility_taxi(engine)
    before = dict(talk.state.answers["eligibility"])
    talk.tap("a:sector:auto_transport")
    assert talk.state.answers["eligibility"] == before
    assert talk.step().id == "sector_category" and "Now: Taxi" in talk.text


def test_editing_a_multiple_choice_starts_with_its_ticks(engine: Engine) -> None:
    talk = registration_at(engine, "jp_tests")
    talk.tap("t:jp_tests:jlpt_n5")
    talk.tap("t:jp_tests:jlpt_n4")
    talk.tap("d:jp_tests")
    while talk.state.mode == "ask":
        talk.answer()
    talk.tap("r:e:jp_tests")
    labels = talk.labels()
    assert "☑️ JLPT N5" in labels and "☑️ JLPT N4" in labels and "▫️ JLPT N3" in labels
    assert "Now: JLPT N5, JLPT N4" in talk.text
    assert "Please check your answers" in talk.tap("d:jp_tests")  # Done keeps them
    assert talk.state.answers["registration"]["jp_tests"] == ["jlpt_n5", "jlpt_n4"]


@pytest.mark.parametrize("flow_id", ["registration", "eligibility"])
def test_none_yet_clears_the_other_tests_and_is_cleared_by_them(
    engine: Engine, flow_id: str
) -> None:
    talk = Talk(engine)
    talk.start(flow_id)
    while talk.step().id != "jp_tests":
        talk.answer()
    talk.tap("t:jp_tests:jlpt_n5")
    talk.tap("t:jp_tests:jlpt_n4")
    talk.tap("t:jp_tests:none")
    assert talk.state.picks == ["none"]
    assert "☑️ None yet" in talk.labels() and "▫️ JLPT N5" in talk.labels()
    talk.tap("t:jp_tests:jlpt_n3")
    assert talk.state.picks == ["jlpt_n3"]
    talk.say("1")  # typing the option's number toggles it the same way
    assert talk.state.picks == ["none"]


def test_a_typed_number_picks_from_the_whole_list_on_any_page(engine: Engine) -> None:
    talk = Talk(engine)
    talk.start("eligibility")
    talk.answer()
    buttons = [b for r in talk.replies for row in r.buttons for b in row]
    assert [b.number for b in buttons if b.data.startswith("a:")] == list(range(1, 9))
    talk.tap("p:sector:1")
    buttons = [b for r in talk.replies for row in r.buttons for b in row]
    assert [b.number for b in buttons if b.data.startswith("a:")] == list(range(9, 17))
    assert [b.label for b in buttons if b.indicator] == ["2/3"]
    talk.say("#9")  # as the terminal shows it; "9" does the same
    assert talk.state.answers["eligibility"]["sector"] == "auto_transport"


def test_back_tapped_while_asked_to_confirm_stopping_is_stale(engine: Engine) -> None:
    talk = registration_at(engine, "gender")
    talk.tap("n:cancel")
    assert "Stop now?" in talk.tap("n:back:gender")
    assert "That button belongs to an earlier question" in talk.text
    assert talk.state.mode == "confirm_cancel" and talk.step().id == "gender"


def test_a_sector_handed_over_by_the_catalogue_voids_what_depends_on_it(engine: Engine) -> None:
    talk = Talk(engine)
    talk.start("eligibility")
    picks = {"sector": "construction", "jp_tests": "jlpt_n4", "skills_test": "yes"}
    while talk.step().id != "titp":
        talk.answer(picks.get(talk.step().id))
    while talk.state.flow is not None:  # back to the menu: the answers are kept
        talk.back()
    talk.start("sectors")
    talk.tap("a:sector:agriculture")
    talk.tap("a:detail:check")
    given = talk.state.answers["eligibility"]
    assert given["sector"] == "agriculture" and given["jp_tests"] == ["jlpt_n4"]
    assert "skills_test" not in given and talk.step().id == "skills_test"
