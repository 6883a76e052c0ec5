"""The flow engine: (state, what the user did) → (new state, replies, events). No I/O.

One engine runs every flow. It asks the first step whose ``when`` holds and that has no answer
yet, checks each answer by its kind's rule, offers Back and Cancel, shows a review screen when
the flow asks for one, and reports what happened as events (started, step reached, completed,
dropped) for the service layer to store. Texts are translated into the current language
(``bot.i18n``) as replies are built.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.engine import validators
from bot.engine.conditions import matches
from bot.engine.flows import TYPED_KINDS, Flow, Option, Step
from bot.i18n import (
    LANGUAGE_NAMES,
    LANGUAGES,
    N_,
    current_language,
    format_date,
    gettext,
    is_rtl,
    isolate,
    paragraph,
)

MAX_TRIES_BEFORE_HELP = 3
MAX_TEXT = 1000  # longer messages are refused before any rule runs
OEC_CONTACT = "https://oec.gov.pk"

# ---------------------------------------------------------------------------------------------
# What goes in and out


@dataclass(frozen=True)
class Text:
    """The user typed something."""

    text: str


@dataclass(frozen=True)
class Press:
    """The user tapped a button (its callback data)."""

    data: str


@dataclass(frozen=True)
class Contact:
    """The user shared a phone contact."""

    phone: str
    own: bool = True


@dataclass(frozen=True)
class Unsupported:
    """A photo, sticker, voice note, location... anything the bot cannot read as an answer."""

    kind: str


Action = Text | Press | Contact | Unsupported


@dataclass(frozen=True)
class Button:
    label: str
    data: str


@dataclass(frozen=True)
class Reply:
    """One message to show. Channels render it; the engine never sends anything."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    contact: tuple[str, str] | None = None  # (hint, label): offer a "share my number" button
    remove_keyboard: bool = False  # take away an earlier contact button
    edit: bool = False  # replace the message whose button was tapped


@dataclass(frozen=True)
class Event:
    """Something the service layer records: started, step, completed, dropped, declined,
    language (a language was picked) or action (a menu entry the service handles)."""

    kind: str
    flow: str | None = None
    step: str | None = None
    value: str | None = None
    answers: Mapping[str, Any] | None = None


