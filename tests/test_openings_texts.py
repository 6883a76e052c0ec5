"""The job openings' worker texts (``bot.openings``): every invitation and list entry fits a
phone screen in every language, however long the description; the callback data fits
Telegram's 64 bytes and reads back."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

import pytest

from bot import openings as jobs
from bot import prefectures, ssw
from bot.engine import phone
from bot.i18n import LANGUAGES, paragraph, using_language
from bot.ssw.assessment import Criterion
from bot.ssw.matching import EXPERIENCE_DEMAND, JAPANESE_DEMAND, SKILLS_DEMAND

LONG = {
    "en": "Packing and checking boxed lunches on a line. " * 30,
    "ur": "لائن پر کھانے کے ڈبے پیک کرنا اور چیک کرنا۔ " * 30,
    "ja": "ラインで弁当を包装し、確認する仕事です。" * 30,
}
FACTS = jobs.OpeningFacts(
    id=2_147_483_647,
    title="Food factory workers in Aichi (test)",
    sector="food_manufacturing",
    category=None,
    route="ssw2",
    prefecture="kagoshima",
    places=120,
    pay_yen=1_250_000,
    pay_includes="before tax, housing not included",
    deadline=date(2027, 12, 31),
    state="open",
    descriptions=LONG,
)
MISSING = [
    asdict(Criterion(JAPANESE_DEMAND, "not_met", {"test": "JLPT N3"}, "japanese")),
    asdict(Criterion(EXPERIENCE_DEMAND, "not_met", {"years": "5", "have": "2"}, "experience")),
    asdict(Criterion(SKILLS_DEMAND, "unknown", {}, "skills")),
]


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_invitation_fits_a_phone_screen(language: str) -> None:
    with using_language(language):
        for missing in ([], MISSING[:1], MISSING[:2]):  # "nearly": two missing at most
            text = jobs.invitation_text(FACTS, language, missing)
            assert phone.fits(text), text
            assert all(ssw.render_criterion(c) in text for c in missing)
            assert jobs.fact_lines(FACTS, places=False, route=False)[-1] in text  # the deadline
        assert "…" in jobs.invitation_text(FACTS, language)  # the description, shortened
        short = jobs.OpeningFacts(**{**asdict(FACTS), "descriptions": {"en": "Packing."}})
        assert jobs.invitation_text(short, language).endswith("Packing.")  # English fallback
        huge = jobs.OpeningFacts(**{**asdict(FACTS), "title": "A very long test title " * 5})
        text = jobs.invitation_text(huge, language, MISSING[:2])  # too long for any screen:
        assert paragraph(jobs.fact_lines(huge)[0]) in text  # the facts are all still there


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_list_entry_fits_a_phone_screen(language: str) -> None:
    with using_language(language):
        for fit in (
            jobs.fit_line("meets", [], registered=True),
            jobs.fit_line("nearly", MISSING[:2], registered=True),
            jobs.fit_line("no", MISSING, registered=True),
            jobs.fit_line(None, [], registered=False),
        ):
            for answered in (None, "interested", "declined"):
                text = jobs.entry_text(FACTS, fit, answered)
                assert phone.fits(text), text


def test_criteria_are_translated_with_their_values() -> None:
    with using_language("ur"):
        text = ssw.render_criterion(MISSING[1])
    assert "\u20685\u2069" in text and "\u20682\u2069" in text and "experience" not in text
    assert ssw.render_criterion({"label_msgid": "Japanese: {test} or higher"}) == (
        "Japanese: {test} or higher"  # a param missing: the English, not an error
    )


def test_callback_data_fits_and_reads_back() -> None:
    buttons = [b for row in jobs.invitation_buttons(FACTS.id) for b in row]
    buttons += [jobs.more_button(10_000), jobs.start_button()]
    assert all(len(b.data.encode()) <= 64 for b in buttons)
    assert [jobs.parse(b.data) for b in buttons] == [
        ("yes", FACTS.id),
        ("no", FACTS.id),
        ("stop", None),
        ("more", 10_000),
        ("start", None),
    ]
    assert jobs.parse("j:y:abc") == ("", None) and jobs.parse("j:") == ("", None)


def test_prefectures_are_named_in_the_workers_language() -> None:
    with using_language("ja"):
        assert prefectures.label("aichi") == "愛知県"  # as written in Japan
    with using_language("en"):
        assert prefectures.label("aichi") == "Aichi"
        assert prefectures.label("new_place") == "new_place"  # an unknown id as it is
    with using_language("ur"):
        assert prefectures.label("aichi") not in {"Aichi", "aichi"}
