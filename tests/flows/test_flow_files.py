"""The flow files themselves: they load, their conditions name real answers and sectors, and
their buttons fit Telegram's limits."""

from __future__ import annotations

from typing import Any

from bot.app import build_engine
from bot.engine.flows import load_flows
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
            texts = [step.prompt, step.notice]
            numbers = [n for text in texts for n in re.findall(r"\d+", text) if n != "0"]
            assert not numbers or step.source, (flow.id, step.id, numbers)
        assert not re.findall(r"\d+", flow.done + flow.declined), flow.id
