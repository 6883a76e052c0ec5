"""The flow engine: (state, what the user did) → (new state, replies, events). No I/O.

One engine runs every flow. It asks the first step whose ``when`` holds and that has no answer
yet, checks each answer by its kind's rule, offers Back and Cancel, shows a review screen when
the flow asks for one, and reports what happened as events (started, step reached, completed,
dropped) for the service layer to store. Texts are translated into the current language
(``bot.i18n``) as replies are built.

Answers given by another flow (an option's ``prefill``, a flow's ``carry_over`` from a flow
completed before) are "carried": not asked, counted as done by "Step n of N", skipped by Back,
shown on the review screen. Back shows the earlier answer and offers to keep it; going on from
there walks forward through the answers already given. Changing an answer clears the answers
that depend on it (``depends_on``, ``when``, ``options_from``), so they are asked again.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from bot.engine import phone, validators
from bot.engine.conditions import condition_keys, matches
from bot.engine.flows import TYPED_KINDS, Carry, Flow, Option, Step
from bot.engine.model import (
    Action,
    Button,
    Contact,
    Event,
    Outcome,
    Press,
    Reply,
    State,
    Text,
    Unsupported,
)
from bot.engine.texts import (
    BACK,
    BACK_FROM_REVIEW,
    CANCEL,
    CANCELLED,
    CHOOSE_LANGUAGE,
    CONFIRM_ANSWER,
    CONFIRM_CANCEL,
    CONFIRM_NO,
    CONFIRM_YES,
    DONE,
    EDIT,
    EDITED,
    EXAMPLE,
    KEEP,
    KEEP_ANSWER,
    LIST_SEPARATOR,
    MAIN_MENU,
    MARK,
    NEXT,
    NO,
    NOT_OWN_CONTACT,
    NOW,
    ONLY_TEXT,
    PICK_AT_LEAST,
    PICK_ONE,
    PREVIOUS,
    RETYPE_ANSWER,
    REVIEW_TITLE,
    SAVED_MOBILE,
    SHARE_CONTACT,
    SHARE_HINT,
    STALE,
    STEP_OF,
    STILL_STUCK,
    SUBMIT,
    TOO_LONG,
    YES,
    answer_line,
    button_label,
    button_rows,
    fits_half_rows,
    reply,
    show_value,
    t,
)
from bot.i18n import (
    LANGUAGE_NAMES,
    LANGUAGES,
    current_language,
    gettext,
    isolate,
    paragraph,
)
from bot.oec_time import oec_clock

MAX_TRIES_BEFORE_HELP = 3
MAX_TEXT = 1000  # longer messages are refused before any rule runs
OEC_CONTACT = "https://oec.gov.pk"

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
        today: Callable[[], date] | None = None,
        menu_flow: str = "menu",
        text_sources: Mapping[str, TextSource] | None = None,
    ) -> None:
        self.flows = flows
        self.option_sources = dict(option_sources or {})
        self.text_sources = dict(text_sources or {})
        self.today = today or oec_clock()  # OEC's date unless given (a test's fixed day)
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
                    if option.show and option.show not in self.text_sources:
                        raise ValueError(f"{flow.id}.{step.id}: unknown show {option.show!r}")
                    if option.start:
                        self._check_carries(flows[option.start], option.prefill, flow)
            for source_id, carries in flow.carry_over.items():
                if source_id not in flows:
                    raise ValueError(f"{flow.id}: carry_over from unknown flow {source_id!r}")
                self._check_carries(flow, carries, flows[source_id])
        # flows whose answers another flow carries over: their last answers are kept
        self.kept = {source for flow in flows.values() for source in flow.carry_over}

    @staticmethod
    def _check_carries(target: Flow, carries: Sequence[Carry], source: Flow) -> None:
        """Carried answers go to steps that exist, from steps that exist, with values a
        step with fixed options can take."""
        for carry in carries:
            if not target.has_step(carry.target) or not source.has_step(carry.source):
                raise ValueError(f"{source.id} → {target.id}: unknown step in {carry}")
            allowed = {o.value for o in target.step(carry.target).options}
            if allowed and carry.values and not set(carry.values.values()) <= allowed:
                raise ValueError(f"{source.id} → {target.id}: {carry.target} cannot take {carry}")

    # -- public entry points ------------------------------------------------------------------

    def language_picker(self, preselected: str | None) -> Reply:
        """The first screen: three languages, the one the client suggests marked."""
        buttons = [
            Button((MARK if code == preselected else "") + LANGUAGE_NAMES[code], f"l:{code}", i + 1)
            for i, code in enumerate(LANGUAGES)
        ]
        return Reply(text=CHOOSE_LANGUAGE, buttons=(tuple(buttons),))

    def menu(self) -> Reply:
        step = self.flows[self.menu_flow].steps[0]
        buttons = [
            Button(button_label(gettext(o.label)), f"m:{o.value}", i + 1)
            for i, o in enumerate(step.options)
        ]
        return reply(gettext(step.prompt), button_rows(buttons, 1))

    def resume(self, state: State) -> Outcome:
        """Show again where the user is: the current question, the review, or the menu."""
        state = copy.deepcopy(state)
        return Outcome(state, [self._screen(state)])

    def start(
        self, state: State, flow_id: str, prefill: Mapping[str, Any] | None = None
    ) -> Outcome:
        """Start a flow, or continue it where the user left it; ``prefill`` gives answers, and
        the flow's ``carry_over`` fills unanswered steps from flows completed before."""
        state = copy.deepcopy(state)
        flow = self.flows[flow_id]
        events = [Event("resumed" if flow_id in state.answers else "started", flow_id)]
        if flow_id not in state.answers:
            state.answers[flow_id] = {}
            state.carried.pop(flow_id, None)
            state.totals.pop(flow_id, None)
        for source_id, carries in flow.carry_over.items():
            earlier = state.completed.get(source_id, {})
            for carry in carries:
                if carry.target not in state.answers[flow_id]:
                    self._give(state, flow, carry.target, carry.value(earlier))
        for key, value in (prefill or {}).items():
            self._give(state, flow, key, value)
        state.flow, state.mode, state.tries, state.picks, state.page = flow_id, "ask", 0, [], 0
        state.view = None
        state.editing = False
        outcome = self._go_next(state, flow)
        outcome.events[:0] = events
        return outcome

    def _give(self, state: State, flow: Flow, key: str, value: Any) -> None:
        """An answer from elsewhere, if this flow's step can take it; a list adds to a list.
        A step answered this way was not asked: it is "carried"."""
        given = state.answers.setdefault(flow.id, {})
        if value is None or not flow.has_step(key):
            return
        step = flow.step(key)
        if step.options or step.options_from:
            allowed = {o.value for o in self._options(step, given)}
            if isinstance(value, list):
                value = [v for v in value if v in allowed]
            if not value or (not isinstance(value, list) and value not in allowed):
                return  # not an answer this flow can take
        earlier = dict(given)
        old = given.get(key)
        if isinstance(old, list) and isinstance(value, list):
            value = old + [v for v in value if v not in old]
        if key not in given:
            carried = state.carried.setdefault(flow.id, [])
            carried.append(key)
        given[key] = value
        if key in earlier and earlier[key] != value:
            self._clear_dependents(state, flow, key, earlier)

    def cancel(self, state: State) -> Outcome:
        """Ask to confirm stopping the current flow (or just show the menu)."""
        state = copy.deepcopy(state)
        if state.flow is None:
            return Outcome(state, [self.menu()])
        if not self.flows[state.flow].confirm_cancel:  # browsing: nothing to lose
            left = Event("left", state.flow, state.step)
            self._forget(state, state.flow)
            state.flow, state.step, state.mode, state.page = None, None, "ask", 0
            return Outcome(state, [self.menu()], [left])
        state.mode = "confirm_cancel"
        return Outcome(state, [self._screen(state)])

    def handle(self, state: State, action: Action) -> Outcome:
        state = copy.deepcopy(state)
        if state.mode != CONFIRM_ANSWER:
            state.pending = None  # a doubtful answer waits only while it is asked about
        if isinstance(action, Press):
            return self._press(state, action.data)
        if isinstance(action, Text) and len(action.text) > MAX_TEXT:
            return self._refuse(state, gettext(TOO_LONG))
        if state.flow is None:
            return Outcome(state, [self.menu()])
        if state.mode == CONFIRM_ANSWER and isinstance(action, Text):
            return self._typed_at_doubt(state, action.text)
        if state.mode != "ask":
            return self._refuse(state, gettext(PICK_ONE), count=False)
        step = self._current_step(state)
        if step is None:
            return self._go_next(state, self.flows[state.flow])
        if isinstance(action, Contact):
            if step.kind != "pk_mobile":
                return self._refuse(state, gettext(ONLY_TEXT))
            if not action.own:  # somebody else's card, or not proven to be theirs
                return self._refuse(state, t(NOT_OWN_CONTACT, button=gettext(SHARE_CONTACT)))
            return self._typed(state, step, action.phone)
        if isinstance(action, Unsupported):
            msgid = EDITED if action.kind == "edited" else ONLY_TEXT
            return self._refuse(state, gettext(msgid))
        if step.kind in TYPED_KINDS:
            return self._typed(state, step, action.text)
        if step.kind == "info" and not self._options(step, state):
            return self._accept(state, step, "seen")
        option = self._match_option(state, step, action.text)
        if option is None:
            return self._refuse(state, gettext(PICK_ONE))
        if option.show:
            return self._show(state, step, option.show, edit=False)
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
        where = self._where(state)
        if kind == "n" and where is not None and rest == f"back:{where}":
            return self._back(state, flow)
        if kind == "n" and rest == "cancel":
            return self.cancel(state)
        if kind == "c":
            if rest == "yes" and state.mode == "confirm_cancel":
                return self._drop(state, flow)
            state.mode = "review" if self._all_answered(flow, state) and flow.review else "ask"
            state.editing = state.editing and state.mode == "ask"
            return Outcome(state, [self._screen(state)])
        if kind == "r" and state.mode == "review":
            if rest == "ok":
                return self._complete(state, flow)
            if rest.startswith("p:") and rest[2:].isdigit():  # a page of a long review
                state.page = int(rest[2:])
                return Outcome(state, [self._review(state, edit=True)])
            if rest.startswith("e:") and flow.has_step(rest[2:]):
                return self._revisit(state, flow, rest[2:], editing=True)
        step_id, _, value = rest.partition(":")
        doubt_tap = kind == "v" and value in {"yes", "no"} and step_id == state.step
        if doubt_tap and state.mode == CONFIRM_ANSWER and state.pending is not None:
            return self._settle_doubt(state, flow.step(step_id), keep=value == "yes")
        if kind in {"a", "t", "d", "p", "k"} and state.mode == "ask" and step_id == state.step:
            step = flow.step(step_id)
            given = state.answers.get(flow.id, {})
            if kind == "k" and step.id in given:
                return self._accept(state, step, given[step.id])
            if kind == "p" and value.isdigit():
                state.page = int(value)
                return Outcome(state, [self._ask(state, step, edit=True)])
            if kind == "d" and step.kind == "multi_choice":
                return self._finish_picks(state, step)
            option = next((o for o in self._options(step, state) if o.value == value), None)
            if option is not None and kind == "a" and option.show:
                return self._show(state, step, option.show, edit=True)
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
        prefill = {carry.target: carry.value(given) for carry in option.prefill}
        if not flow.confirm_cancel:  # leaving a browsing flow: nothing to keep
            self._forget(state, flow.id)
        left = Event("left", flow.id, state.step)
        outcome = self.start(state, option.start, prefill)
        outcome.events.insert(0, left)
        return outcome

    def _menu_choice(self, state: State, value: str) -> Outcome:
        step = self.flows[self.menu_flow].steps[0]
        option = next((o for o in step.options if o.value == value), None)
        if option is None:
            return Outcome(state, [self.menu()])
        if option.start:
            outcome = self.start(state, option.start)
            if state.flow is not None and state.flow != option.start:  # one left unfinished
                outcome.events.insert(0, Event("left", state.flow, state.step))
            return outcome
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
        state.view = None
        applicable = self._applicable(flow, given)
        for step in applicable:
            if step.id not in given:
                state.step, state.mode = step.id, "ask"
                return Outcome(
                    state, [*before, self._screen(state)], [Event("step", flow.id, step.id)]
                )
        changed = state.step if state.editing else None  # a change made from the review
        state.editing = False
        if flow.review:  # from its first page, or the page of the answer just changed
            answered = changed
            state.step, state.mode = None, "review"
            pages = self._review_pages(state)
            state.page = next((n for n, p in enumerate(pages) if answered in p), 0)
            state.totals[flow.id] = len(applicable)  # the count starts again from the review
            return Outcome(state, [*before, self._screen(state)])
        outcome = self._complete(state, flow)
        outcome.replies[:0] = before
        return outcome

    def _accept(
        self, state: State, step: Step, value: Any, before: Sequence[Reply] = ()
    ) -> Outcome:
        """Store an answer; a changed one voids the answers that depend on it. Then go on: from
        the review screen, to what is unanswered (then the review); after Back, to the next
        question already answered (to keep or change it); else to the first unanswered one."""
        assert state.flow is not None
        flow = self.flows[state.flow]
        if step.stop_on is not None and value == step.stop_on:
            return self._decline(state, flow)
        given = state.answers.setdefault(flow.id, {})
        earlier = dict(given)
        given[step.id] = value
        carried = state.carried.get(flow.id, [])
        if step.id in carried:
            carried.remove(step.id)  # answered by the user now
        if step.id in earlier and earlier[step.id] != value:
            self._clear_dependents(state, flow, step.id, earlier)
        following = None if state.editing else self._answered_after(state, flow, step.id)
        if following is None:
            outcome = self._go_next(state, flow, before)
        else:
            outcome = self._revisit(state, flow, following, editing=False)
            outcome.replies[:0] = before
        if step.stop_on is not None:
            outcome.events.insert(0, Event("consented", flow.id, step.id))
        elif not flow.confirm_cancel and step.kind == "choice":  # what a browsing user reads
            outcome.events.insert(0, Event("viewed", flow.id, step.id, value=str(value)))
        return outcome

    def _asked(self, state: State, flow: Flow) -> list[str]:
        """The applicable steps in order, without those answered by another flow (carried)."""
        carried = state.carried.get(flow.id, [])
        given = state.answers.get(flow.id, {})
        return [s.id for s in self._applicable(flow, given) if s.id not in carried]

    def _answered_after(self, state: State, flow: Flow, step_id: str) -> str | None:
        """The question after this one, if the user answered it already (they went Back)."""
        ids = self._asked(state, flow)
        if step_id not in ids or ids.index(step_id) + 1 >= len(ids):
            return None
        following = ids[ids.index(step_id) + 1]
        return following if following in state.answers.get(flow.id, {}) else None

    def _clear_dependents(
        self, state: State, flow: Flow, changed: str, earlier: Mapping[str, Any]
    ) -> None:
        """Remove the answers a change makes void, so they are asked again: of steps that
        ``depends_on`` a changed answer, of steps whose ``when`` it no longer meets, and of
        choices no longer among their options. Void answers void their own dependents."""
        given = state.answers[flow.id]
        voided = {changed}
        for step in flow.steps:
            if step.id in voided or step.id not in given:
                continue
            stopped = (
                bool(condition_keys(step.when) & voided)
                and matches(step.when, earlier)
                and not matches(step.when, given)
            )
            if set(step.depends_on) & voided or stopped or not self._still_offered(step, given):
                given.pop(step.id)
                voided.add(step.id)
                if step.id in state.carried.get(flow.id, []):
                    state.carried[flow.id].remove(step.id)

    def _still_offered(self, step: Step, given: Mapping[str, Any]) -> bool:
        """A choice from a named list is still among the options the other answers give."""
        if not step.options_from:
            return True
        allowed = {o.value for o in self._options(step, given)}
        value = given[step.id]
        return all(v in allowed for v in value) if isinstance(value, list) else value in allowed

    def _where(self, state: State) -> str | None:
        """What a Back button shown now names: the question on screen, or the review (None on
        other screens, which have no Back: a Back tapped there is stale)."""
        if state.mode == "review":
            return BACK_FROM_REVIEW
        return state.step if state.mode == "ask" else None

    def _revisit(self, state: State, flow: Flow, step_id: str, editing: bool) -> Outcome:
        """Show a question again with its answer: ticked, marked, on its page, "Now: ..."."""
        step = flow.step(step_id)
        value = state.answers.get(flow.id, {}).get(step_id)
        state.step, state.mode, state.tries, state.editing = step_id, "ask", 0, editing
        state.picks = list(value) if step.kind == "multi_choice" and value else []
        state.page, state.view = 0, None
        if step.page_size and value is not None:
            values = [o.value for o in self._options(step, state)]
            if value in values:
                state.page = values.index(value) // step.page_size
        return Outcome(state, [self._screen(state)])

    def _back(self, state: State, flow: Flow) -> Outcome:
        """The question before, with its answer; from a change opened on the review screen,
        the review again. Questions answered by another flow are not stepped through."""
        ids = self._asked(state, flow)
        if state.editing and flow.review and self._all_answered(flow, state):
            state.editing = False
            return self._go_next(state, flow)
        if state.mode == "review":
            previous = ids[-1] if ids else None
        elif state.step in ids and ids.index(state.step) > 0:
            previous = ids[ids.index(state.step) - 1]
        else:
            previous = None
        if previous is None:  # back from the first question: to the menu, answers kept
            left = Event("left", flow.id, state.step)
            state.flow, state.step, state.mode, state.editing = None, None, "ask", False
            return Outcome(state, [self.menu()], [left])
        return self._revisit(state, flow, previous, editing=state.editing)

    def _forget(self, state: State, flow_id: str) -> None:
        """A flow is over: its answers and what the engine noted about them go."""
        state.answers.pop(flow_id, None)
        state.carried.pop(flow_id, None)
        state.totals.pop(flow_id, None)
        state.editing = False

    def _complete(self, state: State, flow: Flow) -> Outcome:
        answers = self.answers(state, flow.id)
        if flow.id in self.kept:  # another flow takes answers from this one
            state.completed[flow.id] = copy.deepcopy(answers)
        self._forget(state, flow.id)
        state.flow, state.step, state.mode = None, None, "ask"
        return Outcome(state, [], [Event("completed", flow.id, answers=answers)])

    def _drop(self, state: State, flow: Flow) -> Outcome:
        step = state.step
        self._forget(state, flow.id)
        state.flow, state.step, state.mode, state.tries, state.picks = None, None, "ask", 0, []
        return Outcome(
            state, [reply(gettext(CANCELLED)), self.menu()], [Event("dropped", flow.id, step)]
        )

    def _decline(self, state: State, flow: Flow) -> Outcome:
        self._forget(state, flow.id)
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
        except validators.Doubtful as doubt:
            return self._doubt(state, doubt)
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
            return validators.cnic(raw, examples=(step.example,) if step.example else ())
        raise AssertionError(step.kind)

    # -- doubtful answers: kept only once the user confirms them ----------------------------------

    def _doubt(self, state: State, doubt: validators.Doubtful) -> Outcome:
        """Keep the answer aside and ask "is this right?" with Yes, keep it / No, type it again."""
        params = dict(doubt.params)
        state.mode = CONFIRM_ANSWER
        state.pending = {"value": doubt.value, "message": doubt.message, "params": params}
        return Outcome(state, [self._screen(state)])

    def _settle_doubt(self, state: State, step: Step, keep: bool) -> Outcome:
        """Yes: store the answer kept aside. No: ask the question again."""
        value = state.pending["value"] if state.pending is not None else None
        state.mode, state.pending = "ask", None
        if keep:
            return self._accept(state, step, value)
        return Outcome(state, [self._screen(state)])

    def _typed_at_doubt(self, state: State, text: str) -> Outcome:
        """Typed while asked about a doubtful answer: a button's label, the same answer again
        (they mean it: keep it), or a new answer, checked like any other."""
        assert state.flow is not None
        step = self._current_step(state)
        if step is None or state.pending is None:
            state.mode, state.pending = "ask", None
            return self._go_next(state, self.flows[state.flow])
        typed = validators.clean_text(text).casefold()
        labels = {
            keep: {validators.clean_text(gettext(m)).casefold() for m in msgids}
            for keep, msgids in ((True, (KEEP_ANSWER, YES)), (False, (RETYPE_ANSWER, NO)))
        }
        if typed in labels[True] or typed in labels[False]:
            return self._settle_doubt(state, step, keep=typed in labels[True])
        try:
            again = self._validate(step, text)
        except validators.Doubtful as doubt:
            again = doubt.value
        except validators.Invalid:
            again = None
        if again is not None and again == state.pending["value"]:
            return self._settle_doubt(state, step, keep=True)
        state.mode, state.pending = "ask", None
        return self._typed(state, step, text)

    def _toggle(self, state: State, step: Step, value: str, edit: bool) -> Outcome:
        """Tick or untick; an exclusive option ("None yet") and the others clear each other."""
        exclusive = {o.value for o in self._options(step, state) if o.exclusive}
        if value in state.picks:
            state.picks.remove(value)
        elif value in exclusive:
            state.picks = [value]
        else:
            state.picks = [p for p in state.picks if p not in exclusive] + [value]
        return Outcome(state, [self._ask(state, step, edit=edit)])

    def _finish_picks(self, state: State, step: Step) -> Outcome:
        minimum = int(step.rules.get("min_picks", 1))
        if len(state.picks) < minimum:
            return self._refuse(state, t(PICK_AT_LEAST, min=minimum))
        order = [o.value for o in self._options(step, state)]
        return self._accept(state, step, sorted(state.picks, key=order.index))

    def _show(self, state: State, step: Step, text_source: str, edit: bool) -> Outcome:
        """An info step shows another of its texts (details, sources) with the same buttons."""
        state.view = None if text_source == step.text_from else text_source
        state.page = 0
        return Outcome(state, [self._ask(state, step, edit=edit)])

    def _shown_options(self, state: State, step: Step) -> Sequence[Option]:
        """The options offered now: an info step hides the one that shows the current text."""
        current = state.view or step.text_from
        given = state.answers.get(state.flow, {}) if state.flow else {}
        return [
            o
            for o in self._options(step, state)
            if not o.show or (o.show != current and self.text_sources[o.show](given, self.today()))
        ]

    def _match_option(self, state: State, step: Step, text: str) -> Option | None:
        """A typed answer on a button step: the option's number in the whole list (``3`` or
        ``#3``, whatever page is shown) or its label, any case, marked or not."""
        typed = validators.clean_text(validators.ascii_digits(text)).casefold()
        typed = typed.removeprefix(MARK.strip()).strip()
        number = typed.removeprefix("#").strip()
        options = self._shown_options(state, step)
        if number.isdigit() and 1 <= int(number) <= len(options):
            return options[int(number) - 1]
        for option in options:
            label = validators.clean_text(gettext(option.label)).casefold()
            if label == typed or option.label.casefold() == typed:
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
        if state.mode == CONFIRM_ANSWER and state.pending is not None:
            return reply(
                t(state.pending["message"], **state.pending.get("params", {})),
                [
                    [Button(button_label(gettext(KEEP_ANSWER)), f"v:{state.step}:yes")],
                    [Button(button_label(gettext(RETYPE_ANSWER)), f"v:{state.step}:no")],
                ],
            )
        step = self._current_step(state)
        if step is None:
            return self.menu()
        return self._ask(state, step)

    def _nav_row(self, flow: Flow, where: str) -> list[Button]:
        """Back (naming the question it was shown with, so a second tap is stale) and Cancel."""
        back = Button(button_label(gettext(BACK)), f"n:back:{where}")
        if not flow.confirm_cancel:
            return [back, Button(button_label(gettext(MAIN_MENU)), "n:cancel")]
        return [back, Button(button_label(gettext(CANCEL)), "n:cancel")]

    def _progress(self, state: State, flow: Flow, step: Step) -> tuple[int, int] | None:
        """The "Step n of N" line. n counts the answers before this question and those given
        by another flow (carried), so it rises by one per answer and never skips. N is the
        number of questions that apply, never less than what was shown before in this flow:
        it grows when a question starts to apply (the Technical Intern Training field)."""
        given = state.answers.get(flow.id, {})
        ids = [s.id for s in self._applicable(flow, given)]
        if step.id not in ids:
            return None
        carried = state.carried.get(flow.id, [])
        at = ids.index(step.id)
        n = 1 + sum(1 for s in ids[:at] if s in given)
        n += sum(1 for s in ids[at + 1 :] if s in given and s in carried)
        total = max(state.totals.get(flow.id, 0), len(ids), n)
        state.totals[flow.id] = total
        return n, total

    def _ask(self, state: State, step: Step, edit: bool = False) -> Reply:
        assert state.flow is not None
        flow = self.flows[state.flow]
        given = state.answers.get(flow.id, {})
        lines = []
        progress = self._progress(state, flow, step) if flow.numbered else None
        if progress and not state.editing:  # a change from the review screen: no count
            lines.append(t(STEP_OF, n=progress[0], total=progress[1]))
        text_pages: list[str] = []
        if step.text_from:  # a long text is shown a screen at a time
            text_pages = phone.pages(
                self.text_sources[state.view or step.text_from](given, self.today())
            )
            lines.append(text_pages[min(max(state.page, 0), len(text_pages) - 1)])
        else:
            lines.append(gettext(step.prompt))
        current = given.get(step.id) if step.kind != "info" else None
        if current is not None:
            lines.append(gettext(NOW).format(value=self._display(step, current, given)))
        rows: list[list[Button]] = []
        options = self._shown_options(state, step)
        if step.kind == "multi_choice":
            marked = [
                Button(
                    button_label(("☑️ " if o.value in state.picks else "▫️ ") + gettext(o.label)),
                    f"t:{step.id}:{o.value}",
                    i + 1,
                )
                for i, o in enumerate(options)
            ]
            rows = button_rows(marked, 2 if len(options) > 6 and fits_half_rows(marked) else 1)
            rows.append([Button(button_label(gettext(DONE)), f"d:{step.id}")])
        elif step.kind in {"choice", "yes_no", "info"} and options:
            rows = self._option_rows(state, step, options, current)
        elif step.kind == "info":
            rows = [[Button(button_label(gettext(DONE)), f"a:{step.id}:seen")]]
        if len(text_pages) > 1:
            rows.insert(0, self._page_row(f"p:{step.id}", state.page, len(text_pages)))
        if current is not None and step.kind != "multi_choice":
            rows.append([Button(button_label(gettext(KEEP)), f"k:{step.id}")])
        rows.append(self._nav_row(flow, step.id))
        contact = None
        if step.kind == "pk_mobile":
            contact = (paragraph(gettext(SHARE_HINT)), button_label(gettext(SHARE_CONTACT)))
        return reply("\n\n".join(lines), rows, contact=contact, edit=edit)

    def _option_rows(
        self, state: State, step: Step, options: Sequence[Option], current: Any = None
    ) -> list[list[Button]]:
        """One button per option (two per row for short lists of many), a page at a time, each
        numbered in the whole list; the current answer is marked."""
        page_size = step.page_size or len(options) or 1
        pages = max(1, -(-len(options) // page_size))
        page = min(max(state.page, 0), pages - 1)
        first = page * page_size
        buttons = [
            Button(
                button_label((MARK if o.value == current else "") + gettext(o.label)),
                f"a:{step.id}:{o.value}",
                first + i + 1,
            )
            for i, o in enumerate(options[first : first + page_size])
        ]
        two = step.kind == "yes_no" or (
            len(buttons) > 6 and not step.page_size and fits_half_rows(buttons)
        )
        rows = button_rows(buttons, 2 if two else 1)
        if pages > 1:
            rows.append(self._page_row(f"p:{step.id}", page, pages))
        return rows

    def _page_row(self, prefix: str, page: int, pages: int) -> list[Button]:
        """◀️ Previous · 2/3 · Next ▶️ for a long list, a long text or a long review; each
        button's data is ``<prefix>:<page>``."""
        page = min(max(page, 0), pages - 1)
        turn = []
        if page > 0:
            turn.append(Button(button_label(gettext(PREVIOUS)), f"{prefix}:{page - 1}"))
        turn.append(Button(f"{page + 1}/{pages}", f"{prefix}:{page}", indicator=True))
        if page < pages - 1:
            turn.append(Button(button_label(gettext(NEXT)), f"{prefix}:{page + 1}"))
        return turn

    def _review_head(self, flow: Flow) -> list[str]:
        return [gettext(flow.title), gettext(REVIEW_TITLE), ""]

    def _review_pages(self, state: State) -> list[dict[str, tuple[str, Button]]]:
        """The review's answers, step id → (line, edit button), cut into phone screens."""
        assert state.flow is not None
        flow = self.flows[state.flow]
        given = state.answers.get(flow.id, {})
        head = self._review_head(flow)
        pages: list[dict[str, tuple[str, Button]]] = [{}]
        for step in self._applicable(flow, given):
            if not step.review or step.id not in given:
                continue
            label = gettext(step.label or step.prompt)
            line = answer_line(label, self._display(step, given[step.id], given))
            lines = [*head, *(shown for shown, _ in pages[-1].values()), line]
            if pages[-1] and not phone.fits("\n".join(lines), phone.SCREEN_LINES - 2):
                pages.append({})
            pages[-1][step.id] = (
                line,
                Button(button_label(t(EDIT, label=label)), f"r:e:{step.id}"),
            )
        return pages

    def _review(self, state: State, edit: bool = False) -> Reply:
        """Every answer with a button to change it; a long review a phone screen at a time,
        each page with the buttons of its own answers, and Submit on every page."""
        assert state.flow is not None
        flow = self.flows[state.flow]
        pages = self._review_pages(state)
        page = min(max(state.page, 0), len(pages) - 1)
        edits = [button for _, button in pages[page].values()]
        rows = button_rows(edits, 2 if fits_half_rows(edits) else 1)
        if len(pages) > 1:
            rows.append(self._page_row("r:p", page, len(pages)))
        rows.append([Button(button_label(gettext(SUBMIT)), "r:ok")])
        rows.append(self._nav_row(flow, BACK_FROM_REVIEW))
        text = "\n".join([*self._review_head(flow), *(line for line, _ in pages[page].values())])
        return reply(text, rows, edit=edit)

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
            return show_value(date.fromisoformat(value))
        if step.kind == "pk_mobile":
            return isolate(validators.format_mobile(value))
        if step.kind == "cnic":
            return isolate(validators.format_cnic(value))
        return isolate(value)