@dataclass
class State:
    """Where one user is. Plain data, stored as JSON with every answer."""

    flow: str | None = None
    step: str | None = None
    mode: str = "ask"  # ask | review | confirm_cancel
    tries: int = 0
    picks: list[str] = field(default_factory=list)  # multiple choice, before "Done"
    page: int = 0  # long choice lists: the page shown
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)  # by flow id
    results: dict[str, Any] = field(default_factory=dict)  # the service's (never the engine's)

    def to_dict(self) -> dict[str, Any]:
        return {
            "flow": self.flow,
            "step": self.step,
            "mode": self.mode,
            "tries": self.tries,
            "picks": list(self.picks),
            "page": self.page,
            "answers": copy.deepcopy(self.answers),
            "results": copy.deepcopy(self.results),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> State:
        if not data:
            return cls()
        return cls(
            flow=data.get("flow"),
            step=data.get("step"),
            mode=data.get("mode", "ask"),
            tries=int(data.get("tries", 0)),
            picks=list(data.get("picks", [])),
            page=int(data.get("page", 0)),
            answers=copy.deepcopy(dict(data.get("answers", {}))),
            results=copy.deepcopy(dict(data.get("results", {}))),
        )


@dataclass
class Outcome:
    state: State
    replies: list[Reply] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Texts the engine itself shows (flows bring their own)

BACK = N_("⬅️ Back")
CANCEL = N_("✖️ Cancel")
MAIN_MENU = N_("🏠 Main menu")
PREVIOUS = N_("◀️ Previous")
NEXT = N_("Next ▶️")
DONE = N_("✅ Done")
SUBMIT = N_("✅ Submit")
STEP_OF = N_("Step {n} of {total}")
PICK_ONE = N_("Please tap one of the buttons.")
PICK_AT_LEAST = N_("Please choose at least {min}, then tap Done.")
ONLY_TEXT = N_("I can only read typed text and button taps here.")
TOO_LONG = N_("That message is too long.")
EXAMPLE = N_("Example: {example}")
STILL_STUCK = N_("Still stuck? You can also contact OEC: {url}")
STALE = N_("That button belongs to an earlier question. Here is the current one:")
REVIEW_TITLE = N_("Please check your answers. Tap an answer to change it, or Submit.")
EDIT = N_("✏️ {label}")
CONFIRM_CANCEL = N_("Stop now? Your answers to this form will be removed.")
CONFIRM_YES = N_("Yes, stop")
CONFIRM_NO = N_("No, continue")
CANCELLED = N_("Stopped. Nothing from this form was saved.")
CHOOSE_LANGUAGE = "Choose your language · اپنی زبان منتخب کریں · 言語を選んでください"
SHARE_CONTACT = N_("📱 Share my number")
SHARE_HINT = N_("Or tap the button below to share this phone's number.")
SAVED_MOBILE = N_("Saved: {phone}")
LIST_SEPARATOR = {"ur": "، ", "ja": "、", "en": ", "}


def t(msgid: str, **params: Any) -> str:
    """Translate, then fill placeholders: dates in the locale's format, values isolated for RTL."""
    text = gettext(msgid)
    if not params:
        return text
    return text.format(**{k: _show(v) for k, v in params.items()})


def _show(value: Any) -> str:
    if isinstance(value, date):
        return isolate(format_date(value))
    return isolate(value)


def button_label(text: str) -> str:
    """A button label; in Urdu it starts with a right-to-left mark like any Urdu paragraph."""
    return "\u200f" + text if is_rtl() else text


def reply(text: str, buttons: Sequence[Sequence[Button]] = (), **kw: Any) -> Reply:
    """A message in the current language's direction (Urdu paragraphs start right-to-left)."""
    return Reply(text=paragraph(text), buttons=tuple(tuple(row) for row in buttons), **kw)


def _rows(buttons: Sequence[Button], width: int) -> list[list[Button]]:
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


# ---------------------------------------------------------------------------------------------
# The engine


OptionSource = Callable[[Mapping[str, Any]], Sequence[Option]]  # the flow's answers → options
# the flow's answers and today's date (facts past their review date are hedged) → a screen
TextSource = Callable[[Mapping[str, Any], date], str]


class Engine:
    """Runs flows. Holds only configuration (the flows, named option lists, a clock)."""

    def __init__(
        self,
        flows: Mapping[str, Flow],
        option_sources: Mapping[str, OptionSource] | None = None,
        today: Callable[[], date] = date.today,
        menu_flow: str = "menu",
        text_sources: Mapping[str, TextSource] | None = None,
    ) -> None:
        self.flows = flows
        self.option_sources = dict(option_sources or {})
        self.text_sources = dict(text_sources or {})
        self.today = today
        self.menu_flow = menu_flow
        if menu_flow not in flows:
            raise ValueError(f"no {menu_flow!r} flow")
        for flow in flows.values():
            for step in flow.steps:
                if step.options_from and step.options_from not in self.option_sources:
                    raise ValueError(
                        f"{flow.id}.{step.id}: unknown options_from {step.options_from!r}"
                    )
                if step.text_from and step.text_from not in self.text_sources:
                    raise ValueError(f"{flow.id}.{step.id}: unknown text_from {step.text_from!r}")
                for option in (*step.options, *flow.done_buttons):
                    if option.start and option.start not in flows:
                        raise ValueError(f"{flow.id}.{step.id}: unknown flow {option.start!r}")
                    if option.back_to and not flow.has_step(option.back_to):
                        raise ValueError(f"{flow.id}.{step.id}: unknown step {option.back_to!r}")

    # -- public entry points ------------------------------------------------------------------

    def language_picker(self, preselected: str | None) -> Reply:
        """The first screen: three languages, the one the client suggests marked."""
        buttons = [
            Button(("✓ " if code == preselected else "") + LANGUAGE_NAMES[code], f"l:{code}")
            for code in LANGUAGES
        ]
        return Reply(text=CHOOSE_LANGUAGE, buttons=(tuple(buttons),))

    def menu(self) -> Reply:
        step = self.flows[self.menu_flow].steps[0]
        buttons = [Button(button_label(gettext(o.label)), f"m:{o.value}") for o in step.options]
        return reply(gettext(step.prompt), _rows(buttons, 1))

    def resume(self, state: State) -> Outcome:
        """Show again where the user is: the current question, the review, or the menu."""
        state = copy.deepcopy(state)
        return Outcome(state, [self._screen(state)])

    def start(
        self, state: State, flow_id: str, prefill: Mapping[str, Any] | None = None
    ) -> Outcome:
        """Start a flow, or continue it where the user left it; ``prefill`` gives answers."""
        state = copy.deepcopy(state)
        flow = self.flows[flow_id]
        events = []
        if flow_id not in state.answers:
            state.answers[flow_id] = {}
            events.append(Event("started", flow_id))
        given = state.answers[flow_id]
        for key, value in (prefill or {}).items():
            if flow.has_step(key) and (flow.step(key).options or flow.step(key).options_from):
                allowed = {o.value for o in self._options(flow.step(key), given)}
                if isinstance(value, list):
                    value = [v for v in value if v in allowed]
                if not value or (not isinstance(value, list) and value not in allowed):
                    continue  # not an answer this flow can take
            old = given.get(key)
            if isinstance(old, list) and isinstance(value, list):
                value = old + [v for v in value if v not in old]
            given[key] = value
        state.flow, state.mode, state.tries, state.picks, state.page = flow_id, "ask", 0, [], 0
        outcome = self._go_next(state, flow)
        outcome.events[:0] = events
        return outcome

    def cancel(self, state: State) -> Outcome:
        """Ask to confirm stopping the current flow (or just show the menu)."""
        state = copy.deepcopy(state)
        if state.flow is None:
            return Outcome(state, [self.menu()])
        if not self.flows[state.flow].confirm_cancel:  # browsing: nothing to lose
            state.answers.pop(state.flow, None)
            state.flow, state.step, state.mode, state.page = None, None, "ask", 0
            return Outcome(state, [self.menu()])
        state.mode = "confirm_cancel"
        return Outcome(state, [self._screen(state)])

    def handle(self, state: State, action: Action) -> Outcome:
        state = copy.deepcopy(state)
        if isinstance(action, Press):
            return self._press(state, action.data)
        if isinstance(action, Text) and len(action.text) > MAX_TEXT:
            return self._refuse(state, gettext(TOO_LONG))
        if state.flow is None:
            return Outcome(state, [self.menu()])
        if state.mode != "ask":
            return self._refuse(state, gettext(PICK_ONE), count=False)
        step = self._current_step(state)
        if step is None:
            return self._go_next(state, self.flows[state.flow])
        if isinstance(action, Contact):
            if step.kind != "pk_mobile":
                return self._refuse(state, gettext(ONLY_TEXT))
            return self._typed(state, step, action.phone)
        if isinstance(action, Unsupported):
            return self._refuse(state, gettext(ONLY_TEXT))
        if step.kind in TYPED_KINDS:
            return self._typed(state, step, action.text)
        if step.kind == "info" and not self._options(step, state):
            return self._accept(state, step, "seen")
        option = self._match_option(state, step, action.text)
        if option is None:
            return self._refuse(state, gettext(PICK_ONE))
        if step.kind == "multi_choice":
            return self._toggle(state, step, option.value, edit=False)
        if option.start or option.back_to:
            return self._follow(state, self.flows[state.flow], option)
        return self._accept(state, step, option.value)

    def answers(self, state: State, flow_id: str) -> dict[str, Any]:
        """The answers of a flow that count: those of steps that apply to the other answers."""
        flow = self.flows[flow_id]
        given = state.answers.get(flow_id, {})
        return {s.id: given[s.id] for s in self._applicable(flow, given) if s.id in given}

    def display(
        self, flow_id: str, step_id: str, value: Any, answers: Mapping[str, Any] | None = None
    ) -> str:
        """An answer as the user should read it, in the current language."""
        step = self.flows[flow_id].step(step_id)
        return self._display(step, value, answers or {})

    # -- button presses ---------------------------------------------------------------------

    def _press(self, state: State, data: str) -> Outcome:
        kind, _, rest = data.partition(":")
        if kind == "l" and rest in LANGUAGES:
            return Outcome(state, [], [Event("language", value=rest)])
        if kind == "m":
            return self._menu_choice(state, rest)
        if state.flow is None:
            return Outcome(state, [self.menu()])
        flow = self.flows[state.flow]
        if kind == "n" and rest == "back":
            return self._back(state, flow)
        if kind == "n" and rest == "cancel":
            return self.cancel(state)
        if kind == "c":
            if rest == "yes" and state.mode == "confirm_cancel":
                return self._drop(state, flow)
            state.mode = "review" if self._all_answered(flow, state) and flow.review else "ask"
            return Outcome(state, [self._screen(state)])
        if kind == "r" and state.mode == "review":
            if rest == "ok":
                return self._complete(state, flow)
            if rest.startswith("e:") and flow.has_step(rest[2:]):
                state.mode, state.step, state.tries, state.picks = "ask", rest[2:], 0, []
                return Outcome(state, [self._screen(state)])
        step_id, _, value = rest.partition(":")
        if kind in {"a", "t", "d", "p"} and state.mode == "ask" and step_id == state.step:
            step = flow.step(step_id)
            if kind == "p" and value.isdigit():
                state.page = int(value)
                return Outcome(state, [self._ask(state, step, edit=True)])
            if kind == "d" and step.kind == "multi_choice":
                return self._finish_picks(state, step)
            option = next((o for o in self._options(step, state) if o.value == value), None)
            if option is not None and kind == "a" and (option.start or option.back_to):
                return self._follow(state, flow, option)
            if option is not None and kind == "t" and step.kind == "multi_choice":
                return self._toggle(state, step, option.value, edit=True)
            if option is not None and kind == "a":
                return self._accept(state, step, option.value)
        return Outcome(state, [reply(gettext(STALE)), self._screen(state)])

    def _follow(self, state: State, flow: Flow, option: Option) -> Outcome:
        """An option that leads elsewhere: back to an earlier step, or into another flow."""
        given = state.answers.setdefault(flow.id, {})
        if option.back_to:
            ids = [s.id for s in flow.steps]
            for step_id in ids[ids.index(option.back_to) :]:
                given.pop(step_id, None)
            return self._go_next(state, flow)
        assert option.start is not None
        prefill = {}
        for target, source in (option.prefill or {}).items():
            if isinstance(source, list):
                prefill[target] = [given[s] for s in source if s in given]
            elif source in given:
                prefill[target] = given[source]
        if not flow.confirm_cancel:  # leaving a browsing flow: nothing to keep
            state.answers.pop(flow.id, None)
        return self.start(state, option.start, prefill)

    def _menu_choice(self, state: State, value: str) -> Outcome:
        step = self.flows[self.menu_flow].steps[0]
        option = next((o for o in step.options if o.value == value), None)
        if option is None:
            return Outcome(state, [self.menu()])
        if option.start:
            return self.start(state, option.start)
        return Outcome(state, [], [Event("action", value=option.action or option.value)])

    # -- moving through a flow ------------------------------------------------------------------

    def _applicable(self, flow: Flow, answers: Mapping[str, Any]) -> list[Step]:
        return [s for s in flow.steps if matches(s.when, answers)]

    def _all_answered(self, flow: Flow, state: State) -> bool:
        given = state.answers.get(flow.id, {})
        return all(s.id in given for s in self._applicable(flow, given))

    def _current_step(self, state: State) -> Step | None:
        if state.flow is None or state.step is None:
            return None
        flow = self.flows[state.flow]
        return flow.step(state.step) if flow.has_step(state.step) else None

    def _go_next(self, state: State, flow: Flow, before: Sequence[Reply] = ()) -> Outcome:
        """Ask the first applicable step without an answer; else review or complete."""
        given = state.answers.setdefault(flow.id, {})
        state.tries, state.picks, state.page = 0, [], 0
        for step in self._applicable(flow, given):
            if step.id not in given:
                state.step, state.mode = step.id, "ask"
                return Outcome(
                    state, [*before, self._screen(state)], [Event("step", flow.id, step.id)]
                )
        if flow.review:
            state.step, state.mode = None, "review"
            return Outcome(state, [*before, self._screen(state)])
        outcome = self._complete(state, flow)
        outcome.replies[:0] = before
        return outcome

    def _accept(
        self, state: State, step: Step, value: Any, before: Sequence[Reply] = ()
    ) -> Outcome:
        assert state.flow is not None
        flow = self.flows[state.flow]
        if step.stop_on is not None and value == step.stop_on:
            return self._decline(state, flow)
        state.answers.setdefault(flow.id, {})[step.id] = value
        return self._go_next(state, flow, before)

    def _back(self, state: State, flow: Flow) -> Outcome:
        given = state.answers.get(flow.id, {})
        applicable = self._applicable(flow, given)
        ids = [s.id for s in applicable]
        if state.mode == "review":
            previous = ids[-1] if ids else None
        elif state.step in ids and ids.index(state.step) > 0:
            previous = ids[ids.index(state.step) - 1]
        else:
            previous = None
        if previous is None:  # back from the first question: to the menu, answers kept
            state.flow, state.step, state.mode = None, None, "ask"
            return Outcome(state, [self.menu()])
        state.step, state.mode, state.tries, state.picks, state.page = previous, "ask", 0, [], 0
        return Outcome(state, [self._screen(state)])

    def _complete(self, state: State, flow: Flow) -> Outcome:
        answers = self.answers(state, flow.id)
        state.answers.pop(flow.id, None)
        state.flow, state.step, state.mode = None, None, "ask"
        return Outcome(state, [], [Event("completed", flow.id, answers=answers)])

    def _drop(self, state: State, flow: Flow) -> Outcome:
        step = state.step
        state.answers.pop(flow.id, None)
        state.flow, state.step, state.mode, state.tries, state.picks = None, None, "ask", 0, []
        return Outcome(
            state, [reply(gettext(CANCELLED)), self.menu()], [Event("dropped", flow.id, step)]
        )

    def _decline(self, state: State, flow: Flow) -> Outcome:
        state.answers.pop(flow.id, None)
        state.flow, state.step, state.mode = None, None, "ask"
        message = gettext(flow.declined) if flow.declined else gettext(CANCELLED)
        return Outcome(state, [reply(message), self.menu()], [Event("declined", flow.id)])

    # -- typed answers and choices ----------------------------------------------------------------

    def _typed(self, state: State, step: Step, raw: str) -> Outcome:
        before: list[Reply] = []
        try:
            value = self._validate(step, raw)
        except validators.Invalid as invalid:
            message = gettext(step.error) if step.error else t(invalid.message, **invalid.params)
            return self._refuse(state, message)
        if step.kind == "date":
            entry_age = step.rules.get("entry_age")
            born = date.fromisoformat(value)
            age = validators.age_on(born, self.today())
            if entry_age and age < entry_age and step.notice:
                before.append(
                    reply(t(step.notice, age=entry_age, date=validators.add_years(born, entry_age)))
                )
            older_age = step.rules.get("older_age")
            if older_age and age >= older_age and step.older_notice:
                before.append(reply(gettext(step.older_notice)))
        if step.kind == "pk_mobile":
            before.append(
                reply(t(SAVED_MOBILE, phone=validators.format_mobile(value)), remove_keyboard=True)
            )
        return self._accept(state, step, value, before)

    def _validate(self, step: Step, raw: str) -> Any:
        rules = step.rules
        if step.kind == "name":
            return validators.person_name(
                raw, rules.get("min_length", 3), rules.get("max_length", 100)
            )
        if step.kind == "place":
            return validators.place_name(raw)
        if step.kind == "text":
            return validators.free_text(
                raw, rules.get("min_length", 1), rules.get("max_length", 500)
            )
        if step.kind == "number":
            return validators.whole_number(raw, rules.get("min", 0), rules.get("max", 100))
        if step.kind == "date":
            return validators.birth_date(
                raw, self.today(), rules.get("min_age", 0), rules.get("max_age", 120)
            ).isoformat()
        if step.kind == "pk_mobile":
            return validators.pk_mobile(raw)
        if step.kind == "cnic":
            return validators.cnic(raw)
        raise AssertionError(step.kind)

    def _toggle(self, state: State, step: Step, value: str, edit: bool) -> Outcome:
        if value in state.picks:
            state.picks.remove(value)
        else:
            state.picks.append(value)
        return Outcome(state, [self._ask(state, step, edit=edit)])

    def _finish_picks(self, state: State, step: Step) -> Outcome:
        minimum = int(step.rules.get("min_picks", 1))
        if len(state.picks) < minimum:
            return self._refuse(state, t(PICK_AT_LEAST, min=minimum))
        order = [o.value for o in self._options(step, state)]
        return self._accept(state, step, sorted(state.picks, key=order.index))

    def _match_option(self, state: State, step: Step, text: str) -> Option | None:
        """A typed answer on a button step: the option's number or its label, any case."""
        typed = validators.clean_text(validators.ascii_digits(text)).casefold()
        options = self._options(step, state)
        if typed.isdigit() and 1 <= int(typed) <= len(options):
            return options[int(typed) - 1]
        for option in options:
            if (
                gettext(option.label).casefold() in {typed, f"✓ {typed}"}
                or option.label.casefold() == typed
            ):
                return option
        return None

    def _refuse(self, state: State, message: str, count: bool = True) -> Outcome:
        """Explain what went wrong and ask again; after three tries add an example and OEC."""
        if count:
            state.tries += 1
        parts = ["⚠️ " + message]
        step = self._current_step(state)
        if state.tries >= MAX_TRIES_BEFORE_HELP and step is not None and state.mode == "ask":
            if step.example:
                parts.append(t(EXAMPLE, example=step.example))
            parts.append(t(STILL_STUCK, url=OEC_CONTACT))
        return Outcome(state, [reply("\n".join(parts)), self._screen(state)])

    # -- screens -----------------------------------------------------------------------------

    def _options(self, step: Step, state: State | Mapping[str, Any]) -> Sequence[Option]:
        """The step's options; named lists may depend on the flow's answers so far."""
        if step.options_from:
            given = (
                state
                if not isinstance(state, State)
                else (state.answers.get(state.flow, {}) if state.flow else {})
            )
            return self.option_sources[step.options_from](given)
        return step.options

    def _screen(self, state: State) -> Reply:
        if state.flow is None:
            return self.menu()
        if state.mode == "confirm_cancel":
            return reply(
                gettext(CONFIRM_CANCEL),
                [
                    [
                        Button(button_label(gettext(CONFIRM_YES)), "c:yes"),
                        Button(button_label(gettext(CONFIRM_NO)), "c:no"),
                    ]
                ],
            )
        if state.mode == "review":
            return self._review(state)
        step = self._current_step(state)
        if step is None:
            return self.menu()
        return self._ask(state, step)

    def _nav_row(self, flow: Flow | None = None) -> list[Button]:
        if flow is not None and not flow.confirm_cancel:
            return [
                Button(button_label(gettext(BACK)), "n:back"),
                Button(button_label(gettext(MAIN_MENU)), "n:cancel"),
            ]
        return [
            Button(button_label(gettext(BACK)), "n:back"),
            Button(button_label(gettext(CANCEL)), "n:cancel"),
        ]

    def _ask(self, state: State, step: Step, edit: bool = False) -> Reply:
        assert state.flow is not None
        flow = self.flows[state.flow]
        given = state.answers.get(flow.id, {})
        lines = []
        if flow.numbered:
            ids = [s.id for s in self._applicable(flow, given)]
            if step.id in ids:
                lines.append(t(STEP_OF, n=ids.index(step.id) + 1, total=len(ids)))
        if step.text_from:
            lines.append(self.text_sources[step.text_from](given, self.today()))
        else:
            lines.append(gettext(step.prompt))
        rows: list[list[Button]] = []
        options = self._options(step, state)
        if step.kind == "multi_choice":
            marked = [
                Button(
                    button_label(("☑️ " if o.value in state.picks else "▫️ ") + gettext(o.label)),
                    f"t:{step.id}:{o.value}",
                )
                for o in options
            ]
            rows = _rows(marked, 2 if len(options) > 6 else 1)
            rows.append([Button(button_label(gettext(DONE)), f"d:{step.id}")])
        elif step.kind in {"choice", "yes_no", "info"} and options:
            rows = self._option_rows(state, step, options)
        elif step.kind == "info":
            rows = [[Button(button_label(gettext(DONE)), f"a:{step.id}:seen")]]
        rows.append(self._nav_row(flow))
        contact = None
        if step.kind == "pk_mobile":
            contact = (paragraph(gettext(SHARE_HINT)), button_label(gettext(SHARE_CONTACT)))
        return reply("\n\n".join(lines), rows, contact=contact, edit=edit)

    def _option_rows(
        self, state: State, step: Step, options: Sequence[Option]
    ) -> list[list[Button]]:
        """One button per option (two per row for short lists of many), a page at a time."""
        page_size = step.page_size or len(options) or 1
        pages = max(1, -(-len(options) // page_size))
        page = min(max(state.page, 0), pages - 1)
        shown = options[page * page_size : (page + 1) * page_size]
        buttons = [Button(button_label(gettext(o.label)), f"a:{step.id}:{o.value}") for o in shown]
        two = step.kind == "yes_no" or (len(shown) > 6 and not step.page_size)
        rows = _rows(buttons, 2 if two else 1)
        if pages > 1:
            turn = []
            if page > 0:
                turn.append(Button(button_label(gettext(PREVIOUS)), f"p:{step.id}:{page - 1}"))
            turn.append(Button(f"{page + 1}/{pages}", f"p:{step.id}:{page}"))
            if page < pages - 1:
                turn.append(Button(button_label(gettext(NEXT)), f"p:{step.id}:{page + 1}"))
            rows.append(turn)
        return rows

    def _review(self, state: State) -> Reply:
        assert state.flow is not None
        flow = self.flows[state.flow]
        given = state.answers.get(flow.id, {})
        lines = [gettext(flow.title), gettext(REVIEW_TITLE), ""]
        edits = []
        for step in self._applicable(flow, given):
            if not step.review or step.id not in given:
                continue
            label = gettext(step.label or step.prompt)
            lines.append(f"• {label}: {self._display(step, given[step.id], given)}")
            edits.append(Button(button_label(t(EDIT, label=label)), f"r:e:{step.id}"))
        rows = _rows(edits, 2)
        rows.append([Button(button_label(gettext(SUBMIT)), "r:ok")])
        rows.append(self._nav_row(flow))
        return reply("\n".join(lines), rows)

    def _display(self, step: Step, value: Any, answers: Mapping[str, Any]) -> str:
        labels = (
            {o.value: gettext(o.label) for o in self._options(step, answers)}
            if (step.options or step.options_from)
            else {}
        )
        if isinstance(value, list):
            return LIST_SEPARATOR.get(current_language(), ", ").join(
                labels.get(str(v), str(v)) for v in value
            )
        if step.kind in {"choice", "yes_no", "menu"}:
            return labels.get(value, str(value))
        if step.kind == "date":
            return _show(date.fromisoformat(value))
        if step.kind == "pk_mobile":
            return isolate(validators.format_mobile(value))
        if step.kind == "cnic":
            return isolate(validators.format_cnic(value))
        return isolate(value)
