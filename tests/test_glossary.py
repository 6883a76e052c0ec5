"""The Urdu and Japanese catalogs follow their glossaries: one word for each key term.

``locales/<lang>/glossary.yaml`` lists the key terms (SSW, skills test, Technical Intern
Training, main menu, immigration, OEC...) with the one way they are written in that language,
and the spellings to avoid. Every translation of a message that uses a term must use the
glossary's word for it, and no translation may use a spelling the glossary avoids.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from babel.messages.pofile import read_po

LOCALES = Path(__file__).resolve().parent.parent / "locales"
LANGUAGES = ("ur", "ja")


def _glossary(language: str) -> list[dict[str, Any]]:
    with (LOCALES / language / "glossary.yaml").open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    terms: list[dict[str, Any]] = data["terms"]
    return terms


def _translations(language: str) -> list[tuple[str, str]]:
    with (LOCALES / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=language)
    pairs = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        pairs += [(ids[0], s) for s in strings]
    return pairs


@pytest.mark.parametrize("language", LANGUAGES)
def test_glossary_is_well_formed(language: str) -> None:
    terms = _glossary(language)
    assert len(terms) >= 10
    for entry in terms:
        assert set(entry) <= {"term", "use", "avoid", "unless", "note"}, entry
        assert entry["term"] and (entry.get("use") or entry.get("avoid")), entry


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_follows_the_glossary(language: str) -> None:
    problems: list[str] = []
    pairs = _translations(language)
    for entry in _glossary(language):
        term = re.compile(rf"(?<![\w-]){re.escape(entry['term'])}(?![\w-])", re.IGNORECASE)
        uses = entry.get("use") or []
        uses = [uses] if isinstance(uses, str) else uses
        unless = re.compile(entry["unless"]) if entry.get("unless") else None
        for msgid, msgstr in pairs:
            applies = uses and term.search(msgid) and not (unless and unless.search(msgid))
            if applies and not any(use in msgstr for use in uses):
                problems.append(f"{entry['term']!r} → {uses}: {msgid[:60]!r} = {msgstr[:60]!r}")
            for avoid in entry.get("avoid") or []:
                if avoid in msgstr:
                    problems.append(f"avoid {avoid!r}: {msgstr[:70]!r}")
    assert problems == []
