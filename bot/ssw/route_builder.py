"""One route of an assessment being put together: its criteria, next steps and sources, and
its verdict (``meets``, ``after_steps``, or ``not_now`` when a criterion the worker cannot change
now is not met). Facts past their review date are hedged as they are used."""

from __future__ import annotations

from datetime import date

from bot.ssw.assessment import Criterion, CriterionStatus, Route, RouteId, RouteStatus, Step
from bot.ssw.model import Fact, FaqEntry, Rule
from bot.ssw.review import STALE_NOTE, STALE_RULE, is_stale


class RouteBuilder:
    """Collects the criteria, steps and sources of one route, and decides its verdict."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.criteria: list[Criterion] = []
        self.steps: list[Step] = []
        self.notes: list[Step] = []  # hedges for stale rules: after the steps
        self.sources: list[str] = []
        self.blocked = False  # a criterion the worker cannot change now is not met
        # what the criteria checked from here on are about (age, japanese, skills, ...):
        # the matching of openings replaces a topic with an employer's own demand
        self.topic = ""

    def _add_sources(self, item: Fact | Rule) -> None:
        for source in item.source:
            if source not in self.sources:
                self.sources.append(source)

    def cite(self, *items: Fact | Rule | None) -> None:
        """Use facts or rules without showing their text; a stale one adds a hedge at the end."""
        for item in items:
            if item is None:
                continue
            self._add_sources(item)
            if is_stale(item, self.today) and item.official is not None:
                note = Step(STALE_RULE, {"date": item.checked.isoformat(), "url": item.official})
                if note not in self.notes:
                    self.notes.append(note)

    def refer(self, entry: FaqEntry) -> None:
        """A step points to an FAQ answer: cite it (its own screen hedges it when stale)."""
        self._add_sources(entry.as_fact())

    def check(self, label: str, status: CriterionStatus, **params: object) -> CriterionStatus:
        params_text = {k: str(v) for k, v in params.items()}
        self.criteria.append(Criterion(label, status, params_text, self.topic))
        return status

    def block(self, label: str, status: CriterionStatus, **params: object) -> CriterionStatus:
        """A criterion the worker cannot change now: not met means the verdict "not now"."""
        if status == "not_met":
            self.blocked = True
        return self.check(label, status, **params)

    def step(self, msgid: str, **params: object) -> None:
        step = Step(msgid, {k: str(v) for k, v in params.items()})
        if step not in self.steps:
            self.steps.append(step)

    def fact_step(self, fact: Fact | None) -> None:
        """Show a fact as a step; past its review date, followed by the hedge."""
        if fact is None:
            return
        self._add_sources(fact)
        step = Step(fact.text)
        if step in self.steps:
            return
        self.steps.append(step)
        if is_stale(fact, self.today) and fact.official is not None:
            self.steps.append(
                Step(STALE_NOTE, {"date": fact.checked.isoformat(), "url": fact.official})
            )

    def status(self) -> RouteStatus:
        if self.blocked:
            return "not_now"
        if all(c.status == "met" for c in self.criteria):
            return "meets"
        return "after_steps"

    def route(self, route_id: RouteId, **params: str) -> Route:
        # A rule's hedge is left out when a fact of the same news is already hedged above.
        hedged = [s.params for s in self.steps if s.msgid == STALE_NOTE]
        notes = tuple(n for n in self.notes if n.params not in hedged)
        return Route(
            id=route_id,
            status=self.status(),
            criteria=tuple(self.criteria),
            next_steps=(*self.steps, *notes),
            sources=tuple(self.sources),
            params=dict(params),
        )
