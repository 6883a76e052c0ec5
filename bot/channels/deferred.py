"""The one Bot API call a reply may leave to the webhook response.

Telegram executes one Bot API method given as the body of the webhook's HTTP response (its
result does not come back). The webhook route opens a ``Slot`` for the update it handles;
the Telegram channel puts into it one call whose result it does not need (``defer``), and the
route answers with it once the update was handled, saving that call's round trip. Outside a
webhook request (long polling, tests) there is no slot and ``defer`` returns False: the
caller makes the call itself.

Telegram counts the call in its limits like any other, so the caller takes its place in the
process's limits first (``bot.channels.limits``, ``Limits.place``) and hands ``defer`` what
to do once it leaves (``Slot.left``): the route calls that when the response was written,
or when it will not carry the call after all (then the place counts anyway).

The slot also carries whether the handling failed (an error escaped a handler): the route
then answers 500 so that Telegram delivers the update again.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Slot:
    """What the handling of one webhook update leaves to its HTTP response."""

    method: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    failed: bool = False
    closed: bool = False  # the response is being sent: too late (a task that outlived it)
    on_left: Callable[[], None] | None = None  # the call's place in the limits, to release

    def body(self) -> dict[str, Any] | None:
        """The webhook response body (the deferred call), or None."""
        return None if self.method is None else {"method": self.method, **self.params}

    def left(self) -> None:
        """The response carrying the call was written, or will not carry it: its place in
        the limits (if it took one) counts from now. Once; later calls do nothing."""
        on_left, self.on_left = self.on_left, None
        if on_left is not None:
            on_left()


_SLOT: ContextVar[Slot | None] = ContextVar("ssw_webhook_slot", default=None)


def open_slot() -> tuple[Slot, Token[Slot | None]]:
    slot = Slot()
    return slot, _SLOT.set(slot)


def close_slot(token: Token[Slot | None]) -> None:
    """The handling is over; tasks it started (which copied the context) defer nothing."""
    slot = _SLOT.get()
    if slot is not None:
        slot.closed = True
    _SLOT.reset(token)


def current() -> Slot | None:
    return _SLOT.get()


def free() -> bool:
    """Whether a slot is open and still empty (``defer`` would take the call)."""
    slot = _SLOT.get()
    return slot is not None and not slot.closed and slot.method is None


def defer(method: str, params: dict[str, Any], on_left: Callable[[], None] | None = None) -> bool:
    """Leave ``method`` to the webhook response if a slot is open and still empty;
    ``on_left`` is called once the response was written (``Slot.left``)."""
    slot = _SLOT.get()
    if slot is None or not free():
        return False
    slot.method = method
    slot.params = params
    slot.on_left = on_left
    return True


def mark_failed() -> None:
    slot = _SLOT.get()
    if slot is not None:
        slot.failed = True
