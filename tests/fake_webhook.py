"""Webhook delivery for the fake Bot API (``tests/fake_bot_api.py``), the way Telegram does it.

After ``setWebhook`` every update is POSTed as JSON to the webhook URL with the
``X-Telegram-Bot-Api-Secret-Token`` header (when a secret was set), instead of waiting for
``getUpdates`` (which then answers 409, like Telegram):

* Up to ``max_connections`` deliveries are in flight at once (setWebhook's parameter, 40 by
  default), taken from one queue in order of arrival; so one user's updates may overtake each
  other, as they may with Telegram.
* An update is retried, after ``retry_delay`` seconds, until it is answered with a 2xx status:
  on any other status, a connection error or ``timeout``.
* ``targets``: a load balancer in front of several instances. Set, it replaces the URL given
  to setWebhook, and each attempt goes to the next target in turn (round robin).
* ``twice(n)``: the next ``n`` updates are each delivered twice, concurrently (two instances
  get the same update at once).
* A 2xx answer whose body is a JSON object with ``"method"`` is executed as a Bot API call
  (recorded in ``FakeBotApi.calls`` like any call; its result goes nowhere, and it pays no
  ``delay``: it does not cross the network again), as Telegram does.

``attempts`` records every POST (update id, URL, status or error name); ``acknowledged`` the
time of each update's first 2xx answer; ``FakeBotApi.delivered_at`` the time of its first POST.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

JSONDict = dict[str, Any]
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass(frozen=True)
class Attempt:
    update_id: int
    url: str
    result: str  # the HTTP status ("200"), or the error's name ("ClientConnectorError")
    at: float  # time.perf_counter() when the answer (or the error) came


class WebhookDelivery:
    """The fake's deliveries to a webhook; owned by ``FakeBotApi`` (``api.webhook``)."""

    def __init__(
        self,
        call: Callable[[str, JSONDict], Awaitable[Any]],
        delivered_at: dict[int, float],
    ) -> None:
        self._call = call  # executes a Bot API method returned in a webhook response
        self._delivered_at = delivered_at
        self.url = ""
        self.secret: str | None = None
        self.max_connections = 40
        self.allowed_updates: frozenset[str] | None = None
        self.targets: list[str] = []
        """Round-robin URLs (a load balancer); empty: the URL given to setWebhook."""
        self.sets = 0
        """How many setWebhook calls took effect (a call is recorded before it does)."""
        self.retry_delay = 0.05
        self.timeout = 30.0
        self.attempts: list[Attempt] = []
        self.acknowledged: dict[int, float] = {}
        self.executed: list[JSONDict] = []
        """The method bodies of webhook responses, in the order they were executed."""
        self._queue: deque[JSONDict] = deque()
        self._ready = asyncio.Condition()
        self._flying: list[JSONDict] = []
        self._twice = 0
        self._turn = itertools.count()
        self._workers: list[asyncio.Task[None]] = []
        self._session: aiohttp.ClientSession | None = None
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def active(self) -> bool:
        return bool(self.url)

    @property
    def pending(self) -> int:
        """Updates not yet acknowledged (queued or in flight)."""
        return len(self._queue) + len(self._flying)

    def twice(self, count: int = 1) -> None:
        """Deliver each of the next ``count`` updates twice, at the same time."""
        self._twice += count

    async def set(self, params: JSONDict, backlog: list[JSONDict]) -> None:
        """setWebhook with a URL: deliver there from now on (``backlog`` first)."""
        left = await self.delete()  # a new URL: what was not acknowledged goes there
        backlog = [*left, *backlog]
        self.url = str(params["url"])
        secret = params.get("secret_token")
        self.secret = str(secret) if secret else None
        connections = params.get("max_connections", 40)
        self.max_connections = max(1, min(100, int(connections))) if connections else 40
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self.allowed_updates = frozenset(allowed) if allowed else None
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0, force_close=False),
            timeout=aiohttp.ClientTimeout(total=self.timeout),
        )
        for update in backlog:
            self.enqueue(update)
        self._workers = [
            asyncio.create_task(self._work(), name=f"fake-webhook-{n}")
            for n in range(self.max_connections)
        ]
        self.sets += 1

    async def delete(self) -> list[JSONDict]:
        """deleteWebhook (or a new setWebhook): stop; what was not acknowledged is returned."""
        self.url = ""
        for worker in self._workers:
            worker.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        self._workers = []
        if self._session is not None:
            await self._session.close()
            self._session = None
        unique = {u["update_id"]: u for u in [*self._flying, *self._queue]}
        self._queue.clear()
        self._flying.clear()
        self._idle.set()
        return [unique[key] for key in sorted(unique)]

    def enqueue(self, update: JSONDict) -> None:
        kind = next((key for key in update if key != "update_id"), "")
        if self.allowed_updates is not None and kind not in self.allowed_updates:
            return
        copies = 1
        if self._twice > 0:
            self._twice -= 1
            copies = 2
        for _ in range(copies):
            self._queue.append(update)
        self._idle.clear()
        asyncio.get_running_loop().create_task(self._notify())

    async def _notify(self) -> None:
        async with self._ready:
            self._ready.notify_all()

    async def wait_idle(self, timeout: float) -> bool:  # noqa: ASYNC109
        """Wait until every update was acknowledged; False on timeout."""
        try:
            async with asyncio.timeout(timeout):
                await self._idle.wait()
        except TimeoutError:
            return False
        return True

    async def _work(self) -> None:
        while True:
            async with self._ready:
                await self._ready.wait_for(lambda: bool(self._queue))
                update = self._queue.popleft()
                self._flying.append(update)
            await self._deliver(update)
            self._flying.remove(update)
            if not self._queue and not self._flying:
                self._idle.set()

    def _target(self) -> str:
        if self.targets:
            return self.targets[next(self._turn) % len(self.targets)]
        return self.url

    async def _deliver(self, update: JSONDict) -> None:
        update_id = int(update["update_id"])
        body = json.dumps(update, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json"}
        if self.secret:
            headers[SECRET_HEADER] = self.secret
        while True:
            assert self._session is not None
            url = self._target()
            self._delivered_at.setdefault(update_id, time.perf_counter())
            try:
                async with self._session.post(url, data=body, headers=headers) as response:
                    answer = await response.read()
                    status = response.status
            except (aiohttp.ClientError, TimeoutError) as exc:
                self.attempts.append(Attempt(update_id, url, type(exc).__name__, _now()))
                await asyncio.sleep(self.retry_delay)
                continue
            self.attempts.append(Attempt(update_id, url, str(status), _now()))
            if 200 <= status < 300:
                self.acknowledged.setdefault(update_id, _now())
                await self._execute(answer)
                return
            await asyncio.sleep(self.retry_delay)

    async def _execute(self, answer: bytes) -> None:
        """A method in the response body is executed, its result (or error) dropped."""
        if not answer.strip():
            return
        try:
            data = json.loads(answer)
        except ValueError:
            return
        if not isinstance(data, dict) or not isinstance(data.get("method"), str):
            return
        params = {key: value for key, value in data.items() if key != "method"}
        self.executed.append(data)
        await self._call(data["method"], params)


def _now() -> float:
    return time.perf_counter()
