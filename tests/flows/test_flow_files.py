"""The flow files themselves: they load, their conditions name real answers and sectors, and
their buttons fit Telegram's limits."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bot.app import build_engine
from bot.engine.flows import load_flows
from bot.engine.model import Press, State, Text
from bot.ssw import catalogue


def _condition_keys(condition: Any) -> set[str]:
    keys: set[str] = set()
    if isinstance(condition, dict):
        for key, value in condition.items():
            if key in {"any"}:
                for sub in value:
                    keys |= _condition_keys(sub)
            elif key == "not":
                keys |= _condition_keys(value)
            else:
                keys.add(key)
    return keys


def test_every_flow_loads_and_every_button_fits() -> None:
    engine = build_engine()
    assert set(engine.flows) == {"menu", "registration", "eligibility", "sectors", "about"}
    for flow in engine.flows.values():
        for step in flow.steps:
            for option in engine._options(step, {"sector": "railway"}):
                assert len(f"t:{step.id}:{option.value}".encode()) <= 64, option


def test_conditions_refer_to_earlier_steps() -> None:
    for flow in load_flows().values():
        seen: set[str] = set()
        for step in flow.steps:
            assert _condition_keys(step.when) <= seen, (flow.id, step.id)
            seen.add(step.id)


def test_eligibility_asks_ssw_questions_exactly_for_open_ssw_fields() -> None:
    from bot.engine.conditions import matches

    flow = load_flows()["eligibility"]
    skills = flow.step("skills_test")
    for sector in catalogue.sectors():
        asked = matches(skills.when, {"sector": sector.id})
        assert asked == (sector.status == "open"), sector.id


def test_every_sector_with_job_types_gets_the_job_type_question() -> None:
    from bot.engine.conditions import matches

    step = load_flows()["eligibility"].step("sector_category")
    for sector in catalogue.sectors():
        assert matches(step.when, {"sector": sector.id}) == bool(sector.categories), sector.id


def test_registration_offers_the_16_fields_plus_it_and_healthcare() -> None:
    from bot.ssw.options import registration_sectors

    ids = [o.value for o in registration_sectors({})]
    assert len(ids) == 18
    assert "it_engineer" in ids and "nurse" in ids
    assert "linen_supply" not in ids


def test_a_number_in_a_flow_text_has_a_source() -> None:
    """Numbers in what the bot says (ages, digits, years) are facts: their step names a source.
    A lone 0 ("type 0 if you have none") and the example answers are not facts."""
    import re

    for flow in load_flows().values():
        for step in flow.steps:
            texts = [step.prompt, step.notice, step.older_notice]
            numbers = [n for text in texts for n in re.findall(r"\d+", text) if n != "0"]
            assert not numbers or step.source, (flow.id, step.id, numbers)
        assert not re.findall(r"\d+", flow.done + flow.declined), flow.id


# ------------------------------------------------------------------------------------------------
# Ages in registration: anyone from 17 (no upper age limit), a frank note from 60 on.

TODAY = date(2026, 11, 25)


def _birth_date_replies(born: str) -> tuple[str, str | None]:
    """Register up to the date of birth; the replies' text and the step asked next."""
    engine = build_engine(today=lambda: TODAY)
    state = engine.start(State(), "registration").state
    for action in (
        Press("a:consent:yes"),
        Text("Test Worker Age"),
        Text("42101-4817263-5"),
        Text("0300 1234567"),
    ):
        state = engine.handle(state, action).state
    assert state.step == "birth_date"
    outcome = engine.handle(state, Text(born))
    return "\n".join(r.text for r in outcome.replies), outcome.state.step


@pytest.mark.parametrize(
    ("born", "next_step", "says", "never"),
    [
        ("26/11/2009", "birth_date", "You must be at least 17 years old to register", "Note:"),
        (
            "25/11/2009",  # 17 today: can register, can take most tests, must be 18 on entry
            "gender",
            "You can register now, and you can already take most skills tests.",
            "upper age limit",
        ),
        ("15/03/1998", "gender", "What is your gender?", "Note:"),
        ("25/11/1967", "gender", "What is your gender?", "upper age limit"),  # 59
        ("25/11/1966", "gender", "SSW has no upper age limit in the rules we know", "must be"),
        ("01/01/1950", "gender", "Your health check must show that you can work steadily.", None),
        ("01/01/1930", "gender", "Ask OEC which openings fit you.", "Please check"),  # 96
        ("01/01/1896", "birth_date", "Please check the year: that date gives an age of 130.", None),
    ],
)
def test_registration_takes_anyone_from_17_and_refuses_only_impossible_ages(
    born: str, next_step: str, says: str, never: str | None
) -> None:
    text, step = _birth_date_replies(born)
    assert step == next_step
    assert says in text
    assert never is None or never not in text


def test_registration_ages_are_the_programme_rules() -> None:
    rules = load_flows()["registration"].step("birth_date").rules
    programme = catalogue.programme()
    assert rules["min_age"] == programme.coe_min_age
    assert rules["entry_age"] == programme.min_age_at_entry
    assert rules["max_age"] >= 100  # no upper age limit: only a check on the year typed


def test_the_eligibility_check_takes_any_real_age() -> None:
    assert load_flows()["eligibility"].step("age").rules["max"] >= 100


# ------------------------------------------------------------------------------------------------
# The IT visa's job offer is asked only for IT, and its terms only when there is an offer.


def test_job_offer_questions_are_asked_only_for_it() -> None:
    from bot.engine.conditions import matches

    flow = load_flows()["eligibility"]
    offer, related, pay = (flow.step(s) for s in ("job_offer", "job_related", "job_pay"))
    for sector in catalogue.sectors():
        assert matches(offer.when, {"sector": sector.id}) == bool(sector.job_offer_required)
    for step in (related, pay):
        assert matches(step.when, {"sector": "it_engineer", "job_offer": "yes"})
        assert not matches(step.when, {"sector": "it_engineer", "job_offer": "no"})
