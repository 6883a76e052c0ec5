"""What an eligibility check concludes: routes, their criteria and next steps, as data.

An ``Assessment`` holds gettext msgids with their params (never translated text), so it can be
stored with a lead as JSON (``to_dict``/``from_dict``) and rendered later in any language.

Each route has one of three verdicts: ``meets`` (every criterion is met), ``after_steps`` (some
are not met or not known, and the next steps, in order, lead there) or ``not_now`` (something
the worker cannot change now blocks it: too young, a field not open yet, the 5 years used, no
degree for the IT visa). Format version 2; version 1 (eligible / possible / not_yet /
not_eligible), which leads already store, is read and mapped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, TypeVar, get_args

_T = TypeVar("_T", bound=str)

CriterionStatus = Literal["met", "not_met", "unknown"]
RouteStatus = Literal["meets", "after_steps", "not_now"]
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
FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)

# Version 1 statuses → version 2 verdicts. A v1 "eligible" becomes "meets" only when every
# criterion was met and the route needs nothing v1 did not ask (the IT visa's job offer).
_V1_STATUSES: Mapping[str, RouteStatus] = {
    "eligible": "meets",
    "possible": "after_steps",
    "not_yet": "not_now",
    "not_eligible": "not_now",
}
_V1_NEVER_MEETS = frozenset({"it_visa"})
# A v1 step that was wrong advice (under-17s were told to register, and registration refuses
# them): dropped when a v1 assessment is read.
_V1_DROPPED_STEPS = frozenset(
    {"You can register now. You can go to Japan from the age of {min_age}."}
)


@dataclass(frozen=True)
class Criterion:
    """One requirement and whether the answers meet it. ``label_msgid`` is translated later."""

    label_msgid: str
    status: CriterionStatus
    params: dict[str, str] = field(default_factory=dict)
    # what it is about: age, japanese, skills, extra_test, licence, ssw1_years, titp,
    # experience ("" for the rest); kept when stored, absent from older stored checks
    topic: str = ""


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
                    "criteria": [_criterion_dict(c) for c in route.criteria],
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
        """Rebuild an assessment stored with ``to_dict`` (version 1 or 2).

        ``ValueError`` on a malformed one.
        """
        version = data.get("version")
        if version not in READABLE_VERSIONS or isinstance(version, bool):
            raise ValueError(f"assessment: unsupported version {version!r}")
        routes: list[Route] = []
        for raw in _dict_list(data.get("routes"), "routes"):
            criteria = tuple(
                Criterion(
                    label_msgid=_str(item.get("label_msgid"), "label_msgid"),
                    status=_choice(item.get("status"), CRITERION_STATUSES, "criterion status"),
                    params=_params(item.get("params")),
                    topic=str(item.get("topic") or ""),
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
            route_id = _choice(raw.get("id"), ROUTE_IDS, "route id")
            if version == 1:
                status = _v1_status(route_id, raw.get("status"), criteria)
                steps = tuple(s for s in steps if s.msgid not in _V1_DROPPED_STEPS)
            else:
                status = _choice(raw.get("status"), ROUTE_STATUSES, "route status")
            routes.append(
                Route(
                    id=route_id,
                    status=status,
                    criteria=criteria,
                    next_steps=steps,
                    sources=tuple(str(s) for s in sources),
                    params=_params(raw.get("params")),
                )
            )
        return cls(routes=tuple(routes))


def _criterion_dict(criterion: Criterion) -> dict[str, object]:
    data: dict[str, object] = {
        "label_msgid": criterion.label_msgid,
        "status": criterion.status,
        "params": dict(criterion.params),
    }
    if criterion.topic:
        data["topic"] = criterion.topic
    return data


def _v1_status(route_id: RouteId, status: object, criteria: tuple[Criterion, ...]) -> RouteStatus:
    """A version 1 status as a verdict: any unmet or unknown criterion rules out "meets"."""
    if not isinstance(status, str) or status not in _V1_STATUSES:
        raise ValueError(f"assessment: unknown route status {status!r}")
    verdict = _V1_STATUSES[status]
    all_met = all(c.status == "met" for c in criteria)
    if verdict == "meets" and (not all_met or route_id in _V1_NEVER_MEETS):
        return "after_steps"
    return verdict


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
