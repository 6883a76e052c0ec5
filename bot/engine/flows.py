"""Flow documents: the YAML files in ``flows/`` loaded into plain, frozen objects.

A flow is an ordered list of steps. A step has a kind (how its answer is read and checked), a
prompt, options when it offers buttons, and an optional ``when`` condition on earlier answers.
Every text field holds an English msgid; it is translated when shown.

Answers can travel between flows: an option's ``prefill`` hands answers to the flow it starts,
and a flow's ``carry_over`` takes answers from another flow the user completed earlier. Both
use the same spec (``Carry``)::

    sectors: [sector]               # the answer to ``sector``, as a one-item list
    jp_tests: jp_tests              # the answer as it is
    japan_history: {from: titp, map: {completed: titp_completed}}  # mapped; others not carried
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
class Carry:
    """One answer handed from one flow to another: ``target`` (a step of the receiving flow)
    gets the answer to ``source``, as a one-item list (``as_list``) or through a value map
    (``values``: an answer missing from the map is not carried)."""

    target: str
    source: str
    as_list: bool = False
    values: Mapping[str, str] | None = None

    def value(self, answers: Mapping[str, Any]) -> Any:
        """The value to hand over, or None when there is nothing to carry."""
        answer = answers.get(self.source)
        if answer is None:
            return None
        if self.values is not None:
            return self.values.get(str(answer))
        return [answer] if self.as_list else answer


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    start: str | None = None  # the flow this option starts (menus, info screens)
    action: str | None = None  # menu options: a built-in action (language, privacy, ...)
    prefill: tuple[Carry, ...] = ()  # answers handed to the started flow
    back_to: str | None = None  # info screens: clear answers from this step on, ask it again
    show: str | None = None  # info screens: show this named text instead (details, sources)
    exclusive: bool = False  # multiple choice: picking it clears the others, and the reverse


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
    older_notice: str = ""  # date: a note for people of older_age or more
    review: bool = True  # shown (and editable) on the review screen
    stop_on: str | None = None  # this answer ends the flow (a consent declined)
    text_from: str | None = None  # info steps: a named text source renders the screen
    page_size: int | None = None  # choice steps: buttons per page (long lists)
    source: tuple[str, ...] = ()  # where the facts in this step's texts and rules come from
    # earlier steps whose change makes this answer void: it is asked again (the steps named in
    # ``when`` count too, when the change stops this step from applying)
    depends_on: tuple[str, ...] = ()


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
    confirm_cancel: bool = True  # browsing flows leave at once: nothing to lose
    done_buttons: tuple[Option, ...] = ()  # buttons under the done message (menu entries)
    # answers taken from flows the user completed before, by flow id: asked no more, shown on
    # the review screen where they can be changed
    carry_over: Mapping[str, tuple[Carry, ...]] = field(default_factory=dict)

    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(f"flow {self.id!r} has no step {step_id!r}")

    def has_step(self, step_id: str) -> bool:
        return any(step.id == step_id for step in self.steps)


class FlowError(ValueError):
    """A flow file that cannot be run: the message names the file and the step."""


_CARRY_KEYS = {"from", "map"}


def _carry(target: str, raw: Any, where: str) -> Carry:
    if isinstance(raw, str):
        return Carry(target, raw)
    if isinstance(raw, Sequence) and len(raw) == 1 and isinstance(raw[0], str):
        return Carry(target, raw[0], as_list=True)
    if isinstance(raw, Mapping) and isinstance(raw.get("from"), str) and set(raw) <= _CARRY_KEYS:
        values = raw.get("map")
        if values is not None and not isinstance(values, Mapping):
            raise FlowError(f"{where}: {target}: map must be a mapping of answer values")
        return Carry(
            target,
            raw["from"],
            values=None if values is None else {str(k): str(v) for k, v in values.items()},
        )
    raise FlowError(f"{where}: {target}: give a step id, [step id] or {{from: step id, map: ...}}")


def parse_carries(raw: Any, where: str) -> tuple[Carry, ...]:
    """A prefill or carry-over spec: {target step: source} (see the module docstring)."""
    if not isinstance(raw, Mapping):
        raise FlowError(f"{where}: expected a mapping of target steps to source steps")
    return tuple(_carry(str(target), source, where) for target, source in raw.items())


def _option(raw: Mapping[str, Any], where: str) -> Option:
    if "value" not in raw or "label" not in raw:
        raise FlowError(f"{where}: every option needs a value and a label")
    return Option(
        value=str(raw["value"]),
        label=str(raw["label"]),
        start=raw.get("start"),
        action=raw.get("action"),
        prefill=parse_carries(raw["prefill"], where) if raw.get("prefill") else (),
        back_to=raw.get("back_to"),
        show=raw.get("show"),
        exclusive=bool(raw.get("exclusive", False)),
    )


def _names(raw: Any) -> tuple[str, ...]:
    """One step id or a list of them."""
    if raw is None:
        return ()
    return (str(raw),) if isinstance(raw, str) else tuple(str(x) for x in raw)


RULE_KEYS = (
    "min",
    "max",
    "min_age",
    "max_age",
    "entry_age",
    "older_age",
    "min_length",
    "max_length",
    "min_picks",
)  # checked by the step kind's validator
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
    "older_notice",
    "review",
    "stop_on",
    "text_from",
    "page_size",
    "source",
    "depends_on",
    *RULE_KEYS,
}


def _step(raw: Mapping[str, Any], where: str) -> Step:
    unknown = set(raw) - _STEP_KEYS
    if unknown:
        raise FlowError(f"{where}: unknown keys {sorted(unknown)}")
    kind = raw.get("kind")
    if kind not in STEP_KINDS:
        raise FlowError(f"{where}: kind must be one of {sorted(STEP_KINDS)}, not {kind!r}")
    if not raw.get("id") or not (raw.get("prompt") or raw.get("text_from")):
        raise FlowError(f"{where}: a step needs an id and a prompt (or text_from)")
    options = tuple(_option(o, f"{where} option {i}") for i, o in enumerate(raw.get("options", ())))
    if kind == "yes_no" and not options:
        options = (Option("yes", "Yes"), Option("no", "No"))
    if kind in {"choice", "multi_choice", "menu"} and not options and not raw.get("options_from"):
        raise FlowError(f"{where}: a {kind} step needs options or options_from")
    if kind != "multi_choice" and any(o.exclusive for o in options):
        raise FlowError(f"{where}: only a multi_choice option can be exclusive")
    rules = {k: raw[k] for k in RULE_KEYS if k in raw}
    return Step(
        id=str(raw["id"]),
        kind=kind,
        prompt=str(raw.get("prompt", "")).strip(),
        label=str(raw.get("label", "")),
        options=options,
        options_from=raw.get("options_from"),
        when=raw.get("when"),
        rules=rules,
        example=str(raw.get("example", "")),
        error=str(raw.get("error", "")),
        notice=str(raw.get("notice", "")).strip(),
        older_notice=str(raw.get("older_notice", "")).strip(),
        review=bool(raw.get("review", True)),
        stop_on=None if raw.get("stop_on") is None else str(raw["stop_on"]),
        text_from=raw.get("text_from"),
        page_size=raw.get("page_size"),
        source=tuple(str(x) for x in raw.get("source", ())),
        depends_on=_names(raw.get("depends_on")),
    )


def _check_references(steps: Sequence[Step], source: str) -> None:
    """``depends_on`` names earlier steps; an option's prefill reads this flow's steps."""
    seen: set[str] = set()
    ids = {s.id for s in steps}
    for step in steps:
        where = f"{source} step {step.id}"
        for name in step.depends_on:
            if name not in seen:
                raise FlowError(f"{where}: depends_on {name!r}: not an earlier step")
        for option in step.options:
            for carry in option.prefill:
                if carry.source not in ids:
                    raise FlowError(f"{where}: no step {carry.source!r} to prefill from")
        seen.add(step.id)


def parse_flow(raw: Mapping[str, Any], source: str) -> Flow:
    if not isinstance(raw, Mapping) or "id" not in raw or "steps" not in raw:
        raise FlowError(f"{source}: a flow needs an id and steps")
    steps = tuple(_step(s, f"{source} step {i + 1}") for i, s in enumerate(raw["steps"]))
    ids = [s.id for s in steps]
    if len(set(ids)) != len(ids):
        raise FlowError(f"{source}: step ids must be unique")
    _check_references(steps, source)
    carry_over = {
        str(flow_id): parse_carries(spec, f"{source} carry_over {flow_id}")
        for flow_id, spec in (raw.get("carry_over") or {}).items()
    }
    for carries in carry_over.values():
        for carry in carries:
            if carry.target not in ids:
                raise FlowError(f"{source}: carry_over to unknown step {carry.target!r}")
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
        confirm_cancel=bool(raw.get("confirm_cancel", True)),
        done_buttons=tuple(
            _option(o, f"{source} done_buttons {i}")
            for i, o in enumerate(raw.get("done_buttons", ()))
        ),
        carry_over=carry_over,
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
