"""Answer validators: one pure function per kind of answer, from raw text to a clean value.

Each returns the normalised value or raises ``Invalid`` with an English msgid (translated when
shown) and its placeholders. An answer that keeps the rule but looks like a mistake (a name
such as "test") raises ``Doubtful`` instead: the engine asks the user to confirm it. Every rule
starts from ``clean_text`` (Unicode NFKC, so a Japanese keyboard's full-width ４ and ／ are
plain 4 and /); digits may arrive in Urdu or Arabic-Indic form.
"""

from __future__ import annotations

import re
import unicodedata
from calendar import isleap, monthrange
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import pairwise
from typing import Any

import phonenumbers

from bot.engine.digits import ascii_digits as ascii_digits
from bot.i18n import N_
from bot.oec_time import oec_today


@dataclass
class Invalid(Exception):
    """An answer that breaks its rule: ``message`` is a msgid, ``params`` fill its placeholders."""

    message: str
    params: dict[str, object] = field(default_factory=dict)


@dataclass
class Doubtful(Exception):
    """An answer that keeps its rule but may be a mistake: ``value`` is the clean value, kept if
    the user confirms it; ``message`` (a msgid) and ``params`` ask them. Params must be plain
    JSON values (str, int): the engine stores them with the state while it waits."""

    value: Any
    message: str
    params: dict[str, object] = field(default_factory=dict)


_SPACES = re.compile(r"\s+")
_NAME_PUNCTUATION = frozenset(".-'’・")  # ・ separates names written in katakana
_ZWNJ = "\u200c"  # used inside Urdu words


def _visible(ch: str) -> bool:
    """Not a direction mark, zero-width or control character (NUL, which PostgreSQL cannot
    store, among them); white space and the ZWNJ of Urdu words are kept."""
    return unicodedata.category(ch) not in {"Cf", "Cc"} or ch == _ZWNJ or ch.isspace()


def clean_text(text: str) -> str:
    """Drop invisible direction marks and control characters, NFKC-normalise, collapse runs
    of white space.

    NFKC turns full-width digits, letters and signs (a Japanese keyboard: ０-９, ／－．，：, the
    ideographic space) into plain ones, half-width katakana into ordinary katakana and Arabic
    presentation forms into base letters; it keeps the ZWNJ that Urdu uses inside words. Marks
    go first, so a letter and its accent that a mark kept apart are composed.
    """
    text = "".join(ch for ch in text if _visible(ch))
    text = unicodedata.normalize("NFKC", text)
    return _SPACES.sub(" ", text).strip()


def _plain_dashes(text: str) -> str:
    """Every kind of dash and the minus sign as "-"."""
    return "".join("-" if unicodedata.category(ch) == "Pd" or ch == "−" else ch for ch in text)


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
    if doubtful_name(text):
        raise Doubtful(text, NAME_DOUBTFUL, {"name": text})
    return text


NAME_DOUBTFUL = N_("You wrote: {name}\nIs this your full name, as on your CNIC?")

# Words people type to get past a form (casefolded): English, romanised Urdu, Urdu, Japanese.
_PLACEHOLDER_WORDS = frozenset(
    {
        "test", "testing", "tester", "tst", "nan", "null", "none", "nil", "na", "undefined",
        "asdf", "qwerty", "abc", "abcd", "xyz", "name", "names", "fullname", "firstname",
        "lastname", "surname", "user", "username", "sample", "example", "dummy", "fake",
        "foo", "bar", "hello", "hi", "unknown", "anonymous", "nobody", "no", "yes",
        "naam", "nam", "mera", "pata", "nahi", "nahin", "kuch", "koi",
        "نام", "میرا", "ٹیسٹ", "ٹیسٹنگ", "نہیں", "کچھ", "کوئی", "پتہ", "پتا", "نامعلوم",
        "テスト", "なまえ", "ナマエ", "名前", "氏名", "なし", "無し",
    }
)  # fmt: skip
_KEY_RUNS = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "abcdefghijklmnopqrstuvwxyz")
_WORD_BREAKS = re.compile(r"[\s.\-・]+")


def _placeholder_word(word: str) -> bool:
    """test, nan, نام; a row of one letter (aaaa, xxx); a keyboard or alphabet run (asdf, abc)."""
    if word in _PLACEHOLDER_WORDS:
        return True
    if len(word) >= 2 and len(set(word)) == 1:
        return True
    return len(word) >= 3 and any(word in run or word in run[::-1] for run in _KEY_RUNS)


