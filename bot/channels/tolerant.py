"""Long polling that one unreadable update cannot stop, and that confirms an update to
Telegram only once its answer is committed.

Confirming: Telegram forgets an update when getUpdates is next called with an offset past it,
and python-telegram-bot calls it again as soon as it has queued a batch, before handling it;
a bot killed then loses the updates in hand. Here the next getUpdates waits (up to ``HOLD``
seconds) until every update fetched has been committed (``Ledger``), so one killed mid-update
gets it again after the restart (and applies it once: the conversation keeps the last update
id it handled).

Reading: python-telegram-bot reads a getUpdates answer as a whole: when one update in it does
not fit its classes (a newer Bot API field it requires, a malformed object), it logs the batch and
fetches the same batch again, for ever, and no user gets an answer any more. Here each update
is read on its own first; one that cannot be read is replaced by its bare ``update_id`` (it is
skipped, and the offset moves past it), and logged by number and error type only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from typing import Any

from telegram import Update
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import ODVInput
from telegram.request import BaseRequest, RequestData

from bot.channels.request import AiohttpRequest

log = logging.getLogger(__name__)
HOLD = 2.0  # seconds the next getUpdates waits at most for the updates in hand


class Ledger:
    """The update ids fetched and not yet committed (or finished without a commit)."""

    def __init__(self) -> None:
        self._open: set[int] = set()
        self._settled = asyncio.Event()
        self._settled.set()

    def fetched(self, update_ids: Iterable[int]) -> None:
        self._open.update(update_ids)
        if self._open:
            self._settled.clear()

    def done(self, update_id: int) -> None:
        self._open.discard(update_id)
        if not self._open:
            self._settled.set()

    async def settled(self, limit: float = HOLD) -> None:
        """Return when every fetched update is done, or after ``limit`` seconds anyway (a slow
        update must not stop everyone else's)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._settled.wait(), limit)


def readable_updates(answer: Any) -> Any:
    """A getUpdates answer with every update that python-telegram-bot cannot read replaced by
    its bare ``update_id``; any other answer as it is."""
    if not isinstance(answer, dict) or not isinstance(answer.get("result"), list):
        return answer
    kept: list[Any] = []
    for item in answer["result"]:
        try:
            Update.de_json(item, None)  # reads a copy: the item is not changed
        except Exception as exc:
            update_id = item.get("update_id") if isinstance(item, dict) else None
            if not isinstance(update_id, int):
                log.warning("an update without a number was dropped: %s", type(exc).__name__)
                continue
            log.warning("update %s could not be read, skipped: %s", update_id, type(exc).__name__)
            item = {"update_id": update_id}
        kept.append(item)
    return {**answer, "result": kept}


class TolerantUpdatesRequest(AiohttpRequest):
    """The request object for getUpdates (``ApplicationBuilder.get_updates_request``)."""

    def __init__(self, ledger: Ledger | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.ledger = ledger

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self.ledger is not None:  # the offset of this call confirms what came before
            await self.ledger.settled()
        return await super().do_request(
            url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
        )

    def parse_json_payload(self, payload: bytes) -> Any:  # type: ignore[override]
        answer = readable_updates(BaseRequest.parse_json_payload(payload))
        if self.ledger is not None and isinstance(answer, dict):
            result = answer.get("result")
            if isinstance(result, list):
                self.ledger.fetched(u["update_id"] for u in result if isinstance(u, dict))
        return answer
