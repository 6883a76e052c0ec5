"""Named option lists that flows take from the sector catalogue (``options_from:`` in a flow)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache

from bot.engine.flows import Option
from bot.i18n import N_

OTHER_FIELD = N_("Another field")


@cache
def registration_sectors() -> tuple[Option, ...]:
    """The 16 SSW fields open now, then the IT and healthcare routes."""
    from bot import knowledge  # the catalogue is read on first use, not at import

    return tuple(
        Option(s.id, s.name) for s in knowledge.sectors() if s.status in {"open", "other_route"}
    )


@cache
def ssw_fields() -> tuple[Option, ...]:
    from bot import knowledge

    return tuple(Option(s.id, s.name) for s in knowledge.sectors() if s.status == "open")


@cache
def titp_fields() -> tuple[Option, ...]:
    return (*ssw_fields(), Option("other", OTHER_FIELD))


OPTION_SOURCES: dict[str, Callable[[], Sequence[Option]]] = {
    "registration_sectors": registration_sectors,
    "ssw_fields": ssw_fields,
    "titp_fields": titp_fields,
}
