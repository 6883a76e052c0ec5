"""What a worker sees of a broadcast: the announcement in their language under a short
heading, with the opt-out button; and the bot's answers to opting out and back in.

Shared by the sender (rendered at send time, in the recipient's language then), the staff
web's preview (exactly what will be sent) and the conversation service (the buttons).
No channel, no SQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.engine.model import Button
from bot.engine.texts import button_label
from bot.i18n import LANGUAGES, N_, gettext, paragraph, using_language

STOP = "o:stop"  # callback data of the opt-out button
START = "o:start"  # ... and of the button that opts back in
HEADING = N_("📢 Announcement from OEC")
STOP_LABEL = N_("🔕 Stop these messages")
START_LABEL = N_("🔔 Receive messages again")
STARTED = N_("Done. You will get announcements from OEC again.")
MYDATA_RECEIVES = N_("Announcements from OEC: you receive them.")
MYDATA_STOPPED = N_("Announcements from OEC: you stopped them. Tap the button to get them again.")
# Telegram takes 4,096 characters (UTF-16 code units) in a message; the heading, its blank
# line and the right-to-left marks of an Urdu text need the rest.
MAX_TEXT = 3_900
TELEGRAM_LIMIT = 4_096


def utf16_length(text: str) -> int:
    """The length Telegram counts: UTF-16 code units (an emoji is two)."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class Rendered:
    """One language's message: its text and the opt-out button."""

    text: str
    button: Button


def render(text: str, language: str) -> Rendered:
    """The message a worker reading ``language`` receives for the announcement ``text``."""
    with using_language(language):
        body = "\n".join(line.rstrip() for line in text.strip().splitlines())
        message = paragraph(gettext(HEADING) + "\n\n" + body)
        return Rendered(message, Button(button_label(gettext(STOP_LABEL)), STOP))


def missing(texts: Mapping[str, str]) -> list[str]:
    """The languages without a text yet (all three are needed to send)."""
    return [language for language in LANGUAGES if not (texts.get(language) or "").strip()]


def too_long(texts: Mapping[str, str]) -> list[str]:
    """The languages whose text is over ``MAX_TEXT``."""
    return [lang for lang in LANGUAGES if utf16_length((texts.get(lang) or "").strip()) > MAX_TEXT]


def pick(texts: Mapping[str, str], language: str) -> str:
    """The text for ``language`` (English if that one is missing: never an empty message)."""
    return (texts.get(language) or "").strip() or (texts.get("en") or "").strip()


def opt_in_button() -> Button:
    """The button under the opt-out answer (and /mydata of someone who opted out)."""
    return Button(button_label(gettext(START_LABEL)), START)
