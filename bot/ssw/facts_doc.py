"""Every fact the bot can state, as one Markdown document for OEC staff to review.

It lists the programme rules, the Japanese tests, every sector's facts and rules, and the FAQ
answers, each with its source, confidence mark, the date it was checked and, for a date-bound
fact, the date to review it by and the official page to check. ``docs/facts.md`` is
this module's output and a test keeps the two equal; after changing ``flows/sectors.yaml`` or
``flows/faq.yaml`` regenerate it with::

    python -m bot.ssw.facts_doc > docs/facts.md
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from datetime import date

from bot.ssw import catalogue
from bot.ssw.model import Category, Fact, JapaneseTest, Rule, RuleValue, Sector

REGENERATE = "python -m bot.ssw.facts_doc > docs/facts.md"

STATUS_TITLES: Mapping[str, str] = {
    "open": "Sectors: open SSW fields (hiring now)",
    "from_2027": "Sectors: fields added on 23 Jan 2026 (hiring expected from about 2027)",
    "other_route": "Sectors: routes that are not SSW",
}
MACHINE_FIELDS = ("name", "name_ja", "body", "body_ja", "available", "held")


def _provenance(
    confidence: str,
    checked: object,
    source: Iterable[str],
    review_by: date | None = None,
    official: str | None = None,
) -> str:
    text = f"confidence **{confidence}**, checked {checked}; source: {'; '.join(source)}"
    if review_by is not None:
        text += f"; **review by {review_by}** (then check {official})"
    return text


def _item_provenance(item: Fact | Rule) -> str:
    return _provenance(item.confidence, item.checked, item.source, item.review_by, item.official)


def _quote(text: str) -> list[str]:
    return [f"  > {line}" if line else "  >" for line in text.splitlines()]


def _fact_lines(key: str, fact: Fact) -> list[str]:
    extras = []
    for name in MACHINE_FIELDS:
        value = getattr(fact, name)
        if value is not None:
            shown = str(value).lower() if isinstance(value, bool) else value
            extras.append(f"{name}: {shown}")
    head = f"- **{key}**" + (f" ({'; '.join(extras)})" if extras else "")
    lines = [head + f": {_item_provenance(fact)}"]
    return lines + _quote(fact.text)


def _category_line(category: Category) -> str:
    parts = [f"Japanese: any of {', '.join(category.japanese_any_of)}"]
    if category.licence is not None:
        parts.append(f"Japanese driving licence: {category.licence}")
    parts.append(f"test body: {category.body or 'not found'}")
    return f"  - `{category.id}` {category.name}: {'; '.join(parts)}"


def _value(value: RuleValue) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, tuple):
        return ", ".join(str(item) for item in value if isinstance(item, str))
    return str(value)


def _rule_lines(rule: Rule) -> list[str]:
    provenance = _item_provenance(rule)
    value = rule.value
    if isinstance(value, tuple) and value and isinstance(value[0], Category):
        lines = [f"- `{rule.name}`: {provenance}"]
        return lines + [_category_line(c) for c in value if isinstance(c, Category)]
    return [f"- `{rule.name}` = {_value(value)}: {provenance}"]


def _test_groups(tests: Iterable[JapaneseTest]) -> list[list[JapaneseTest]]:
    """Tests with identical facts (the JLPT levels) are shown once."""
    groups: list[list[JapaneseTest]] = []
    for test in tests:
        for group in groups:
            first = group[0]
            same = (first.body, first.host) == (test.body, test.host)
            if dict(first.facts) == dict(test.facts) and same:
                group.append(test)
                break
        else:
            groups.append([test])
    return groups


def _tests_section() -> list[str]:
    lines = ["## Japanese tests", ""]
    for group in _test_groups(catalogue.japanese_tests()):
        first = group[0]
        names = ", ".join(t.name for t in group)
        ids = ", ".join(f"`{t.id}`" for t in group)
        held = f" Held in Pakistan by: {first.host}." if first.host else ""
        labels = "; ".join(f"`{t.id}`: {t.option_label}" for t in group)
        lines += [
            f"### {names} ({ids})",
            "",
            f"Run by: {first.body}.{held} Answer button: {labels}. Entry: "
            + _provenance(first.confidence, first.checked, first.source),
            "",
        ]
        for key, fact in first.facts.items():
            lines += _fact_lines(key, fact)
        lines.append("")
    return lines


def _sector_lines(number: int, sector: Sector) -> list[str]:
    lines = [
        f"### {number}. {sector.name} ({sector.name_ja}), `{sector.id}`",
        "",
        f"Status: {sector.status}. Entry: "
        + _provenance(sector.confidence, sector.checked, sector.source),
        "",
        "Facts:",
        "",
    ]
    for key, fact in sector.facts.items():
        lines += _fact_lines(key, fact)
    if sector.rules:
        lines += ["", "Rules (used by the eligibility check):", ""]
        for rule in sector.rules.values():
            lines += _rule_lines(rule)
    lines.append("")
    return lines


def render_markdown() -> str:
    """The review document for every fact, rule and FAQ answer, with provenance."""
    lines = [
        "# SSW bot: facts for review",
        "",
        "Generated from `flows/sectors.yaml`, `flows/faq.yaml` and the flows. Do not edit this",
        "file by hand;",
        f"after changing the data run `{REGENERATE}`.",
        "",
        "Confidence marks, as in the team's fact sheet (`shared/reference/ssw-facts.md`):",
        "**H** an official page or several sources that agree; **M** one credible secondary",
        "source; **L** a weak source, an inference or disputed sources (the bot must say it is",
        "not confirmed). Sources are written as the fact sheet gives them. Quoted text is what",
        "the bot shows (in English; translators turn it into Urdu and Japanese).",
        "",
        "**Review by**: a date-bound fact (a test session, an announcement, a cap, a start",
        "date) must be re-checked by this date. After it the bot shows the fact with a hedge",
        '("This was the news on <checked>. It may have changed. Check <page>.") instead of as',
        "current; `ssw-bot facts --due` lists the facts whose date has passed.",
        "",
        "## Programme rules (every SSW field)",
        "",
    ]
    for rule in catalogue.programme().rules.values():
        lines += _rule_lines(rule)
    lines.append("")
    lines += _tests_section()
    number = 0
    for status, title in STATUS_TITLES.items():
        lines += [f"## {title}", ""]
        for sector in catalogue.sectors():
            if sector.status == status:
                number += 1
                lines += _sector_lines(number, sector)
    lines += ["## FAQ (About SSW)", ""]
    for entry in catalogue.faq():
        lines += [
            f"### {entry.question} (`{entry.id}`)",
            "",
            "Entry: "
            + _provenance(
                entry.confidence, entry.checked, entry.source, entry.review_by, entry.official
            ),
        ]
        if entry.links:
            lines.append("Links: " + ", ".join(entry.links))
        lines.append("")
        lines += [line[2:] for line in _quote(entry.answer)]
        lines.append("")
    lines += _flow_rules_section()
    return "\n".join(lines).rstrip("\n") + "\n"


def _flow_rules_section() -> list[str]:
    """Questions in the conversation flows whose wording or rules state a fact."""
    from bot.engine.flows import load_flows

    lines = ["## Rules in the conversation (flows/*.flow.yaml)", ""]
    for flow in load_flows().values():
        for step in flow.steps:
            if not step.source:
                continue
            rules = ", ".join(f"{k} = {v}" for k, v in step.rules.items())
            lines.append(
                f"- `{flow.id}.{step.id}` ({step.kind}{'; ' + rules if rules else ''})"
                f"; source: {'; '.join(step.source)}"
            )
            for text in (step.prompt, step.notice, step.older_notice):
                lines += [f"  {line}" for line in _quote(text)] if text else []
    lines.append("")
    return lines


def main() -> None:
    sys.stdout.buffer.write(render_markdown().encode("utf-8"))


if __name__ == "__main__":
    main()
