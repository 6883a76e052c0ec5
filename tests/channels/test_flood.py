"""An incoming flood from one user: 20 messages in a few seconds get one polite slowdown
message in their language, no write storm, and the user is served again after the window.
Real PTB over HTTP to the fake Bot API, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import event

from bot.channels.flood import SLOW_DOWN, FloodGuard
from bot.metrics import REGISTRY
from tests.channels.conftest import at_menu, running_bot
from tests.fake_bot_api import FakeBotApi

LIMIT, WINDOW = 5, 2.0


def throttled() -> float:
    return (
        REGISTRY.get_sample_value("ssw_updates_total", {"kind": "message", "result": "throttled"})
        or 0.0
    )


async def test_twenty_quick_messages_get_one_slowdown_and_few_writes(
    api: FakeBotApi, database_url: str
) -> None:
    flood = FloodGuard(LIMIT, WINDOW)
    async with running_bot(api, database_url, flood=flood) as services:
        person = await at_menu(api, 8401, "ur")
        await asyncio.sleep(WINDOW)  # the two updates of getting to the menu age out
        transactions = 0

        def count(*_: Any) -> None:
            nonlocal transactions
            transactions += 1

        event.listen(services.database.sync_engine, "begin", count)
        before = throttled()
        for n in range(20):
            await person.user.send(f"hello {n}")
        replies = await person.user.replies_until_idle(quiet=0.5, timeout=10)
        event.remove(services.database.sync_engine, "begin", count)

        slow_down = person._(SLOW_DOWN)
        assert slow_down != SLOW_DOWN  # the Urdu text, not the English msgid
        assert [m.text for m in replies].count(slow_down) == 1
        assert transactions <= LIMIT  # one per handled update, none for the dropped ones
        assert throttled() - before == 20 - LIMIT

        await asyncio.sleep(WINDOW)
        turn = await person.say("/start")  # served normally after the window
        assert slow_down not in turn.text and turn.labels


def test_the_window_slides_and_each_burst_is_warned_once() -> None:
    now = [0.0]
    guard = FloodGuard(3, 10.0, clock=lambda: now[0])
    verdicts = []
    for _ in range(6):
        verdicts.append(guard.check("a"))
        now[0] += 0.5
    assert verdicts == ["ok", "ok", "ok", "warn", "drop", "drop"]
    assert guard.check("b") == "ok"  # other users are not held up
    now[0] = 10.1  # the first update aged out (dropped ones never counted)
    assert guard.check("a") == "ok"
    assert guard.check("a") == "warn"  # a new burst: warned again
    now[0] = 100.0
    for n in range(1000):
        guard.check(f"u{n}")
    now[0] = 200.0
    for _ in range(1000):
        guard.check("z")
    assert len(guard) <= 2  # idle users are forgotten: memory follows active users
