"""The texts of the messages the bot sends unprompted (outbox rows), rendered when sent in the
language of the chat: a status notice to a worker, an announcement of new leads to the OEC
staff group (counts, sectors and provinces; never a name, CNIC or mobile), a reminder to
finish a registration (with buttons: continue, stop reminders; ``buttons``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.broadcasts import STOP  # one opt-out, from reminders and announcements alike
from bot.engine.model import Button
from bot.engine.texts import button_label, t
from bot.i18n import N_, current_language, gettext, isolate, ngettext, paragraph, using_language
from bot.staff.filters import province_choices, sector_choices
from bot.staff.pipeline import WORKER_STAGES
from bot.storage.housekeeping import REMINDER
from bot.storage.outbox import NEW_LEADS, STATUS_NOTICE

STATUS_NOTICE_TEXT = N_("News from OEC about your registration {reference}:")
STATUS_HINT = N_("Send /status at any time to see where your registration stands.")
NEW_LEADS_SECTORS = N_("Work: {items}")
NEW_LEADS_PROVINCES = N_("Provinces: {items}")
COUNT_ITEM = N_("{name} {count}")
UNKNOWN = N_("not given")
SEPARATORS = {"ur": "، ", "ja": "、"}
REMINDER_TEXT = N_(
    "You started registering with OEC for work in Japan, but you have not finished. "
    "Your answers are saved. Tap the button to carry on from where you stopped."
)
REMINDER_CONTINUE = N_("▶️ Continue my registration")
REMINDER_STOP = N_("🔕 No more reminders")
CONTINUE = "g:on"  # (go on) the conversation service resumes the flow in progress


def stage(status: str) -> str:
    """The worker's words for a lead's status, in the current language."""
    return gettext(WORKER_STAGES.get(status, WORKER_STAGES["new"]))


def _items(counts: Mapping[str, int], names: Mapping[str, str]) -> str:
    ordered = sorted(counts.items(), key=lambda item: (-int(item[1]), item[0]))  # most first
    parts = [
        t(COUNT_ITEM, name=gettext(names.get(key, UNKNOWN)).strip(), count=count)
        for key, count in ordered
    ]
    return SEPARATORS.get(current_language(), ", ").join(parts) if parts else gettext(UNKNOWN)


def render(kind: str, payload: Mapping[str, Any], language: str) -> str:
    """The text of one outbox message, in ``language``."""
    with using_language(language):
        if kind == STATUS_NOTICE:
            lines = [
                t(STATUS_NOTICE_TEXT, reference=payload.get("reference", "")),
                stage(str(payload.get("status", ""))),
                gettext(STATUS_HINT),
            ]
        elif kind == NEW_LEADS:
            count = int(payload.get("count", 0))
            lines = [
                ngettext("{count} new registration", "{count} new registrations", count).format(
                    count=isolate(count)
                ),
                t(NEW_LEADS_SECTORS, items=_items(payload.get("sectors", {}), sector_choices())),
                t(
                    NEW_LEADS_PROVINCES,
                    items=_items(payload.get("provinces", {}), province_choices()),
                ),
            ]
        elif kind == REMINDER:
            lines = [gettext(REMINDER_TEXT)]
        else:
            raise ValueError(f"unknown outbox kind {kind!r}")
        return paragraph("\n".join(lines))


def buttons(kind: str, _payload: Mapping[str, Any], language: str) -> list[list[Button]]:
    """The buttons under one outbox message, in ``language`` (none for most kinds)."""
    with using_language(language):
        if kind == REMINDER:
            return [
                [Button(button_label(gettext(REMINDER_CONTINUE)), CONTINUE)],
                [Button(button_label(gettext(REMINDER_STOP)), STOP)],
            ]
        return []
