"""The engine on a small flow written for the test, and on the real registration flow."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bot.engine.engine import (
    Contact,
    Engine,
    Outcome,
    Press,
    Reply,
    State,
    Text,
    Unsupported,
)
from bot.engine.flows import Option, parse_flow
from bot.i18n import using_language

MENU = parse_flow(
    {
        "id": "menu",
        "steps": [
            {
                "id": "main",
                "kind": "menu",
                "prompt": "Menu",
                "options": [
                    {"value": "form", "label": "Form", "start": "form"},
                    {"value": "privacy", "label": "Privacy", "action": "privacy"},
                ],
            }
        ],
    },
    "menu",
)

FORM = parse_flow(
    {
        "id": "form",
        "title": "Form",
        "review": True,
        "on_complete": "save",
        "steps": [
            {
                "id": "consent",
                "kind": "yes_no",
                "prompt": "Agree?",
                "stop_on": "no",
                "review": False,
            },
            {
                "id": "name",
                "kind": "name",
                "label": "Name",
                "prompt": "Name?",
                "example": "Ali Khan",
            },
            {
                "id": "japan",
                "kind": "choice",
                "label": "Japan",
                "prompt": "Been to Japan?",
                "options": [
                    {"value": "never", "label": "Never"},
                    {"value": "titp", "label": "TITP"},
                ],
            },
            {
                "id": "field",
                "kind": "choice",
                "label": "Field",
                "prompt": "Which field?",
                "when": {"japan": "titp"},
                "options_from": "fields",
            },
            {
                "id": "work",
                "kind": "multi_choice",
                "label": "Work",
                "prompt": "Work?",
                "options_from": "fields",
            },
            {"id": "mobile", "kind": "pk_mobile", "label": "Mobile", "prompt": "Mobile?"},
            {
                "id": "born",
                "kind": "date",
                "label": "Born",
                "prompt": "Born?",
                "min_age": 17,
                "max_age": 70,
                "entry_age": 18,
                "notice": "You can go from {date}.",
            },
        ],
    },
    "form",
)

FIELDS = (Option("care", "Care"), Option("farm", "Farm"), Option("build", "Build"))


@pytest.fixture
def engine() -> Engine:
    return Engine(
        {"menu": MENU, "form": FORM},
        {"fields": lambda answers: FIELDS},
        today=lambda: date(2026, 11, 25),
    )


class Run:
    """Drives the engine like a user: every call returns the replies' texts."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.state = State()
        self.events: list[Any] = []
        self.replies: list[Reply] = []

    def _take(self, outcome: Outcome) -> str:
        # the state must survive a round trip through JSON storage at every step
        self.state = State.from_dict(outcome.state.to_dict())
        self.events += outcome.events
        self.replies = outcome.replies
        return "\n".join(r.text for r in outcome.replies)

    def start(self) -> str:
        return self._take(self.engine.start(self.state, "form"))

    def say(self, text: str) -> str:
        return self._take(self.engine.handle(self.state, Text(text)))

    def tap(self, data: str) -> str:
        return self._take(self.engine.handle(self.state, Press(data)))

    def do(self, action: Any) -> str:
        return self._take(self.engine.handle(self.state, action))

    def buttons(self) -> list[str]:
        return [b.data for r in self.replies for row in r.buttons for b in row]


def fill_to_mobile(run: Run) -> None:
    run.start()
    run.tap("a:consent:yes")
    run.say("Ali Khan")
    run.tap("a:japan:never")
    run.tap("t:work:farm")
    run.tap("d:work")


def test_steps_are_numbered_and_offer_back_and_cancel(engine: Engine) -> None:
    run = Run(engine)
    assert "Step 1 of 6" in run.start()
    assert {"n:back:consent", "n:cancel"} <= set(run.buttons())
    assert run.events[0].kind == "started"


def test_when_condition_adds_a_step_and_the_count_follows(engine: Engine) -> None:
    run = Run(engine)
    run.start()
    run.tap("a:consent:yes")
    run.say("Ali Khan")
    text = run.tap("a:japan:titp")
    assert "Which field?" in text
    assert "Step 4 of 7" in text


def test_full_flow_review_edit_and_complete(engine: Engine) -> None:
    run = Run(engine)
    fill_to_mobile(run)
    assert "Saved: +92 300 1234567" in run.do(Contact("923001234567"))
    assert run.replies[0].remove_keyboard
    text = run.say("01/01/2000")
    assert "Please check your answers" in text
    assert "• Name: Ali Khan" in text and "• Work: Farm" in text
    assert "r:e:name" in run.buttons() and "r:ok" in run.buttons()
    assert "Name?" in run.tap("r:e:name")
    assert "Please check your answers" in run.say("Ali Raza")
    run.tap("r:ok")
    completed = [e for e in run.events if e.kind == "completed"]
    assert completed[0].answers == {
        "consent": "yes",
        "name": "Ali Raza",
        "japan": "never",
        "work": ["farm"],
        "mobile": "+923001234567",
        "born": "2000-01-01",
    }
    assert run.state.flow is None and "form" not in run.state.answers


