"""The texts the flow engine shows itself (flows bring their own), and the helpers that build
replies from them: ``t`` (translate, then fill in), answer lines, button labels and rows that fit
a phone (two short labels a row)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.engine import phone
from bot.engine.model import Button, Reply
from bot.i18n import N_, format_date, gettext, is_rtl, isolate, paragraph

BACK = N_("⬅️ Back")
CANCEL = N_("✖️ Cancel")
MAIN_MENU = N_("🏠 Main menu")
PREVIOUS = N_("◀️ Previous")
NEXT = N_("Next ▶️")
DONE = N_("✅ Done")
SUBMIT = N_("✅ Submit")
STEP_OF = N_("Step {n} of {total}")
PICK_ONE = N_("Please tap one of the buttons.")
PICK_AT_LEAST = N_("Please choose at least {min}, then tap Done.")
ONLY_TEXT = N_("I can only read typed text and button taps here.")
EDITED = N_("I only read new messages, not changes to old ones. Please send your answer again.")
TOO_LONG = N_("That message is too long.")
EXAMPLE = N_("Example: {example}")
STILL_STUCK = N_("Still stuck? You can also contact OEC: {url}")
STALE = N_("That button belongs to an earlier question. Here is the current one:")
REVIEW_TITLE = N_("Please check your answers. Tap an answer to change it, or Submit.")
EDIT = N_("✏️ {label}")
CONFIRM_CANCEL = N_("Stop now? Your answers to this form will be removed.")
CONFIRM_YES = N_("Yes, stop")
CONFIRM_NO = N_("No, continue")
CANCELLED = N_("Stopped. Nothing from this form was saved.")
KEEP_ANSWER = N_("✅ Yes, keep it")
RETYPE_ANSWER = N_("✏️ No, type it again")
YES, NO = N_("Yes"), N_("No")  # typed instead of tapping Keep / Type again
CONFIRM_ANSWER = "confirm_answer"  # the mode: a doubtful answer is asked about (see _doubt)
CHOOSE_LANGUAGE = "Choose your language · اپنی زبان منتخب کریں · 言語を選んでください"
SHARE_CONTACT = N_("📱 Share my number")
SHARE_HINT = N_("Or tap the button below to share this phone's number.")
SAVED_MOBILE = N_("Saved: {phone}")
NOW = N_("Now: {value}")
KEEP = N_("✔️ Keep this answer")
MARK = "✓ "  # the current answer among the buttons
BACK_FROM_REVIEW = "@review"  # Back's callback data names the question it was shown with
NOT_OWN_CONTACT = N_(
    "I can only take your own number, not a contact from your phone book. "
    "Tap {button} below, or type your number."
)
LIST_SEPARATOR = {"ur": "، ", "ja": "、", "en": ", "}


ANSWER_LINE = N_("• {label}: {value}")  # translators: Japanese labels take a full-width colon


def answer_line(label: str, shown: str) -> str:
    """One answer as the review screen and /mydata list it (label and value already shown)."""
    return gettext(ANSWER_LINE).format(label=label, value=shown)


def t(msgid: str, **params: Any) -> str:
    """Translate, then fill placeholders: dates in the locale's format, values isolated for RTL."""
    text = gettext(msgid)
    if not params:
        return text
    return text.format(**{k: show_value(v) for k, v in params.items()})


def show_value(value: Any) -> str:
    if isinstance(value, date):
        return isolate(format_date(value))
    return isolate(value)


def button_label(text: str) -> str:
    """A button label; in Urdu it starts with a right-to-left mark like any Urdu paragraph."""
    return "\u200f" + text if is_rtl() else text


def reply(text: str, buttons: Sequence[Sequence[Button]] = (), **kw: Any) -> Reply:
    """A message in the current language's direction (Urdu paragraphs start right-to-left)."""
    return Reply(text=paragraph(text), buttons=tuple(tuple(row) for row in buttons), **kw)


HALF_ROW = 18  # columns a label may take to share a row with another on a phone


def fits_half_rows(buttons: Sequence[Button]) -> bool:
    """All labels fit half a phone's width, so two buttons a row lose no words."""
    return all(phone.display_width(b.label) <= HALF_ROW for b in buttons)


def button_rows(buttons: Sequence[Button], width: int) -> list[list[Button]]:
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]
