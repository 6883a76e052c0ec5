"""The phone-screen measure: columns, wrapping at words, and cutting long texts into screens."""

from __future__ import annotations

from bot.engine.phone import PHONE_WIDTH, display_width, fits, pages, phone_lines, wrapped_lines


def test_widths_by_script() -> None:
    assert display_width("Ali Khan") == 8
    assert display_width("علی خان") == 7
    assert display_width("介護") == 4  # Japanese takes two columns a character
    assert display_width("\u200f\u2068x\u2069") == 1  # direction marks take none


def test_lines_wrap_at_words() -> None:
    word = "a" * 9
    line = " ".join([word] * 8)  # 79 columns: four words fit on a 40-column line
    assert wrapped_lines(line) == 2
    assert wrapped_lines("") == 1
    assert wrapped_lines("x" * (PHONE_WIDTH * 2 + 1)) == 3  # a long link breaks where it must
    assert phone_lines("one\n\ntwo") == 3


def test_japanese_breaks_anywhere() -> None:
    assert wrapped_lines("あ" * 20) == 1
    assert wrapped_lines("あ" * 21) == 2


def test_pages_keep_paragraphs_together_and_never_overflow() -> None:
    paragraphs = [f"Paragraph {n}\n" + "\n".join(f"line {i}" for i in range(5)) for n in range(5)]
    text = "\n\n".join(paragraphs)
    screens = pages(text)
    assert all(fits(screen) for screen in screens)
    assert "\n\n".join(screens) == text  # nothing lost, nothing added
    assert all(screen.startswith("Paragraph") for screen in screens)


def test_a_heading_is_not_left_alone_on_a_screen() -> None:
    text = "Question?\n\n" + "\n".join(f"• point {i}" for i in range(14))
    first, *_ = pages(text)
    assert first.startswith("Question?\n\n• point 0")


def test_a_long_paragraph_goes_on_at_a_line_break() -> None:
    text = "\n".join(f"step {i}" for i in range(40))
    screens = pages(text)
    assert len(screens) == 3
    assert "\n".join(screens) == text
