"""A worker talking to the real engine on the real flows: taps, typing, and answers that fit
whatever question is on screen. The state goes through JSON after every action, as it does in
the database."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from bot.app import build_engine
from bot.engine.engine import Engine
from bot.engine.flows import Step
from bot.engine.model import Event, Outcome, Press, Reply, State, Text

TODAY = date(2026, 11, 25)
STEP_OF = re.compile(r"Step (\d+) of (\d+)")
TYPED = {  # an answer each typed kind accepts
    "name": "Test Worker",
    "cnic": "42101-4817263-5",
    "pk_mobile": "0300 1234567",
    "date": "15/03/1998",
    "place": "Lahore",
    "text": "Something",
}


def real_engine() -> Engine:
    return build_engine(today=lambda: TODAY)


class Talk:
    """Drives the engine like a user; every action returns the text of the replies."""

    def __init__(self, engine: Engine, state: State | None = None) -> None:
        self.engine = engine
        self.state = state or State()
        self.replies: list[Reply] = []
        self.events: list[Event] = []

    def copy(self) -> Talk:
        twin = Talk(self.engine, State.from_dict(self.state.to_dict()))
        twin.replies, twin.events = list(self.replies), list(self.events)
        return twin

    def _take(self, outcome: Outcome) -> str:
        self.state = State.from_dict(json.loads(json.dumps(outcome.state.to_dict())))
        self.events += outcome.events
        self.replies = outcome.replies
        return self.text

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.replies)

    def start(self, flow_id: str) -> str:
        return self._take(self.engine.start(self.state, flow_id))

    def say(self, text: str) -> str:
        return self._take(self.engine.handle(self.state, Text(text)))

    def tap(self, data: str) -> str:
        return self._take(self.engine.handle(self.state, Press(data)))

    def buttons(self) -> list[str]:
        return [b.data for r in self.replies for row in r.buttons for b in row]

    def labels(self) -> list[str]:
        return [b.label for r in self.replies for row in r.buttons for b in row]

    def review(self) -> tuple[str, list[str]]:
        """The whole review screen: the text and buttons of every page (a long review is
        shown a phone screen at a time); leaves the last page on screen."""
        texts, buttons, page = [self.text], self.buttons(), 1
        while f"r:p:{page}" in self.buttons():
            texts.append(self.tap(f"r:p:{page}"))
            buttons += self.buttons()
            page += 1
        return "\n".join(texts), buttons

    def back(self) -> str:
        """Tap the Back button on screen."""
        return self.tap(next(d for d in self.buttons() if d.startswith("n:back:")))

    def counter(self) -> tuple[int, int] | None:
        found = STEP_OF.findall(self.text)
        return (int(found[-1][0]), int(found[-1][1])) if found else None

    def step(self) -> Step:
        assert self.state.flow is not None and self.state.step is not None, self.state
        return self.engine.flows[self.state.flow].step(self.state.step)

    def options(self) -> list[str]:
        return [o.value for o in self.engine._options(self.step(), self.state)]

    def answer(self, value: str | None = None) -> str:
        """Answer the question on screen: ``value`` for a button step (else the first option,
        never a "stop" answer), a valid typed answer otherwise."""
        step = self.step()
        if step.kind in TYPED:
            return self.say(TYPED[step.kind])
        if step.kind == "number":
            return self.say(step.example or str(step.rules.get("min", 0)))
        choice = value or next(v for v in self.options() if v != step.stop_on)
        if step.kind == "multi_choice":
            self.tap(f"t:{step.id}:{choice}")
            return self.tap(f"d:{step.id}")
        return self.tap(f"a:{step.id}:{choice}")

    def answer_all(self, choose: Callable[[Step], str | None] = lambda step: None) -> list[Any]:
        """Answer every question until the review or the end; returns the counters seen."""
        flow = self.state.flow
        counters = []
        while self.state.flow == flow and self.state.mode == "ask":
            counters.append(self.counter())
            self.answer(choose(self.step()))
        return counters
