"""Which leads a staff member asks for: one filter for the web list, exports and the CLI.

``LeadFilter`` is plain data (frozen, hashable). Build it from a URL query
(``LeadFilter.from_query(request.query)``), from command-line arguments
(``add_arguments(parser)`` then ``LeadFilter.from_args(args)``) or directly; turn it back into a
query string with ``to_query()`` so a link (a page of the list, an export button) carries it.
Bad values raise ``FilterError`` naming the field and the accepted values. The SQL that applies a
filter lives in ``bot.storage.lead_queries``.

Meaning of each field (all optional; unset fields do not filter):

``since`` / ``until``
    registered on or after / on or before this day, Pakistan time (Asia/Karachi), both
    inclusive. For unfinished registrations: last seen on those days.
``sector``   one of the sectors a lead picked (a sector id of ``flows/sectors.yaml``)
``province`` a province id of the registration flow (punjab, sindh, kp, ...)
``status``   the lead's status (today always "new"; the staff pipeline adds stages)
``language`` the language the worker used: ur, en, ja
``source``   the deep-link source of the worker's first /start, exactly (roadshow_lahore)
``eligible`` the eligibility outcome (``bot.staff.outcome``): meets, after_steps, not_now,
             or none (never checked)
``unfinished`` registrations started and not submitted (users, not leads)
``q``        free text: part of a name (any script, any case), of a reference, a CNIC with or
             without dashes, or a mobile number in any usual form (0300 1234567, +92 300...)
``officer``  the id of the officer a lead is assigned to (the staff web sets it)
"""

from __future__ import annotations

import argparse
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from functools import cache
from typing import Any
from urllib.parse import urlencode

from bot.engine.digits import ascii_digits
from bot.i18n import LANGUAGES
from bot.staff.outcome import NOT_CHECKED, OUTCOMES
from bot.staff.pipeline import STATUSES as PIPELINE_STATUSES

# The statuses a lead can have: the staff pipeline's.
STATUSES: tuple[str, ...] = PIPELINE_STATUSES
LANGUAGE_LABELS: Mapping[str, str] = {"ur": "Urdu", "en": "English", "ja": "Japanese"}
MAX_QUERY = 100
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


class FilterError(ValueError):
    """A filter value that cannot be used; ``field`` names it (as in the URL query)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@cache
def sector_choices() -> Mapping[str, str]:
    """Sector id → English name, for the sectors a lead can pick."""
    from bot.ssw.options import registration_sectors

    return {option.value: option.label for option in registration_sectors({})}


@cache
def province_choices() -> Mapping[str, str]:
    """Province id → English name, as the registration flow offers them."""
    from bot.engine.flows import load_flows

    step = load_flows()["registration"].step("province")
    return {option.value: option.label for option in step.options}


def outcome_choices() -> Mapping[str, str]:
    from bot.staff.outcome import OUTCOME_LABELS

    return {key: OUTCOME_LABELS[key] for key in (*OUTCOMES, NOT_CHECKED)}


@dataclass(frozen=True)
class LeadFilter:
    """What to show or export. See the module's docstring for each field."""

    since: date | None = None
    until: date | None = None
    sector: str | None = None
    province: str | None = None
    status: str | None = None
    language: str | None = None
    source: str | None = None
    eligible: str | None = None
    unfinished: bool = False
    q: str | None = None
    officer: int | None = None

    def __post_init__(self) -> None:
        for name, choices in _CHOICES.items():
            value = getattr(self, name)
            if value is not None and value not in choices():
                known = _PARSERS[name](str(value))  # an English name, else FilterError
                raise FilterError(name, f"{name}: use the id {known!r}, not the name {value!r}")
        if self.officer is not None and (not isinstance(self.officer, int) or self.officer <= 0):
            raise FilterError("officer", f"officer: {self.officer!r} is not an officer id")
        if self.since and self.until and self.since > self.until:
            raise FilterError("until", f"--until ({self.until}) is before --since ({self.since})")
        if self.unfinished:
            for name in ("status", "eligible", "officer"):
                if getattr(self, name) is not None:
                    raise FilterError(
                        name, f"{name} does not apply to unfinished registrations (not leads)"
                    )

    # -- building -------------------------------------------------------------------------

    @classmethod
    def parse(cls, **values: str | None) -> LeadFilter:
        """A filter from text values (a form, a URL query, the command line); empty = unset.

        Raises ``FilterError`` for an unknown field or a value it cannot take.
        """
        known = {f.name for f in fields(cls)}
        parsed: dict[str, Any] = {}
        for name, raw in values.items():
            if name not in known:
                raise FilterError(name, f"unknown filter {name!r}; filters: {', '.join(known)}")
            if raw is None or not str(raw).strip():
                continue
            parsed[name] = _PARSERS[name](str(raw).strip())
        return cls(**parsed)

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> LeadFilter:
        """From a URL query (aiohttp's ``request.query``); other keys (page, sort) are ignored."""
        known = {f.name for f in fields(cls)}
        return cls.parse(**{name: query.get(name) for name in known if name in query})

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> LeadFilter:
        """From arguments added by ``add_arguments``."""
        values = {f.name: getattr(args, f.name, None) for f in fields(cls)}
        values["unfinished"] = "1" if values.get("unfinished") else None
        if values.get("officer") is not None:
            values["officer"] = str(values["officer"])
        return cls.parse(**values)

    # -- showing --------------------------------------------------------------------------

    def to_query(self) -> str:
        """The filter as a URL query string (no leading ``?``); ``from_query`` reads it back."""
        return urlencode(self.as_dict())

    def as_dict(self) -> dict[str, str]:
        """The set fields as text, in field order."""
        shown: dict[str, str] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None or value is False:
                continue
            if value is True:
                shown[f.name] = "1"
            else:
                shown[f.name] = value.isoformat() if isinstance(value, date) else str(value)
        return shown

    def replace(self, **changes: Any) -> LeadFilter:
        return replace(self, **changes)

    @property
    def is_empty(self) -> bool:
        return not self.as_dict()

    # -- for the SQL ---------------------------------------------------------------------

    @property
    def q_digits(self) -> str:
        """The digits of ``q`` (Urdu digits too), for matching a CNIC or a mobile number."""
        return re.sub(r"\D", "", ascii_digits(self.q or ""))

    @property
    def q_mobile_digits(self) -> str:
        """The digits of ``q`` as they appear in a stored mobile (+923001234567): without the
        international 00 or the national trunk 0, so 0300 123 and +92 300 123 both match."""
        digits = self.q_digits
        if digits.startswith("00"):
            return digits[2:]
        return digits[1:] if digits.startswith("0") else digits


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The filter's command-line options (--since ... --unfinished), for ``from_args``."""
    group = parser.add_argument_group("filters (all optional; combine freely)")
    group.add_argument("--since", metavar="DATE", help="registered on or after (2026-11-01)")
    group.add_argument("--until", metavar="DATE", help="registered on or before, inclusive")
    group.add_argument("--sector", metavar="ID", help="picked this sector (e.g. construction)")
    group.add_argument("--province", metavar="ID", help="punjab, sindh, kp, balochistan, ...")
    group.add_argument("--status", help="lead status (new, ...)")
    group.add_argument("--language", help="ur, en or ja")
    group.add_argument("--source", help="deep-link source, e.g. roadshow_lahore")
    group.add_argument(
        "--eligible",
        metavar="OUTCOME",
        help=f"eligibility outcome: {', '.join((*OUTCOMES, NOT_CHECKED))}",
    )
    group.add_argument("--q", metavar="TEXT", help="part of a name, reference, CNIC or mobile")
    group.add_argument(
        "--unfinished",
        action="store_true",
        help="registrations started but not submitted, with the step where they stopped",
    )


