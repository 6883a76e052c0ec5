"""The follow-up pipeline a lead moves through at OEC, in order, with its labels."""

from __future__ import annotations

from bot.i18n import N_

STATUSES: tuple[str, ...] = (
    "new",
    "contacted",
    "documents",
    "tested",
    "selected",
    "departed",
    "not_interested",
    "invalid",
)
STATUS_LABELS: dict[str, str] = {
    "new": N_("New"),
    "contacted": N_("Contacted"),
    "documents": N_("Documents"),
    "tested": N_("Tested"),
    "selected": N_("Selected"),
    "departed": N_("Departed"),
    "not_interested": N_("Not interested"),
    "invalid": N_("Invalid"),
}
MAX_NOTE = 2000
