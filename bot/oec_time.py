"""OEC's day: the one place that says which date it is "today" for OEC.

OEC works in Pakistan, so its days are Pakistan days (``Asia/Karachi`` unless the ``TIMEZONE``
setting says otherwise): an opening's deadline, the outbox's check that an invitation is still
worth sending, the worker's "Jobs open now", the staff side's checks when publishing and the
reminders' quiet hours all read the date or the hour in this zone. A UTC date is wrong near
midnight (Pakistan is UTC+5: 19:30 UTC is already tomorrow there). The staff's lead lists,
figures and shown times count Pakistan days in ``OEC_TIMEZONE`` itself (their SQL has it).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

OEC_TIMEZONE = "Asia/Karachi"  # the default of the ``timezone`` setting (bot.config)


@lru_cache(maxsize=8)
def zone(name: str = OEC_TIMEZONE) -> ZoneInfo:
    """The time zone called ``name`` (an IANA name such as ``Asia/Karachi``)."""
    return ZoneInfo(name)


def oec_today(now: datetime, timezone: str | ZoneInfo = OEC_TIMEZONE) -> date:
    """The date at ``now`` in OEC's time zone (``now`` naive is taken as UTC)."""
    at = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    return at.astimezone(timezone if isinstance(timezone, ZoneInfo) else zone(timezone)).date()


def _utcnow() -> datetime:
    return datetime.now(UTC)


def oec_clock(
    timezone: str = OEC_TIMEZONE, now: Callable[[], datetime] = _utcnow
) -> Callable[[], date]:
    """A clock of OEC's dates: each call is ``oec_today(now(), timezone)`` (the engine's
    ``today``: ages, facts past their review date, the Jobs list)."""
    return lambda: oec_today(now(), timezone)
