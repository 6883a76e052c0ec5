"""A shorter property-based run through Telegram itself: random sequences of texts, taps on
the buttons just shown, taps on stale buttons of older messages, made-up callback data and
commands, sent by a fake user over real HTTP to python-telegram-bot (fake Bot API, a real
SQLite file). No error is logged, every callback query is answered, nothing over Telegram's
limits is sent (the fake refuses it), and the stored state stays valid."""

from __future__ import annotations

import itertools
import logging
import os
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import Services
from tests.channels.conftest import running_bot
from tests.fake_bot_api import FakeBotApi, FakeUser
from tests.strange import STRANGE, check_state

EXAMPLES = max(3, int(os.environ.get("SSW_PROPERTY_EXAMPLES", "25")) // 3)
TYPICAL = ["Ayesha Khan Bibi", "42101-4817263-5", "0300 1234567", "15/03/1998", "Lahore", "3"]
COMMANDS = ["/start", "/cancel", "/language", "/delete", "/mydata", "/status", "/nonsense"]
_users = itertools.count(20_000)

MOVES = st.lists(
    st.one_of(
        st.tuples(st.just("tap"), st.integers(0, 99)),
        st.tuples(st.just("tap"), st.integers(0, 99)),
        st.tuples(st.just("stale"), st.integers(0, 99)),
        st.tuples(st.just("text"), st.sampled_from([*TYPICAL, *STRANGE[:6], *STRANGE[12:16]])),
        st.tuples(st.just("data"), st.text(max_size=64)),
        st.tuples(st.just("command"), st.sampled_from(COMMANDS)),
    ),
    min_size=1,
    max_size=12,
)


@pytest.fixture
async def bot_on_sqlite(api: FakeBotApi, sqlite_url: str) -> AsyncIterator[Services]:
    async with running_bot(api, sqlite_url) as services:
        yield services


async def _move(user: FakeUser, kind: str, value: Any) -> None:
    records = [r for r in user.api.messages(user.user_id) if r.buttons and not r.edited]
    if kind in {"tap", "stale"} and records:
        record = records[-1] if kind == "tap" else records[value % len(records)]
        buttons = [b for row in record.buttons for b in row if b.callback_data]
        if buttons:
            data = buttons[value % len(buttons)].callback_data
            assert data is not None
            await user.tap_data(data, record.message_id)
            return
    if kind == "data" and value and len(value.encode()) <= 64 and user.last is not None:
        await user.tap_data(value)
    elif kind in {"text", "command"} and value.strip():
        await user.send(value)
    else:
        await user.send("/start")


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(moves=MOVES)
async def test_random_updates_over_telegram(
    api: FakeBotApi,
    bot_on_sqlite: Services,
    caplog: pytest.LogCaptureFixture,
    moves: list[tuple[str, Any]],
) -> None:
    caplog.set_level(logging.WARNING)
    user = api.user(next(_users), language_code="en")
    for kind, value in moves:
        await _move(user, kind, value)
        await user.replies_until_idle(quiet=0.1, timeout=5)
        stored = await bot_on_sqlite.repository.state_of("telegram", str(user.user_id))
        check_state(bot_on_sqlite.conversations.engine, stored)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, caplog.text
    assert all(len(m.text) <= 4096 for m in api.messages(user.user_id))
    assert api.unanswered_callback_queries == []
