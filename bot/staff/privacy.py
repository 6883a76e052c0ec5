"""What a viewer may see: CNIC and phone numbers masked, on the server.

The page a viewer gets contains only the masked value (35202-*******-1, +92 300 *****67).
"""

from __future__ import annotations

from bot.engine.validators import format_cnic, format_mobile


def mask_cnic(digits: str) -> str:
    """35202-1234567-1 → 35202-*******-1: the district and the last digit stay."""
    if len(digits) != 13 or not digits.isdigit():
        return "*" * len(digits)
    return f"{digits[:5]}-{'*' * 7}-{digits[12]}"


def mask_mobile(e164: str) -> str:
    """+923001234567 → +92 300 *****67: the network and the last two digits stay."""
    shown = format_mobile(e164)
    digits = [i for i, ch in enumerate(shown) if ch.isdigit()]
    if len(digits) < 8:
        return "*" * len(shown)
    keep = set(digits[:5]) | set(digits[-2:])  # 92 300 … 67
    return "".join(ch if (i in keep or not ch.isdigit()) else "*" for i, ch in enumerate(shown))


def show_cnic(digits: str, full: bool) -> str:
    return format_cnic(digits) if full else mask_cnic(digits)


def show_mobile(e164: str, full: bool) -> str:
    return format_mobile(e164) if full else mask_mobile(e164)