def doubtful_name(name: str) -> bool:
    """A name to confirm before keeping it: one word only, or only placeholder words.

    Most names on a CNIC have two or more words, and a worker often types only the first
    ("Ali"); some people do have one word, so a single word is confirmed, never refused.
    Words are split at spaces, dots, hyphens and the katakana ・.
    """
    words = [w for w in _WORD_BREAKS.split(name.casefold().replace("’", "'")) if w]
    return len(words) <= 1 or all(_placeholder_word(w.strip("'")) for w in words)


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
CNIC_EXAMPLE = "1234512345671"  # the example our own messages show: 12345-1234567-1
CNIC_PLACEHOLDER = N_(
    "This looks like an example, not a real card number. "
    "Please type the number on your own CNIC or B-Form."
)


def cnic(raw: str, examples: tuple[str, ...] = ()) -> str:
    """A CNIC or B-Form number: 13 digits, dashes optional; stored as 13 plain digits.

    There is no checksum, and the province and gender digits are only hints, so neither is
    used to reject a number. Placeholders are refused: one digit repeated, a run such as
    1234567890123, our example 12345-1234567-1 (with any last digit) and ``examples`` (the
    step's own example, in any form).
    """
    text = ascii_digits(_plain_dashes(clean_text(raw))).replace(" ", "")
    match = _CNIC.match(text)
    if not match:
        raise Invalid(
            N_(
                "A CNIC number has 13 digits, like 12345-1234567-1. "
                "Please type the number on your card."
            )
        )
    digits = "".join(match.groups())
    known = {CNIC_EXAMPLE[:12]} | {re.sub(r"\D", "", ascii_digits(e))[:12] for e in examples}
    if placeholder_cnic(digits) or digits[:12] in known:
        raise Invalid(CNIC_PLACEHOLDER)
    return digits


def placeholder_cnic(digits: str) -> bool:
    """True for 13 digits no card carries: the first 12 all the same (0000000000000,
    1111111111112) or one run up or down (1234567890123, 9876543210987)."""
    if len(set(digits[:12])) == 1:
        return True
    steps = {(int(b) - int(a)) % 10 for a, b in pairwise(digits)}
    return steps in ({1}, {9})


def format_cnic(digits: str) -> str:
    return f"{digits[:5]}-{digits[5:12]}-{digits[12:]}" if len(digits) == 13 else digits


def pk_mobile(raw: str) -> str:
    """A Pakistani mobile number in any usual form, returned as E.164 (+923001234567)."""
    text = ascii_digits(_plain_dashes(clean_text(raw)))
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


DATE_FORMAT = N_("Please type the date as day/month/year, like 15/03/1998.")
DATE_NO_MONTH = N_(
    "That date does not exist: there are only 12 months. Please write the day first, "
    "then the month."
)
DATE_NO_DAY = N_("That date does not exist: the day must be from 1 to 31.")
DATE_FEBRUARY = N_("That date does not exist: February has at most 29 days.")
DATE_NOT_LEAP = N_("That date does not exist: February {year} has only 28 days.")
DATE_30_DAYS = N_(
    "That date does not exist: April, June, September and November have only 30 days."
)

_MONTH_NAMES = (
    ("january", "جنوری"),
    ("february", "فروری"),
    ("march", "مارچ"),
    ("april", "اپریل"),
    ("may", "مئی", "مئ"),
    ("june", "جون"),
    ("july", "جولائی", "جولائ"),
    ("august", "اگست"),
    ("september", "sept", "ستمبر"),
    ("october", "اکتوبر"),
    ("november", "نومبر"),
    ("december", "دسمبر"),
)
_ARABIC_TO_URDU = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک"})  # letters typed on Arabic keyboards
_DATE_JA = re.compile(r"(\d{4}|\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?")
_DATE_TOKEN = re.compile(r"\d+|[^\W\d_]+")  # a number or a word
_DATE_SEPARATORS = re.compile(r"[\s/\-.,'\\_:،、]+")  # and the Urdu and Japanese commas


def _month(word: str) -> int | None:
    """1-12 for an English month name or abbreviation (at least 3 letters) or an Urdu one."""
    for number, names in enumerate(_MONTH_NAMES, start=1):
        if word in names[1:] or (len(word) >= 3 and names[0].startswith(word)):
            return number
    return None


