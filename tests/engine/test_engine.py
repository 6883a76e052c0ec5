"""The engine on a small flow written for the test, and on the real registration flow."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from bot.engine.engine import Engine
from bot.engine.flows import Option, parse_flow
from bot.engine.model import Contact, Outcome, Press, Reply, State, Text, Unsupported
from bot.i18n import gettext, using_language

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


# -- a doubtful answer is confirmed before it is kept ------------------------------------------


def at_name(run: Run) -> None:
    run.start()
    run.tap("a:consent:yes")


def test_a_placeholder_name_is_asked_about_and_kept_on_yes(engine: Engine) -> None:
    run = Run(engine)
    at_name(run)
    text = run.say("test")
    assert "You wrote: test" in text and "Is this your full name, as on your CNIC?" in text
    assert run.buttons() == ["v:name:yes", "v:name:no"]
    assert run.state.mode == "confirm_answer" and "name" not in run.state.answers["form"]
    assert run.state.tries == 0  # not a mistake
    assert "Been to Japan?" in run.tap("v:name:yes")
    assert run.state.answers["form"]["name"] == "test"
    assert run.state.mode == "ask" and run.state.pending is None


def test_no_asks_the_question_again_and_a_real_name_is_kept(engine: Engine) -> None:
    run = Run(engine)
    at_name(run)
    run.say("asdf")
    text = run.tap("v:name:no")
    assert "Name?" in text and "name" not in run.state.answers["form"]
    assert run.state.mode == "ask" and run.state.pending is None
    assert "Been to Japan?" in run.say("Ali Khan")
    assert run.state.answers["form"]["name"] == "Ali Khan"


def test_typing_instead_of_tapping_is_a_new_answer(engine: Engine) -> None:
    run = Run(engine)
    at_name(run)
    run.say("NaN")
    assert "Been to Japan?" in run.say("Ali Raza")  # a new answer, checked and kept
    assert run.state.answers["form"]["name"] == "Ali Raza"

    run = Run(engine)
    at_name(run)
    run.say("test")
    assert "You wrote: Ali" in run.say("Ali")  # a new doubtful answer is asked about in turn
    assert run.state.pending is not None and run.state.pending["value"] == "Ali"
    assert "only letters" in run.say("Ali 123")  # a new answer that breaks the rule
    assert run.state.mode == "ask" and run.state.pending is None


def test_typing_the_same_answer_again_or_yes_keeps_it(engine: Engine) -> None:
    run = Run(engine)
    at_name(run)
    run.say("Zainab")
    assert "Been to Japan?" in run.say("  Zainab ")  # they mean it
    assert run.state.answers["form"]["name"] == "Zainab"

    run = Run(engine)
    at_name(run)
    run.say("Zainab")
    assert "Been to Japan?" in run.say("yes")
    assert run.state.answers["form"]["name"] == "Zainab"

    run = Run(engine)
    at_name(run)
    run.say("Zainab")
    assert "Name?" in run.say("No")
    assert "name" not in run.state.answers["form"]


def test_stale_taps_around_a_doubtful_answer(engine: Engine) -> None:
    run = Run(engine)
    at_name(run)
    run.say("xxx")
    text = run.tap("a:consent:yes")  # an older question's button
    assert "earlier question" in text and "You wrote: xxx" in text
    assert run.state.mode == "confirm_answer"
    assert "earlier question" in run.tap("v:japan:yes")  # not this step's confirmation
    assert "earlier question" in run.tap("v:name:maybe")
    run.tap("v:name:yes")
    text = run.tap("v:name:no")  # the confirmation is answered: its buttons are old now
    assert "earlier question" in text and "Been to Japan?" in text
    assert run.state.answers["form"]["name"] == "xxx"


def test_other_actions_while_asked_about_a_doubtful_answer(engine: Engine) -> None:
    run = Run(engine)
    at_name(run)
    run.say("test")
    text = run.do(Unsupported("photo"))
    assert "tap one of the buttons" in text and "You wrote: test" in text
    assert "Stop now?" in run.tap("n:cancel")
    assert "Name?" in run.tap("c:no")  # back to the question; the doubtful answer is gone
    assert run.state.pending is None and "name" not in run.state.answers["form"]


def test_a_doubtful_answer_survives_storage_and_a_language_change(engine: Engine) -> None:
    run = Run(engine)
    at_name(run)
    run.say("Muhammad")
    stored = run.state.to_dict()
    assert stored["mode"] == "confirm_answer"
    assert stored["pending"] == {
        "value": "Muhammad",
        "message": "You wrote: {name}\nIs this your full name, as on your CNIC?",
        "params": {"name": "Muhammad"},
    }
    again = State.from_dict(json.loads(json.dumps(stored)))
    assert again == run.state
    with using_language("ur"):
        shown = engine.resume(again).replies[0]
    assert "\u2068Muhammad\u2069" in shown.text  # the name isolated inside Urdu text
    assert [b.data for row in shown.buttons for b in row] == ["v:name:yes", "v:name:no"]
    assert State.from_dict({}).pending is None  # states stored before this feature
    outcome = engine.handle(again, Press("v:name:yes"))
    assert outcome.state.answers["form"]["name"] == "Muhammad"


def test_editing_a_name_from_review_confirms_and_returns_to_review(engine: Engine) -> None:
    run = Run(engine)
    fill_to_mobile(run)
    run.say("03001234567")
    run.say("01/01/2000")
    run.tap("r:e:name")
    assert "You wrote: test" in run.say("test")
    assert "Please check your answers" in run.tap("v:name:yes")
    assert "• Name: test" in run.replies[0].text


def test_the_step_example_of_a_cnic_is_refused(engine: Engine) -> None:
    flows = dict(engine.flows)
    flows["form"] = parse_flow(
        {
            "id": "form",
            "steps": [
                {"id": "id", "kind": "cnic", "prompt": "CNIC?", "example": "35202-1234567-1"},
                {"id": "end", "kind": "name", "prompt": "Name?"},
            ],
        },
        "form",
    )
    run = Run(Engine(flows, engine.option_sources, today=engine.today))
    run.start()
    assert "looks like an example" in run.say("35202-1234567-1")
    assert "Name?" in run.say("35202-4817263-5")


# -- the real registration flow: what workers type ------------------------------------------


@pytest.fixture
def registration() -> Run:
    from bot.app import build_engine

    run = Run(build_engine(today=lambda: date(2026, 11, 25)))
    run._take(run.engine.start(run.state, "registration"))
    run.tap("a:consent:yes")
    return run


def test_registration_name_cnic_and_date_as_workers_type_them(registration: Run) -> None:
    run = registration
    assert "Is this your full name, as on your CNIC?" in run.say("test")
    assert "What is your full name" in run.tap("v:full_name:no")
    assert "What is your CNIC number?" in run.say("Ｍｕｈａｍｍａｄ\u3000Ａｌｉ")
    assert run.state.answers["registration"]["full_name"] == "Muhammad Ali"
    assert "looks like an example" in run.say("12345-1234567-1")  # the one our message shows
    assert "looks like an example" in run.say("35202-1234567-1")  # the step's own example
    assert "looks like an example" in run.say("0000000000000")
    assert "What is your mobile number?" in run.say("４２１０１－４８１７２６３－５")
    assert run.state.answers["registration"]["cnic"] == "4210148172635"
    assert "What is your date of birth?" in run.say("０３００\u3000１２３４５６７")
    text = run.say("31/02/1998")
    assert "That date does not exist: February has at most 29 days." in text
    assert "What is your date of birth?" in text
    assert "What is your gender?" in run.say("15-3-98")
    assert run.state.answers["registration"]["birth_date"] == "1998-03-15"


def test_typed_labels_are_matched_after_nfkc(registration: Run) -> None:
    """A Japanese label with full-width brackets, typed on a Japanese keyboard (NFKC makes the
    brackets plain): it still matches its button."""
    run = registration
    given = run.state.answers["registration"]
    given.update(
        full_name="Ali Khan",
        cnic="4210148172635",
        mobile="+923001234567",
        birth_date="1998-03-15",
        gender="male",
        province="punjab",
        district="Lahore",
        education="matric",
        experience_years=3,
        sectors=["agriculture"],
        japanese_level="none",
        jp_tests=["none"],
        skills_test="no",
        passport="yes",
    )
    run._take(run.engine.start(run.state, "registration"))
    assert "Have you been to Japan before?" in run.replies[0].text
    with using_language("ja"):
        label = gettext("Another visa (study, work or visit)")
        assert "（" in label  # full-width, as typed on a Japanese keyboard
        run.say(label)
    assert run.state.answers["registration"]["japan_history"] == "other_stay"
