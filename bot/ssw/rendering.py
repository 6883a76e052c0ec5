"""An assessment as short translated screens, in the current language of ``bot.i18n``.

Translate first, then ``.format`` with translated, direction-isolated values; a broken
translation falls back to the English msgid rather than hiding the message.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from bot.engine import phone
from bot.i18n import N_, format_date, gettext, isolate, paragraph
from bot.ssw.assessment import Assessment, Criterion, CriterionStatus, Route, RouteId, RouteStatus
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
# "meets" comes before the criteria; "after_steps" heads the steps (after the criteria);
# "not_now" comes first, followed by the reasons (the criteria not met).
STATUS_LINES: Mapping[RouteStatus, str] = {
    "meets": N_("You meet the main requirements."),
    "after_steps": N_("You can get there after these steps:"),
    "not_now": N_("Not now, because:"),
}
ROUTE_LINE = N_("{route}: {verdict}")  # another route on the summary, with its short verdict
# Other routes, a line each on the summary screen.
SHORT_VERDICTS: Mapping[RouteStatus, str] = {
    "meets": N_("you meet the main requirements."),
    "after_steps": N_("possible after some steps (see “Why”)."),
    "not_now": N_("not now (see “Why”)."),
}
NEXT_STEPS = N_("Next steps:")
DISCLAIMER = N_("This is only a first check, not a decision. Ask OEC to confirm.")
MORE_IN_WHY = N_("More steps, and the reasons: tap “Why”.")
SOURCES_TITLE = N_("📚 Sources:")


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


def render_criterion(criterion: Criterion | Mapping[str, object]) -> str:
    """One criterion's label in the current language, filled with its translated, isolated
    values: a ``Criterion``, or one as stored (``{label_msgid, params, ...}``, the missing
    criteria of a job opening's candidate)."""
    if isinstance(criterion, Criterion):
        return _format(criterion.label_msgid, criterion.params)
    raw = criterion.get("params")
    params = {str(k): str(v) for k, v in raw.items()} if isinstance(raw, Mapping) else {}
    msgid = str(criterion.get("label_msgid", ""))
    try:
        return _format(msgid, params)
    except (KeyError, IndexError, ValueError):  # the English itself lacks a value
        return msgid


def _title(route: Route) -> str:
    return _format(ROUTE_TITLES[route.id], route.params)


def _criteria(route: Route) -> list[Criterion]:
    """The criteria in display order: for "not now", the reasons (those not met) first."""
    if route.status != "not_now":
        return list(route.criteria)
    return sorted(route.criteria, key=lambda c: c.status != "not_met")


def _marks(criteria: list[Criterion]) -> list[str]:
    return [f"{MARKS[c.status]} {_format(c.label_msgid, c.params)}" for c in criteria]


def _steps(route: Route) -> list[str]:
    """The next steps in order, numbered."""
    return [f"{n}. {_format(s.msgid, s.params)}" for n, s in enumerate(route.next_steps, 1)]


def _route_lines(route: Route) -> list[str]:
    """One route in full. The verdict: "You meet the main requirements." above the criteria;
    "Not now, because:" above the criteria, those not met first; "You can get there after
    these steps:" below them, heading the steps in order."""
    status = _format(STATUS_LINES[route.status], {})
    marks = _marks(_criteria(route))
    if route.status == "after_steps":
        return [_title(route), *marks, status, *_steps(route)]
    lines = [_title(route), status, *marks]
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
    if first.status == "not_now":  # the reasons come with the verdict
        head += _marks([c for c in first.criteria if c.status == "not_met"])
    # "You can get there after these steps:" heads the steps itself; the others need a heading
    heading = [] if first.status == "after_steps" else [_format(NEXT_STEPS, {})]
    rest = [
        gettext(ROUTE_LINE).format(route=_title(r), verdict=_format(SHORT_VERDICTS[r.status], {}))
        for r in others
    ]
    tail = [_format(DISCLAIMER, {})]
    steps = _steps(first)

    def text(shown: list[str], more: bool) -> str:
        lines = head + (heading + shown if shown else [])
        blocks = ["\n".join(lines + ([_format(MORE_IN_WHY, {})] if more else []))]
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
