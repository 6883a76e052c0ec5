"""A bare python-telegram-bot echo bot: the baseline for ``bench/registration_load.py``.

Long polling, ``concurrent_updates(256)``, nothing else: every text is answered with the same
text (``sendMessage``), every callback query with ``answerCallbackQuery`` and a
``sendMessage`` of its callback data. No database, no per-user ordering, no logging setup.

Reads the same environment variables as ``ssw-bot run``::

    TELEGRAM_BOT_TOKEN=... TELEGRAM_API_BASE_URL=http://127.0.0.1:8081/bot \\
    TELEGRAM_API_FILE_URL=http://127.0.0.1:8081/file/bot .venv/bin/python bench/echo_bot.py
"""

from __future__ import annotations

import os
import sys
from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)


async def echo_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None or message.text is None:
        return
    await context.bot.send_message(message.chat_id, message.text)


async def echo_callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    chat = update.effective_chat
    if query is None:
        return
    await query.answer()
    if chat is not None:
        await context.bot.send_message(chat.id, query.data or "?")


def build(
    token: str, base_url: str, base_file_url: str
) -> Application[Any, Any, Any, Any, Any, Any]:
    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url)
        .base_file_url(base_file_url)
        .concurrent_updates(256)
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo_text))
    application.add_handler(CallbackQueryHandler(echo_callback))
    return application


def main() -> int:
    token = os.environ.get("TELEGRAM_BOT_TOKEN", "")
    if not token:
        print("echo_bot: TELEGRAM_BOT_TOKEN is not set", file=sys.stderr)
        return 2
    application = build(
        token,
        os.environ.get("TELEGRAM_API_BASE_URL", "https://api.telegram.org/bot"),
        os.environ.get("TELEGRAM_API_FILE_URL", "https://api.telegram.org/file/bot"),
    )
    application.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


if __name__ == "__main__":
    sys.exit(main())
