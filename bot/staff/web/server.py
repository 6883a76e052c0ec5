"""Serving the staff web app: on its own (``ssw-bot web``) or inside the bot's process."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.config import Settings
from bot.staff.web.app import AccessLogger, create_app
from bot.staff.web.state import WebConfig

log = logging.getLogger(__name__)


def web_config(settings: Settings) -> WebConfig:
    return WebConfig(
        secret_key=settings.staff_secret_key,
        session_minutes=settings.staff_session_minutes,
        secure_cookies=settings.staff_secure_cookies,
        trust_proxy=settings.staff_trust_proxy,
        metrics_token=settings.metrics_token,
        timezone=settings.timezone,
    )


def serve(settings: Settings) -> None:
    """Run until interrupted (blocking)."""
    app = create_app(web_config(settings), settings.database())
    log.info("staff web app on http://%s:%s", settings.staff_host, settings.staff_port)
    web.run_app(
        app,
        host=settings.staff_host,
        port=settings.staff_port,
        access_log_class=AccessLogger,
        print=None,
    )


async def start(settings: Settings) -> web.AppRunner:
    """Start serving in the running event loop (the bot's); ``await runner.cleanup()`` stops."""
    runner = web.AppRunner(
        create_app(web_config(settings), settings.database()), access_log_class=AccessLogger
    )
    await runner.setup()
    await web.TCPSite(runner, settings.staff_host, settings.staff_port).start()
    log.info("staff web app on http://%s:%s", settings.staff_host, settings.staff_port)
    return runner
