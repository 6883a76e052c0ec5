"""The eligibility outcome of a lead: the best route's status and title, in English.

This is the one place that knows how route statuses rank and how they read in an export or a
list. Each outcome lists the stored route statuses that mean it: those of format version 2
(meets / after_steps / not_now) and the older version 1 words, so leads checked before keep
matching; the SQL filter (``bot.storage.lead_queries``) and every export follow.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from bot import ssw
from bot.i18n import N_, using_language
from bot.ssw.rendering import ROUTE_TITLES

# Outcome → the stored route statuses that mean it. Best first: a lead's outcome is the best
# outcome among its routes.
OUTCOMES: Mapping[str, tuple[str, ...]] = {
    "meets": ("meets", "eligible"),
    "after_steps": ("after_steps", "possible"),
    "not_now": ("not_now", "not_yet", "not_eligible"),
}
NOT_CHECKED = "none"  # no eligibility check stored with the lead

# English msgids: an export shows them as they are, the staff pages translate them.
OUTCOME_LABELS: Mapping[str, str] = {
    "meets": N_("Meets the main requirements"),
    "after_steps": N_("Can get there after some steps"),
    "not_now": N_("Not now"),
    NOT_CHECKED: N_("Not checked"),
}
UNREADABLE = N_("Unreadable check")

_RANK: dict[str, int] = {
    status: rank for rank, statuses in enumerate(OUTCOMES.values()) for status in statuses
}
_OUTCOME_OF_STATUS: dict[str, str] = {
    status: outcome for outcome, statuses in OUTCOMES.items() for status in statuses
}


def best_route(assessment: ssw.Assessment) -> ssw.Route | None:
    """The route with the best status (the first of equals, as the check lists them)."""
    routes = [route for route in assessment.routes if route.status in _RANK]
    return min(routes, key=lambda route: _RANK[route.status]) if routes else None


def outcome(assessment: ssw.Assessment | None) -> str:
    """The outcome id (a key of ``OUTCOMES``, or ``NOT_CHECKED``)."""
    route = best_route(assessment) if assessment is not None else None
    return _OUTCOME_OF_STATUS[route.status] if route is not None else NOT_CHECKED


def stored_outcome(stored: Any) -> str:
    """``outcome`` of an assessment as stored with a lead (its JSON as a dict), read from its
    routes' statuses alone: what ``leads.outcome`` holds. Anything else is ``NOT_CHECKED``."""
    routes = stored.get("routes") if isinstance(stored, Mapping) else None
    ranks = [
        _RANK[route["status"]]
        for route in (routes if isinstance(routes, list) else ())
        if isinstance(route, Mapping) and route.get("status") in _RANK
    ]
    return list(OUTCOMES)[min(ranks)] if ranks else NOT_CHECKED


def outcome_text(assessment: ssw.Assessment | None) -> str:
    """``Meets the main requirements: SSW (i) in Construction`` — the best route, in English."""
    route = best_route(assessment) if assessment is not None else None
    if route is None:
        return OUTCOME_LABELS[NOT_CHECKED]
    with using_language("en"):
        title = ROUTE_TITLES[route.id].format(**{k: v.strip() for k, v in route.params.items()})
    return f"{OUTCOME_LABELS[_OUTCOME_OF_STATUS[route.status]]}: {title}"


@lru_cache(maxsize=4096)
def _stored_outcome_text(raw: str) -> str:
    import json

    return stored_outcome_text(json.loads(raw))


def stored_outcome_text(stored: Mapping[str, Any] | str | None) -> str:
    """``outcome_text`` of an assessment as stored with a lead (a dict, or its JSON text).

    JSON text is cached: leads share few distinct assessments, and an export of 100,000 leads
    should not rebuild each one. An unreadable stored assessment reads "Unreadable check".
    """
    if stored is None:
        return outcome_text(None)
    if isinstance(stored, str):
        return _stored_outcome_text(stored)
    try:
        return outcome_text(ssw.Assessment.from_dict(stored))
    except ValueError:
        return UNREADABLE
