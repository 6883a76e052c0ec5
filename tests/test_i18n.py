"""The catalogs: complete, not fuzzy, same placeholders, no English left, up to date with the
code and the flows; and the language helpers (resolution, RTL isolation, formatting)."""

from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
from datetime import date
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from bot import i18n

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"\{(\w*)\}")
# Texts that are the same in every language: test names, codes, URLs, numbers.
SAME_EVERYWHERE = re.compile(r"^[\s\d\W]*(JLPT N\d|JFT-Basic \(A2\)|SSW)?[\s\d\W]*$")


def _catalog(language: str) -> Catalog:
    with (ROOT / "locales" / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=language)


def _script_ok(language: str, text: str) -> bool:
    if language == "ur":
        return any("ARABIC" in unicodedata.name(ch, "") for ch in text)
    return any(unicodedata.name(ch, "").startswith(("HIRAGANA", "KATAKANA", "CJK")) for ch in text)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run(
        [
            str(Path(sys.executable).parent / "pybabel"),
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "t",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
    )
    with pot.open("rb") as handle:
        return {m.id for m in read_po(handle) if m.id and isinstance(m.id, str)}


@pytest.mark.parametrize("language", ["ur", "ja"])
def test_catalog_is_complete_and_faithful(language: str, extracted: set[str]) -> None:
    catalog = _catalog(language)
    problems = []
    ids = set()
    for message in catalog:
        if not message.id:
            continue
        ids.add(message.id if isinstance(message.id, str) else message.id[0])
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        if message.fuzzy:
            problems.append(f"fuzzy: {msgid!r}")
        if not all(strings):
            problems.append(f"empty: {msgid!r}")
            continue
        for string in strings:
            if set(PLACEHOLDER.findall(msgid)) != set(PLACEHOLDER.findall(string)):
                problems.append(f"placeholders differ: {msgid!r} → {string!r}")
            if (  # words outside the placeholders are to be translated
                re.search("[A-Za-z]{3}", PLACEHOLDER.sub("", msgid))
                and not SAME_EVERYWHERE.match(msgid)
                and not _script_ok(language, string)
            ):
                problems.append(f"not translated: {msgid!r} → {string!r}")
    missing = extracted - ids
    problems += [f"missing (run make catalogs): {m!r}" for m in sorted(missing)]
    assert not problems, "\n".join(problems)


def test_language_resolution() -> None:
    assert i18n.resolve_language("ja", "ur") == "ja"
    assert i18n.resolve_language(None, "ur-PK") == "ur"
    assert i18n.resolve_language(None, "ja") == "ja"
    assert i18n.resolve_language(None, "en-GB") == "en"
    assert i18n.resolve_language(None, "de") is None
    assert i18n.resolve_language(None, None) is None
    assert i18n.resolve_language(None, "not a code!") is None


def test_urdu_isolates_inserted_latin_and_starts_paragraphs_rtl() -> None:
    with i18n.using_language("ur"):
        assert i18n.isolate("SSW-ABCD") == "\u2068SSW-ABCD\u2069"
        assert i18n.paragraph("/start سے\nدوسری") == "\u200f/start سے\n\u200fدوسری"
    with i18n.using_language("en"):
        assert i18n.isolate("SSW-ABCD") == "SSW-ABCD"


def test_dates_and_numbers_follow_the_language() -> None:
    day = date(1998, 3, 15)
    with i18n.using_language("ja"):
        assert i18n.format_date(day) == "1998年3月15日"
    with i18n.using_language("ur"):
        assert "مارچ" in i18n.format_date(day)
    with i18n.using_language("en"):
        assert i18n.format_date(day) == "March 15, 1998"
        assert i18n.format_number(12345) == "12,345"


def test_lists_take_the_language_comma() -> None:
    assert i18n.join_list(["زراعت", "تعمیرات"], "ur") == "زراعت، تعمیرات"
    assert i18n.join_list(["農業", "建設"], "ja") == "農業、建設"
    with i18n.using_language("en"):
        assert i18n.join_list(["Agriculture", "Construction"]) == "Agriculture, Construction"


def test_translations_are_per_task_not_global() -> None:
    with i18n.using_language("ja"):
        japanese = i18n.gettext("⬅️ Back")
        with i18n.using_language("ur"):
            urdu = i18n.gettext("⬅️ Back")
        assert i18n.gettext("⬅️ Back") == japanese
    assert urdu != japanese != "⬅️ Back"
