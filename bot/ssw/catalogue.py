"""The project's own catalogue and FAQ, loaded once per process, and lookups by id.

Pure data access: no Telegram, HTTP or database imports, so the eligibility reasoning, the facts
document, the staff side and the tests can use it anywhere.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache
from types import MappingProxyType

from bot.ssw.loader import FAQ_FILE, SECTORS_FILE, load_catalogue, load_faq
from bot.ssw.model import Catalogue, Fact, FaqEntry, JapaneseTest, Programme, Rule, Sector


@cache
def catalogue() -> Catalogue:
    """The validated ``flows/sectors.yaml``, loaded once per process."""
    return load_catalogue(SECTORS_FILE)


def programme() -> Programme:
    return catalogue().programme


def sectors() -> tuple[Sector, ...]:
    """All sectors in catalogue order (open fields, fields from 2027, other routes)."""
    return catalogue().sectors


@cache
def _sectors_by_id() -> Mapping[str, Sector]:
    return MappingProxyType({s.id: s for s in sectors()})


def sector(sector_id: str) -> Sector:
    """The sector with this id; ``KeyError`` when there is none."""
    try:
        return _sectors_by_id()[sector_id]
    except KeyError:
        raise KeyError(f"unknown sector id {sector_id!r}") from None


def japanese_tests() -> tuple[JapaneseTest, ...]:
    return catalogue().japanese_tests


def japanese_test(test_id: str) -> JapaneseTest:
    """The Japanese test with this id; ``KeyError`` when there is none."""
    for test in japanese_tests():
        if test.id == test_id:
            return test
    raise KeyError(f"unknown Japanese test id {test_id!r}")


@cache
def faq() -> tuple[FaqEntry, ...]:
    """The validated ``flows/faq.yaml`` entries in order, loaded once per process."""
    return load_faq(FAQ_FILE)


def faq_entry(entry_id: str) -> FaqEntry:
    for entry in faq():
        if entry.id == entry_id:
            return entry
    raise KeyError(f"unknown FAQ entry {entry_id!r}")


def all_facts() -> Iterator[tuple[str, Fact]]:
    """Every user-visible fact with a label saying where it lives.

    Sector facts ("sector nursing_care: skills_test"), Japanese-test facts ("test jft_a2: about")
    and FAQ answers ("faq pay", as a ``Fact`` whose text is the answer).
    """
    for test in japanese_tests():
        for key, fact in test.facts.items():
            yield f"test {test.id}: {key}", fact
    for item in sectors():
        for key, fact in item.facts.items():
            yield f"sector {item.id}: {key}", fact
    for entry in faq():
        yield f"faq {entry.id}", entry.as_fact()


def all_rules() -> Iterator[tuple[str, Rule]]:
    """Every machine rule with a label saying where it lives."""
    for name, rule in programme().rules.items():
        yield f"programme: {name}", rule
    for item in sectors():
        for name, rule in item.rules.items():
            yield f"sector {item.id}: {name}", rule
