"""What goes in and out of the flow engine, and what it keeps between turns.

In: what the user did (``Text``, ``Press`` of a button, a shared ``Contact``, or something
``Unsupported`` such as a photo): an ``Action``. Out: ``Reply`` messages with ``Button`` rows,
``Event`` records of what happened (for the funnel), the new ``State``: together an ``Outcome``.
``State`` is plain data, saved as JSON with every answer (``to_dict`` / ``from_dict``).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Text:
    """The user typed something."""

    text: str


@dataclass(frozen=True)
class Press:
    """The user tapped a button (its callback data)."""

    data: str


@dataclass(frozen=True)
class Contact:
    """The user shared a phone contact; ``own``: the channel proved it is the sender's own."""

    phone: str
    own: bool = True


@dataclass(frozen=True)
class Unsupported:
    """A photo, sticker, voice note, location... anything the bot cannot read as an answer."""

    kind: str


Action = Text | Press | Contact | Unsupported


@dataclass(frozen=True)
class Button:
    label: str
    data: str
    number: int | None = None  # an option's number in its whole list (typing it picks it)
    indicator: bool = False  # only shows where the user is ("2/3"); tapping it changes nothing


@dataclass(frozen=True)
class Reply:
    """One message to show. Channels render it; the engine never sends anything."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    contact: tuple[str, str] | None = None  # (hint, label): offer a "share my number" button
    remove_keyboard: bool = False  # take away an earlier contact button
    edit: bool = False  # replace the message whose button was tapped


@dataclass(frozen=True)
class Event:
    """Something the service layer records: started, resumed (a flow started again while
    unfinished), step (a question reached), consented (a consent step answered yes), viewed
    (a browsing flow's choice, in ``value``: the topic or sector read), left (went elsewhere
    without finishing), completed, dropped (cancelled), declined (consent refused), language
    (a language was picked) or action (a menu entry the service handles)."""

    kind: str
    flow: str | None = None
    step: str | None = None
    value: str | None = None
    answers: Mapping[str, Any] | None = None


@dataclass
class State:
    """Where one user is. Plain data, stored as JSON with every answer."""

    flow: str | None = None
    step: str | None = None
    mode: str = "ask"  # ask | review | confirm_cancel | confirm_answer
    tries: int = 0
    picks: list[str] = field(default_factory=list)  # multiple choice, before "Done"
    page: int = 0  # long choice lists: the page shown
    view: str | None = None  # info steps: the named text shown instead of the step's own
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)  # by flow id
    results: dict[str, Any] = field(default_factory=dict)  # the service's (never the engine's)
    # confirm_answer: a doubtful answer waiting for "yes, keep it" (value, message, params)
    pending: dict[str, Any] | None = None
    editing: bool = False  # the question was opened from the review screen
    carried: dict[str, list[str]] = field(default_factory=dict)  # by flow: steps not asked
    totals: dict[str, int] = field(default_factory=dict)  # by flow: the N of "Step n of N" shown
    completed: dict[str, dict[str, Any]] = field(default_factory=dict)  # last answers, to carry

    def to_dict(self) -> dict[str, Any]:
        return {
            "flow": self.flow,
            "step": self.step,
            "mode": self.mode,
            "tries": self.tries,
            "picks": list(self.picks),
            "page": self.page,
            "view": self.view,
            "answers": copy.deepcopy(self.answers),
            "results": copy.deepcopy(self.results),
            "pending": copy.deepcopy(self.pending),
            "editing": self.editing,
            "carried": copy.deepcopy(self.carried),
            "totals": dict(self.totals),
            "completed": copy.deepcopy(self.completed),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> State:
        if not data:
            return cls()
        return cls(
            flow=data.get("flow"),
            step=data.get("step"),
            mode=data.get("mode", "ask"),
            tries=int(data.get("tries", 0)),
            picks=list(data.get("picks", [])),
            page=int(data.get("page", 0)),
            view=data.get("view"),
            answers=copy.deepcopy(dict(data.get("answers", {}))),
            results=copy.deepcopy(dict(data.get("results", {}))),
            pending=copy.deepcopy(data.get("pending")),
            editing=bool(data.get("editing", False)),
            carried=copy.deepcopy(dict(data.get("carried", {}))),
            totals={k: int(v) for k, v in dict(data.get("totals", {})).items()},
            completed=copy.deepcopy(dict(data.get("completed", {}))),
        )


@dataclass
class Outcome:
    state: State
    replies: list[Reply] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
