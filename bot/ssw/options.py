"""Named option lists that flows take from the catalogue (``options_from:`` in a flow).

Each takes the flow's answers so far (a list may depend on them, like the job types of the
chosen sector) and returns options whose labels are English msgids.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from bot.engine.flows import Option
from bot.i18n import N_
from bot.ssw import catalogue

OTHER_FIELD = N_("Another field")
NONE_YET = N_("None yet")

Answers = Mapping[str, Any]


def registration_sectors(_: Answers) -> tuple[Option, ...]:
    """The 16 SSW fields open now, then the IT and healthcare routes."""
    return tuple(
        Option(s.id, s.name.strip())
        for s in catalogue.sectors()
        if s.status in {"open", "other_route"}
    )


def all_sectors(_: Answers) -> tuple[Option, ...]:
    """Every sector of the catalogue: open fields, IT and nursing, then the 2027 fields."""
    return tuple(Option(s.id, s.name.strip()) for s in catalogue.sectors())


def ssw_fields(_: Answers) -> tuple[Option, ...]:
    return tuple(Option(s.id, s.name.strip()) for s in catalogue.sectors() if s.status == "open")


def titp_fields(answers: Answers) -> tuple[Option, ...]:
    return (*ssw_fields(answers), Option("other", OTHER_FIELD))


def sector_categories(answers: Answers) -> tuple[Option, ...]:
    """The job types of the chosen sector (truck/taxi/bus, the railway jobs), if it has any."""
    sector_id = answers.get("sector")
    if not sector_id:
        return ()
    return tuple(Option(c.id, c.name.strip()) for c in catalogue.sector(sector_id).categories)


def japanese_tests(_: Answers) -> tuple[Option, ...]:
    """The answer "None yet" (``none``, always first), then each Japanese test of the catalogue.

    Both flows ask "Which Japanese tests have you passed?" from this one list, so they cannot
    drift apart; the JFT-Basic labels show the level on the result sheet and its score range.
    """
    tests = catalogue.japanese_tests()
    none = Option("none", NONE_YET, exclusive=True)  # ticking it clears the others, and back
    return (none, *(Option(t.id, t.option_label.strip()) for t in tests))


def faq_topics(_: Answers) -> tuple[Option, ...]:
    return tuple(Option(e.id, e.question.strip()) for e in catalogue.faq())


OPTION_SOURCES: dict[str, Callable[[Answers], Sequence[Option]]] = {
    "registration_sectors": registration_sectors,
    "all_sectors": all_sectors,
    "ssw_fields": ssw_fields,
    "titp_fields": titp_fields,
    "sector_categories": sector_categories,
    "japanese_tests": japanese_tests,
    "faq_topics": faq_topics,
}
