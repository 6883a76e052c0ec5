"""What an eligibility check concludes: routes, their criteria and next steps, as data.

An ``Assessment`` holds gettext msgids with their params (never translated text), so it can be
stored with a lead as JSON (``to_dict``/``from_dict``) and rendered later in any language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, TypeVar, get_args

_T = TypeVar("_T", bound=str)

CriterionStatus = Literal["met", "not_met", "unknown"]
RouteStatus = Literal["eligible", "possible", "not_yet", "not_eligible"]
RouteId = Literal[
    "not_eligible",
    "ssw1_now",
    "ssw1_after_tests",
    "ssw1_titp",
    "ssw2",
    "it_visa",
    "nurse_licence",
    "nursing_care_alternative",
]

CRITERION_STATUSES: tuple[CriterionStatus, ...] = get_args(CriterionStatus)
ROUTE_STATUSES: tuple[RouteStatus, ...] = get_args(RouteStatus)
ROUTE_IDS: tuple[RouteId, ...] = get_args(RouteId)
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Criterion:
    """One requirement and whether the answers meet it. ``label_msgid`` is translated later."""

    label_msgid: str
    status: CriterionStatus
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    """One thing to do next, as a msgid (often a fact's text from the catalogue) and params."""

    msgid: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Route:
    """A way to Japan, how well the answers fit it, what to do next, and the sources used."""

    id: RouteId
    status: RouteStatus
    criteria: tuple[Criterion, ...]
    next_steps: tuple[Step, ...]
    sources: tuple[str, ...]
    params: dict[str, str] = field(default_factory=dict)  # for the title, e.g. {"sector": ...}


@dataclass(frozen=True)
class Assessment:
    routes: tuple[Route, ...]

    @property
    def route_ids(self) -> tuple[RouteId, ...]:
        return tuple(route.id for route in self.routes)

    def route(self, route_id: str) -> Route | None:
        return next((route for route in self.routes if route.id == route_id), None)

    def to_dict(self) -> dict[str, object]:
        """A JSON-serialisable form, to store with the lead."""
        return {
            "version": FORMAT_VERSION,
            "routes": [
                {
                    "id": route.id,
                    "status": route.status,
                    "params": dict(route.params),
                    "criteria": [
                        {"label_msgid": c.label_msgid, "status": c.status, "params": dict(c.params)}
                        for c in route.criteria
                    ],
                    "next_steps": [
                        {"msgid": s.msgid, "params": dict(s.params)} for s in route.next_steps
                    ],
                    "sources": list(route.sources),
                }
                for route in self.routes
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Assessment:
        """Rebuild an assessment stored with ``to_dict``; ``ValueError`` on a malformed one."""
        if data.get("version") != FORMAT_VERSION:
            raise ValueError(f"assessment: unsupported version {data.get('version')!r}")
        routes: list[Route] = []
        for raw in _dict_list(data.get("routes"), "routes"):
            criteria = tuple(
                Criterion(
                    label_msgid=_str(item.get("label_msgid"), "label_msgid"),
                    status=_choice(item.get("status"), CRITERION_STATUSES, "criterion status"),
                    params=_params(item.get("params")),
                )
                for item in _dict_list(raw.get("criteria"), "criteria")
            )
            steps = tuple(
                Step(msgid=_str(item.get("msgid"), "msgid"), params=_params(item.get("params")))
                for item in _dict_list(raw.get("next_steps"), "next_steps")
            )
            sources = raw.get("sources")
            if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
                raise ValueError("assessment: 'sources' must be a list of strings")
            routes.append(
                Route(
                    id=_choice(raw.get("id"), ROUTE_IDS, "route id"),
                    status=_choice(raw.get("status"), ROUTE_STATUSES, "route status"),
                    criteria=criteria,
                    next_steps=steps,
                    sources=tuple(str(s) for s in sources),
                    params=_params(raw.get("params")),
                )
            )
        return cls(routes=tuple(routes))


def _dict_list(value: object, what: str) -> list[Mapping[str, object]]:
    if not isinstance(value, list):
        raise ValueError(f"assessment: '{what}' must be a list")
    items: list[Mapping[str, object]] = []
    for item in value:
        if not isinstance(item, Mapping):
            raise ValueError(f"assessment: each of '{what}' must be a mapping")
        items.append({str(key): val for key, val in item.items()})
    return items


def _str(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"assessment: '{what}' must be a string")
    return value


def _params(value: object) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ValueError("assessment: 'params' must map strings to strings")
    return {str(k): str(v) for k, v in value.items()}


def _choice(value: object, allowed: tuple[_T, ...], what: str) -> _T:
    for item in allowed:
        if value == item:
            return item
    raise ValueError(f"assessment: unknown {what} {value!r}")