def _compact_date(digits: str) -> tuple[str, str, str] | None:
    """15031998 (or 19980315, which no day-first reading allows) and 150398 → day, month, year."""
    if len(digits) == 8:
        if digits[:2] in {"19", "20"} and not 1 <= int(digits[2:4]) <= 12:
            return digits[6:], digits[4:6], digits[:4]
        return digits[:2], digits[2:4], digits[4:]
    if len(digits) == 6:
        return digits[:2], digits[2:4], digits[4:]
    return None


def _date_parts(raw: str) -> tuple[int, int, str] | None:
    """Day, month and the year as typed (two or four digits), or None when it is no date.

    Day first, with / - . , space or nothing between the parts; a month may be a word
    (15 Mar 98, March 15, 1998, ۱۵ مارچ ۱۹۹۸ء); the year may come first when it has four
    digits (1998-03-15, 1998年3月15日)."""
    text = ascii_digits(_plain_dashes(clean_text(raw))).casefold().translate(_ARABIC_TO_URDU)
    text = re.sub(r"(\d)\s*ء", r"\1", text)  # Urdu writes ء after a year: ۱۹۹۸ء
    if japanese := _DATE_JA.fullmatch(text):
        year, month, day = japanese.groups()
        return int(day), int(month), year
    text = re.sub(r"(\d)(?:st|nd|rd|th)\b", r"\1", text)  # 15th March
    text = re.sub(r"\bof\b", " ", text)  # 15th of March
    if _DATE_SEPARATORS.sub("", _DATE_TOKEN.sub("", text)):
        return None  # something that is neither a number, a word nor a separator
    tokens = _DATE_TOKEN.findall(text)
    words = [i for i, token in enumerate(tokens) if not token.isdigit()]
    parts: tuple[str, str, str] | None = None
    if not words and len(tokens) == 1:
        parts = _compact_date(tokens[0])
    elif not words and len(tokens) == 3:
        first, second, third = tokens
        parts = (third, second, first) if len(first) == 4 else (first, second, third)
    elif len(words) == 1 and len(tokens) == 3:
        month = _month(tokens[words[0]])
        if month is None:
            return None
        numbers = [t for t in tokens if t.isdigit()]
        if words[0] == 0:  # March 15 1998
            parts = (numbers[0], str(month), numbers[1])
        elif words[0] == 1:  # 15 March 1998, 1998 March 15
            first, last = numbers
            parts = (last, str(month), first) if len(first) == 4 else (first, str(month), last)
    if parts is None:
        return None
    day, month_digits, year = parts
    if len(day) > 2 or len(month_digits) > 2 or len(year) not in {2, 4}:
        return None
    return int(day), int(month_digits), year


def _check_exists(day: int, month: int, year: int) -> None:
    """Raise ``Invalid`` saying what is wrong with a day and month that no calendar has."""
    if not 1 <= month <= 12:
        raise Invalid(DATE_NO_MONTH)
    if not 1 <= day <= 31:
        raise Invalid(DATE_NO_DAY)
    if day > monthrange(year, month)[1]:
        if month == 2 and day == 29 and not isleap(year):
            raise Invalid(DATE_NOT_LEAP, {"year": year})
        raise Invalid(DATE_FEBRUARY if month == 2 else DATE_30_DAYS)


def parse_date(raw: str, today: date | None = None) -> date:
    """A date typed the Pakistani way, day first: 15/03/1998, 15-3-98, 15.3.1998, 15 Mar 98,
    15031998, ۱۵ مارچ ۱۹۹۸, 1998年3月15日, 1998-03-15; full-width digits too.

    A two-digit year is the one in the hundred years up to ``today`` (a date of birth):
    98 → 1998, 05 → 2005. A date of the right shape that does not exist (31/02/1998,
    30/13/1998) gets a message saying what is wrong, not the format message.
    """
    parts = _date_parts(raw)
    if parts is None:
        raise Invalid(DATE_FORMAT)
    day, month, typed_year = parts
    year = int(typed_year)
    if len(typed_year) == 2:
        now = today or oec_today(datetime.now(UTC))
        year += 2000 if (2000 + year, month, day) <= (now.year, now.month, now.day) else 1900
    if year < 1:
        raise Invalid(DATE_FORMAT)
    _check_exists(day, month, year)
    return date(year, month, day)


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def birth_date(raw: str, today: date, min_age: int, max_age: int) -> date:
    """A date of birth that gives an age between min_age and max_age today."""
    born = parse_date(raw, today)
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
