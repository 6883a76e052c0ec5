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
        "ناصر\u200cالدین احمد",
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


# -- Input that a worker really types ---------------------------------------------------------
# Dates: day first, short forms, month names, two-digit years, impossible days and months.


@pytest.mark.parametrize(
    "raw",
    [
        "15-3-98",
        "15/3/98",
        "15.3.1998",
        "15.03.98",
        "15 3 1998",
        "15 Mar 98",
        "15 mar 1998",
        "15-Mar-98",
        "15mar1998",
        "15 March, 98",
        "15th March 1998",
        "15th of March, 1998",
        "Mar 15 98",
        "15 Marc 1998",
        "March 15th, 1998",
        "150398",
        "19980315",
        "1998/3/15",
        "1998 March 15",
        "15 مارچ 1998",
        "۱۵ مارچ ۱۹۹۸ء",
        "۱۵ مارچ، ۱۹۹۸ء",
        "March 15、1998",
        "۱۵-۳-۹۸",
        "1998年3月15日",
        "1998年 3月 15日",
        "98年3月15日",
        "１５／０３／１９９８",
        "１５－３－９８",
        "１５．３．１９９８",
        "１５\u3000Mar\u3000９８",
        "１９９８年３月１５日",
        "\u200f15/03/1998\u200f",
    ],
)
def test_dates_short_forms_month_names_and_full_width(raw: str) -> None:
    assert v.parse_date(raw, TODAY) == date(1998, 3, 15)


@pytest.mark.parametrize(
    ("raw", "day"),
    [
        ("1 Jan 2000", date(2000, 1, 1)),
        ("9 Sept 1990", date(1990, 9, 9)),
        ("9 sep 90", date(1990, 9, 9)),
        ("3 May 1985", date(1985, 5, 3)),
        ("3 مئی 1985", date(1985, 5, 3)),
        ("10 جنوری 2001", date(2001, 1, 10)),
        ("10 فروری 2001", date(2001, 2, 10)),
        ("1 دسمبر 1999", date(1999, 12, 1)),
        ("1 جولائی 1999", date(1999, 7, 1)),
        ("1 اپريل 1999", date(1999, 4, 1)),  # Arabic ي typed for Urdu ی
        ("29/02/2000", date(2000, 2, 29)),
        ("31/12/1999", date(1999, 12, 31)),
        ("01011990", date(1990, 1, 1)),
    ],
)
def test_dates_other_months(raw: str, day: date) -> None:
    assert v.parse_date(raw, TODAY) == day


@pytest.mark.parametrize(
    ("raw", "year"),
    [
        ("15/03/98", 1998),
        ("15/03/05", 2005),
        ("15/03/00", 2000),
        ("15/03/60", 1960),
        ("25/11/26", 2026),  # today: this century
        ("26/11/26", 1926),  # tomorrow in 2026, so a hundred years earlier
        ("01/01/10", 2010),
    ],
)
def test_two_digit_years_are_in_the_hundred_years_up_to_today(raw: str, year: int) -> None:
    assert v.parse_date(raw, TODAY).year == year


@pytest.mark.parametrize(
    ("raw", "message", "params"),
    [
        ("31/02/1998", v.DATE_FEBRUARY, {}),
        ("30/02/2000", v.DATE_FEBRUARY, {}),
        ("29/02/1999", v.DATE_NOT_LEAP, {"year": 1999}),
        ("29-2-99", v.DATE_NOT_LEAP, {"year": 1999}),
        ("31/04/1998", v.DATE_30_DAYS, {}),
        ("31 June 1998", v.DATE_30_DAYS, {}),
        ("31/09/98", v.DATE_30_DAYS, {}),
        ("31/11/1998", v.DATE_30_DAYS, {}),
        ("30/13/1998", v.DATE_NO_MONTH, {}),
        ("03/15/1998", v.DATE_NO_MONTH, {}),  # month first: the message says day first
        ("15/00/1998", v.DATE_NO_MONTH, {}),
        ("32/01/1998", v.DATE_NO_DAY, {}),
        ("00/01/1998", v.DATE_NO_DAY, {}),
        ("32 Jan 1998", v.DATE_NO_DAY, {}),
        ("31021998", v.DATE_FEBRUARY, {}),
        ("３１／０２／１９９８", v.DATE_FEBRUARY, {}),
        ("1998年2月30日", v.DATE_FEBRUARY, {}),
    ],
)
def test_a_date_that_does_not_exist_is_told_what_is_wrong(
    raw: str, message: str, params: dict[str, object]
) -> None:
    with pytest.raises(v.Invalid) as caught:
        v.parse_date(raw, TODAY)
    assert caught.value.message == message
    assert caught.value.params == params
    assert message.startswith("That date does not exist")


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "hello",
        "15/03",
        "March 1998",
        "15/03/199",
        "15/03/19988",
        "1531998",
        "15 Ma 1998",
        "15 foo 1998",
        "15 March March 1998",
        "15/03/1998 10:30 pm",
        "15/03/1998!",
        "0/0/0000",
    ],
)
def test_what_is_not_a_date_gets_the_format_message(raw: str) -> None:
    with pytest.raises(v.Invalid) as caught:
        v.parse_date(raw, TODAY)
    assert caught.value.message == v.DATE_FORMAT


