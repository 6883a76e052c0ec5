"""An assessment as short translated screens, in the current language of ``bot.i18n``.

Translate first, then ``.format`` with translated, direction-isolated values; a broken
translation falls back to the English msgid rather than hiding the message.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.engine import phone
from bot.i18n import N_, gettext, isolate, paragraph
from bot.ssw.assessment import Assessment, CriterionStatus, Route, RouteId, RouteStatus
from bot.ssw.sources import shown

SUMMARY_STEPS = 3  # next steps shown on the first screen of a result

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
MORE_IN_WHY = N_("More steps, and the reasons: tap “Why”.")
SOURCES_TITLE = N_("📚 Sources:")


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


def _title(route: Route) -> str:
    return _format(ROUTE_TITLES[route.id], route.params)


def _steps(route: Route) -> list[str]:
    """The next steps in order, numbered."""
    return [f"{n}. {_format(s.msgid, s.params)}" for n, s in enumerate(route.next_steps, 1)]


def _route_lines(route: Route) -> list[str]:
    """Title, verdict, each criterion with its mark, then every next step."""
    lines = [_title(route), _format(STATUS_LINES[route.status], {})]
    lines += [f"{MARKS[c.status]} {_format(c.label_msgid, c.params)}" for c in route.criteria]
    if route.next_steps:
        lines += [_format(NEXT_STEPS, {}), *_steps(route)]
    return lines


def render_route_screens(route: Route) -> tuple[str, ...]:
    """One route in full as phone screens (``bot.engine.phone``), one message each."""
    return tuple(paragraph(page) for page in phone.pages("\n".join(_route_lines(route))))


def render_route(route: Route) -> str:
    """One route in full as plain text."""
    return paragraph("\n".join(_route_lines(route)))


def render_screens(assessment: Assessment) -> tuple[str, ...]:
    """The whole assessment, every route in full, as phone screens; the disclaimer comes last."""
    blocks = ["\n".join(_route_lines(route)) for route in assessment.routes]
    blocks.append(_format(DISCLAIMER, {}))
    return tuple(paragraph(page) for page in phone.pages("\n\n".join(blocks)))


def render(assessment: Assessment) -> str:
    """The whole assessment as translated plain text (screens separated by a blank line)."""
    return "\n\n".join(render_screens(assessment))


def render_summary(assessment: Assessment) -> str:
    """The result on one screen: each route's verdict, and the first steps of the first route.

    As many of the first route's next steps as fit on a phone screen (at most
    ``SUMMARY_STEPS``); the reasons and the other steps are under "Why", the sources under
    "Sources".
    """
    if not assessment.routes:
        return paragraph(_format(DISCLAIMER, {}))
    first, *others = assessment.routes
    head = [_title(first), _format(STATUS_LINES[first.status], {})]
    rest = [f"{_title(r)}: {_format(STATUS_LINES[r.status], {})}" for r in others]
    tail = [_format(DISCLAIMER, {})]
    steps = _steps(first)

    def text(shown: list[str], more: bool) -> str:
        blocks = ["\n".join(head + shown + ([_format(MORE_IN_WHY, {})] if more else []))]
        blocks += ["\n".join(rest)] if rest else []
        return "\n\n".join([*blocks, *tail])

    count = min(len(steps), SUMMARY_STEPS)
    while count > 0 and not phone.fits(text(steps[:count], count < len(steps))):
        count -= 1
    return paragraph(text(steps[:count], count < len(steps)))


def render_sources(assessment: Assessment) -> tuple[str, ...]:
    """Every source the check used, official first, one per line, as phone screens."""
    used = [source for route in assessment.routes for source in route.sources]
    lines = [_format(SOURCES_TITLE, {})]
    lines += [f"• {isolate(source)}" for source in shown(used)]
    return tuple(paragraph(page) for page in phone.pages("\n".join(lines)))
