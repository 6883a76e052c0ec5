"""Answer validators: one pure function per kind of answer, from raw text to a clean value.

Each returns the normalised value or raises ``Invalid`` with an English msgid (translated when
shown) and its placeholders. Digits may arrive in Urdu or Arabic-Indic form.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

import phonenumbers

from bot.engine.digits import ascii_digits as ascii_digits
from bot.i18n import N_


@dataclass
class Invalid(Exception):
    """An answer that breaks its rule: ``message`` is a msgid, ``params`` fill its placeholders."""

    message: str
    params: dict[str, object] = field(default_factory=dict)


_SPACES = re.compile(r"\s+")
_NAME_PUNCTUATION = frozenset(".-'’・")  # ・ separates names written in katakana
_ZWNJ = "\u200c"  # used inside Urdu words


def clean_text(text: str) -> str:
    """NFC-normalise, drop invisible direction marks, collapse runs of white space."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf" or ch == _ZWNJ)
    return _SPACES.sub(" ", text).strip()


def _letters_only(text: str, extra: frozenset[str]) -> bool:
    """True when every character is a letter or mark of any script, a space or an allowed sign."""
    for ch in text:
        category = unicodedata.category(ch)
        if category[0] in "LM" or ch == " " or ch == _ZWNJ or ch in extra:
            continue
        return False
    return any(unicodedata.category(ch)[0] == "L" for ch in text)


def person_name(raw: str, min_length: int = 3, max_length: int = 100) -> str:
    """A full name in any script: letters, spaces and . - ' only; no digits or emoji."""
    text = clean_text(raw)
    if len(text) < min_length:
        raise Invalid(
            N_("The name is too short. Please type at least {min} letters."), {"min": min_length}
        )
    if len(text) > max_length:
        raise Invalid(
            N_("The name is too long. Please use at most {max} characters."), {"max": max_length}
        )
    if not _letters_only(text, _NAME_PUNCTUATION):
        raise Invalid(
            N_("Please use only letters and spaces in the name: no numbers, emoji or symbols.")
        )
    return text


def place_name(raw: str, min_length: int = 2, max_length: int = 60) -> str:
    """A district or city name in any script."""
    text = clean_text(raw)
    if not min_length <= len(text) <= max_length or not _letters_only(
        text, _NAME_PUNCTUATION | {"(", ")", ","}
    ):
        raise Invalid(
            N_(
                "Please type the name of your district or city in letters, "
                "{min} to {max} characters."
            ),
            {"min": min_length, "max": max_length},
        )
    return text


def free_text(raw: str, min_length: int = 1, max_length: int = 500) -> str:
    text = clean_text(raw)
    if not min_length <= len(text) <= max_length:
        raise Invalid(
            N_("Please write {min} to {max} characters."), {"min": min_length, "max": max_length}
        )
    return text


_CNIC = re.compile(r"^(\d{5})-?(\d{7})-?(\d)$")


def cnic(raw: str) -> str:
    """A CNIC or B-Form number: 13 digits, dashes optional; stored as 13 plain digits.

    There is no checksum, and the province and gender digits are only hints, so neither is
    used to reject a number.
    """
    text = ascii_digits(clean_text(raw)).replace(" ", "").replace("–", "-").replace("—", "-")
    match = _CNIC.match(text)
    if not match:
        raise Invalid(
            N_(
                "A CNIC number has 13 digits, like 12345-1234567-1. "
                "Please type the number on your card."
            )
        )
    return "".join(match.groups())


def format_cnic(digits: str) -> str:
    return f"{digits[:5]}-{digits[5:12]}-{digits[12:]}" if len(digits) == 13 else digits


def pk_mobile(raw: str) -> str:
    """A Pakistani mobile number in any usual form, returned as E.164 (+923001234567)."""
    text = ascii_digits(clean_text(raw))
    compact = re.sub(r"[\s\-().]", "", text)
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    elif compact.startswith("92") and len(compact) == 12:
        compact = "+" + compact
    try:
        number = phonenumbers.parse(compact, "PK")
    except phonenumbers.NumberParseException as exc:
        raise Invalid(_MOBILE_ERROR) from exc
    if (
        number.country_code != 92
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE
    ):
        raise Invalid(_MOBILE_ERROR)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_MOBILE_ERROR = N_("Please type a Pakistani mobile number, like 0300 1234567 or +92 300 1234567.")


def format_mobile(e164: str) -> str:
    """+923001234567 → +92 300 1234567, for showing back to the user."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


_DATE_FORMATS = (
    "%d/%m/%Y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d %m %Y",
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%d %B %Y",
    "%d %b %Y",
    "%B %d %Y",
    "%b %d %Y",
    "%d%m%Y",
)


def parse_date(raw: str) -> date:
    """A date typed the Pakistani way, day first: 15/03/1998, 15-3-1998, 15 March 1998."""
    text = ascii_digits(clean_text(raw)).replace(",", " ")
    text = _SPACES.sub(" ", text).strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise Invalid(N_("Please type the date as day/month/year, like 15/03/1998."))


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def birth_date(raw: str, today: date, min_age: int, max_age: int) -> date:
    """A date of birth that gives an age between min_age and max_age today."""
    born = parse_date(raw)
    if born >= today:
        raise Invalid(N_("That date is not in the past. Please type your date of birth."))
    age = age_on(born, today)
    if age < min_age:
        raise Invalid(
            N_("You must be at least {age} years old to register. You can register from {date}."),
            {"age": min_age, "date": add_years(born, min_age)},
        )
    if age > max_age:
        raise Invalid(N_("Please check the year: that date gives an age of {age}."), {"age": age})
    return born


def whole_number(raw: str, minimum: int, maximum: int) -> int:
    """A whole number in a range; a unit after it ("5 years", "۵ سال") is allowed."""
    text = ascii_digits(clean_text(raw))
    match = re.fullmatch(r"(\d{1,4})(?:\s*[^\d\s][^\d]*)?", text)
    if not match:
        raise Invalid(
            N_("Please type a whole number from {min} to {max}."), {"min": minimum, "max": maximum}
        )
    value = int(match.group(1))
    if not minimum <= value <= maximum:
        raise Invalid(
            N_("Please type a whole number from {min} to {max}."), {"min": minimum, "max": maximum}
        )
    return value
