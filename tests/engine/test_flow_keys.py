"""The flow keys behind carry-over, dependencies and exclusive options: what they mean, and the
mistakes in them that are refused when the flows load."""

from __future__ import annotations

from typing import Any

import pytest

from bot.engine.engine import Engine
from bot.engine.flows import Carry, FlowError, parse_carries, parse_flow

MENU = {
    "id": "menu",
    "steps": [
        {"id": "main", "kind": "menu", "prompt": "Menu", "options": [{"value": "a", "label": "A"}]}
    ],
}


def flow(steps: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"id": "form", "steps": steps, **extra}


CHOICE = {
    "id": "japan",
    "kind": "choice",
    "prompt": "Japan?",
    "options": [{"value": "never", "label": "Never"}, {"value": "titp", "label": "TITP"}],
}


def test_a_carry_copies_lists_or_maps_an_answer() -> None:
    copy, listed, mapped = parse_carries(
        {"a": "x", "b": ["x"], "c": {"from": "t", "map": {"done": "titp"}}}, "here"
    )
    answers = {"x": "care", "t": "done"}
    assert (copy.value(answers), listed.value(answers), mapped.value(answers)) == (
        "care",
        ["care"],
        "titp",
    )
    assert mapped.value({"t": "none"}) is None  # not in the map: nothing is carried
    assert Carry("a", "missing").value(answers) is None


@pytest.mark.parametrize(
    "spec", [{"a": 3}, {"a": ["x", "y"]}, {"a": {"map": {}}}, {"a": {"from": "x", "to": "y"}}]
)
def test_a_carry_that_cannot_be_read_is_refused(spec: dict[str, Any]) -> None:
    with pytest.raises(FlowError):
        parse_carries(spec, "here")


def test_exclusive_is_only_for_a_multiple_choice() -> None:
    options = [{"value": "never", "label": "Never", "exclusive": True}]
    with pytest.raises(FlowError, match="exclusive"):
        parse_flow(flow([{**CHOICE, "options": options}]), "test")
    multi = parse_flow(flow([{**CHOICE, "kind": "multi_choice", "options": options}]), "test")
    assert multi.steps[0].options[0].exclusive


def test_depends_on_names_an_earlier_step() -> None:
    later = {"id": "place", "kind": "place", "prompt": "Where?", "depends_on": "japan"}
    assert parse_flow(flow([CHOICE, later]), "test").step("place").depends_on == ("japan",)
    with pytest.raises(FlowError, match="depends_on"):
        parse_flow(flow([later, CHOICE]), "test")


def test_carry_over_goes_to_steps_of_the_flow() -> None:
    spec = {"other": {"nowhere": "japan"}}
    with pytest.raises(FlowError, match="nowhere"):
        parse_flow(flow([CHOICE], carry_over=spec), "test")


def test_the_engine_refuses_carry_over_from_unknown_flows_steps_or_values() -> None:
    menu = parse_flow(MENU, "menu")
    source = parse_flow({**flow([CHOICE]), "id": "source"}, "source")

    def engine(carry_over: dict[str, Any]) -> Engine:
        target = parse_flow(flow([CHOICE], carry_over=carry_over), "form")
        return Engine({"menu": menu, "source": source, "form": target})

    assert engine({"source": {"japan": "japan"}}).kept == {"source"}
    with pytest.raises(ValueError, match="unknown flow"):
        engine({"elsewhere": {"japan": "japan"}})
    with pytest.raises(ValueError, match="unknown step"):
        engine({"source": {"japan": "missing"}})
    with pytest.raises(ValueError, match="cannot take"):
        engine({"source": {"japan": {"from": "japan", "map": {"titp": "abroad"}}}})
