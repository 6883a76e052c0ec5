"""``AiohttpRequest`` under a real python-telegram-bot ``Bot``, over real HTTP to the fake Bot
API: calls and uploads go through, Telegram's answers become PTB's exceptions, timeouts and
dropped connections become ``TimedOut`` and ``NetworkError``, every call is counted by method
and result, many calls in flight share a bounded pool, and no request tries to import sniffio.
"""

from __future__ import annotations

import asyncio
import importlib.abc
import sys
from collections.abc import AsyncIterator, Sequence
from types import ModuleType

import pytest
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.request import BaseRequest, HTTPXRequest

from bot.channels.request import AiohttpRequest
from bot.metrics import REGISTRY
from tests.fake_bot_api import TOKEN, FakeBotApi


def calls_counted(method: str, result: str) -> float:
    value = REGISTRY.get_sample_value("ssw_api_calls_total", {"method": method, "result": result})
    return value or 0.0


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    request = AiohttpRequest(connection_pool_size=8, read_timeout=0.5)
    async with Bot(
        TOKEN,
        base_url=api.base_url,
        base_file_url=api.base_file_url,
        request=request,
        get_updates_request=AiohttpRequest(connection_pool_size=1),
    ) as ptb_bot:
        yield ptb_bot


async def test_messages_keyboards_and_uploads_go_through(api: FakeBotApi, bot: Bot) -> None:
    api.user(501)
    sent = await bot.send_message(501, "سلام 👋 <b>not html</b>", reply_markup=None)
    assert sent.text == "سلام 👋 <b>not html</b>"
    await bot.send_document(501, b"cnic,name\n1,x\n", filename="leads.csv", caption="Export")
    messages = api.messages(501)
    assert [m.text for m in messages] == ["سلام 👋 <b>not html</b>", "Export"]
    document = messages[1].document
    assert document is not None and document.data == b"cnic,name\n1,x\n"
    assert document.filename == "leads.csv"


async def test_telegram_answers_become_ptbs_exceptions(api: FakeBotApi, bot: Bot) -> None:
    api.user(502).blocked = True
    with pytest.raises(Forbidden):
        await bot.send_message(502, "hi")
    with pytest.raises(BadRequest):
        await bot.send_message(999_999, "nobody")
    api.user(503)
    api.retry_after_once("sendMessage", 7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(503, "hi")
    assert caught.value.retry_after.total_seconds() == 7  # type: ignore[union-attr]


async def test_faults_become_timed_out_and_network_error(api: FakeBotApi, bot: Bot) -> None:
    api.user(504)
    api.fail_once("sendMessage", "slow", seconds=2.0)
    with pytest.raises(TimedOut):
        await bot.send_message(504, "slow")
    api.fail_once("sendMessage", "reset")
    with pytest.raises(NetworkError) as reset:
        await bot.send_message(504, "reset")
    assert not isinstance(reset.value, TimedOut | BadRequest)
    api.fail_once("sendMessage", "500")
    with pytest.raises(NetworkError):
        await bot.send_message(504, "500")
    await bot.send_message(504, "fine")  # the session recovers from all of it
    assert [m.text for m in api.messages(504)][-1] == "fine"


async def test_every_call_is_counted_by_method_and_result(api: FakeBotApi, bot: Bot) -> None:
    api.user(505)
    api.user(506).blocked = True
    before = {
        key: calls_counted(*key)
        for key in [
            ("sendMessage", "ok"),
            ("sendMessage", "forbidden"),
            ("sendMessage", "server_error"),
            ("sendMessage", "network"),
            ("getMe", "ok"),
        ]
    }
    await bot.send_message(505, "one")
    await bot.send_message(505, "two")
    with pytest.raises(Forbidden):
        await bot.send_message(506, "blocked")
    api.fail_once("sendMessage", "500")
    api.fail_once("sendMessage", "reset")
    for _ in range(2):
        with pytest.raises(NetworkError):
            await bot.send_message(505, "x")
    await bot.get_me()
    after = {key: calls_counted(*key) - value for key, value in before.items()}
    assert after == {
        ("sendMessage", "ok"): 2,
        ("sendMessage", "forbidden"): 1,
        ("sendMessage", "server_error"): 1,
        ("sendMessage", "network"): 1,
        ("getMe", "ok"): 1,
    }


async def test_many_calls_in_flight_share_a_bounded_pool(api: FakeBotApi, bot: Bot) -> None:
    api.delay = 0.05
    for chat in range(600, 620):
        api.user(chat)
    await asyncio.gather(
        *(bot.send_message(600 + i % 20, f"m{i}") for i in range(200))
    )  # 200 at once over 8 connections: none times out waiting for one
    assert sum(len(api.messages(chat)) for chat in range(600, 620)) == 200


class ImportWatch(importlib.abc.MetaPathFinder):
    """Records every module an import statement looks for that is not loaded yet."""

    def __init__(self) -> None:
        self.looked_for: list[str] = []

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> None:
        self.looked_for.append(fullname)


async def sniffio_lookups(api: FakeBotApi, request: BaseRequest) -> int:
    api.user(507)
    async with Bot(TOKEN, base_url=api.base_url, request=request) as ptb_bot:
        await ptb_bot.send_message(507, "warm up")
        watch = ImportWatch()
        sys.meta_path.insert(0, watch)
        try:
            for i in range(10):
                await ptb_bot.send_message(507, f"m{i}")
        finally:
            sys.meta_path.remove(watch)
    return watch.looked_for.count("sniffio")


@pytest.mark.skipif("sniffio" in sys.modules, reason="sniffio is installed here")
async def test_no_request_tries_to_import_sniffio(api: FakeBotApi) -> None:
    assert await sniffio_lookups(api, HTTPXRequest()) >= 10  # PTB's default does, each time
    assert await sniffio_lookups(api, AiohttpRequest()) == 0


async def test_values_go_as_json_values_so_long_polling_waits(api: FakeBotApi, bot: Bot) -> None:
    started = asyncio.get_running_loop().time()
    assert await bot.get_updates(timeout=1) == ()
    assert asyncio.get_running_loop().time() - started >= 0.9  # not answered at once
    (params,) = api.calls_to("getUpdates")
    assert params["timeout"] == 1  # a number, not "1"