def test_birth_date_reads_short_forms_and_keeps_the_age_rules() -> None:
    assert v.birth_date("15-3-98", TODAY, 17, 70) == date(1998, 3, 15)
    assert v.birth_date("１５．３．０５", TODAY, 17, 70) == date(2005, 3, 15)
    with pytest.raises(v.Invalid) as young:
        v.birth_date("1-1-11", TODAY, 17, 70)  # 2011: too young, told when
    assert young.value.params == {"age": 17, "date": date(2028, 1, 1)}
    with pytest.raises(v.Invalid) as old:
        v.birth_date("1-1-50", TODAY, 17, 70)  # 1950: 76
    assert old.value.params == {"age": 76}
    with pytest.raises(v.Invalid) as missing:
        v.birth_date("31/02/1998", TODAY, 17, 70)
    assert missing.value.message == v.DATE_FEBRUARY


# Full-width input (a Japanese keyboard) for every kind of answer.


def test_clean_text_applies_nfkc() -> None:
    assert v.clean_text("１２３／－．，：\u3000ＡＢＣ") == "123/-.,: ABC"
    assert v.clean_text("ｱﾘ･ｶｰﾝ") == "アリ・カーン"  # half-width katakana
    assert v.clean_text("ﻣﺤﻤﺪ") == "محمد"  # Arabic presentation forms: the base letters
    assert v.clean_text("ناصر\u200cالدین") == "ناصر\u200cالدین"  # Urdu's ZWNJ is kept
    assert v.clean_text("\u200fعلی\u200e") == "علی"


@pytest.mark.parametrize(
    ("kind", "raw", "value"),
    [
        ("cnic", "３５２０２－１２３４５６７－１", "3520212345671"),
        ("cnic", "３５２０２\u3000１２３４５６７\u3000１", "3520212345671"),
        ("cnic", "35202‐1234567‐1", "3520212345671"),  # U+2010 hyphen
        ("cnic", "35202−1234567−1", "3520212345671"),  # U+2212 minus
        ("mobile", "０３００－１２３４５６７", "+923001234567"),
        ("mobile", "＋９２\u3000３００\u3000１２３４５６７", "+923001234567"),
        ("mobile", "（０３００）１２３４５６７", "+923001234567"),
        ("number", "５", 5),
        ("number", "１２ years", 12),
        ("name", "Ａｌｉ\u3000Ｋｈａｎ", "Ali Khan"),
        ("name", "ﻣﺤﻤﺪ ﻋﻠﻰ", "محمد على"),
        ("name", "ﾑﾊﾝﾏﾄﾞ･ｱﾘ", "ムハンマド・アリ"),
        ("place", "Ｌａｈｏｒｅ", "Lahore"),
        ("place", "Ｄｅｒａ\u3000Ｇｈａｚｉ\u3000Ｋｈａｎ", "Dera Ghazi Khan"),
    ],
)
def test_full_width_input_for_every_kind(kind: str, raw: str, value: object) -> None:
    read = {
        "cnic": v.cnic,
        "mobile": v.pk_mobile,
        "number": lambda text: v.whole_number(text, 0, 50),
        "name": v.person_name,
        "place": v.place_name,
    }[kind]
    assert read(raw) == value


# CNIC placeholders: refused with their own message; numbers that look real are accepted.


