"""Trying a Bot API call again when Telegram or the network failed it for a while.

A 429 waits the ``retry_after`` Telegram asked for; a timeout, a 5xx or a dropped connection
waits a short backoff with jitter. Anything else (a bad request, a blocked chat) is not
retried. Used for the replies to a worker, so that one failed call does not leave them
without their next question. Counted in ``ssw_api_retries_total``.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from telegram.error import BadRequest, NetworkError, RetryAfter

from bot.metrics import API_RETRIES

log = logging.getLogger(__name__)
T = TypeVar("T")

ATTEMPTS = 4  # the first try and three more
BACKOFF = 0.3  # seconds before the first retry after a network fault; doubled each time
MAX_WAIT = 30.0  # never wait longer than this for one retry, whatever retry_after says


def _wait(exc: Exception, attempt: int) -> float | None:
    """Seconds to wait before trying again, or None when this error is not retried."""
    if isinstance(exc, RetryAfter):
        after = exc.retry_after
        seconds = after.total_seconds() if isinstance(after, timedelta) else float(after)
        return min(MAX_WAIT, seconds + random.uniform(0, 0.1))
    if isinstance(exc, NetworkError) and not isinstance(exc, BadRequest):
        return min(MAX_WAIT, BACKOFF * float(2**attempt) * random.uniform(0.8, 1.2))
    return None


async def with_retries(method: str, call: Callable[[], Awaitable[T]]) -> T:
    """``await call()``, tried again up to ``ATTEMPTS`` times in all on retryable errors."""
    for attempt in range(ATTEMPTS):
        try:
            return await call()
        except (RetryAfter, NetworkError) as exc:
            wait = _wait(exc, attempt)
            if wait is None or attempt == ATTEMPTS - 1:
                raise
            API_RETRIES.labels(method).inc()
            log.info("%s failed (%s), trying again in %.1f s", method, type(exc).__name__, wait)
            await asyncio.sleep(wait)
    raise AssertionError("unreachable")
