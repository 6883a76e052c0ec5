"""Every screen of every flow, in every language, fits a phone screen above its buttons.

A worker on a cheap phone sees about ``SCREEN_LINES`` lines (``bot.engine.phone``) before the
buttons. This walks every question of every flow, every sector and FAQ answer in each of their
views and pages, the eligibility result (summary, "Why" and "Sources") for each field and a
range of workers, and the service's own screens, in Urdu, English and Japanese.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from bot import ssw
from bot.app import build_engine
from bot.conversation import HELP, PRIVACY
from bot.engine.model import Reply, State
from bot.engine.phone import SCREEN_LINES, pages, phone_lines
from bot.i18n import LANGUAGES, gettext, using_language
from bot.ssw import catalogue
from tests.engine.talk import Talk

TODAY = date(2026, 11, 25)
ENGINE = build_engine(lambda: TODAY)

# Workers whose eligibility results are checked in every field.
PROFILES: dict[str, dict[str, Any]] = {
    "new": {"age": 25, "jp_tests": [], "skills_test": "no", "titp": "none", "ssw1": "no"},
    "ready": {
        "age": 30,
        "jp_tests": ["jft_a2", "jlpt_n3", "care_japanese"],
        "skills_test": "yes",
        "titp": "none",
        "ssw1": "no",
        "japan_licence": "yes",
    },
    "titp": {"age": 28, "jp_tests": [], "titp": "completed", "titp_field": "construction"},
    "cap_used": {"age": 33, "jp_tests": ["jlpt_n4"], "skills_test": "yes", "ssw1_years": 5},
    "seventeen": {"age": 17, "jp_tests": [], "skills_test": "unknown"},
    "too_young": {"age": 15},
    "it_degree": {"age": 27, "degree": "it_related", "experience_years": 2},
    "no_degree": {"age": 40, "degree": "none", "experience_years": 3, "nursing_licence": "no"},
}


def _pages_of(state: State) -> Iterator[tuple[int, Reply]]:
    """The screen at this state and every further page of it (long texts and lists)."""
    reply = ENGINE.resume(state).replies[0]
    yield 0, reply
    page = 1
    while any(
        b.data.endswith(f":{page}") and b.data.startswith(("p:", "r:p:"))
        for r in reply.buttons
        for b in r
    ):
        state.page = page
        reply = ENGINE.resume(state).replies[0]
        yield page, reply
        page += 1


def flow_screens() -> Iterator[tuple[str, str]]:
    """(where, text) for every question and info screen of every flow."""
    items = {
        "sector": [s.id for s in catalogue.sectors()],
        "topic": [e.id for e in catalogue.faq()],
    }
    for flow in ENGINE.flows.values():
        for step in flow.steps:
            if step.kind == "info" and step.text_from:
                key = "topic" if "topic" in {s.id for s in flow.steps} else "sector"
                views = [
                    None,
                    *(o.show for o in step.options if o.show != step.text_from and o.show),
                ]
                for item in items[key]:
                    for view in views:
                        state = State(flow.id, step.id, answers={flow.id: {key: item}}, view=view)
                        for page, reply in _pages_of(state):
                            yield f"{flow.id}.{step.id}[{item}, {view}, page {page}]", reply.text
                continue
            for sector in ("construction", "auto_transport", "railway"):
                state = State(flow.id, step.id, answers={flow.id: {"sector": sector}})
                for page, reply in _pages_of(state):
                    yield f"{flow.id}.{step.id}[{sector}, page {page}]", reply.text
    yield "menu", ENGINE.menu().text
    yield from review_screens()


def review_screens() -> Iterator[tuple[str, str]]:
    """The registration's review screen with every answer given (the longest answers)."""
    talk = Talk(ENGINE)
    talk.start("registration")
    talk.answer_all(lambda step: "titp_completed" if step.id == "japan_history" else None)
    assert talk.state.mode == "review"
    for page, reply in _pages_of(talk.state):
        yield f"registration review, page {page}", reply.text


def result_screens() -> Iterator[tuple[str, str]]:
    """The eligibility result's summary, reasons and sources for every field and profile."""
    for sector in catalogue.sectors():
        for name, profile in PROFILES.items():
            answers = {**profile, "sector": sector.id}
            if sector.categories:
                answers["sector_category"] = sector.categories[-1].id
            assessment = ssw.assess(answers, today=TODAY)
            where = f"result[{sector.id}, {name}]"
            yield f"{where} summary", ssw.render_summary(assessment)
            for n, screen in enumerate(ssw.render_screens(assessment)):
                yield f"{where} why {n}", screen
            for n, screen in enumerate(ssw.render_sources(assessment)):
                yield f"{where} sources {n}", screen


def service_screens() -> Iterator[tuple[str, str]]:
    for msgid in (HELP, PRIVACY):
        for n, page in enumerate(pages(gettext(msgid))):
            yield f"{msgid[:20]!r} page {n}", page


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_screen_fits_a_phone(language: str) -> None:
    with using_language(language):
        screens = [*flow_screens(), *result_screens(), *service_screens()]
    assert len(screens) > 500
    too_long = {
        where: phone_lines(text) for where, text in screens if phone_lines(text) > SCREEN_LINES
    }
    assert too_long == {}
