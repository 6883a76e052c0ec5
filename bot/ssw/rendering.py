"""An assessment as short translated screens, in the current language of ``bot.i18n``.

Translate first, then ``.format`` with translated, direction-isolated values; a broken
translation falls back to the English msgid rather than hiding the message.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from bot.i18n import N_, format_date, gettext, isolate, paragraph
from bot.ssw.assessment import Assessment, Criterion, CriterionStatus, Route, RouteId, RouteStatus

# A rendered screen stays under this many characters (Telegram allows 4,096; cheap phones and
# readers with little schooling need far less).
SCREEN_LIMIT = 900

MARKS: Mapping[CriterionStatus, str] = {"met": "✅", "not_met": "❌", "unknown": "❔"}

ROUTE_TITLES: Mapping[RouteId, str] = {
    "not_eligible": N_("Why you cannot go yet"),
    "ssw1_now": N_("SSW (i) in {sector}"),
    "ssw1_after_tests": N_("SSW (i) in {sector}: what you still need"),
    "ssw1_titp": N_("SSW (i) in {sector}, after Technical Intern Training"),
    "ssw2": N_("Later: SSW (ii) in {sector}"),
    "it_visa": N_("IT work visa (Engineer / Specialist in Humanities / International Services)"),
    "nurse_licence": N_("Working as a nurse in Japan"),
    "nursing_care_alternative": N_("Another way: SSW (i) in {sector}"),
}
# "meets" comes before the criteria; "after_steps" heads the steps (after the criteria);
# "not_now" comes first, followed by the reasons (the criteria not met).
STATUS_LINES: Mapping[RouteStatus, str] = {
    "meets": N_("You meet the main requirements."),
    "after_steps": N_("You can get there after these steps:"),
    "not_now": N_("Not now, because:"),
}
NEXT_STEPS = N_("Next steps:")
DISCLAIMER = N_("This is only a first check, not a decision. Ask OEC to confirm.")


def _value(key: str, value: str) -> str:
    """A param as shown: a ``date`` (ISO) in the language's format, anything else translated."""
    if key == "date":
        try:
            return isolate(format_date(date.fromisoformat(value)))
        except ValueError:
            pass
    return isolate(gettext(value))


def _format(msgid: str, params: Mapping[str, str]) -> str:
    """Translate, then fill the placeholders with translated, direction-isolated values."""
    text = gettext(msgid)
    if not params:
        return text
    values = {key: _value(key, value) for key, value in params.items()}
    try:
        return text.format(**values)
    except (KeyError, IndexError, ValueError):
        # A broken translation must not hide the message: fall back to the English msgid.
        return msgid.format(**values)


def _criteria(route: Route) -> list[Criterion]:
    """The criteria in display order: for "not now", the reasons (those not met) first."""
    if route.status != "not_now":
        return list(route.criteria)
    return sorted(route.criteria, key=lambda c: c.status != "not_met")


def render_route_screens(route: Route) -> tuple[str, ...]:
    """One route as short plain-text screens.

    The verdict: "You meet the main requirements." above the criteria; "Not now, because:"
    above the criteria, those not met first; "You can get there after these steps:" below
    them, heading the steps in order. One screen when it fits in ``SCREEN_LIMIT`` characters;
    otherwise the check (title, verdict, criteria) comes first and the steps follow under the
    title, as many screens as needed.
    """
    title = _format(ROUTE_TITLES[route.id], route.params)
    status = _format(STATUS_LINES[route.status], {})
    marks = [f"{MARKS[c.status]} {_format(c.label_msgid, c.params)}" for c in _criteria(route)]
    if route.status == "after_steps":
        check, heading = [title, *marks], status
    else:
        check, heading = [title, status, *marks], _format(NEXT_STEPS, {})
    if not route.next_steps:
        if route.status == "after_steps":
            check.append(status)
        return (paragraph("\n".join(check)),)
    steps = [f"• {_format(s.msgid, s.params)}" for s in route.next_steps]
    whole = [*check, heading, *steps]
    if len("\n".join(whole)) <= SCREEN_LIMIT:
        return (paragraph("\n".join(whole)),)
    screens = [paragraph("\n".join(check))]
    chunk = [title, heading]
    for line in steps:
        if len(chunk) > 2 and len("\n".join([*chunk, line])) > SCREEN_LIMIT:
            screens.append(paragraph("\n".join(chunk)))
            chunk = [title, heading]
        chunk.append(line)
    screens.append(paragraph("\n".join(chunk)))
    return tuple(screens)


def render_route(route: Route) -> str:
    """One route as plain text (its screens separated by a blank line)."""
    return "\n\n".join(render_route_screens(route))


def render_screens(assessment: Assessment) -> tuple[str, ...]:
    """The assessment as short screens, one message each; the disclaimer comes last."""
    screens = [screen for route in assessment.routes for screen in render_route_screens(route)]
    disclaimer = paragraph(_format(DISCLAIMER, {}))
    if screens and len(screens[-1]) + len(disclaimer) + 2 <= SCREEN_LIMIT:
        screens[-1] = f"{screens[-1]}\n\n{disclaimer}"
    else:
        screens.append(disclaimer)
    return tuple(screens)


def render(assessment: Assessment) -> str:
    """The whole assessment as translated plain text (screens separated by a blank line)."""
    return "\n\n".join(render_screens(assessment))
