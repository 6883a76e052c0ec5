"""Which sources are official (a government, a test body), and sources in the order shown.

Official sources come first on every screen; a short screen shows at most ``ON_SCREEN`` of them
and the rest wait under "Sources". The list of official domains is data: ``flows/sources.yaml``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import yaml

from bot.ssw.loader import FLOWS_DIR

SOURCES_FILE = FLOWS_DIR / "sources.yaml"
ON_SCREEN = 2


@dataclass(frozen=True)
class Official:
    government_suffixes: tuple[str, ...]
    test_bodies: frozenset[str]


@cache
def official() -> Official:
    with SOURCES_FILE.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    return Official(
        government_suffixes=tuple(str(s) for s in data["government_suffixes"]),
        test_bodies=frozenset(str(s) for s in data["test_bodies"]),
    )


def domain(source: str) -> str:
    """``jpf.go.jp/jft-basic/e/about/`` → ``jpf.go.jp``; ``sa-qc.com blog`` → ``sa-qc.com``."""
    return source.strip().split("/", 1)[0].split(" ", 1)[0].lower()


def is_official(source: str) -> bool:
    name = domain(source)
    rules = official()
    return name in rules.test_bodies or name.endswith(rules.government_suffixes)


def shown(sources: Iterable[str]) -> list[str]:
    """Sources worth listing, once each, official first: notes such as "(absence of evidence)"
    in the fact sheet are not places to look things up."""
    unique = [s for s in dict.fromkeys(sources) if not s.startswith("(")]
    return [s for s in unique if is_official(s)] + [s for s in unique if not is_official(s)]


def on_screen(sources: Iterable[str]) -> list[str]:
    """The few sources a short screen shows: official ones only, at most ``ON_SCREEN``."""
    return [s for s in shown(sources) if is_official(s)][:ON_SCREEN]
