"""``when`` conditions: decide from earlier answers whether a step is asked.

A condition is a mapping of answer ids to tests, all of which must hold::

    when:
      japan_history: titp                 # the answer equals this value
      sectors: {contains: nursing_care}   # a multiple-choice answer includes it
      age: {gte: 18}                      # numbers: gt, gte, lt, lte
      degree: {in: [it_related, other]}   # one of several values
      any: [{a: x}, {b: y}]               # at least one sub-condition holds
      not: {passport: "yes"}              # the sub-condition does not hold

An answer not given yet never satisfies a test (so the step is not asked yet).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _test(value: Any, test: Any) -> bool:
    if not isinstance(test, Mapping):
        return value is not None and str(value) == str(test)
    for op, expected in test.items():
        if value is None:
            return False
        if op == "in":
            ok = str(value) in {str(e) for e in expected}
        elif op == "contains":
            ok = isinstance(value, list) and str(expected) in value
        elif op == "contains_any":
            ok = isinstance(value, list) and any(str(e) in value for e in expected)
        elif op in {"gt", "gte", "lt", "lte"}:
            try:
                number = float(value)
            except (TypeError, ValueError):
                return False
            ok = {
                "gt": number > expected,
                "gte": number >= expected,
                "lt": number < expected,
                "lte": number <= expected,
            }[op]
        elif op == "answered":
            ok = bool(expected)
        else:
            raise ValueError(f"unknown condition test {op!r}")
        if not ok:
            return False
    return True


def matches(condition: Mapping[str, Any] | None, answers: Mapping[str, Any]) -> bool:
    """True when the condition holds for these answers (no condition always holds)."""
    if not condition:
        return True
    for key, test in condition.items():
        if key == "any":
            if not any(matches(sub, answers) for sub in test):
                return False
        elif key == "not":
            if matches(test, answers):
                return False
        elif not _test(answers.get(key), test):
            return False
    return True


def condition_keys(condition: Mapping[str, Any] | None) -> set[str]:
    """The answer ids a condition reads (a step with this ``when`` depends on them)."""
    keys: set[str] = set()
    for key, test in (condition or {}).items():
        if key == "any":
            for sub in test:
                keys |= condition_keys(sub)
        elif key == "not":
            keys |= condition_keys(test)
        else:
            keys.add(key)
    return keys
