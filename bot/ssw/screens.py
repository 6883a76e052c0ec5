"""Screens made from the catalogue (``text_from:`` and ``show:`` in a flow): a sector, an answer.

A worker reads on a small phone, so each thing comes as a short summary first, with the rest one
tap away: a sector's summary (the work and the key facts on a line each), its full details, and
its sources; an FAQ answer and its sources. Sources are listed official first (``sources.py``),
each on its own line, with the date they were checked. A fact past its ``review_by`` date on the
engine's ``today`` is followed by a hedge ("This was the news on <checked>. It may have changed.
Check <official>.").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any

from bot.engine.texts import t
from bot.i18n import N_, gettext, isolate
from bot.ssw import catalogue
from bot.ssw.model import Fact, Rule, Sector
from bot.ssw.review import STALE_NOTE, is_stale
from bot.ssw.sources import on_screen, shown

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
SOURCES_TITLE = N_("📚 Sources (checked {date}):")
OPENS_2027 = N_("Not open yet: hiring is expected from about 2027.")
UNKNOWN = N_("Please choose again.")
SKILLS_TEST_LINE = N_("📝 Skills test: {test}")
SKILLS_TEST_BY = N_("📝 Skills test: {test}, by {body}")
SSW2_LINE = {
    True: N_("⬆️ SSW (ii): possible in this field"),
    False: N_("⬆️ SSW (ii): not in this field"),
}
HELD_LINE = {
    "yes": N_("🇵🇰 Skills test in Pakistan: yes"),
    "expected": N_("🇵🇰 Skills test in Pakistan: announced, not confirmed"),
    "no": N_("🇵🇰 Skills test in Pakistan: no, only abroad"),
    "unknown": N_("🇵🇰 Skills test in Pakistan: not known"),
}
SUMMARY_FACTS = ("work", "outlook", "route")  # shown in full on the summary, when present
SOURCE_LINE = "• {source}"


def _text(msgid: str) -> str:
    return gettext(msgid.strip())


def _sources_block(sources: Iterable[str], checked: date, limit: int | None = None) -> str:
    """A heading with the date, then one source per line (never inside a sentence)."""
    listed = shown(sources) if limit is None else on_screen(sources)[:limit]
    lines = [t(SOURCES_TITLE, date=checked)]
    lines += [SOURCE_LINE.format(source=isolate(source)) for source in listed]
    return "\n".join(lines)


def _hedge(item: Fact | Rule | None, today: date) -> list[str]:
    """The hedge line for a fact or rule past its review date, else nothing."""
    if item is None or not is_stale(item, today) or item.official is None:
        return []
    return [t(STALE_NOTE, date=item.checked, url=item.official)]


def _sector(answers: Mapping[str, Any]) -> Sector | None:
    try:
        return catalogue.sector(str(answers.get("sector")))
    except KeyError:
        return None


def _title(sector: Sector) -> str:
    name = _text(sector.name)
    return name if name == sector.name_ja else f"{name} · {isolate(sector.name_ja)}"


def _key_lines(sector: Sector) -> list[str]:
    """The skills test, SSW (ii) and tests in Pakistan, a line each, from the machine fields."""
    lines: list[str] = []
    test = sector.fact("skills_test")
    if test is not None and test.name:
        if test.body:
            lines.append(t(SKILLS_TEST_BY, test=gettext(test.name), body=gettext(test.body)))
        else:
            lines.append(t(SKILLS_TEST_LINE, test=gettext(test.name)))
    japanese = sector.fact("japanese")
    if japanese is not None and sector.status == "open":
        lines.append("🗣 " + _text(japanese.text))
    held = sector.fact("tests_in_pakistan")
    if held is not None and held.held is not None:
        lines.append(gettext(HELD_LINE[held.held]))
    if sector.status == "open":
        lines.append(gettext(SSW2_LINE[sector.ssw2_available]))
    return lines


def sector_summary(answers: Mapping[str, Any], today: date) -> str:
    """One sector on one screen: its names, what the work is, and the key facts."""
    sector = _sector(answers)
    if sector is None:
        return gettext(UNKNOWN)
    lines = [_title(sector)]
    if sector.status == "from_2027":
        lines.append(gettext(OPENS_2027))
        lines += _hedge(sector.rule("hiring_from"), today)
    for key in SUMMARY_FACTS:
        fact = sector.fact(key)
        if fact is not None:
            lines += [_text(fact.text), *_hedge(fact, today)]
    key_lines = _key_lines(sector)
    if key_lines:
        lines += ["", *key_lines]
    return "\n".join(lines)


def _sector_sources(sector: Sector) -> tuple[list[str], date]:
    sources: list[str] = list(sector.source)
    checked = sector.checked
    for fact in sector.facts.values():
        sources += fact.source
        checked = min(checked, fact.checked)
    return sources, checked


def sector_detail(answers: Mapping[str, Any], today: date) -> str:
    """One sector in full: each fact under a heading (the engine shows it a screen at a time)."""
    sector = _sector(answers)
    if sector is None:
        return gettext(UNKNOWN)
    lines = [_title(sector)]
    for key, fact in sector.facts.items():
        if key in SUMMARY_FACTS:
            continue
        heading = HEADINGS.get(key)
        lines.append("")
        if heading:
            lines.append(gettext(heading))
        lines.append(_text(fact.text))
        lines += _hedge(fact, today)
    return "\n".join(lines) if len(lines) > 1 else ""


def sector_sources(answers: Mapping[str, Any], today: date) -> str:
    sector = _sector(answers)
    if sector is None:
        return gettext(UNKNOWN)
    sources, checked = _sector_sources(sector)
    return "\n".join([_title(sector), "", _sources_block(sources, checked)])


def faq_answer(answers: Mapping[str, Any], today: date) -> str:
    """One FAQ entry: the question, the answer (hedged when past its review date), its links."""
    try:
        entry = catalogue.faq_entry(str(answers.get("topic")))
    except KeyError:
        return gettext(UNKNOWN)
    lines = [_text(entry.question), "", _text(entry.answer), *_hedge(entry.as_fact(), today)]
    if entry.links:
        lines += ["", *(isolate(link) for link in entry.links)]
    return "\n".join(lines)


def faq_sources(answers: Mapping[str, Any], today: date) -> str:
    try:
        entry = catalogue.faq_entry(str(answers.get("topic")))
    except KeyError:
        return gettext(UNKNOWN)
    return "\n".join([_text(entry.question), "", _sources_block(entry.source, entry.checked)])


TEXT_SOURCES: dict[str, Callable[[Mapping[str, Any], date], str]] = {
    "sector_summary": sector_summary,
    "sector_detail": sector_detail,
    "sector_sources": sector_sources,
    "faq_answer": faq_answer,
    "faq_sources": faq_sources,
}
