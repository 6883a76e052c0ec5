"""The 22 actions of one full registration, as a benchmark's simulated user does them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class UserAction:
    tap: bool  # True: callback data of a button; False: a typed text
    value: str
    # a typed answer's question is whole when a message holding this arrives (the mobile
    # number's comes in two: the question, then the hint with the share-my-number keyboard)
    prompt: str = ""


def _text(value: str, prompt: str = "") -> UserAction:
    return UserAction(False, value, prompt)


def _tap(data: str) -> UserAction:
    return UserAction(True, data)


def _letters(index: int, width: int = 4) -> str:
    """A letters-only, unique suffix for a fake name: 0 → "Aaaa", 1 → "Aaab", ..."""
    out = []
    for _ in range(width):
        index, digit = divmod(index, 26)
        out.append(chr(ord("a") + digit))
    return "".join(reversed(out)).capitalize()


def registration_actions(index: int) -> list[UserAction]:
    """One full registration (22 actions); callback data as in bot/engine/engine.py."""
    cnic = f"{9_000_000_000_000 + index * 10 + 1:013d}"  # unique, 13 digits, ends in 1
    return [
        _text("/start"),
        _tap("l:en"),
        _tap("m:register"),
        _tap("a:consent:yes"),
        _text(f"Bench User {_letters(index)}"),
        _text(f"{cnic[:5]}-{cnic[5:12]}-{cnic[12]}"),
        _text(f"0300{index % 10_000_000:07d}", prompt="share this phone's number"),
        _text("15/03/1998"),
        _tap("a:gender:male"),
        _tap("a:province:punjab"),
        _text("Lahore"),
        _tap("a:education:matric"),
        _text("3"),
        _tap("t:sectors:construction"),
        _tap("d:sectors"),
        _tap("a:japanese_level:none"),
        _tap("t:jp_tests:none"),
        _tap("d:jp_tests"),
        _tap("a:skills_test:no"),
        _tap("a:passport:yes"),
        _tap("a:japan_history:never"),
        _tap("r:ok"),
    ]
