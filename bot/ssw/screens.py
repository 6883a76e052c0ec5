"""Screens made from the catalogue (``text_from:`` in a flow): a sector's facts, an FAQ answer.

Every fact is shown with its sources and the date it was checked, so a worker (and OEC staff)
can see where it comes from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any

from bot.engine.engine import t
from bot.i18n import N_, gettext, isolate
from bot.ssw import catalogue

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


def sector_detail(answers: Mapping[str, Any]) -> str:
    """One sector: its names, then each fact under a heading, then the sources."""
    try:
        sector = catalogue.sector(str(answers.get("sector")))
    except KeyError:
        return gettext(UNKNOWN)
    name = _text(sector.name)
    lines = [name if name == sector.name_ja else f"{name} · {isolate(sector.name_ja)}"]
    if sector.status == "from_2027":
        lines.append(gettext(OPENS_2027))
    sources: list[str] = list(sector.source)
    checked = sector.checked
    for key, fact in sector.facts.items():
        heading = HEADINGS.get(key)
        lines.append("")
        if heading:
            lines.append(gettext(heading))
        lines.append(_text(fact.text))
        sources += fact.source
        checked = min(checked, fact.checked)
    lines += ["", _sources_line(sources, checked)]
    return "\n".join(lines)


def faq_answer(answers: Mapping[str, Any]) -> str:
    """One FAQ entry: the question, the answer, links, sources."""
    try:
        entry = catalogue.faq_entry(str(answers.get("topic")))
    except KeyError:
        return gettext(UNKNOWN)
    lines = [_text(entry.question), "", _text(entry.answer)]
    if entry.links:
        lines += ["", *(isolate(link) for link in entry.links)]
    lines += ["", _sources_line(entry.source, entry.checked)]
    return "\n".join(lines)


TEXT_SOURCES: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "sector_detail": sector_detail,
    "faq_answer": faq_answer,
}
