"""Each answer rule, with the inputs workers really type (Urdu digits, dashes, spaces)."""

from datetime import date

import pytest

from bot.engine import validators as v
from bot.engine.digits import ascii_digits

TODAY = date(2026, 11, 25)


def test_urdu_and_arabic_indic_digits_become_ascii() -> None:
    assert ascii_digits("۰۱۲۳۴۵۶۷۸۹") == "0123456789"
    assert ascii_digits("٠١٢٣٤٥٦٧٨٩") == "0123456789"
    assert ascii_digits("abc 12") == "abc 12"


@pytest.mark.parametrize(
    "raw",
    [
        "35202-1234567-1",
        "3520212345671",
        " 35202 1234567 1 ",
        "۳۵۲۰۲-۱۲۳۴۵۶۷-۱",
        "٣٥٢٠٢١٢٣٤٥٦٧١",
        "35202–1234567–1",
    ],
)
def test_cnic_accepts_13_digits_in_any_usual_form(raw: str) -> None:
    assert v.cnic(raw) == "3520212345671"


@pytest.mark.parametrize(
    "raw", ["3520-1234567-1", "35202-1234567", "35202123456712", "abc", "35202-12345a7-1", ""]
)
def test_cnic_rejects_other_shapes(raw: str) -> None:
    with pytest.raises(v.Invalid) as caught:
        v.cnic(raw)
    assert "13 digits" in caught.value.message


def test_cnic_last_digit_zero_is_not_rejected() -> None:
    # sources disagree on a final 0: it is a hint at most, never a reason to refuse
    assert v.cnic("35202-1234567-0") == "3520212345670"


@pytest.mark.parametrize(
    "raw",
    [
        "03001234567",
        "0300-1234567",
        "+923001234567",
        "923001234567",
        "00923001234567",
        "0300 1234567",
        "(0300) 123 4567",
        "۰۳۰۰۱۲۳۴۵۶۷",
    ],
)
def test_mobile_accepts_pakistani_forms_and_stores_e164(raw: str) -> None:
    assert v.pk_mobile(raw) == "+923001234567"


@pytest.mark.parametrize(
    "raw", ["0423 1234567", "+81 90 1234 5678", "12345", "0300123456", "hello", "+9230012345678"]
)
def test_mobile_rejects_landlines_foreign_and_short_numbers(raw: str) -> None:
    with pytest.raises(v.Invalid):
        v.pk_mobile(raw)


def test_format_mobile_for_display() -> None:
    assert v.format_mobile("+923001234567") == "+92 300 1234567"


@pytest.mark.parametrize(
    "raw",
    [
        "15/03/1998",
        "15-03-1998",
        "15.3.1998",
        "1998-03-15",
        "15 March 1998",
        "15 Mar 1998",
        "March 15, 1998",
        "۱۵/۰۳/۱۹۹۸",
        "15031998",
    ],
)
def test_dates_in_common_formats_day_first(raw: str) -> None:
    assert v.parse_date(raw) == date(1998, 3, 15)


def test_birth_date_rules() -> None:
    assert v.birth_date("15/03/1998", TODAY, 17, 70) == date(1998, 3, 15)
    with pytest.raises(v.Invalid) as young:
        v.birth_date("01/01/2011", TODAY, 17, 70)
    assert young.value.params == {"age": 17, "date": date(2028, 1, 1)}
    with pytest.raises(v.Invalid):
        v.birth_date("01/01/2030", TODAY, 17, 70)
    with pytest.raises(v.Invalid):
        v.birth_date("01/01/1900", TODAY, 17, 70)
    with pytest.raises(v.Invalid):
        v.birth_date("31/02/1998", TODAY, 17, 70)


def test_age_and_birthdays() -> None:
    assert v.age_on(date(2008, 11, 26), TODAY) == 17
    assert v.age_on(date(2008, 11, 25), TODAY) == 18
    assert v.add_years(date(2008, 2, 29), 18) == date(2026, 2, 28)


@pytest.mark.parametrize(
    "raw",
    [
        "Muhammad Ali",
        "محمد علی",
        "Ali O'Brien",
        "Syed M. Shah",
        "ناصر\u200cالدین",
        "  Ali   Khan  ",
    ],
)
def test_names_in_any_script(raw: str) -> None:
    assert v.person_name(raw) == " ".join(raw.split())


@pytest.mark.parametrize(
    "raw", ["Al", "Ali 😀", "Ali123", "x" * 101, "<b>Ali</b>", "---", "Ali\u202eKhan" + "!"]
)
def test_names_refuse_emoji_digits_symbols_and_length(raw: str) -> None:
    with pytest.raises(v.Invalid):
        v.person_name(raw)


def test_invisible_direction_marks_are_dropped_from_names() -> None:
    assert v.person_name("\u200fمحمد علی\u200f") == "محمد علی"


@pytest.mark.parametrize(
    ("raw", "value"), [("3", 3), ("۵", 5), ("5 years", 5), ("۵ سال", 5), ("0", 0), ("12 سال", 12)]
)
def test_whole_numbers(raw: str, value: int) -> None:
    assert v.whole_number(raw, 0, 50) == value


@pytest.mark.parametrize("raw", ["-1", "51", "two", "2.5", "1 2"])
def test_whole_numbers_refused(raw: str) -> None:
    with pytest.raises(v.Invalid):
        v.whole_number(raw, 0, 50)
