"""Languages: gettext catalogs, the current locale (a ContextVar), and locale-aware formatting.

One ``GNUTranslations`` per locale is built once from ``locales/<lang>/LC_MESSAGES/messages.po``
(compiled in memory with Babel, so a fresh clone needs no compile step). The language of the
update being handled lives in a ``ContextVar``, so concurrent users never see each other's
language. Urdu text gets right-to-left care: inserted Latin pieces are isolated (FSI…PDI) and
paragraphs start with a right-to-left mark.
"""

from __future__ import annotations

import gettext as _gettext
import io
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as _babel_format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LANGUAGES: tuple[str, ...] = ("ur", "en", "ja")
DEFAULT_LANGUAGE = "en"
RTL_LANGUAGES = frozenset({"ur"})
DOMAIN = "messages"
LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"

# Native names, shown on the language picker whatever the current language.
LANGUAGE_NAMES: dict[str, str] = {"ur": "اردو", "en": "English", "ja": "日本語"}

RLM = "\u200f"
FSI = "\u2068"
PDI = "\u2069"

_current: ContextVar[str] = ContextVar("ssw_bot_language", default=DEFAULT_LANGUAGE)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now."""
    return message


@cache
def translations(language: str) -> _gettext.NullTranslations:
    """The catalog of one language, compiled from its .po file once per process."""
    po_path = LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if language == DEFAULT_LANGUAGE or not po_path.exists():
        return _gettext.NullTranslations()
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def current_language() -> str:
    return _current.get()


def set_language(language: str) -> None:
    """Set the language for the rest of this task (one update is handled in one task)."""
    _current.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)


@contextmanager
def using_language(language: str) -> Iterator[None]:
    token = _current.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)
    try:
        yield
    finally:
        _current.reset(token)


def gettext(message: str) -> str:
    """Translate into the current language; an empty msgid stays empty."""
    if not message:
        return message
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_current.get()).ngettext(singular, plural, n)


_ = gettext


def resolve_language(stored: str | None, client_code: str | None) -> str | None:
    """Stored choice, else the client's language (``ur-PK`` → ``ur``), else None (ask)."""
    if stored in LANGUAGES:
        return stored
    if client_code:
        try:
            locale = Locale.parse(client_code, sep="-")
        except (ValueError, UnknownLocaleError):
            return None
        if locale.language in LANGUAGES:
            return locale.language
    return None


def is_rtl(language: str | None = None) -> bool:
    return (language or _current.get()) in RTL_LANGUAGES


def isolate(value: object) -> str:
    """Wrap an inserted value (a name, CNIC, number, URL) so it keeps its own direction in Urdu."""
    text = str(value)
    if not is_rtl() or not text:
        return text
    return f"{FSI}{text}{PDI}"


def paragraph(text: str) -> str:
    """Start every line of an Urdu message with a right-to-left mark, so clients lay it out RTL."""
    if not is_rtl():
        return text
    return "\n".join(
        RLM + line if line and not line.startswith(RLM) else line for line in text.split("\n")
    )


def format_date(value: date) -> str:
    """A date in the current language's long format: March 15, 1998 · 1998年3月15日."""
    return _babel_format_date(value, format="long", locale=_current.get())


def comma(language: str | None = None) -> str:
    """The language's list comma with its space, from CLDR: ", " (en), "، " (ur), "、" (ja)."""
    pattern = Locale.parse(language or _current.get()).list_patterns["standard"]["middle"]
    return str(pattern).replace("{0}", "").replace("{1}", "")


def join_list(values: Iterable[str], language: str | None = None) -> str:
    """Items joined with the language's list comma: "Agriculture, Construction"."""
    return comma(language).join(values)


def format_number(value: int | float) -> str:
    return format_decimal(value, locale=_current.get())