def test_answers_of_steps_that_no_longer_apply_are_not_submitted(engine: Engine) -> None:
    run = Run(engine)
    run.start()
    run.tap("a:consent:yes")
    run.say("Ali Khan")
    run.tap("a:japan:titp")
    run.tap("a:field:care")
    run.tap("t:work:farm")
    run.tap("d:work")
    run.say("03001234567")
    run.say("01/01/2000")
    run.tap("r:e:japan")
    run.tap("a:japan:never")
    run.tap("r:ok")
    answers = run.events[-1].answers
    assert "field" not in answers and answers["japan"] == "never"


def test_back_keeps_answers_and_back_from_first_step_goes_to_menu(engine: Engine) -> None:
    run = Run(engine)
    run.start()
    run.tap("a:consent:yes")
    run.say("Ali Khan")
    assert "Name?" in run.tap("n:back:japan")
    assert run.state.answers["form"]["name"] == "Ali Khan"
    run.tap("n:back:name")
    assert "Menu" in run.tap("n:back:consent")
    assert run.state.flow is None
    assert "Step 3 of 6" in run.start()  # continues at the first unanswered step


def test_cancel_asks_first_then_removes_the_answers(engine: Engine) -> None:
    run = Run(engine)
    run.start()
    run.tap("a:consent:yes")
    assert "Stop now?" in run.tap("n:cancel")
    assert "Name?" in run.tap("c:no")
    run.tap("n:cancel")
    assert "Nothing from this form was saved" in run.tap("c:yes")
    assert "form" not in run.state.answers
    assert run.events[-1].kind == "dropped" and run.events[-1].step == "name"


def test_declining_consent_ends_the_flow(engine: Engine) -> None:
    run = Run(engine)
    run.start()
    run.tap("a:consent:no")
    assert run.events[-1].kind == "declined"
    assert run.state.flow is None and "form" not in run.state.answers


def test_bad_input_keeps_answers_and_helps_after_three_tries(engine: Engine) -> None:
    run = Run(engine)
    run.start()
    run.tap("a:consent:yes")
    first = run.say("😀😀😀")
    assert "only letters" in first and "Example" not in first
    assert "Example" not in run.do(Unsupported("photo"))
    third = run.do(Unsupported("sticker"))
    assert "Example: Ali Khan" in third and "https://oec.gov.pk" in third
    assert "Name?" in third  # asked again, answers intact
    assert run.state.answers["form"] == {"consent": "yes"}
    assert "too long" in run.say("x" * 4000)
    assert "Step 3 of 6" in run.say("Ali Khan")
    assert run.state.tries == 0


def test_choice_steps_accept_typed_numbers_and_labels_but_not_other_text(engine: Engine) -> None:
    run = Run(engine)
    run.start()
    run.tap("a:consent:yes")
    run.say("Ali Khan")
    assert "tap one of the buttons" in run.say("maybe")
    assert "Which field?" in run.say("2")
    assert "Work?" in run.say("care")


def test_multi_choice_toggles_edit_in_place_and_need_one_pick(engine: Engine) -> None:
    run = Run(engine)
    run.start()
    run.tap("a:consent:yes")
    run.say("Ali Khan")
    run.tap("a:japan:never")
    assert "at least 1" in run.tap("d:work")
    run.tap("t:work:build")
    assert run.replies[0].edit
    assert "☑️ Build" in [b.label for row in run.replies[0].buttons for b in row]
    run.tap("t:work:care")
    run.tap("t:work:build")
    run.tap("t:work:farm")
    run.tap("d:work")
    assert run.state.answers["form"]["work"] == ["care", "farm"]  # in catalogue order


def test_stale_buttons_do_not_answer_the_current_question(engine: Engine) -> None:
    run = Run(engine)
    run.start()
    run.tap("a:consent:yes")
    text = run.tap("a:consent:no")  # an old message's button
    assert "earlier question" in text and "Name?" in text
    assert run.state.flow == "form"


def test_contact_is_only_an_answer_on_the_mobile_step(engine: Engine) -> None:
    run = Run(engine)
    run.start()
    run.tap("a:consent:yes")
    assert "only read typed text" in run.do(Contact("+923001234567"))
    fill_to_mobile(run)
    assert run.replies[0].contact is not None
    assert "valid" not in run.do(Contact("+923001234567"))
    assert run.state.answers["form"]["mobile"] == "+923001234567"


def test_under_entry_age_is_told_when_they_can_go(engine: Engine) -> None:
    run = Run(engine)
    fill_to_mobile(run)
    run.say("03001234567")
    text = run.say("01/06/2009")
    assert "You can go from June 1, 2027." in text


def test_menu_starts_flows_and_reports_actions(engine: Engine) -> None:
    run = Run(engine)
    assert "Agree?" in run.tap("m:form")
    run.tap("m:privacy")
    assert run.events[-1].kind == "action" and run.events[-1].value == "privacy"


def test_language_press_is_an_event_and_texts_follow_the_language(engine: Engine) -> None:
    run = Run(engine)
    run.tap("l:ur")
    assert run.events[-1].kind == "language" and run.events[-1].value == "ur"
    with using_language("ur"):
        reply = engine.resume(State()).replies[0]
    assert reply.text.startswith("\u200f")  # Urdu paragraphs start right-to-left