@pytest.mark.parametrize(
    "raw",
    [
        "0000000000000",
        "00000-0000000-0",
        "1111111111111",
        "99999-9999999-9",
        "33333-3333333-4",  # only the gender digit differs
        "1234567890123",
        "23456-7890123-4",
        "9876543210987",
        "12345-1234567-1",  # the example our own messages show
        "12345-1234567-2",
        "１２３４５－１２３４５６７－１",
        "۱۲۳۴۵-۱۲۳۴۵۶۷-۱",
    ],
)
def test_cnic_placeholders_are_refused(raw: str) -> None:
    with pytest.raises(v.Invalid) as caught:
        v.cnic(raw)
    assert caught.value.message == v.CNIC_PLACEHOLDER


def test_cnic_the_steps_own_example_is_refused_in_any_form() -> None:
    examples = ("35202-1234567-1",)
    for raw in ("35202-1234567-1", "3520212345671", "۳۵۲۰۲۱۲۳۴۵۶۷۲"):
        with pytest.raises(v.Invalid) as caught:
            v.cnic(raw, examples)
        assert caught.value.message == v.CNIC_PLACEHOLDER
    assert v.cnic("35202-7654321-1", examples) == "3520276543211"


@pytest.mark.parametrize(
    "raw",
    [
        "35202-4817263-5",
        "42101-5839271-3",
        "61101-2345678-9",  # a run in the middle only
        "11111-1111112-1",  # many repeats, but not all twelve
        "17301-1234567-8",
        "54400-0000001-2",
        "37405-0123456-0",  # a last 0 is no reason to refuse
    ],
)
def test_cnic_numbers_that_look_real_are_accepted(raw: str) -> None:
    assert v.cnic(raw) == raw.replace("-", "")


# Names that look like placeholders are confirmed (Doubtful), never refused.


@pytest.mark.parametrize(
    "raw",
    [
        "test",
        "Test",
        "TESTING",
        "NaN",
        "null",
        "None",
        "asdf",
        "qwerty",
        "abc",
        "xyz",
        "name",
        "naam",
        "mera naam",
        "نام",
        "میرا نام",
        "ٹیسٹ",
        "aaaa",
        "xxx",
        "Xxx Xxx",
        "test test",
        "abc xyz",
        "asdf ghjk",
        "Ｔｅｓｔ",
        "テスト",
        "Ali",  # one word: most CNIC names have more, so the worker is asked
        "Muhammad",
        "محمد",
        "ناصر\u200cالدین",
    ],
)
def test_placeholder_and_one_word_names_are_doubtful(raw: str) -> None:
    with pytest.raises(v.Doubtful) as caught:
        v.person_name(raw)
    doubt = caught.value
    assert doubt.value == v.clean_text(raw)
    assert doubt.message == v.NAME_DOUBTFUL
    assert doubt.params == {"name": doubt.value}


@pytest.mark.parametrize(
    "raw",
    [
        "Muhammad Ali Khan",
        "Ali Raza",
        "Syed M. Shah",
        "M. Ali",
        "Abdul-Rehman",
        "Test Worker One",  # a placeholder word among real ones
        "Naseem Akhtar",
        "Zainab Bibi",
        "محمد علی خان",
        "ناصر\u200cالدین احمد",
        "فاطمہ بی بی",
        "ムハンマド・アリ",
        "アリ カーン",
        "カーン・アリ・ムハンマド",
    ],
)
def test_ordinary_names_are_not_doubtful(raw: str) -> None:
    assert v.person_name(raw) == v.clean_text(raw)


def test_doubtful_name_rules() -> None:
    assert v.doubtful_name("Ali")
    assert v.doubtful_name("zzzz zzz")
    assert not v.doubtful_name("Ali Khan")
    assert not v.doubtful_name("Ali Test")  # one real word is enough


def test_control_characters_are_dropped_white_space_kept() -> None:
    """NUL and other control characters never reach storage (PostgreSQL cannot keep NUL);
    tabs and new lines are white space, collapsed as usual."""
    assert v.clean_text("\x00Ali\x01\tKhan\x7f\n") == "Ali Khan"
    assert v.free_text("a\x00b") == "ab"
    with pytest.raises(v.Invalid):
        v.free_text("\x00\x01\x7f")
