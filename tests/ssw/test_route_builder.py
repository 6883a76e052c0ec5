"""One route being put together: its verdict from its criteria, and hedges for stale rules."""

from __future__ import annotations

from datetime import date

from bot.ssw.model import Rule
from bot.ssw.review import STALE_RULE
from bot.ssw.route_builder import RouteBuilder

TODAY = date(2026, 11, 25)  # before the rule's review date
LATER = date(2027, 6, 2)  # after it


def test_the_verdict_follows_the_criteria() -> None:
    builder = RouteBuilder(TODAY)
    builder.check("A", "met")
    assert builder.route("ssw1_now").status == "meets"
    builder.check("B", "unknown")
    assert builder.route("ssw1_now").status == "after_steps"
    builder.block("C", "met")
    assert builder.route("ssw1_now").status == "after_steps"
    builder.block("D", "not_met")
    assert builder.route("ssw1_now").status == "not_now"


def test_a_stale_rule_adds_a_hedge_at_the_end() -> None:
    rule = Rule(
        "hiring_from", 2027, ("x",), date(2026, 12, 1), "M", date(2027, 4, 1), "https://a.go.jp/"
    )
    builder = RouteBuilder(LATER)
    builder.cite(rule)
    builder.step("A step.")
    steps = builder.route("not_eligible").next_steps
    assert [s.msgid for s in steps] == ["A step.", STALE_RULE]
    assert steps[-1].params == {"date": "2026-12-01", "url": "https://a.go.jp/"}
    fresh = RouteBuilder(TODAY)
    fresh.cite(rule)
    assert fresh.route("not_eligible").next_steps == ()