# -- value parsers -------------------------------------------------------------------------

_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")


def _date(field: str) -> Callable[[str], date]:
    def parse(raw: str) -> date:
        text = ascii_digits(raw)
        for fmt in _DATE_FORMATS:
            try:
                return datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise FilterError(
            field, f"--{field}: {raw!r} is not a date; write it as 2026-11-25 or 25/11/2026"
        )

    return parse


def _choice(field: str, choices: Callable[[], Mapping[str, str]]) -> Callable[[str], str]:
    """An id of ``choices()`` (id → English name); the English name is accepted too."""

    def parse(raw: str) -> str:
        options: Mapping[str, str] = choices()
        wanted = raw.casefold()
        for key, label in options.items():
            if wanted in {key.casefold(), label.strip().casefold()}:
                return key
        accepted = ", ".join(f"{key} ({label.strip()})" for key, label in options.items())
        raise FilterError(field, f"--{field}: unknown value {raw!r}; accepted: {accepted}")

    return parse


def _source(raw: str) -> str:
    if len(raw) > 64:
        raise FilterError("source", "--source: at most 64 characters")
    return raw


def _query(raw: str) -> str:
    shown = (ch for ch in raw if unicodedata.category(ch) not in {"Cc", "Cf"} or ch.isspace())
    text = " ".join(unicodedata.normalize("NFC", "".join(shown)).split())  # NUL breaks PostgreSQL
    if len(text) > MAX_QUERY:
        raise FilterError("q", f"--q: at most {MAX_QUERY} characters")
    return text


def _officer(raw: str) -> int:
    if not raw.isdigit() or int(raw) <= 0:
        raise FilterError("officer", f"officer: {raw!r} is not an officer id (a number)")
    return int(raw)


def _flag(raw: str) -> bool:
    if raw.casefold() in _TRUE:
        return True
    if raw.casefold() in _FALSE:
        return False
    raise FilterError("unfinished", f"unfinished: {raw!r}; accepted: 1 or 0")


def status_choices() -> Mapping[str, str]:
    return {status: status for status in STATUSES}


def language_choices() -> Mapping[str, str]:
    return {code: LANGUAGE_LABELS[code] for code in LANGUAGES}


_CHOICES: dict[str, Callable[[], Mapping[str, str]]] = {
    "sector": sector_choices,
    "province": province_choices,
    "status": status_choices,
    "language": language_choices,
    "eligible": outcome_choices,
}
_PARSERS: dict[str, Callable[[str], Any]] = {
    "since": _date("since"),
    "until": _date("until"),
    **{name: _choice(name, choices) for name, choices in _CHOICES.items()},
    "source": _source,
    "unfinished": _flag,
    "q": _query,
    "officer": _officer,
}
