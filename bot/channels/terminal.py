"""The terminal channel: the same conversation as on Telegram, typed in a shell.

Buttons are shown numbered; type a number to tap one, or type an answer, or a /command.
It uses the same service and database as the Telegram bot, so it needs no token.
"""

from __future__ import annotations

import asyncio
import getpass
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TextIO

from bot.conversation import ConversationService, Incoming
from bot.engine.engine import Button, Press, Reply, Text

CHANNEL = "terminal"


def render(replies: Sequence[Reply]) -> tuple[str, list[Button]]:
    """Replies as text, with every button numbered; returns the text and the buttons in order."""
    lines: list[str] = []
    buttons: list[Button] = []
    for reply in replies:
        lines.append(reply.text)
        for row in reply.buttons:
            cells = []
            for button in row:
                buttons.append(button)
                cells.append(f"[{len(buttons)}] {button.label}")
            lines.append("   ".join(cells))
        lines.append("")
    return "\n".join(lines), buttons


def parse(line: str, buttons: Sequence[Button], user_key: str) -> Incoming:
    text = line.strip()
    base = Incoming(CHANNEL, user_key)
    if text.startswith("/"):
        command, _, argument = text[1:].partition(" ")
        return replace(base, command=command.lower(), argument=argument.strip())
    if text.isdigit() and 1 <= int(text) <= len(buttons):
        return replace(base, action=Press(buttons[int(text) - 1].data))
    return replace(base, action=Text(line))


async def chat(
    service: ConversationService,
    user_key: str | None = None,
    read: Callable[[str], str] = input,
    out: TextIO = sys.stdout,
) -> None:
    """Run the conversation until end of input or /quit."""
    user_key = user_key or getpass.getuser()
    out.write("ssw-bot terminal chat. Type a number to tap a button, /quit to leave.\n\n")
    replies = await service.handle(Incoming(CHANNEL, user_key, command="start"))
    while True:
        text, buttons = render(replies)
        out.write(text + "\n")
        out.flush()
        try:
            line = await asyncio.to_thread(read, "> ")
        except EOFError:
            return
        if line.strip() in {"/quit", "/exit"}:
            return
        if not line.strip():
            replies = []
            continue
        replies = await service.handle(parse(line, buttons, user_key))
