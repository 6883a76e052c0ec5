"""The fake Bot API's webhook delivery (``tests/fake_webhook.py``), against real HTTP receivers:
the secret header, retries, deliveries in flight, round robin, double delivery, and methods
returned in webhook responses."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiohttp import web
from telegram import Bot
from telegram.error import Conflict

from tests.fake_bot_api import TOKEN, FakeBotApi

Answer = Callable[[dict[str, Any]], web.StreamResponse]


class Receiver:
    """A webhook endpoint on a real port: records what arrives, answers with ``answer``."""

    def __init__(self, answer: Answer | None = None, hold: asyncio.Event | None = None) -> None:
        self.answer = answer or (lambda _update: web.Response(status=200))
        self.hold = hold  # when set, every request waits for this event
        self.updates: list[dict[str, Any]] = []
        self.secrets: list[str | None] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def _receive(self, request: web.Request) -> web.StreamResponse:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            update = json.loads(await request.read())
            self.updates.append(update)
            self.secrets.append(request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
            if self.hold is not None:
                await self.hold.wait()
            return self.answer(update)
        finally:
            self.in_flight -= 1

    async def start(self, port: int = 0) -> None:
        app = web.Application()
        app.router.add_post("/hook", self._receive)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/hook"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


@asynccontextmanager
async def receiving(*receivers: Receiver) -> AsyncIterator[None]:
    for receiver in receivers:
        await receiver.start()
    try:
        yield
    finally:
        for receiver in receivers:
            await receiver.stop()


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    bot = Bot(TOKEN, base_url=api.base_url, base_file_url=api.base_file_url)
    async with bot:
        yield bot


async def eventually(check: Callable[[], bool], timeout: float = 5.0) -> None:  # noqa: ASYNC109
    """Wait until ``check()`` holds: what it reads is changed by servers, not by an event."""
    async with asyncio.timeout(timeout):
        while not check():  # noqa: ASYNC110
            await asyncio.sleep(0.01)


async def test_updates_are_posted_with_the_secret_and_get_updates_is_refused(
    api: FakeBotApi, bot: Bot
) -> None:
    receiver = Receiver()
    async with receiving(receiver):
        await api.user(7001).send("before the webhook")  # waiting for getUpdates: delivered too
        assert await bot.set_webhook(receiver.url, secret_token="s3cret-token_1")
        await api.user(7001).send("hello")
        await api.wait_idle()
        assert [u["message"]["text"] for u in receiver.updates] == ["before the webhook", "hello"]
        assert receiver.secrets == ["s3cret-token_1", "s3cret-token_1"]
        assert [u["update_id"] for u in receiver.updates] == [1, 2]
        with pytest.raises(Conflict):
            await bot.get_updates()
        info = await bot.get_webhook_info()
        assert info.url == receiver.url and info.pending_update_count == 0


async def test_a_failed_delivery_is_retried_until_acknowledged(api: FakeBotApi, bot: Bot) -> None:
    answers = iter([500, 502, 200])
    receiver = Receiver(lambda _update: web.Response(status=next(answers)))
    api.webhook.retry_delay = 0.01
    async with receiving(receiver):
        await bot.set_webhook(receiver.url)
        await api.user(7002).send("retry me")
        await api.wait_idle()
    assert [a.result for a in api.webhook.attempts] == ["500", "502", "200"]
    assert len(receiver.updates) == 3 and len({u["update_id"] for u in receiver.updates}) == 1
    assert set(api.webhook.acknowledged) == {receiver.updates[0]["update_id"]}


async def test_a_connection_error_is_retried_until_the_bot_listens(
    api: FakeBotApi, bot: Bot
) -> None:
    receiver = Receiver()
    await receiver.start()
    url, port = receiver.url, int(receiver.url.split(":")[2].split("/")[0])
    await receiver.stop()  # nobody listens on the port now
    api.webhook.retry_delay = 0.02
    await bot.set_webhook(url)
    await api.user(7003).send("anyone there?")
    await eventually(lambda: len(api.webhook.attempts) >= 2)
    assert all(a.result.startswith("Client") for a in api.webhook.attempts)
    late = Receiver()
    await late.start(port)
    try:
        await api.wait_idle()
    finally:
        await late.stop()
    assert [u["message"]["text"] for u in late.updates] == ["anyone there?"]
    assert api.webhook.attempts[-1].result == "200"


async def test_at_most_max_connections_deliveries_are_in_flight(api: FakeBotApi, bot: Bot) -> None:
    hold = asyncio.Event()
    receiver = Receiver(hold=hold)
    async with receiving(receiver):
        await bot.set_webhook(receiver.url, max_connections=3)
        for n in range(8):
            await api.user(7100 + n).send(f"update {n}")
        await eventually(lambda: receiver.in_flight == 3)
        await asyncio.sleep(0.1)  # no fourth arrives while three are held
        assert receiver.in_flight == 3 and len(receiver.updates) == 3
        hold.set()
        await api.wait_idle()
    assert receiver.most_in_flight == 3 and len(receiver.updates) == 8


async def test_round_robin_over_several_instances(api: FakeBotApi, bot: Bot) -> None:
    first, second = Receiver(), Receiver()
    async with receiving(first, second):
        api.webhook.targets = [first.url, second.url]
        await bot.set_webhook("https://bot.example.org/hook", max_connections=1)
        for n in range(6):
            await api.user(7200).send(f"message {n}")
        await api.wait_idle()
    assert [u["message"]["text"] for u in first.updates] == ["message 0", "message 2", "message 4"]
    assert [u["message"]["text"] for u in second.updates] == ["message 1", "message 3", "message 5"]


async def test_one_update_delivered_twice_at_once(api: FakeBotApi, bot: Bot) -> None:
    hold = asyncio.Event()
    first, second = Receiver(hold=hold), Receiver(hold=hold)
    async with receiving(first, second):
        api.webhook.targets = [first.url, second.url]
        await bot.set_webhook("https://bot.example.org/hook")
        api.webhook.twice()
        await api.user(7300).send("twice")
        await eventually(lambda: first.in_flight == 1 and second.in_flight == 1)
        hold.set()
        await api.user(7300).send("once")
        await api.wait_idle()
    assert first.updates[0] == second.updates[0]
    texts = [u["message"]["text"] for u in first.updates + second.updates]
    assert sorted(texts) == ["once", "twice", "twice"]


async def test_a_method_in_the_webhook_response_is_executed(api: FakeBotApi, bot: Bot) -> None:
    def answer(update: dict[str, Any]) -> web.StreamResponse:
        chat = update["message"]["chat"]["id"]
        markup = {"inline_keyboard": [[{"text": "OK", "callback_data": "ok"}]]}
        return web.json_response(
            {
                "method": "sendMessage",
                "chat_id": chat,
                "text": "from the response",
                "reply_markup": markup,
            }
        )

    api.delay = 0.5  # a method in the response pays no network delay
    receiver = Receiver(answer)
    async with receiving(receiver):
        await bot.set_webhook(receiver.url)
        user = api.user(7400)
        await user.send("hi")
        message = await user.reply(timeout=0.4)
    assert message.text == "from the response" and message.button_labels() == ["OK"]
    assert api.calls_to("sendMessage")[-1]["chat_id"] == 7400
    assert api.webhook.executed[0]["method"] == "sendMessage"


async def test_a_message_in_the_webhook_response_counts_in_the_rate_limit(
    api: FakeBotApi, bot: Bot
) -> None:
    """Telegram executes it as a call, counted alike: beyond the limit it is refused (its
    429 goes nowhere) and the message never arrives."""

    def answer(update: dict[str, Any]) -> web.StreamResponse:
        chat = update["message"]["chat"]["id"]
        return web.json_response({"method": "sendMessage", "chat_id": chat, "text": "late"})

    receiver = Receiver(answer)
    async with receiving(receiver):
        await bot.set_webhook(receiver.url)
        user = api.user(7401)
        api.rate_limit = 1
        await bot.send_message(7401, "by a call")
        await user.send("hi")
        await api.wait_idle()
        await asyncio.sleep(0.1)
    assert api.webhook.executed[0]["text"] == "late"
    assert len(api.too_many) == 1
    assert [m.text for m in api.messages(7401)] == ["by a call"]


async def test_after_delete_webhook_long_polling_gets_what_was_not_delivered(
    api: FakeBotApi, bot: Bot
) -> None:
    receiver = Receiver(lambda _update: web.Response(status=503))
    api.webhook.retry_delay = 0.05
    async with receiving(receiver):
        await bot.set_webhook(receiver.url)
        await api.user(7500).send("never acknowledged")
        await eventually(lambda: len(receiver.updates) >= 1)
        await bot.delete_webhook()
    updates = await bot.get_updates(timeout=0)
    assert [u.message.text for u in updates if u.message] == ["never acknowledged"]
