"""Dates go stale: which facts are past their ``review_by`` date, and which are due for review.

A date-bound fact (a test session, a "from <month>" announcement, a cap up to March 2029) carries
``review_by`` and an ``official`` page. Once ``today`` is past ``review_by`` the bot no longer
states it as current: the screens and the eligibility check add ``STALE_NOTE`` ("This was the
news on <checked>. It may have changed. Check <official>.") after it. ``due(today, within_days)``
lists what staff must re-check: ``ssw-bot facts --due`` prints it, the staff web shows it.

Pure: the caller passes ``today`` (the engine's clock), nothing here reads the calendar.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from bot.i18n import N_
from bot.ssw import catalogue
from bot.ssw.model import RuleValue

STALE_NOTE = N_("⚠️ This was the news on {date}. It may have changed. Check {url}")
STALE_RULE = N_("⚠️ Part of this check uses news from {date}. It may have changed. Check {url}")


class Reviewable(Protocol):
    """A fact, a rule or an FAQ entry: anything with provenance and an optional review date."""

    @property
    def source(self) -> tuple[str, ...]: ...

    @property
    def checked(self) -> date: ...

    @property
    def review_by(self) -> date | None: ...

    @property
    def official(self) -> str | None: ...


def is_stale(item: Reviewable, today: date) -> bool:
    """True once ``today`` is past the item's ``review_by`` date (never for undated items)."""
    return item.review_by is not None and today > item.review_by


@dataclass(frozen=True)
class Due:
    """A fact or rule to re-check: where it is used, what it says, and where to check it."""

    where: tuple[str, ...]  # e.g. ("sector nursing_care: tests_in_pakistan", ...)
    text: str  # the fact's English text, or "rule = value" for a rule
    source: tuple[str, ...]
    checked: date
    review_by: date
    official: str

    def is_past(self, today: date) -> bool:
        return today > self.review_by


def _rule_text(name: str, value: RuleValue) -> str:
    shown = ", ".join(str(v) for v in value) if isinstance(value, tuple) else str(value)
    return f"{name} = {shown}"


def _candidates() -> Iterable[tuple[str, str, Reviewable]]:
    for where, fact in catalogue.all_facts():
        yield where, fact.text, fact
    for where, rule in catalogue.all_rules():
        yield where, _rule_text(rule.name, rule.value), rule


def due(today: date, within_days: int = 0) -> tuple[Due, ...]:
    """Facts and rules whose ``review_by`` is on or before ``today + within_days``, soonest first.

    A fact shared by several places (the JLPT levels, fields with the same news) is listed once,
    with every place it is used.
    """
    horizon = today + timedelta(days=within_days)
    found: dict[tuple[str, tuple[str, ...], date], Due] = {}
    for where, text, item in _candidates():
        if item.review_by is None or item.review_by > horizon or item.official is None:
            continue
        key = (text, item.source, item.review_by)
        known = found.get(key)
        if known is None:
            found[key] = Due(
                (where,), text, item.source, item.checked, item.review_by, item.official
            )
        else:
            found[key] = Due(
                (*known.where, where),
                text,
                item.source,
                item.checked,
                item.review_by,
                item.official,
            )
    return tuple(sorted(found.values(), key=lambda d: (d.review_by, d.where)))


def _when(review_by: date, today: date) -> str:
    days = (review_by - today).days
    if days < 0:
        return "passed"
    return "due today" if days == 0 else f"due in {days} days"


def render_due(items: Iterable[Due], today: date, within_days: int = 0) -> str:
    """The due list as plain text for staff (English: it is a staff tool, not a worker screen)."""
    items = tuple(items)
    scope = f"on {today}" + (f" or within {within_days} days" if within_days else "")
    if not items:
        return f"No facts are due for review {scope}.\n"
    lines = [f"{len(items)} fact(s) due for review {scope}:", ""]
    for item in items:
        lines += [
            f"review by {item.review_by} ({_when(item.review_by, today)}), checked {item.checked}",
            *(f"  where: {where}" for where in item.where),
            *(f"  > {line}" for line in item.text.splitlines()),
            f"  source: {'; '.join(item.source)}",
            f"  official: {item.official}",
            "",
        ]
    return "\n".join(lines)
