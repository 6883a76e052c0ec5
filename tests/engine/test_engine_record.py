"""What the engine reports for the record (consent given, flows resumed and left, topics read)
and the own-number check on a shared contact, on small flows written for the test."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bot.engine.engine import Engine
from bot.engine.flows import Flow, parse_flow
from bot.engine.model import Contact, Event, Press, State, Text


def _flow(data: dict[str, Any]) -> Flow:
    return parse_flow(data, str(data["id"]))


MENU = _flow(
    {
        "id": "menu",
        "steps": [
            {
                "id": "main",
                "kind": "menu",
                "prompt": "Menu",
                "options": [
                    {"value": "form", "label": "Form", "start": "form"},
                    {"value": "browse", "label": "Browse", "start": "browse"},
                ],
            }
        ],
    }
)
FORM = _flow(
    {
        "id": "form",
        "steps": [
            {"id": "consent", "kind": "yes_no", "prompt": "Agree?", "stop_on": "no"},
            {"id": "name", "kind": "name", "label": "Name", "prompt": "Name?"},
            {"id": "mobile", "kind": "pk_mobile", "label": "Mobile", "prompt": "Mobile?"},
        ],
    }
)
BROWSE = _flow(
    {
        "id": "browse",
        "confirm_cancel": False,
        "steps": [
            {
                "id": "topic",
                "kind": "choice",
                "prompt": "Which topic?",
                "options": [
                    {"value": "costs", "label": "Costs"},
                    {"value": "fraud", "label": "Fraud"},
                ],
            },
            {
                "id": "answer",
                "kind": "info",
                "prompt": "The answer.",
                "options": [
                    {"value": "more", "label": "Other questions", "back_to": "topic"},
                    {"value": "form", "label": "Register", "start": "form"},
                ],
            },
        ],
    }
)


@pytest.fixture
def engine() -> Engine:
    return Engine({"menu": MENU, "form": FORM, "browse": BROWSE}, today=lambda: date(2026, 11, 25))


class Run:
    """Drives the engine like a user and keeps every event it reports."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.state = State()
        self.events: list[Event] = []
        self.texts: list[str] = []

    def do(self, action: Press | Text | Contact) -> str:
        outcome = self.engine.handle(self.state, action)
        self.state = State.from_dict(outcome.state.to_dict())
        self.events += outcome.events
        self.texts = [r.text for r in outcome.replies]
        self.replies = outcome.replies
        return "\n".join(self.texts)

    def tap(self, data: str) -> str:
        return self.do(Press(data))

    def record(self) -> list[tuple[str, str | None, str | None, str | None]]:
        """The events the funnel keeps, as (kind, flow, step, value); each taken once."""
        taken = [(e.kind, e.flow, e.step, e.value) for e in self.events]
        self.events = []
        return taken


def test_reading_two_topics_then_the_main_menu(engine: Engine) -> None:
    run = Run(engine)
    run.tap("m:browse")
    run.tap("a:topic:costs")
    run.tap("a:answer:more")
    run.tap("a:topic:fraud")
    assert run.record() == [
        ("started", "browse", None, None),
        ("step", "browse", "topic", None),
        ("viewed", "browse", "topic", "costs"),
        ("step", "browse", "answer", None),
        ("step", "browse", "topic", None),
        ("viewed", "browse", "topic", "fraud"),
        ("step", "browse", "answer", None),
    ]
    assert "Menu" in run.tap("n:cancel")  # the "Main menu" button of a browsing flow
    assert run.record() == [("left", "browse", "answer", None)]


def test_following_a_link_into_another_flow_leaves_the_first(engine: Engine) -> None:
    run = Run(engine)
    run.tap("m:browse")
    run.tap("a:topic:costs")
    run.record()
    assert "Agree?" in run.tap("a:answer:form")
    assert run.record() == [
        ("left", "browse", "answer", None),
        ("started", "form", None, None),
        ("step", "form", "consent", None),
    ]


def test_consent_back_to_the_menu_a_second_start_and_another_flow(engine: Engine) -> None:
    run = Run(engine)
    run.tap("m:form")
    run.tap("a:consent:yes")
    assert run.record() == [
        ("started", "form", None, None),
        ("step", "form", "consent", None),
        ("consented", "form", "consent", None),
        ("step", "form", "name", None),
    ]
    run.tap("n:back:name")
    assert "Menu" in run.tap("n:back:consent")  # back from the first question
    assert run.record() == [("left", "form", "consent", None)]
    assert "Name?" in run.tap("m:form")  # the answers were kept
    assert run.record() == [("resumed", "form", None, None), ("step", "form", "name", None)]
    run.tap("m:browse")  # an older menu's button, tapped in the middle of the form
    assert run.record() == [
        ("left", "form", "name", None),
        ("started", "browse", None, None),
        ("step", "browse", "topic", None),
    ]


def test_a_form_answer_is_never_reported(engine: Engine) -> None:
    run = Run(engine)
    run.tap("m:form")
    run.tap("a:consent:yes")
    run.do(Text("Test Worker Alpha"))
    run.do(Text("0300 1234567"))
    assert all(e.value is None for e in run.events if e.kind != "completed")
    assert run.events[-1].kind == "completed"


def test_a_contact_that_is_not_the_senders_own_is_refused_and_asked_again(
    engine: Engine,
) -> None:
    run = Run(engine)
    run.tap("m:form")
    run.tap("a:consent:yes")
    run.do(Text("Test Worker Alpha"))
    text = run.do(Contact("+923009999999", own=False))
    assert "I can only take your own number" in text and "📱 Share my number" in text
    assert "Mobile?" in text and run.replies[-1].contact is not None  # the button again
    assert "mobile" not in run.state.answers["form"]
    assert run.state.step == "mobile" and run.state.tries == 1
    run.do(Contact("+923001234567", own=True))
    completed = run.events[-1]
    assert completed.kind == "completed" and completed.answers is not None
    assert completed.answers["mobile"] == "+923001234567"
