"""The dashboard: the funnel, where registrations stop, leads per day and leads by sector,
province, language and source, as SVG charts (``charts``) with their numbers in tables.

The period (``?days=7|30|90``, 30 by default) is in the URL, whole days in Pakistan time
ending today. The figures come from ``bot.storage.dashboard`` (grouped queries).

Below the charts, a table of job openings (open, and closed or filled lately, whatever the
period): invited, interested, shortlisted, selected, and the median time from invitation to
answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from aiohttp import web
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from markupsafe import Markup

from bot.i18n import N_, gettext, is_rtl
from bot.staff.web import charts, labels
from bot.staff.web.render import render
from bot.staff.web.state import DATABASE, FLOWS, language, now
from bot.storage import dashboard as figures

PERIODS = (7, 30, 90)
DEFAULT_DAYS = 30
REGISTRATION = "registration"
STEP_LABELS = {"consent": N_("Consent")}  # registration steps without a label of their own
NO_SOURCE = N_("Direct (no link)")
NOT_GIVEN = N_("Not given")
OPENING_STATES = {
    "open": N_("Open"),
    "closed": N_("Closed"),
    "filled": N_("Filled"),
    "draft": N_("Draft"),
}
DIMENSIONS: tuple[tuple[figures.Dimension, str], ...] = (
    ("sector", N_("Leads by kind of work")),
    ("province", N_("Leads by province")),
    ("language", N_("Leads by language")),
    ("source", N_("Leads by source")),
)


@dataclass(frozen=True)
class Chart:
    """One chart of the page: its SVG and the same numbers as rows of a table."""

    key: str
    title: str
    svg: Markup
    head: tuple[str, str]  # the table's two column headings
    rows: list[tuple[str, str]]
    empty: bool


def _days(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and int(raw) in PERIODS else DEFAULT_DAYS


def _number(value: int, lang: str) -> str:
    return format_decimal(value, locale=lang)


def _bar_chart(
    key: str, title: str, description: str, head: tuple[str, str], bars: list[charts.Bar], rtl: bool
) -> Chart:
    svg = charts.bars(f"chart-{key}", title, description, bars, rtl=rtl)
    rows = [(bar.label, bar.text) for bar in bars]
    return Chart(key, title, svg, head, rows, not any(bar.value for bar in bars))


def _funnel(funnel: figures.Funnel, lang: str, rtl: bool) -> Chart:
    stages = (
        (N_("Started using the bot"), funnel.started),
        (N_("Checked eligibility"), funnel.eligibility_checked),
        (N_("Started registering"), funnel.registration_started),
        (N_("Finished registering"), funnel.registered),
    )
    first = funnel.started or 1
    bars = [
        charts.Bar(
            gettext(label),
            value,
            f"{_number(value, lang)} ({format_percent(value / first, locale=lang)})",
        )
        for label, value in stages
    ]
    title = gettext("From first use to registration")
    description = gettext("People at each stage, and their share of those who started.")
    return _bar_chart(
        "funnel", title, description, (gettext("Stage"), gettext("People")), bars, rtl
    )


def _stopped(request: web.Request, stopped: Mapping[str, int], lang: str, rtl: bool) -> Chart:
    flow = request.app[FLOWS].flows[REGISTRATION]
    bars = []
    for step in flow.steps:
        value = stopped.get(step.id, 0)
        if value:
            label = step.label or STEP_LABELS.get(step.id) or step.id.replace("_", " ")
            bars.append(charts.Bar(gettext(label), value, _number(value, lang)))
    title = gettext("Where people stop registering")
    description = gettext(
        "People who started registering in this period and have not registered: "
        "the last question each one reached, in the order of the form."
    )
    return _bar_chart(
        "stopped", title, description, (gettext("Question"), gettext("People")), bars, rtl
    )


def _label(dimension: figures.Dimension, value: str | None) -> str:
    if value is None:
        missing = NO_SOURCE if dimension == "source" else NOT_GIVEN
        return gettext(missing)
    if dimension == "sector":
        return labels.sectors([value])
    if dimension == "province":
        return labels.province(value)
    if dimension == "language":
        return labels.language(value)
    return value


def _per_day(days: list[tuple[date, int]], lang: str, rtl: bool) -> Chart:
    bars = [
        charts.Bar(format_date(day, "d MMM", locale=lang), value, _number(value, lang))
        for day, value in days
    ]
    title = gettext("Leads per day")
    description = gettext("New registrations on each day, in Pakistan time.")
    every = 1 if len(bars) <= 7 else 7 if len(bars) <= 30 else 14
    svg = charts.columns("chart-per_day", title, description, bars, every=every, rtl=rtl)
    rows = [(bar.label, bar.text) for bar in bars]
    empty = not any(bar.value for bar in bars)
    return Chart("per_day", title, svg, (gettext("Day"), gettext("Leads")), rows, empty)


@dataclass(frozen=True)
class OpeningRow:
    """One opening as the dashboard's table shows it (numbers formatted)."""

    id: int
    title: str
    state: str
    deadline: str
    places: str
    invited: str
    interested: str
    shortlisted: str
    selected: str
    median: str


def _hours(value: float | None, lang: str) -> str:
    if value is None:
        return "—"
    shown = format_decimal(round(value, 1), format="#,##0.#", locale=lang)
    return gettext("{hours} h").format(hours=shown)


def _openings(jobs: list[figures.OpeningFigures], lang: str) -> list[OpeningRow]:
    return [
        OpeningRow(
            job.id,
            job.title,
            gettext(OPENING_STATES.get(job.state, job.state)),
            format_date(job.deadline, "d MMM y", locale=lang),
            _number(job.places, lang),
            _number(job.invited, lang),
            _number(job.interested, lang),
            _number(job.shortlisted, lang),
            _number(job.selected, lang),
            _hours(job.median_hours, lang),
        )
        for job in jobs
    ]


async def page(request: web.Request) -> web.StreamResponse:
    days = _days(request.query.get("days"))
    period = figures.period_of_days(now(request), days)
    lang = language(request)
    rtl = is_rtl(lang)
    seen = await figures.read_all(request.app[DATABASE], period, now(request))
    total = seen.total
    chart_list = [
        _funnel(seen.funnel, lang, rtl),
        _stopped(request, seen.stopped, lang, rtl),
        _per_day(seen.per_day, lang, rtl),
    ]
    for dimension, title in DIMENSIONS:
        counts = seen.breakdowns[dimension]
        bars = [
            charts.Bar(_label(dimension, value), count, _number(count, lang))
            for value, count in counts.items()
        ]
        description = gettext("Leads registered in this period, largest first.")
        if dimension == "sector":
            description += " " + gettext("A lead who chose several kinds of work counts in each.")
        chart_list.append(
            _bar_chart(
                dimension,
                gettext(title),
                description,
                (gettext("Group"), gettext("Leads")),
                bars,
                rtl,
            )
        )
    return render(
        request,
        "dashboard.html",
        {
            "charts": chart_list,
            "days": days,
            "periods": PERIODS,
            "first": format_date(period.first, "d MMM y", locale=lang),
            "last": format_date(period.last, "d MMM y", locale=lang),
            "total": total,
            "total_text": _number(total, lang),
            "openings": _openings(seen.openings, lang),
            "recent_days": figures.RECENTLY_CLOSED_DAYS,
        },
    )
