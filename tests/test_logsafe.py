"""Failures are logged without personal data."""

from bot.logsafe import describe


def test_an_exception_is_described_by_type_and_place_not_message() -> None:
    try:
        raise ValueError("duplicate key value: cnic=3520212345671")
    except ValueError as exc:
        text = describe(exc)
    assert text.startswith("ValueError at test_logsafe.py:")
    assert "3520212345671" not in text
