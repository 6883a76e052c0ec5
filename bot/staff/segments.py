"""Who a broadcast goes to: the segment, as plain data (kept in the URL and in
``broadcasts.segment``).

Every field is optional; unset fields do not narrow. Whatever the segment, only Telegram
users who did not opt out and did not block the bot are reached (``bot.storage.broadcasts``
applies it, for the count and for the sending alike).

``language``   the worker's chosen language (en, ur, ja)
``sector``     one of the sectors of a registration (lead) of theirs
``province``   the province of a registration of theirs
``eligible``   the eligibility outcome of a registration (meets, after_steps, not_now, none)
``status``     the status of a registration (the staff pipeline's)
``registered`` "yes": has a registration (not deleted); "no": has none. The four lead fields
               imply "yes", and apply to one same registration.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from bot.i18n import LANGUAGES
from bot.staff.filters import outcome_choices, province_choices, sector_choices
from bot.staff.pipeline import STATUSES

REGISTERED = ("yes", "no")
LEAD_FIELDS = ("sector", "province", "eligible", "status")


def _choices() -> dict[str, Callable[[], Collection[str]]]:
    return {
        "language": lambda: LANGUAGES,
        "sector": lambda: sector_choices().keys(),
        "province": lambda: province_choices().keys(),
        "eligible": lambda: outcome_choices().keys(),
        "status": lambda: STATUSES,
        "registered": lambda: REGISTERED,
    }


@dataclass(frozen=True)
class Segment:
    """A broadcast's audience; see the module's docstring for each field."""

    language: str | None = None
    sector: str | None = None
    province: str | None = None
    eligible: str | None = None
    status: str | None = None
    registered: str | None = None

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> Segment:
        """From a URL query, a form or a stored segment: unknown keys and values that are not
        among a field's choices are left out (an old stored id, a hand-edited URL)."""
        choices = _choices()
        kept: dict[str, str] = {}
        for f in fields(cls):
            raw = values.get(f.name)
            value = str(raw).strip() if raw is not None else ""
            if value and value in choices[f.name]():
                kept[f.name] = value
        return cls(**kept)

    def as_dict(self) -> dict[str, str]:
        """The fields that are set: for the URL, the form and ``broadcasts.segment``."""
        return {key: value for key, value in asdict(self).items() if value is not None}

    @property
    def needs_lead(self) -> bool:
        return self.registered == "yes" or any(getattr(self, name) for name in LEAD_FIELDS)

    @property
    def impossible(self) -> bool:
        """Lead fields with registered "no": nobody can match."""
        return self.registered == "no" and any(getattr(self, name) for name in LEAD_FIELDS)
