"""Screens made from the catalogue (``text_from:`` in a flow): a sector's facts, an FAQ answer.

Every fact is shown with its sources and the date it was checked, so a worker (and OEC staff)
can see where it comes from. A fact past its ``review_by`` date on the engine's ``today`` is
followed by a hedge ("This was the news on <checked>. It may have changed. Check <official>.").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any

from bot.engine.engine import t
from bot.i18n import N_, gettext, isolate
from bot.ssw import catalogue
from bot.ssw.model import Fact, Rule
from bot.ssw.review import STALE_NOTE, is_stale

HEADINGS: dict[str, str] = {
    "work": N_("🛠 The work"),
    "skills_test": N_("📝 Skills test"),
    "japanese": N_("🗣 Japanese"),
    "licence": N_("🚗 Driving licence"),
    "ssw2": N_("⬆️ SSW (ii)"),
    "tests_in_pakistan": N_("🇵🇰 Tests in Pakistan"),
    "outlook": N_("📅 When"),
    "route": N_("🛂 Visa"),
    "education": N_("🎓 Education"),
    "it_exams": N_("📝 IT exams"),
    "it_exams_pakistan": N_("🇵🇰 IT exams in Pakistan"),
    "jobs": N_("💼 Jobs"),
    "epa": N_("🤝 EPA programme"),
    "alternative": N_("↪️ Another way"),
}
SOURCES = N_("Sources: {sources} (checked {date})")
OPENS_2027 = N_("Not open yet: hiring is expected from about 2027.")
UNKNOWN = N_("Please choose again.")


def _text(msgid: str) -> str:
    return gettext(msgid.strip())


def _sources_line(sources: Iterable[str], checked: date) -> str:
    # "(absence of evidence)"-style notes in the fact sheet are not places to look things up
    unique = [s for s in dict.fromkeys(sources) if not s.startswith("(")]
    return t(SOURCES, sources="; ".join(unique), date=checked)


def _hedge(item: Fact | Rule | None, today: date) -> list[str]:
    """The hedge line for a fact or rule past its review date, else nothing."""
    if item is None or not is_stale(item, today) or item.official is None:
        return []
    return [t(STALE_NOTE, date=item.checked, url=item.official)]


def sector_detail(answers: Mapping[str, Any], today: date) -> str:
    """One sector: its names, then each fact under a heading, then the sources."""
    try:
        sector = catalogue.sector(str(answers.get("sector")))
    except KeyError:
        return gettext(UNKNOWN)
    name = _text(sector.name)
    lines = [name if name == sector.name_ja else f"{name} · {isolate(sector.name_ja)}"]
    if sector.status == "from_2027":
        lines.append(gettext(OPENS_2027))
        lines += _hedge(sector.rule("hiring_from"), today)
    sources: list[str] = list(sector.source)
    checked = sector.checked
    for key, fact in sector.facts.items():
        heading = HEADINGS.get(key)
        lines.append("")
        if heading:
            lines.append(gettext(heading))
        lines.append(_text(fact.text))
        lines += _hedge(fact, today)
        sources += fact.source
        checked = min(checked, fact.checked)
    lines += ["", _sources_line(sources, checked)]
    return "\n".join(lines)


def faq_answer(answers: Mapping[str, Any], today: date) -> str:
    """One FAQ entry: the question, the answer (hedged when past its review date), links,
    sources."""
    try:
        entry = catalogue.faq_entry(str(answers.get("topic")))
    except KeyError:
        return gettext(UNKNOWN)
    lines = [_text(entry.question), "", _text(entry.answer), *_hedge(entry.as_fact(), today)]
    if entry.links:
        lines += ["", *(isolate(link) for link in entry.links)]
    lines += ["", _sources_line(entry.source, entry.checked)]
    return "\n".join(lines)


TEXT_SOURCES: dict[str, Callable[[Mapping[str, Any], date], str]] = {
    "sector_detail": sector_detail,
    "faq_answer": faq_answer,
}
