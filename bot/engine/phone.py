"""How much of a phone's screen a message takes: lines as a cheap phone shows them.

A worker reads the bot on a small Android phone: a Telegram message bubble there holds about
40 Latin or Urdu letters per line, or about 20 Japanese characters (each takes two columns).
Lines wrap at spaces (Japanese at any character). ``SCREEN_LINES`` is what fits above the
buttons without scrolling; every screen the bot shows stays within it (a test checks).
"""

from __future__ import annotations

import unicodedata
from functools import cache

PHONE_WIDTH = 40  # columns of a message bubble on a 360-dp-wide phone at the default font
SCREEN_LINES = 15  # lines a worker sees before the buttons


@cache  # a few hundred characters per screen, of a few hundred distinct ones
def char_width(ch: str) -> int:
    """Columns one character takes: 0 for invisible marks, 2 for wide (CJK, emoji), else 1."""
    if unicodedata.category(ch) in {"Cf", "Mn", "Me"}:
        return 0
    return 2 if unicodedata.east_asian_width(ch) in {"W", "F"} else 1


def display_width(text: str) -> int:
    if text.isascii():  # every ASCII character takes one column
        return len(text)
    return sum(map(char_width, text))


def _tokens(line: str) -> list[str]:
    """Words and spaces; every wide character is its own token (Japanese breaks anywhere)."""
    tokens: list[str] = []
    word = ""
    for ch in line:
        if ch == " " or char_width(ch) == 2:
            if word:
                tokens.append(word)
                word = ""
            tokens.append(ch)
        else:
            word += ch
    if word:
        tokens.append(word)
    return tokens


def wrapped_lines(line: str, width: int = PHONE_WIDTH) -> int:
    """How many phone lines one line of text takes (an empty line takes one)."""
    if display_width(line) <= width:
        return 1
    count, used = 1, 0
    for token in _tokens(line):
        size = display_width(token)
        if token == " ":
            if used and used + 1 <= width:
                used += 1
            continue
        if used + size <= width:
            used += size
            continue
        if used:
            count += 1
        while size > width:  # a word longer than a line (a URL) breaks where it must
            count += 1
            size -= width
        used = size
    return count


def phone_lines(text: str, width: int = PHONE_WIDTH) -> int:
    """Lines the text takes on the phone, counting wrapped lines and blank lines."""
    return sum(wrapped_lines(line, width) for line in text.split("\n"))


def fits(text: str, lines: int = SCREEN_LINES) -> bool:
    return phone_lines(text) <= lines


def pages(text: str, lines: int = SCREEN_LINES) -> list[str]:
    """The text cut into screens of at most ``lines`` phone lines.

    Paragraphs (separated by a blank line) stay together when they fit on a screen; a longer
    paragraph, or one after a short heading, fills the screen and goes on to the next one at a
    line break. A single line longer
    than a screen stays whole (the screen test catches it)."""
    result: list[list[str]] = []
    current: list[str] = []

    def fits_with(extra: list[str]) -> bool:
        return phone_lines("\n".join(current + extra)) <= lines

    for paragraph in text.split("\n\n"):
        block = paragraph.split("\n")
        gap = [""] if current else []
        if fits_with(gap + block):
            current += gap + block
            continue
        short = phone_lines("\n".join(current)) < lines // 3  # a heading: don't leave it alone
        if phone_lines(paragraph) <= lines and not short:  # it fits on a screen of its own
            result.append(current)
            current = block
            continue
        for index, line in enumerate(block):
            gap = [""] if current and index == 0 else []
            if current and not fits_with([*gap, line]):
                result.append(current)
                current, gap = [], []
            current += [*gap, line]
    result.append(current)
    return ["\n".join(page) for page in result if page] or [""]
