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

# What the worker reads about each stage (/status, /mydata, notices): plain words, never the
# staff's notes. "not interested" and "invalid" both read as a closed registration.
WORKER_STAGES: dict[str, str] = {
    "new": N_("OEC has your registration. OEC staff will contact you."),
    "contacted": N_("OEC has tried to contact you. Please answer calls from OEC."),
    "documents": N_("Your documents are being checked."),
    "tested": N_("OEC has your test results."),
    "selected": N_("You have been selected. OEC will tell you what to do now."),
    "departed": N_("OEC has recorded that you have left for Japan."),
    "not_interested": N_("Your registration is closed. You can register again at any time."),
    "invalid": N_("Your registration is closed. You can register again at any time."),
}
# Stages the worker is told of when an officer moves the lead there (through the outbox).
NOTIFY_STATUSES = frozenset({"contacted", "documents", "tested", "selected"})
# Channels with a sender for those notices (the terminal chat has none).
NOTICE_CHANNELS = ("telegram",)
