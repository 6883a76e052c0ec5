"""The terminal chat, run for real (service, engine, SQLite) with typed lines: a number typed
at a question is an answer, buttons have their own keys (the same on every page), the page
indicator is not a button, lines are wrapped, no invisible direction marks are printed, and
/help says how to choose and how to quit."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from bot.app import Services, build_services
from bot.channels.terminal import WIDTH, chat, render, wrap
from bot.engine.model import Button, Reply
from tests.conftest import TODAY

DIRECTION_MARKS = ("\u200f", "\u2068", "\u2069")


@pytest.fixture
async def services(sqlite_url: str) -> AsyncIterator[Services]:
    built = build_services(sqlite_url, today=lambda: TODAY)
    yield built
    await built.close()


def typist(lines: list[str], out: io.StringIO) -> Callable[[str], str]:
    """Types the lines one by one, echoing them like a terminal; then end of input."""
    pending = list(lines)

    def read(prompt: str) -> str:
        if not pending:
            raise EOFError
        line = pending.pop(0)
        out.write(f"{prompt}{line}\n")
        return line

    return read


async def run(services: Services, lines: list[str], user: str = "tester") -> list[str]:
    """The chat's output, one screen per typed line: screen i starts with the i-th line typed
    (screen 0 is before anything is typed; the last one is the /quit that ends the chat)."""
    out = io.StringIO()
    await chat(services.conversations, user, read=typist(lines, out), out=out)
    return out.getvalue().split("\n> ")


async def state(services: Services, user: str = "tester") -> dict[str, Any]:
    found = await services.repository.state_of("terminal", user)
    assert found is not None
    return found


REGISTER_TO_EXPERIENCE = [
    "#2",  # English
    "#4",  # Register
    "#1",  # I agree
    "Test Worker Nu",
    "42101-4817263-5",
    "0300 1234567",
    "15/03/1998",
    "#1",  # Male
    "#1",  # Punjab
    "Lahore",
    "#4",  # Matric
]


async def test_a_number_typed_at_a_question_is_the_answer(services: Services) -> None:
    screens = await run(services, [*REGISTER_TO_EXPERIENCE, "2", "/quit"])
    assert "How many years of work experience" in screens[-3]
    assert "[#b] ⬅️ Back   [#c] ✖️ Cancel" in screens[-3]  # "2" was a button's number once
    assert "Which work would you like to do in Japan?" in screens[-2]
    assert "Stop now?" not in "".join(screens)
    given = (await state(services))["answers"]["registration"]
    assert given["experience_years"] == 2
    assert given["birth_date"] == "1998-03-15" and given["gender"] == "male"


async def test_back_shows_the_answer_and_the_key_keeps_it(services: Services) -> None:
    screens = await run(services, [*REGISTER_TO_EXPERIENCE, "#b", "#k", "/quit"])
    assert "Now: Matric (class 10)" in screens[-3]
    assert "[#4] ✓ Matric (class 10)" in screens[-3] and "[#k] ✔️ Keep this answer" in screens[-3]
    assert "How many years of work experience" in screens[-2]


async def test_options_keep_their_numbers_on_every_page(services: Services) -> None:
    screens = await run(services, ["#2", "#1", "30", "#n", "#p", "#n", "#9", "/quit"])
    first, second = screens[3], screens[4]
    assert "[#1] Nursing care" in first and "[#n] Next ▶️" in first
    assert "[#9] Automobile transportation" in second and "[#1]" not in second
    assert "[#p] ◀️ Previous   (2/3)   [#n] Next ▶️" in second  # the indicator has no key
    assert "[#1] Nursing care" in screens[5]
    assert "Which job in this field?" in screens[7]
    assert (await state(services))["answers"]["eligibility"]["sector"] == "auto_transport"


async def test_help_says_how_to_choose_and_how_to_quit(services: Services) -> None:
    screens = await run(services, ["#2", "#4", "/help", "/quit", "#1"])
    assert "/mydata" in screens[3]
    assert "type the key in brackets to choose a button, for example #1" in screens[3]
    assert "Type /quit to leave." in screens[3]
    assert "Before we start" in screens[3]  # then the question again
    assert len(screens) == 5  # /quit ended the chat: "#1" was never read


async def test_urdu_has_no_invisible_marks_and_every_line_fits(services: Services) -> None:
    lines = ["#1", "#4", "#1", "ٹیسٹ کارکن", "/privacy", "42101-4817263-5", "/quit"]
    screens = await run(services, lines, user="urdu")
    output = "\n> ".join(screens)
    assert "شناختی" in output or "موبائل" in output  # Urdu questions were printed
    for mark in DIRECTION_MARKS:
        assert mark not in output
    for line in output.split("\n"):
        assert len(line) <= WIDTH or "://" in line, line
    given = (await state(services, "urdu"))["answers"]["registration"]
    assert given["full_name"] == "ٹیسٹ کارکن" and given["cnic"] == "4210148172635"


def test_wrapping_breaks_at_spaces_and_keeps_links_whole() -> None:
    link = "https://example.org/" + "a" * 80
    text = "word " * 30 + link + " end"
    lines = wrap(text)
    assert all(len(line) <= WIDTH for line in lines if link not in line)
    assert link in lines and all(line.split() for line in lines)
    assert " ".join(lines).split() == text.split()  # no word cut in two
    japanese = "日本語" * 40  # no spaces to break at: split anyway
    assert all(len(line) <= WIDTH for line in wrap(japanese))


def test_long_button_rows_go_one_button_a_line() -> None:
    long_label = "A rather long button label that takes half of the line"
    text, keys = render(
        [Reply("Q?", ((Button(long_label, "a:s:x", 1), Button(long_label, "a:s:y", 2)),))]
    )
    assert f"[#1] {long_label}\n[#2] {long_label}" in text
    assert set(keys) == {"1", "2"}
