"""Long polling that one unreadable update cannot stop.

python-telegram-bot reads a getUpdates answer as a whole: when one update in it does not fit
its classes (a newer Bot API field it requires, a malformed object), it logs the batch and
fetches the same batch again, for ever, and no user gets an answer any more. Here each update
is read on its own first; one that cannot be read is replaced by its bare ``update_id`` (it is
skipped, and the offset moves past it), and logged by number and error type only.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.request import HTTPXRequest

log = logging.getLogger(__name__)


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


class TolerantUpdatesRequest(HTTPXRequest):
    """The request object for getUpdates (``ApplicationBuilder.get_updates_request``)."""

    def parse_json_payload(self, payload: bytes) -> Any:  # type: ignore[override]
        return readable_updates(HTTPXRequest.parse_json_payload(payload))
