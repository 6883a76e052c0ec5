"""Readable, translated names for the ids a lead holds: provinces, sectors, outcomes,
languages, statuses. Translated when called, in the current language."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot import ssw
from bot.i18n import LANGUAGE_NAMES, LANGUAGES, gettext, join_list
from bot.staff import filters, outcome
from bot.staff.pipeline import STATUS_LABELS, STATUSES

OUTCOME_LABELS = outcome.OUTCOME_LABELS  # English msgids: exports keep them, pages translate
UNREADABLE = outcome.UNREADABLE


def province(value: str | None) -> str:
    if not value:
        return "—"
    return gettext(filters.province_choices().get(value, value))


def sectors(values: Sequence[str] | None) -> str:
    names = filters.sector_choices()
    return join_list(gettext(names.get(v, v)).strip() for v in values or ())


def status(value: str) -> str:
    return gettext(STATUS_LABELS.get(value, value))


def language(value: str | None) -> str:
    return LANGUAGE_NAMES.get(value or "", value or "—")


def lead_outcome(stored: Mapping[str, Any] | None) -> str:
    """The best route's outcome (Eligible, Possible, ...), through ``bot.ssw``."""
    if stored is None:
        return gettext(OUTCOME_LABELS[outcome.NOT_CHECKED])
    try:
        assessment = ssw.Assessment.from_dict(stored)
    except ValueError:
        return gettext(UNREADABLE)
    key = outcome.outcome(assessment)
    return gettext(OUTCOME_LABELS.get(key, key))


def choices() -> dict[str, list[tuple[str, str]]]:
    """Every filter's options as (id, translated name), for the list's select boxes."""
    return {
        "sector": [(k, gettext(v).strip()) for k, v in filters.sector_choices().items()],
        "province": [(k, gettext(v)) for k, v in filters.province_choices().items()],
        "status": [(k, status(k)) for k in STATUSES],
        "language": [(k, LANGUAGE_NAMES[k]) for k in LANGUAGES],
        "eligible": [(k, gettext(v)) for k, v in OUTCOME_LABELS.items()],
    }
