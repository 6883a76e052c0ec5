"""A long review screen comes a phone screen at a time, each page with its own answers' buttons."""

from __future__ import annotations

from bot.engine.phone import fits
from tests.engine.talk import Talk, real_engine


def _at_review() -> Talk:
    talk = Talk(real_engine())
    talk.start("registration")
    talk.answer_all(lambda step: "titp_completed" if step.id == "japan_history" else None)
    assert talk.state.mode == "review"
    return talk


def test_every_page_fits_and_every_answer_can_be_changed() -> None:
    talk = _at_review()
    first = talk.text
    assert "r:p:1" in talk.buttons() and "r:ok" in talk.buttons()
    review, buttons = talk.review()
    pages = review.split("Registration with OEC\n")[1:]
    assert len(pages) >= 2 and all(fits("Registration with OEC\n" + page) for page in pages)
    asked = [s.id for s in talk.engine.flows["registration"].steps if s.review]
    given = talk.state.answers["registration"]
    assert {f"r:e:{step}" for step in asked if step in given} <= set(buttons)
    assert buttons.count("r:ok") == len(pages)  # Submit on every page
    assert talk.replies[-1].edit  # a page turns in place
    assert talk.tap("r:p:0") == first


def test_a_page_button_of_a_submitted_review_does_nothing() -> None:
    talk = _at_review()
    talk.tap("r:ok")
    events = len(talk.events)
    assert "What would you like to do?" in talk.tap("r:p:1")  # the review is gone: the menu
    assert len(talk.events) == events and talk.state.flow is None


def test_the_review_opens_on_its_first_page_and_returns_to_a_changed_answers_page() -> None:
    talk = _at_review()
    assert "r:e:full_name" in talk.buttons()  # first page first
    talk.review()  # to the last page
    assert "r:e:passport" in talk.buttons()
    talk.tap("r:e:passport")
    talk.tap("a:passport:no")
    assert "• Passport: No" in talk.text and "r:e:passport" in talk.buttons()
