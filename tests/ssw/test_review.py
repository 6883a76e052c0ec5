"""Dates go stale: facts past their review date are hedged on every screen, and listed for staff.

The clock is always passed in: TODAY (before every review date) and dates after them. Nothing
here depends on the real calendar, so CI never fails because time passed.
"""

from __future__ import annotations

from datetime import date

import pytest

from bot import cli
from bot.i18n import using_language
from bot.ssw import catalogue, review, screens

TODAY = date(2026, 11, 25)
LATER = date(2027, 6, 2)  # past the JFT-Basic, nursing-test, Soft Skills and 2027 reviews
MUCH_LATER = date(2030, 1, 1)  # past every review date
HEDGE = "⚠️ This was the news on December 1, 2026. It may have changed. Check"

REVIEWED = [
    (where, fact) for where, fact in catalogue.all_facts() if fact.review_by is not None
] + [(where, rule) for where, rule in catalogue.all_rules() if rule.review_by is not None]


def test_nothing_is_stale_or_due_before_the_review_dates() -> None:
    assert REVIEWED
    assert not any(review.is_stale(item, TODAY) for _, item in REVIEWED)
    assert review.due(TODAY) == ()


def test_everything_dated_is_due_once_every_date_has_passed() -> None:
    due = review.due(MUCH_LATER)
    listed = {where for item in due for where in item.where}
    assert listed == {where for where, _ in REVIEWED}
    assert all(item.is_past(MUCH_LATER) for item in due)
    assert [item.review_by for item in due] == sorted(item.review_by for item in due)


def test_within_days_lists_what_is_due_soon() -> None:
    soon = review.due(TODAY, within_days=100)  # up to 2027-03-05
    assert soon and all(item.review_by <= date(2027, 3, 5) for item in soon)
    assert not any(item.is_past(TODAY) for item in soon)
    assert "test jft_a2: tests_in_pakistan" in {w for item in soon for w in item.where}
    assert "faq skill_development" not in {w for item in soon for w in item.where}  # 2027-04-01


def test_a_fact_shared_by_several_places_is_listed_once() -> None:
    jft = [item for item in review.due(LATER) if "test jft_a2: tests_in_pakistan" in item.where]
    assert len(jft) == 1
    assert set(jft[0].where) == {
        "test jft_a2: tests_in_pakistan",
        "test jft_a2_1: tests_in_pakistan",
        "test jft_a1: tests_in_pakistan",
    }
    assert jft[0].official == "https://www.jpf.go.jp/jft-basic/e/"


def test_the_due_list_reads_for_staff() -> None:
    text = review.render_due(review.due(LATER), LATER)
    assert "due for review on 2027-06-02" in text
    assert "review by 2027-03-01 (passed), checked 2026-12-01" in text
    assert "  where: test jft_a2: tests_in_pakistan" in text
    assert "  official: https://www.jpf.go.jp/jft-basic/e/" in text
    assert "  source: hamariweb.com/news/3820233;" in text
    assert review.render_due((), TODAY) == "No facts are due for review on 2026-11-25.\n"


@pytest.mark.parametrize(
    ("argv", "expected", "absent"),
    [
        (["--due", "--today", "2026-11-25"], "No facts are due for review", "official:"),
        (["--due", "--today", "2027-06-02"], "official: https://www.ssw.go.jp/", "No facts"),
        (
            ["--due", "--within", "120", "--today", "2026-12-01"],
            "(due in 90 days)",
            "(passed)",
        ),
    ],
)
def test_ssw_bot_facts_due(
    argv: list[str], expected: str, absent: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["facts", *argv]) == 0
    out = capsys.readouterr().out
    assert expected in out and absent not in out


# ------------------------------------------------------------------------------------------------
# The catalogue screens (sector pages, FAQ answers) hedge a stale fact instead of stating it.


def _screen(name: str, answers: dict[str, str], today: date) -> str:
    with using_language("en"):
        return screens.TEXT_SOURCES[name](answers, today)


@pytest.mark.parametrize(
    ("name", "answers", "fact_text", "url"),
    [
        (
            "sector_detail",
            {"sector": "agriculture"},
            "We found no news that it was held.",
            "https://www.ssw.go.jp/",
        ),
        (
            "sector_summary",
            {"sector": "logistics_warehousing"},
            "Hiring is expected from about 2027.",
            "https://www.moj.go.jp/isa/03_00169.html",
        ),
        (
            "faq_answer",
            {"topic": "protector"},
            "There are official fees. We do not know the current amounts; ask BE&OE.",
            "https://beoe.gov.pk",
        ),
        (
            "faq_answer",
            {"topic": "jft_basic"},
            "Not confirmed yet: the fee in rupees and an Urdu version.",
            "https://www.jpf.go.jp/jft-basic/e/",
        ),
    ],
)
def test_screens_hedge_a_stale_fact_right_after_it(  # an FAQ answer: after its last line
    name: str, answers: dict[str, str], fact_text: str, url: str
) -> None:
    current = _screen(name, answers, TODAY)
    stale = _screen(name, answers, LATER)
    assert fact_text in current and HEDGE not in current
    lines = stale.split("\n")
    index = next(i for i, line in enumerate(lines) if fact_text in line)
    assert lines[index + 1] == f"{HEDGE} {url}"


def test_a_field_opening_later_hedges_its_not_open_yet_line() -> None:
    stale = _screen("sector_summary", {"sector": "linen_supply"}, LATER).split("\n")
    assert stale[1] == "Not open yet: hiring is expected from about 2027."
    assert stale[2].startswith(HEDGE)


def test_screens_without_dated_facts_never_hedge() -> None:
    assert HEDGE not in _screen("sector_detail", {"sector": "construction"}, MUCH_LATER)
    assert HEDGE not in _screen("faq_answer", {"topic": "costs"}, MUCH_LATER)
