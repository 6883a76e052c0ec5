"""The database unreachable for a while: the worker is told in their language to try again in
a moment, the update is reported as not handled (``DatabaseUnavailable``, for the webhook's
503), and everything works when the database is back. Real PTB over HTTP to the fake Bot API
with long polling; PostgreSQL through a TCP proxy this test closes and reopens (the shared
server itself is never stopped), SQLite locked by another connection."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.conversation import DATABASE_DOWN, DatabaseUnavailable, Incoming
from bot.engine.model import Text
from bot.metrics import REGISTRY
from tests.channels.conftest import LANGUAGE_BUTTONS, Person, running_bot
from tests.fake_bot_api import FakeBotApi

WAIT = 1.0  # DATABASE_WAIT_SECONDS for these bots


class TcpProxy:
    """127.0.0.1:<port> → the PostgreSQL server; ``close`` refuses new connections and cuts
    the open ones, ``open`` listens again on the same port."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def open(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self._writers |= {writer, up_writer}

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError, asyncio.CancelledError):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            sink.transport.abort()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def told(person: Person) -> list[str]:
    """What the bot says next (it may wait WAIT seconds for the database first)."""
    first = await person.user.reply(timeout=WAIT + 10)
    rest = await person.user.replies_until_idle(quiet=0.3, timeout=WAIT + 10)
    return [m.text.lstrip("\u200f") for m in [first, *rest]]


async def outage_then_recovery(
    api: FakeBotApi, url: str, user_id: int, cut: object, mend: object
) -> None:
    """A worker at the menu; the database goes away; they tap and type; it comes back."""
    async with running_bot(api, url, database_wait=WAIT) as services:
        # Telegram says English; they chose Urdu: the outage message follows their choice
        person = Person(api.user(user_id, language_code="en"), "ur")
        await person.user.send("/start")
        await person.turn()
        await person.tap(LANGUAGE_BUTTONS["ur"], translate=False)
        down_text = person._(DATABASE_DOWN)
        assert down_text != DATABASE_DOWN  # in Urdu
        errors = sample("ssw_errors_total", where="database")
        failed = sample("ssw_updates_total", kind="callback_query", result="error")

        await cut()  # type: ignore[operator]
        await person.user.tap(person._("📝 Register with OEC for Japan"))
        assert await told(person) == [down_text]
        assert api.unanswered_callback_queries == []  # the spinner stopped
        await person.user.send("Test Worker Outage")
        assert await told(person) == [down_text]
        with pytest.raises(DatabaseUnavailable) as raised:  # what a webhook sees: not handled
            await services.conversations.handle(
                Incoming("telegram", str(user_id), "en", action=Text("x"), event_id=None)
            )
        assert [r.text.lstrip("\u200f") for r in raised.value.replies] == [down_text]
        assert sample("ssw_errors_total", where="database") >= errors + 3
        assert sample("ssw_updates_total", kind="callback_query", result="error") == failed + 1

        await mend()  # type: ignore[operator]
        turn = await person.tap("📝 Register with OEC for Japan")  # the old button still works
        assert person._("✅ I agree") in [label.lstrip("\u200f") for label in turn.labels]
        state = await services.repository.state_of("telegram", str(user_id))
        assert state is not None and state.get("flow") == "registration"
        assert "Test Worker Outage" not in str(state)  # nothing of the outage was stored


async def test_postgresql_behind_a_proxy_that_goes_away(api: FakeBotApi, postgres_url: str) -> None:
    server = make_url(postgres_url)
    proxy = TcpProxy(server.host or "127.0.0.1", server.port or 5432)
    await proxy.open()
    url = server.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    try:
        await outage_then_recovery(api, url, 8501, proxy.close, proxy.open)
    finally:
        await proxy.close()


async def test_a_locked_sqlite_file(api: FakeBotApi, sqlite_url: str) -> None:
    path = Path(make_url(sqlite_url).database or "")
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)

    async def lock() -> None:
        holder.execute("BEGIN EXCLUSIVE")  # another process holding the file

    async def unlock() -> None:
        holder.execute("ROLLBACK")

    try:
        await outage_then_recovery(api, sqlite_url, 8502, lock, unlock)
    finally:
        holder.close()
