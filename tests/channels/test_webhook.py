"""Webhook mode (bot.channels.webhook): the fake Bot API delivers updates over real HTTP to our
route, in the staff web app's aiohttp application or alone, on SQLite and PostgreSQL.

The secret header, malformed and unknown updates, 500 when a handler failed (and the
redelivery), exact de-duplication (a redelivered update once, an older update arriving after a
newer one applied), a double-tapped Submit, and the reply's last message carried in the
webhook response, which takes its place in the bot's limits like a call (the fake counts it in
its 30 a second, as Telegram does).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from telegram import Update
from telegram.ext import ContextTypes, TypeHandler

from bot.app import Services, build_services
from bot.channels.limits import BULK, Limits, LimitSettings
from bot.channels.telegram import build_application
from bot.channels.webhook import SECRET_HEADER, WebhookConfig, add_route, start, stop
from bot.staff.web.app import create_app
from bot.staff.web.state import WebConfig
from tests.channels.conftest import Person, at_menu
from tests.conftest import TODAY
from tests.fake_bot_api import TOKEN, FakeBotApi

SECRET = "webhook-secret_0123456789"
PUBLIC_URL = "https://bot.example.org/telegram/hook"


@asynccontextmanager
async def webhook_bot(
    api: FakeBotApi, database_url: str, with_web: bool = False, limits: Limits | None = None
) -> AsyncIterator[tuple[Services, str, Any]]:
    """Our bot in webhook mode on a free port; the fake delivers to it (as a reverse proxy
    would, from the public URL). Yields the services, the local URL and the application."""
    services = build_services(database_url, today=lambda: TODAY)
    application = build_application(
        services.conversations,
        TOKEN,
        base_url=api.base_url,
        base_file_url=api.base_file_url,
        webhook=True,
        limits=limits,
    )
    config = WebhookConfig(url=PUBLIC_URL, secret=SECRET, port=0, max_connections=8)
    app = (
        create_app(WebConfig(secret_key="k" * 32), database=services.database)
        if with_web
        else web.Application()
    )
    api.webhook.retry_delay = 0.02
    runner = await start(application, config, add_route(app, application, config))
    local = f"http://127.0.0.1:{runner.addresses[0][1]}{config.path}"
    api.webhook.targets = [local]
    try:
        yield services, local, application
    finally:
        await api.webhook.delete()
        await stop(application, runner)
        await services.close()


async def post(url: str, body: bytes | dict[str, Any], secret: str | None = SECRET) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=data, headers=headers) as r,
    ):
        return r.status


def text_update(update_id: int, user_id: int, text: str) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "from": {"id": user_id, "is_bot": False, "first_name": "W", "language_code": "en"},
            "chat": {"id": user_id, "type": "private", "first_name": "W"},
            "date": int(time.time()),
            "text": text,
        },
    }


async def test_a_conversation_over_the_webhook_with_the_staff_web_app(
    api: FakeBotApi, database_url: str
) -> None:
    async with webhook_bot(api, database_url, with_web=True) as (_services, local, _):
        assert api.calls_to("setWebhook") == [
            {
                "url": PUBLIC_URL,
                "secret_token": SECRET,
                "allowed_updates": ["message", "callback_query", "my_chat_member"],
                "max_connections": 8,
            }
        ]
        person = await at_menu(api, 8101)
        turn = await person.tap("📝 Register with OEC for Japan")
        assert "Step" in turn.text
        await api.wait_idle()
        # the staff web app answers from the same aiohttp application
        sign_in = local.rsplit("/telegram", 1)[0] + "/sign-in"
        async with aiohttp.ClientSession() as session, session.get(sign_in) as response:
            assert response.status == 200 and "<form" in await response.text()
    # every reply's last message went in the webhook response, not as a call of its own
    # (a tap's answer and the old question's edit are made after it)
    assert [body["method"] for body in api.webhook.executed] == ["sendMessage"] * 3
    assert all(a.result == "200" for a in api.webhook.attempts)
    assert api.unanswered_callback_queries == []


async def test_the_secret_header_is_required(api: FakeBotApi, database_url: str) -> None:
    async with webhook_bot(api, database_url) as (services, local, _):
        api.user(8102)
        assert await post(local, text_update(900, 8102, "/start"), secret=None) == 403
        assert await post(local, text_update(900, 8102, "/start"), secret="wrong") == 403
        assert await post(local, text_update(900, 8102, "/start"), secret=SECRET[:-1]) == 403
        assert await services.repository.state_of("telegram", "8102") is None
        assert await post(local, text_update(900, 8102, "/start")) == 200
        assert await services.repository.state_of("telegram", "8102") is not None


async def test_malformed_and_unknown_updates(
    api: FakeBotApi, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with webhook_bot(api, database_url) as (_, local, _app):
        assert await post(local, b'{"update_id": 5, "message": {"text": "42101-48172') == 400
        assert await post(local, b"[1, 2, 3]") == 400
        assert await post(local, {"message": {"text": "no update id"}}) == 400
        unknown = {"update_id": 6, "chat_boost": {"chat": {"id": 1, "type": "channel"}}}
        assert await post(local, unknown) == 200
        assert await post(local, {"update_id": 7, "something_new": {"x": 1}}) == 200
    assert "42101" not in caplog.text and "no update id" not in caplog.text
    assert "malformed update" in caplog.text


async def test_a_failed_handler_answers_500_and_the_redelivery_has_its_effect_once(
    api: FakeBotApi, database_url: str
) -> None:
    failures: list[int] = []

    async def fail_once(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        if not failures:
            failures.append(update.update_id)
            raise RuntimeError("after the conversation handler")

    async with webhook_bot(api, database_url) as (services, _local, application):
        application.add_handler(TypeHandler(Update, fail_once), group=1)
        user = api.user(8103)
        await user.send("/start")
        await api.wait_idle()
        results = [a.result for a in api.webhook.attempts]
        assert results == ["500", "200"]
        assert len(set(a.update_id for a in api.webhook.attempts)) == 1
        await asyncio.sleep(0.1)
        # the language question, once: left to the response, then sent by us with the 500
        assert len(api.messages(8103)) == 1 and api.webhook.executed == []
        events = await services.repository.funnel_events()
        assert events == []  # nothing recorded twice (nothing yet at the language question)


async def test_a_redelivered_update_has_its_effect_once(api: FakeBotApi, database_url: str) -> None:
    async with webhook_bot(api, database_url) as (services, _local, _):
        person = await at_menu(api, 8104)
        await person.tap("📝 Register with OEC for Japan")
        await person.tap("✅ I agree")
        api.webhook.twice()  # the name reaches the bot twice, at the same time
        await person.user.send("Asha Bibi")
        await api.wait_idle()
        await asyncio.sleep(0.1)
        turns = await person.user.replies_until_idle(quiet=0.2)
        assert sum("CNIC" in m.text for m in turns) == 1
        state = await services.repository.state_of("telegram", "8104")
        assert state is not None and state["answers"]["registration"]["full_name"] == "Asha Bibi"
        steps = [e.step for e in await services.repository.funnel_events() if e.kind == "step"]
        assert steps.count("cnic") == 1


async def test_an_older_update_arriving_after_a_newer_one_is_applied(
    api: FakeBotApi, database_url: str
) -> None:
    async with webhook_bot(api, database_url) as (_services, local, _):
        person = await at_menu(api, 8105)
        before = len(api.messages(8105))
        base = 10_000
        assert await post(local, text_update(base + 2, 8105, "/privacy")) == 200
        assert await post(local, text_update(base + 1, 8105, "/help")) == 200  # older, later
        assert await post(local, text_update(base + 2, 8105, "/privacy")) == 200  # again
        assert await post(local, text_update(base + 1, 8105, "/help")) == 200  # again
        texts = [m.text for m in api.messages(8105)[before:]]
        assert sum(text.startswith("Privacy notice") for text in texts) == 1
        assert sum(text.startswith("This bot helps you") for text in texts) == 1
        assert person.user.last is not None


async def answer_until_review(person: Person) -> None:
    await person.tap("📝 Register with OEC for Japan")
    await person.tap("✅ I agree")
    await person.say("Test Worker")
    await person.say("42101-4817263-5")
    await person.say("0300 1234567")
    await person.say("15/03/1998")
    for label in ("Male", "Punjab"):
        await person.tap(label)
    await person.say("Lahore")
    await person.tap("Matric (class 10)")
    await person.say("3")
    await person.tap("Construction")
    await person.tap("✅ Done")
    await person.tap("I am learning now")
    await person.tap("JLPT N5", translate=False)
    await person.tap("✅ Done")
    for label in ("No", "Yes", "No, never"):
        await person.tap(label)


async def test_a_double_tapped_submit_makes_one_lead(api: FakeBotApi, database_url: str) -> None:
    async with webhook_bot(api, database_url) as (services, _local, _):
        person = await at_menu(api, 8106)
        await answer_until_review(person)
        await person.user.tap_data("r:ok")
        await person.user.tap_data("r:ok")  # the same button, a moment later
        await api.wait_idle()
        messages = await person.user.replies_until_idle(quiet=0.3)
        leads = await services.repository.leads()
        assert len(leads) == 1
        assert sum(leads[0].reference in m.text for m in messages) == 1
        funnel = await services.repository.funnel("registration")
        assert funnel["registered"] == 1


async def test_a_delivery_that_timed_out_still_gets_its_reply_once(
    api: FakeBotApi, database_url: str
) -> None:
    """Telegram gave up waiting (the bot was slow) and delivers again: the reply left to the
    response, which nobody reads now, is sent by a call of its own, and only once."""
    async with webhook_bot(api, database_url) as (services, _local, _):
        person = await at_menu(api, 8107)
        api.webhook.timeout = 0.3
        await api._set_webhook({"url": PUBLIC_URL, "secret_token": SECRET})  # new timeout
        async with services.repository.user("telegram", "8107"):  # the bot waits for the row,
            await person.user.tap("📝 Register with OEC for Japan")  # longer than the fake
            await asyncio.sleep(0.6)
        await api.wait_idle(timeout=10)
        await asyncio.sleep(1.5)  # the reply, sent after the fake stopped waiting
        messages = await person.user.replies_until_idle(quiet=0.5)
        results = [a.result for a in api.webhook.attempts]
        assert any("Timeout" in result for result in results), results
        assert sum("Step 1 of 16" in m.text for m in messages) == 1


async def test_a_webhook_reply_takes_a_place_in_the_window(
    api: FakeBotApi, database_url: str
) -> None:
    """One message a second: the reply that rode the response holds the window's place, so
    the next send waits a second from when Telegram got it (not a moment)."""
    limits = Limits(LimitSettings(per_second=1.0))
    async with webhook_bot(api, database_url, limits=limits):
        user = api.user(8108)
        window = limits._overall
        before = len(window.sends)
        await user.send("/start")
        assert "language" in (await user.reply()).text.lower()
        await api.wait_idle()
        assert [body["method"] for body in api.webhook.executed] == ["sendMessage"]
        assert len(window.sends) == before + 1 and window.sends[-1].answered
        arrived = api.times_of("sendMessage")[-1]
        await limits.acquire("8109")
        assert time.monotonic() - arrived > 0.95


async def test_webhook_replies_go_out_without_a_429_while_bulk_fills_the_window(
    api: FakeBotApi, database_url: str
) -> None:
    """Bulk may take all 30 places of a second here; replies riding webhook responses still
    take theirs first, and the strict fake (30 in any second, responses counted) refuses
    nothing: without their places each would be a 31st."""
    limits = Limits(LimitSettings(bulk_per_second=30.0))
    async with webhook_bot(api, database_url, limits=limits) as (_services, _local, application):
        bulk_chats = range(8200, 8290)  # three seconds' worth
        for chat in bulk_chats:
            api.user(chat)
        users = [api.user(chat) for chat in range(8110, 8114)]
        api.rate_limit = 30
        bulk = [
            asyncio.create_task(application.bot.send_message(chat, "news", rate_limit_args=BULK))
            for chat in bulk_chats
        ]
        await asyncio.sleep(1.2)  # the window is full of bulk sends
        for user in users:
            await user.send("/start")
            await asyncio.sleep(0.3)
        await asyncio.gather(*bulk)
        await api.wait_idle()
        for user in users:
            assert "language" in (await user.reply()).text.lower()
    assert api.too_many == []
    assert [body["method"] for body in api.webhook.executed] == ["sendMessage"] * len(users)
    assert sum(m.text == "news" for chat in bulk_chats for m in api.messages(chat)) == 90
