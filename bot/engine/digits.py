"""Digit normalisation: Urdu (۰-۹), Arabic-Indic (٠-٩) and other Unicode digits become ASCII."""

import unicodedata


def ascii_digits(text: str) -> str:
    """Replace every Unicode decimal digit with its ASCII digit; leave everything else as it is."""
    if text.isascii():
        return text
    return "".join(
        str(unicodedata.digit(ch)) if unicodedata.category(ch) == "Nd" else ch for ch in text
    )
