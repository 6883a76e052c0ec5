"""The 47 prefectures of Japan (``flows/prefectures.yaml``): where a job opening is, for the
staff web's form and pages and for the worker's invitation alike.

Data only: the file is read once per process. ``label`` is the prefecture's name in the
current language of ``bot.i18n``: in Japanese, ``name_ja`` as written in Japan (on a
contract); otherwise the English name (the msgid) through the catalogs.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from bot.i18n import current_language, gettext

PATH = Path(__file__).resolve().parent.parent / "flows" / "prefectures.yaml"


@dataclass(frozen=True)
class Prefecture:
    id: str
    name: str  # English, a msgid
    name_ja: str


@cache
def prefectures() -> tuple[Prefecture, ...]:
    """Every prefecture, in the file's order (north to south)."""
    data = yaml.safe_load(PATH.read_text(encoding="utf-8"))
    found = tuple(
        Prefecture(str(row["id"]), str(row["name"]).strip(), str(row["name_ja"]).strip())
        for row in data["prefectures"]
    )
    if len({p.id for p in found}) != len(found):
        raise ValueError(f"{PATH}: a prefecture id is repeated")
    return found


@cache
def _by_id() -> dict[str, Prefecture]:
    return {p.id: p for p in prefectures()}


def prefecture(prefecture_id: str) -> Prefecture | None:
    return _by_id().get(prefecture_id)


def label(prefecture_id: str | None) -> str:
    """The prefecture's name in the current language; an unknown id as it is."""
    if not prefecture_id:
        return "—"
    found = prefecture(prefecture_id)
    if found is None:
        return prefecture_id
    return found.name_ja if current_language() == "ja" else gettext(found.name)


def choices() -> list[tuple[str, str]]:
    """(id, name in the current language) for a select box, north to south."""
    return [(p.id, label(p.id)) for p in prefectures()]
