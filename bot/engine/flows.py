"""Flow documents: the YAML files in ``flows/`` loaded into plain, frozen objects.

A flow is an ordered list of steps. A step has a kind (how its answer is read and checked), a
prompt, options when it offers buttons, and an optional ``when`` condition on earlier answers.
Every text field holds an English msgid; it is translated when shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

FLOWS_DIR = Path(__file__).resolve().parent.parent.parent / "flows"

STEP_KINDS = frozenset(
    {
        "choice",
        "multi_choice",
        "yes_no",
        "text",
        "name",
        "place",
        "number",
        "date",
        "pk_mobile",
        "cnic",
        "menu",
        "info",
    }
)
# Kinds whose answer is typed rather than tapped.
TYPED_KINDS = frozenset({"text", "name", "place", "number", "date", "pk_mobile", "cnic"})
CALLBACK_LIMIT = 64  # bytes of callback_data Telegram allows per button


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    start: str | None = None  # menu options: the flow to start
    action: str | None = None  # menu options: a built-in action (language, privacy, ...)


@dataclass(frozen=True)
class Step:
    id: str
    kind: str
    prompt: str
    label: str = ""  # short name on the review screen
    options: tuple[Option, ...] = ()
    options_from: str | None = None  # a named list of options from the catalogue
    when: Mapping[str, Any] | None = None
    rules: Mapping[str, Any] = field(default_factory=dict)  # min/max/min_age ...
    example: str = ""
    error: str = ""  # overrides the kind's own error message
    notice: str = ""  # kind-specific extra message (date: under the entry age)
    review: bool = True  # shown (and editable) on the review screen
    stop_on: str | None = None  # this answer ends the flow (a consent declined)


@dataclass(frozen=True)
class Flow:
    id: str
    title: str
    steps: tuple[Step, ...]
    review: bool = False  # a review screen before completing
    numbered: bool = True  # "Step 3 of 9" on each question
    on_complete: str | None = None  # what the service does with the answers
    done: str = ""  # message after completing; may use {reference}
    declined: str = ""  # message when a consent step is answered "no"

    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(f"flow {self.id!r} has no step {step_id!r}")

    def has_step(self, step_id: str) -> bool:
        return any(step.id == step_id for step in self.steps)


class FlowError(ValueError):
    """A flow file that cannot be run: the message names the file and the step."""


def _option(raw: Mapping[str, Any], where: str) -> Option:
    if "value" not in raw or "label" not in raw:
        raise FlowError(f"{where}: every option needs a value and a label")
    return Option(
        value=str(raw["value"]),
        label=str(raw["label"]),
        start=raw.get("start"),
        action=raw.get("action"),
    )


_STEP_KEYS = {
    "id",
    "kind",
    "prompt",
    "label",
    "options",
    "options_from",
    "when",
    "example",
    "error",
    "notice",
    "review",
    "min",
    "max",
    "min_age",
    "max_age",
    "entry_age",
    "min_length",
    "max_length",
    "min_picks",
    "stop_on",
}


def _step(raw: Mapping[str, Any], where: str) -> Step:
    unknown = set(raw) - _STEP_KEYS
    if unknown:
        raise FlowError(f"{where}: unknown keys {sorted(unknown)}")
    kind = raw.get("kind")
    if kind not in STEP_KINDS:
        raise FlowError(f"{where}: kind must be one of {sorted(STEP_KINDS)}, not {kind!r}")
    if not raw.get("id") or not raw.get("prompt"):
        raise FlowError(f"{where}: a step needs an id and a prompt")
    options = tuple(_option(o, f"{where} option {i}") for i, o in enumerate(raw.get("options", ())))
    if kind == "yes_no" and not options:
        options = (Option("yes", "Yes"), Option("no", "No"))
    if kind in {"choice", "multi_choice", "menu"} and not options and not raw.get("options_from"):
        raise FlowError(f"{where}: a {kind} step needs options or options_from")
    rules = {
        k: raw[k]
        for k in (
            "min",
            "max",
            "min_age",
            "max_age",
            "entry_age",
            "min_length",
            "max_length",
            "min_picks",
        )
        if k in raw
    }
    return Step(
        id=str(raw["id"]),
        kind=kind,
        prompt=str(raw["prompt"]).strip(),
        label=str(raw.get("label", "")),
        options=options,
        options_from=raw.get("options_from"),
        when=raw.get("when"),
        rules=rules,
        example=str(raw.get("example", "")),
        error=str(raw.get("error", "")),
        notice=str(raw.get("notice", "")).strip(),
        review=bool(raw.get("review", True)),
        stop_on=None if raw.get("stop_on") is None else str(raw["stop_on"]),
    )


def parse_flow(raw: Mapping[str, Any], source: str) -> Flow:
    if not isinstance(raw, Mapping) or "id" not in raw or "steps" not in raw:
        raise FlowError(f"{source}: a flow needs an id and steps")
    steps = tuple(_step(s, f"{source} step {i + 1}") for i, s in enumerate(raw["steps"]))
    ids = [s.id for s in steps]
    if len(set(ids)) != len(ids):
        raise FlowError(f"{source}: step ids must be unique")
    for step in steps:
        for option in step.options:
            longest = f"a:{step.id}:{option.value}"
            if len(longest.encode()) > CALLBACK_LIMIT - 4:
                raise FlowError(
                    f"{source} step {step.id}: option {option.value!r} is too long "
                    "for a Telegram button"
                )
    return Flow(
        id=str(raw["id"]),
        title=str(raw.get("title", "")),
        steps=steps,
        review=bool(raw.get("review", False)),
        numbered=bool(raw.get("numbered", True)),
        on_complete=raw.get("on_complete"),
        done=str(raw.get("done", "")).strip(),
        declined=str(raw.get("declined", "")).strip(),
    )


def read_flow_file(path: Path) -> Flow:
    with path.open(encoding="utf-8") as handle:
        return parse_flow(yaml.safe_load(handle), path.name)


@cache
def load_flows(directory: Path = FLOWS_DIR) -> Mapping[str, Flow]:
    """Every ``*.flow.yaml`` file in the directory, by flow id."""
    flows: dict[str, Flow] = {}
    for path in sorted(directory.glob("*.flow.yaml")):
        flow = read_flow_file(path)
        if flow.id in flows:
            raise FlowError(f"{path.name}: flow id {flow.id!r} is used twice")
        flows[flow.id] = flow
    return flows
