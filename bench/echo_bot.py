"""A bare python-telegram-bot echo bot in webhook mode: the baseline for ``bench/webhook_load.py``.

As fast as a bare PTB echo bot can be made on the same harness: ``.updater(None)``, an aiohttp
route that checks the secret header, turns the JSON into an ``Update`` and runs the
application's handlers on it, and answers with the echo as the webhook response's method (a
``sendMessage``: no round trip of its own). A callback query's data is echoed the same way;
its ``answerCallbackQuery`` is a call of its own, started without waiting for it. No database,
no per-user ordering, no logging setup.

    TELEGRAM_BOT_TOKEN=... TELEGRAM_API_BASE_URL=http://127.0.0.1:8081/bot \\
    TELEGRAM_WEBHOOK_SECRET=... TELEGRAM_WEBHOOK_PORT=8443 \\
    .venv/bin/python bench/echo_bot.py https://host/path
"""

from __future__ import annotations

import asyncio
import hmac
import json
import os
import signal
import sys
from contextvars import ContextVar
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

ANSWER: ContextVar[dict[str, Any] | None] = ContextVar("echo_answer", default=None)
BACKGROUND: set[asyncio.Task[Any]] = set()


async def echo_text(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    answer = ANSWER.get()
    if message is not None and message.text is not None and answer is not None:
        answer.update(method="sendMessage", chat_id=message.chat_id, text=message.text)


async def echo_callback(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    chat = update.effective_chat
    answer = ANSWER.get()
    if query is None:
        return
    task = asyncio.get_running_loop().create_task(query.answer())
    BACKGROUND.add(task)
    task.add_done_callback(BACKGROUND.discard)
    if chat is not None and answer is not None:
        answer.update(method="sendMessage", chat_id=chat.id, text=query.data or "?")


def build(token: str, base_url: str) -> Application[Any, Any, Any, Any, Any, Any]:
    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url)
        .updater(None)
        .connection_pool_size(256)
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo_text))
    application.add_handler(CallbackQueryHandler(echo_callback))
    return application


def route(
    application: Application[Any, Any, Any, Any, Any, Any], secret: str, path: str
) -> web.Application:
    expected = secret.encode()

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "").encode()
        if not hmac.compare_digest(given, expected):
            return web.Response(status=403)
        try:
            update = Update.de_json(json.loads(await request.read()), application.bot)
        except ValueError:
            return web.Response(status=400)
        answer: dict[str, Any] = {}
        token = ANSWER.set(answer)
        try:
            await application.process_update(update)
        finally:
            ANSWER.reset(token)
        return web.json_response(answer) if answer else web.Response()

    app = web.Application()
    app.router.add_post(path, receive)
    return app


async def serve(url: str) -> None:
    secret = os.environ.get("TELEGRAM_WEBHOOK_SECRET", "")
    application = build(
        os.environ["TELEGRAM_BOT_TOKEN"],
        os.environ.get("TELEGRAM_API_BASE_URL", "https://api.telegram.org/bot"),
    )
    await application.initialize()
    await application.start()
    runner = web.AppRunner(route(application, secret, urlsplit(url).path or "/"), access_log=None)
    await runner.setup()
    port = int(os.environ.get("TELEGRAM_WEBHOOK_PORT", "8081"))
    await web.TCPSite(runner, "127.0.0.1", port, backlog=1024).start()
    await application.bot.set_webhook(
        url, secret_token=secret, allowed_updates=["message", "callback_query"], max_connections=100
    )
    stopping = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(signum, stopping.set)
    await stopping.wait()
    await runner.cleanup()
    await application.stop()
    await application.shutdown()


def main() -> int:
    if not os.environ.get("TELEGRAM_BOT_TOKEN") or len(sys.argv) != 2:
        print("usage: TELEGRAM_BOT_TOKEN=... echo_bot.py https://host/path", file=sys.stderr)
        return 2
    asyncio.run(serve(sys.argv[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
