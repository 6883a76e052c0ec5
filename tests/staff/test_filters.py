"""LeadFilter: parsing from a URL query and the command line, back to a query, bad values."""

from __future__ import annotations

import argparse
from datetime import date
from urllib.parse import parse_qsl

import pytest

from bot.staff.filters import FilterError, LeadFilter, add_arguments


def test_a_query_string_round_trips() -> None:
    where = LeadFilter(
        since=date(2026, 11, 1),
        until=date(2026, 11, 30),
        sector="construction",
        province="kp",
        status="new",
        language="ur",
        source="roadshow_lahore",
        eligible="after_steps",
        q="محمد علی",
        officer=7,
    )
    query = where.to_query()
    assert query.startswith("since=2026-11-01&until=2026-11-30&sector=construction")
    assert LeadFilter.from_query(dict(parse_qsl(query))) == where
    unfinished = LeadFilter(unfinished=True, sector="fishery")
    assert unfinished.to_query() == "sector=fishery&unfinished=1"
    assert LeadFilter.from_query(dict(parse_qsl(unfinished.to_query()))) == unfinished
    assert LeadFilter().to_query() == "" and LeadFilter().is_empty


def test_a_form_query_ignores_blanks_and_other_keys() -> None:
    query = {"sector": "", "province": "Punjab", "page": "3", "sort": "name", "q": "  a   b "}
    assert LeadFilter.from_query(query) == LeadFilter(province="punjab", q="a b")


def test_english_names_and_day_first_dates_are_accepted() -> None:
    where = LeadFilter.parse(
        sector="Food service", province="khyber pakhtunkhwa", since="01/11/2026", language="Urdu"
    )
    assert where == LeadFilter(
        sector="food_service", province="kp", since=date(2026, 11, 1), language="ur"
    )


def test_command_line_arguments() -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(["--since", "2026-11-01", "--sector", "agriculture", "--unfinished"])
    assert LeadFilter.from_args(args) == LeadFilter(
        since=date(2026, 11, 1), sector="agriculture", unfinished=True
    )
    assert LeadFilter.from_args(parser.parse_args([])) == LeadFilter()


@pytest.mark.parametrize(
    ("values", "field", "names"),
    [
        ({"sector": "rocket_science"}, "sector", ["construction (Construction)", "nurse"]),
        ({"province": "texas"}, "province", ["punjab (Punjab)", "gb (Gilgit-Baltistan)"]),
        ({"language": "fr"}, "language", ["ur (Urdu)", "en", "ja"]),
        ({"eligible": "maybe"}, "eligible", ["meets", "not_now", "none"]),
        ({"status": "gone"}, "status", ["new"]),
        ({"since": "yesterday"}, "since", ["2026-11-25", "25/11/2026"]),
        ({"until": "2026-13-01"}, "until", ["2026-11-25"]),
        ({"since": "2026-11-05", "until": "2026-11-01"}, "until", ["before"]),
        ({"officer": "bob"}, "officer", ["number"]),
        ({"unfinished": "1", "status": "new"}, "status", ["unfinished"]),
        ({"unfinished": "1", "eligible": "meets"}, "eligible", ["unfinished"]),
        ({"colour": "red"}, "colour", ["since"]),
        ({"q": "x" * 101}, "q", ["100"]),
    ],
)
def test_bad_values_name_the_field_and_what_is_accepted(
    values: dict[str, str], field: str, names: list[str]
) -> None:
    with pytest.raises(FilterError) as raised:
        LeadFilter.parse(**values)
    assert raised.value.field == field
    for name in names:
        assert name in str(raised.value)


def test_built_directly_the_filter_checks_its_values() -> None:
    with pytest.raises(FilterError, match="construction"):
        LeadFilter(sector="Construction")  # the id, not the name
    with pytest.raises(FilterError):
        LeadFilter(sector="nothing")
    with pytest.raises(FilterError):
        LeadFilter(officer=0)


def test_digits_of_a_free_text_search() -> None:
    assert LeadFilter(q="35202-1234567-1").q_digits == "3520212345671"
    assert LeadFilter(q="0300 1234567").q_mobile_digits == "3001234567"
    assert LeadFilter(q="+92 300 1234567").q_mobile_digits == "923001234567"
    assert LeadFilter(q="0092 300 1234567").q_mobile_digits == "923001234567"
    assert LeadFilter(q="۰۳۰۰ ۱۲۳").q_digits == "0300123"


def test_a_search_drops_control_and_invisible_characters() -> None:
    """NUL made PostgreSQL fail the leads list (a 500); a direction mark hid a match."""
    assert LeadFilter.from_query({"q": "\x00Ali\u202e Khan\x7f"}).q == "Ali Khan"
