"""The terminal channel: the same conversation as on Telegram, typed in a shell.

Buttons are shown with a key in brackets: ``[#3]`` for an option (its number in the whole
list, the same on every page), ``[#b]`` Back, ``[#c]`` Cancel, ``[#p]``/``[#n]`` the previous
or next page, ``[#d]`` Done, ``[#k]`` Keep, ``[#s]`` Submit, ``[#1]``… for other buttons. A key
starts with ``#``, which no answer does, so a number typed at a question (years, a date) is an
answer, never a button. Anything else is sent as typed; ``/command`` runs a command, ``/quit``
leaves. Lines are wrapped at word boundaries, and the invisible direction marks Telegram needs
for Urdu are left out. It uses the same service and database as the Telegram bot, so it needs
no token.
"""

from __future__ import annotations

import asyncio
import getpass
import sys
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TextIO

from bot.conversation import ConversationService, Incoming
from bot.engine.digits import ascii_digits
from bot.engine.model import Button, Press, Reply, Text
from bot.i18n import N_

CHANNEL = "terminal"
WIDTH = 78
HELP = N_(
    "In this terminal, type the key in brackets to choose a button, for example #1 or #b. "
    "Type anything else as your answer. Type /quit to leave."
)
QUIT = frozenset({"/quit", "/exit"})
# Direction marks and isolates (LRM, RLM, ALM, LRI, RLI, FSI, PDI): needed by Telegram for
# Urdu, shown as stray characters by many terminals.
_DIRECTION_MARKS = dict.fromkeys(map(ord, "\u200e\u200f\u061c\u2066\u2067\u2068\u2069"))
_FIXED_KEYS = {"k": "k", "d": "d"}  # callback-data kind → key (Keep, Done)


def plain(text: str) -> str:
    """The text without the invisible direction marks."""
    return text.translate(_DIRECTION_MARKS)


def wrap(text: str, width: int = WIDTH) -> list[str]:
    """Lines no wider than ``width``, broken at spaces; a word longer than a line (a URL) is
    kept whole, unless it is a run of text without spaces (Japanese), which may be split."""
    lines: list[str] = []
    for line in text.split("\n"):
        indent = "  " if line.startswith("• ") else ""
        pieces = textwrap.wrap(
            line,
            width,
            subsequent_indent=indent,
            break_long_words=False,
            break_on_hyphens=False,
        )
        for piece in pieces or [""]:
            if len(piece) > width and "://" not in piece:
                lines += textwrap.wrap(piece, width, subsequent_indent=indent)
            else:
                lines.append(piece)
    return lines


def _page_of(data: str) -> int:
    page = data.rsplit(":", 1)[-1]
    return int(page) if page.isdigit() else 0


def _control_key(button: Button, shown_page: int | None) -> str | None:
    """The fixed key of a control button, or None for a button numbered in order."""
    kind, _, rest = button.data.partition(":")
    if kind == "n":
        return "b" if rest.startswith("back") else "c"
    if kind == "p":
        return "p" if shown_page is not None and _page_of(button.data) < shown_page else "n"
    if button.data == "r:ok":
        return "s"
    return _FIXED_KEYS.get(kind)


def keys(replies: Sequence[Reply]) -> dict[str, Button]:
    """Every choosable button by its key (without the ``#``); page indicators have none."""
    numbered = [b.number for r in replies for row in r.buttons for b in row if b.number]
    counter = max(numbered, default=0)
    chosen: dict[str, Button] = {}
    for reply in replies:
        for row in reply.buttons:
            shown = next((_page_of(b.data) for b in row if b.indicator), None)
            for button in row:
                if button.indicator:
                    continue
                key = _control_key(button, shown)
                if key is None and button.number is not None:
                    key = str(button.number)
                if key is None:
                    counter += 1
                    key = str(counter)
                chosen[key] = button
    return chosen


def render(replies: Sequence[Reply], width: int = WIDTH) -> tuple[str, dict[str, Button]]:
    """Replies as wrapped plain text, each button with its key; returns the text and the keys."""
    chosen = keys(replies)
    key_of = {id(button): key for key, button in chosen.items()}
    lines: list[str] = []
    for reply in replies:
        lines += wrap(plain(reply.text), width)
        for row in reply.buttons:
            cells = [
                f"[#{key_of[id(b)]}] {plain(b.label)}" if id(b) in key_of else f"({b.label})"
                for b in row
            ]
            joined = "   ".join(cells)
            lines += [joined] if len(joined) <= width else [c for cell in cells for c in wrap(cell)]
        lines.append("")
    return "\n".join(lines), chosen


def parse(line: str, buttons: dict[str, Button], user_key: str) -> Incoming:
    """A typed line: ``#key`` taps a button, ``/command`` runs one, anything else is an answer."""
    text = line.strip()
    base = Incoming(CHANNEL, user_key)
    if text.startswith("/"):
        command, _, argument = text[1:].partition(" ")
        return replace(base, command=command.lower(), argument=argument.strip())
    key = ascii_digits(text[1:]).strip().casefold() if text.startswith("#") else None
    if key is not None and key in buttons:
        return replace(base, action=Press(buttons[key].data))
    return replace(base, action=Text(line))


async def chat(
    service: ConversationService,
    user_key: str | None = None,
    read: Callable[[str], str] = input,
    out: TextIO = sys.stdout,
    width: int = WIDTH,
) -> None:
    """Run the conversation until end of input or /quit."""
    user_key = user_key or getpass.getuser()
    out.write("ssw-bot terminal chat. Type #1, #2 ... to choose a button, /quit to leave.\n\n")
    replies = await service.handle(Incoming(CHANNEL, user_key, command="start"))
    while True:
        text, buttons = render(replies, width)
        out.write(text + "\n")
        out.flush()
        try:
            line = await asyncio.to_thread(read, "> ")
        except EOFError:
            return
        if line.strip().lower() in QUIT:
            return
        if not line.strip():
            replies = []
            continue
        replies = await service.handle(parse(line, buttons, user_key))
