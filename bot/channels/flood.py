"""Incoming flood control: a sliding window per user, in memory, before the database.

A user may have ``limit`` updates handled within any ``window`` seconds. Beyond that their
updates are dropped (no transaction, no write) and the first dropped one of a burst is
answered by one polite "slow down" message (``SLOW_DOWN``); once an update is let through
again the next burst may be warned again. Dropped updates do not count towards the window,
so a user who keeps tapping is served again as soon as their earlier updates age out.

Updates are counted as they are processed (one user's run one after another), which is
when they would reach the database. Per process: with several instances behind a load
balancer each keeps its own window (a user's updates mostly reach one instance; the limit
is a guard, not an accounting).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from typing import Literal

from bot.i18n import N_

SLOW_DOWN = N_(
    "You are sending messages very fast. Please wait a few seconds, then send your answer again."
)
Verdict = Literal["ok", "warn", "drop"]
SWEEP_EVERY = 1000  # checks between sweeps of users whose window is empty


class FloodGuard:
    """Counts each user's recent updates; ``check`` says handle, warn (drop and say so once)
    or drop."""

    def __init__(
        self, limit: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = max(1, limit)
        self.window = max(0.001, window)
        self.clock = clock
        self._recent: dict[str, deque[float]] = {}
        self._warned: set[str] = set()
        self._checks = 0

    def check(self, user: str) -> Verdict:
        now = self.clock()
        self._checks += 1
        if self._checks % SWEEP_EVERY == 0:
            self._sweep(now)
        recent = self._recent.setdefault(user, deque())
        while recent and recent[0] <= now - self.window:
            recent.popleft()
        if len(recent) < self.limit:
            recent.append(now)
            self._warned.discard(user)
            return "ok"
        if user in self._warned:
            return "drop"
        self._warned.add(user)
        return "warn"

    def _sweep(self, now: float) -> None:
        """Forget users with nothing in their window (memory stays bounded by active users)."""
        horizon = now - self.window
        idle = [u for u, times in self._recent.items() if not times or times[-1] <= horizon]
        for user in idle:
            del self._recent[user]
            self._warned.discard(user)

    def __len__(self) -> int:
        return len(self._recent)
