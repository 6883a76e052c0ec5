"""Properties of the normalisation every rule starts from (hypothesis): cleaning is stable,
full-width and Urdu digits read like ASCII, and every usual way of writing a date reads back."""

from __future__ import annotations

import unicodedata
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from bot.engine import validators as v

TODAY = date(2026, 11, 25)
URDU_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def full_width(text: str) -> str:
    """What a Japanese keyboard types: ASCII signs as their full-width forms, space as U+3000."""
    return "".join(
        "\u3000" if ch == " " else chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text
    )


@given(st.text())
def test_clean_text_is_stable(text: str) -> None:
    once = v.clean_text(text)
    assert v.clean_text(once) == once
    assert once == once.strip() and "  " not in once


@given(st.text())
def test_clean_text_keeps_zwnj_and_drops_every_other_invisible_mark(text: str) -> None:
    cleaned = v.clean_text(text)
    assert cleaned.count("\u200c") == text.count("\u200c")
    assert all(unicodedata.category(ch) != "Cf" or ch == "\u200c" for ch in cleaned)


cnic_digits = st.text(alphabet="0123456789", min_size=13, max_size=13).filter(
    lambda d: not v.placeholder_cnic(d) and d[:12] != v.CNIC_EXAMPLE[:12]
)


@given(cnic_digits, st.sampled_from(["{}-{}-{}", "{}{}{}", "{} {} {}"]))
def test_any_real_looking_cnic_reads_the_same_in_every_script(digits: str, shape: str) -> None:
    typed = shape.format(digits[:5], digits[5:12], digits[12])
    for form in (typed, full_width(typed), typed.translate(URDU_DIGITS)):
        assert v.cnic(form) == digits


@given(st.text(alphabet="0123456789", min_size=1, max_size=1))
def test_one_digit_thirteen_times_is_never_a_cnic(digit: str) -> None:
    for typed in (digit * 13, f"{digit * 5}-{digit * 7}-{digit}"):
        try:
            v.cnic(typed)
        except v.Invalid as invalid:
            assert invalid.message == v.CNIC_PLACEHOLDER
        else:
            raise AssertionError(typed)


@given(st.sampled_from("0123456789"), st.text(alphabet="0123456789", min_size=7, max_size=7))
def test_mobile_reads_the_same_full_width(operator: str, rest: str) -> None:
    typed = f"030{operator} {rest}"
    try:
        expected = v.pk_mobile(typed)
    except v.Invalid:
        return
    assert v.pk_mobile(full_width(typed)) == expected
    assert v.pk_mobile(typed.translate(URDU_DIGITS)) == expected


birth_days = st.dates(min_value=date(1927, 1, 1), max_value=TODAY)


@given(
    birth_days,
    st.sampled_from(["/", "-", ".", " "]),
    st.booleans(),
    st.booleans(),
)
def test_every_day_first_form_reads_back(
    day: date, separator: str, pad: bool, short_year: bool
) -> None:
    d, m = (f"{day.day:02d}", f"{day.month:02d}") if pad else (str(day.day), str(day.month))
    year = f"{day.year % 100:02d}" if short_year else str(day.year)
    typed = separator.join([d, m, year])
    for form in (typed, full_width(typed), typed.translate(URDU_DIGITS)):
        assert v.parse_date(form, TODAY) == day


@given(birth_days, st.booleans())
def test_month_names_compact_and_japanese_forms_read_back(day: date, short_year: bool) -> None:
    year = f"{day.year % 100:02d}" if short_year else str(day.year)
    forms = [
        f"{day.day} {MONTHS[day.month - 1]} {year}",
        f"{MONTHS[day.month - 1].upper()} {day.day}, {year}",
        f"{day.day:02d}{day.month:02d}{year}",
        f"{day.year}年{day.month}月{day.day}日",
        full_width(f"{day.year}年{day.month}月{day.day}日"),
        day.isoformat(),
    ]
    for form in forms:
        assert v.parse_date(form, TODAY) == day, form


@given(st.integers(1, 12), st.integers(1, 40), st.integers(1900, 2026))
def test_a_day_first_triple_is_a_date_or_is_told_it_does_not_exist(
    month: int, day: int, year: int
) -> None:
    typed = f"{day}/{month}/{year}"
    try:
        parsed = v.parse_date(typed, TODAY)
    except v.Invalid as invalid:
        assert invalid.message.startswith("That date does not exist")
    else:
        assert (parsed.day, parsed.month, parsed.year) == (day, month, year)
