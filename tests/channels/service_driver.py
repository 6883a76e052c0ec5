"""A bot process without Telegram, for tests that need several: ``python -m
tests.channels.service_driver DATABASE_URL`` builds the real conversation service on the
database and handles one JSON request per line of standard input, answering one JSON line:

    in:  {"id": 1, "user": "42", "event_id": 7, "text": "..."}   (or "press": data,
         "command": name with "argument")
    out: {"id": 1, "replies": [{"text": "...", "buttons": [[label, data], ...]}]}

Each request is handled as it arrives, concurrently with the ones before it (as the bot
handles different updates), so a test can put the same update into two processes at once.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from bot.app import build_services
from bot.conversation import Incoming
from bot.engine.model import Action, Press, Text
from tests.conftest import TODAY


def incoming(request: dict[str, Any]) -> Incoming:
    action: Action | None = None
    if "text" in request:
        action = Text(request["text"])
    elif "press" in request:
        action = Press(request["press"])
    return Incoming(
        "telegram",
        str(request["user"]),
        client_language="en",
        command=request.get("command"),
        argument=request.get("argument", ""),
        action=action,
        event_id=request.get("event_id"),
    )


async def main(url: str) -> None:
    services = build_services(url, today=lambda: TODAY)
    loop = asyncio.get_running_loop()
    out = asyncio.Lock()
    tasks: set[asyncio.Task[None]] = set()

    async def handle(request: dict[str, Any]) -> None:
        replies = await services.conversations.handle(incoming(request))
        answer = {
            "id": request["id"],
            "replies": [
                {"text": r.text, "buttons": [[b.label, b.data] for row in r.buttons for b in row]}
                for r in replies
            ],
        }
        async with out:
            sys.stdout.write(json.dumps(answer) + "\n")
            sys.stdout.flush()

    print(json.dumps({"ready": True}), flush=True)
    while line := await loop.run_in_executor(None, sys.stdin.readline):
        task = asyncio.create_task(handle(json.loads(line)))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    await asyncio.gather(*tasks)
    await services.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
