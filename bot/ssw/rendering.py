"""An assessment as short translated screens, in the current language of ``bot.i18n``.

Translate first, then ``.format`` with translated, direction-isolated values; a broken
translation falls back to the English msgid rather than hiding the message.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.i18n import N_, gettext, isolate, paragraph
from bot.ssw.assessment import Assessment, CriterionStatus, Route, RouteId, RouteStatus

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
STATUS_LINES: Mapping[RouteStatus, str] = {
    "eligible": N_("You seem to meet the main requirements."),
    "possible": N_("Possible. Some points are still open."),
    "not_yet": N_("Not possible yet."),
    "not_eligible": N_("You do not meet the requirements for this route."),
}
NEXT_STEPS = N_("Next steps:")
DISCLAIMER = N_("This is only a first check, not a decision. Ask OEC to confirm.")


def _format(msgid: str, params: Mapping[str, str]) -> str:
    """Translate, then fill the placeholders with translated, direction-isolated values."""
    text = gettext(msgid)
    if not params:
        return text
    values = {key: isolate(gettext(value)) for key, value in params.items()}
    try:
        return text.format(**values)
    except (KeyError, IndexError, ValueError):
        # A broken translation must not hide the message: fall back to the English msgid.
        return msgid.format(**values)


def render_route_screens(route: Route) -> tuple[str, ...]:
    """One route as short plain-text screens.

    One screen when it fits in ``SCREEN_LIMIT`` characters; otherwise the check (title, status,
    criteria) comes first and the next steps follow under the title, as many screens as needed.
    """
    title = _format(ROUTE_TITLES[route.id], route.params)
    check = [title, _format(STATUS_LINES[route.status], {})]
    check += [f"{MARKS[c.status]} {_format(c.label_msgid, c.params)}" for c in route.criteria]
    if not route.next_steps:
        return (paragraph("\n".join(check)),)
    heading = _format(NEXT_STEPS, {})
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
