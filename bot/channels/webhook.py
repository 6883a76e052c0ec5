"""Webhook mode: Telegram POSTs updates to our aiohttp route instead of being long polled.

``ssw-bot run --webhook https://host/path`` builds the PTB Application with ``.updater(None)``
and serves ``/path`` from an aiohttp application (the staff web app's, with ``--web``; else one
with this route alone). On start it calls ``setWebhook`` with the secret, the update types we
handle and ``max_connections``; on stop it leaves the webhook set (other instances may serve it).

The route (``receive``):

* ``X-Telegram-Bot-Api-Secret-Token`` must equal the secret (``hmac.compare_digest``): 403.
* A body that is not a JSON update: 400, logged by size only (never its content).
* The update is handled to completion inside the request, through the application's update
  processor (one user's updates in order within the process) and its handlers; the
  conversation's transaction has committed when the handler returns. An error escaping a
  handler (PTB hands it to the error handlers, ``mark_failed`` notes it): 500, so Telegram
  delivers the update again, and the de-duplication in the database applies it once.
* Otherwise 200, with the one Bot API call the reply left to the response as its body
  (``bot.channels.deferred``): Telegram executes it, a round trip saved. An update of a type we
  do not handle is answered 200 with an empty body.
* That call took its place in the bot's limits before it was left to the response (Telegram
  counts it as a call, ``bot.channels.limits``); the route writes the response itself and
  then tells the slot it left (``Slot.left``). When the response will not carry it (a 500, a
  connection Telegram closed), the place counts from then and the call made instead takes
  one of its own (counted twice for a second: rare, and on the safe side).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
import signal
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.typedefs import Handler
from telegram import Update
from telegram.ext import Application, ContextTypes
from telegram.warnings import PTBUserWarning

from bot.channels import deferred
from bot.logsafe import describe
from bot.metrics import ERRORS

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SECRET_FORMAT = re.compile(r"[A-Za-z0-9_-]{1,256}")
ALLOWED_UPDATES = ("message", "callback_query", "my_chat_member")  # what the bot reads
ROUTE_NAME = "telegram_webhook"

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


@dataclass(frozen=True)
class WebhookConfig:
    url: str
    secret: str
    host: str = "127.0.0.1"
    port: int = 8081
    max_connections: int = 40

    @property
    def path(self) -> str:
        return urlsplit(self.url).path or "/"


def config_problem(url: str, secret: str, with_web: bool) -> str | None:
    """What is wrong with the webhook's URL or secret, in words for the operator (or None)."""
    parts = urlsplit(url)
    if parts.scheme not in {"https", "http"} or not parts.netloc:
        return f"ssw-bot: --webhook needs a full URL like https://bot.example.org/tg, not {url!r}"
    if with_web and parts.path in {"", "/"}:
        return "ssw-bot: with --web the webhook URL needs a path of its own, e.g. https://host/tg"
    if not secret:
        return (
            "ssw-bot: webhook mode needs a secret. Put TELEGRAM_WEBHOOK_SECRET=... (1 to 256 "
            "characters: letters, digits, _ and -) in the environment or in a .env file, for "
            "example the output of: python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )
    if not SECRET_FORMAT.fullmatch(secret):
        return (
            "ssw-bot: TELEGRAM_WEBHOOK_SECRET may hold only letters, digits, _ and - "
            "(1 to 256 characters)"
        )
    return None


async def _mark_failed(_update: object, _context: ContextTypes.DEFAULT_TYPE) -> None:
    """An error handler: the update being handled failed (its webhook answer will be 500)."""
    deferred.mark_failed()


def receive(
    application: AnyApplication, secret: str
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """The route handler for Telegram's POSTs (see the module docstring)."""
    expected = secret.encode()
    application.add_error_handler(_mark_failed)

    async def handle(request: web.Request) -> web.StreamResponse:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            return web.Response(status=403)
        try:
            data = json.loads(await request.read())
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                raise ValueError("not an update")
            update = Update.de_json(data, application.bot)
        except Exception:  # whatever it was, its content is not logged
            ERRORS.labels("webhook").inc()
            log.warning("webhook: malformed update (%s bytes)", request.content_length)
            return web.Response(status=400)
        slot, token = deferred.open_slot()
        try:  # whatever happens (even a cancellation), the call's place is released
            try:
                await application.update_processor.process_update(
                    update, application.process_update(update)
                )
            except Exception as exc:  # PTB hands handler errors on; this is ours
                log.error("webhook: update %s failed: %s", update.update_id, describe(exc))
                slot.failed = True
            finally:
                deferred.close_slot(token)
            if slot.failed:
                ERRORS.labels("webhook").inc()
                await _send_deferred(application, slot)
                return web.Response(status=500)
            if request.transport is None or request.transport.is_closing():
                # Telegram stopped waiting (it will deliver again, and that is a duplicate):
                # nobody reads this response, so its call is made by us
                await _send_deferred(application, slot)
                return web.Response(status=200)
            body = slot.body()
            if body is None:
                return web.Response(status=200)
            response = web.json_response(body)
            try:  # written here, so that the call's place counts from when it left
                await response.prepare(request)
                await response.write_eof()
            except ConnectionError:  # Telegram went away meanwhile: as above
                await _send_deferred(application, slot)
            return response
        finally:
            slot.left()

    return handle


async def _send_deferred(application: AnyApplication, slot: deferred.Slot) -> None:
    """The response will not carry the call the reply left to it: make it now (a 500's body
    is not executed; a closed connection reads nothing), so the reply (e.g. "try again in a
    moment") still reaches the user; a redelivery of a committed update says nothing. The
    call's place in the limits counts from now, and the call takes a place of its own."""
    slot.left()
    if slot.method is None:
        return
    try:
        with warnings.catch_warnings():  # PTB would rather we called it by its own method
            warnings.simplefilter("ignore", PTBUserWarning)
            await application.bot.do_api_request(slot.method, api_kwargs=slot.params)
    except Exception as exc:  # the 500 goes out anyway
        log.warning("webhook: the deferred %s failed: %s", slot.method, describe(exc))


@web.middleware
async def _outside_staff(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The bot's route in the staff web app skips the staff middlewares (session, sign-in,
    CSRF, a database transaction per request): Telegram is not a member of staff."""
    match = request.match_info
    if match.route.name == ROUTE_NAME:
        return await match.handler(request)
    return await handler(request)


def add_route(
    app: web.Application, application: AnyApplication, config: WebhookConfig
) -> web.Application:
    """Serve the webhook from ``app`` (the staff web app, or a new empty one)."""
    app.middlewares.insert(0, _outside_staff)
    app.router.add_post(config.path, receive(application, config.secret), name=ROUTE_NAME)
    return app


async def start(
    application: AnyApplication, config: WebhookConfig, app: web.Application
) -> web.AppRunner:
    """Initialise and start the application, listen, then ask Telegram to deliver to us."""
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()
    # on stop, requests in flight get 10 s to finish (then they are cancelled and roll back)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=10.0)
    await runner.setup()
    await web.TCPSite(runner, config.host, config.port, backlog=1024).start()
    await application.bot.set_webhook(
        config.url,
        secret_token=config.secret,
        allowed_updates=list(ALLOWED_UPDATES),
        max_connections=max(1, min(100, config.max_connections)),
    )
    log.info("webhook listening on %s:%s", config.host, config.port)
    return runner


async def stop(application: AnyApplication, runner: web.AppRunner) -> None:
    """Stop listening (requests in flight finish), then stop the application."""
    await runner.cleanup()
    if application.running:
        await application.stop()
    if application.post_stop is not None:
        await application.post_stop(application)
    await application.shutdown()
    if application.post_shutdown is not None:
        await application.post_shutdown(application)


async def serve(application: AnyApplication, config: WebhookConfig, app: web.Application) -> None:
    """Run until SIGINT or SIGTERM."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)
    runner = await start(application, config, add_route(app, application, config))
    try:
        await stopping.wait()
    finally:
        log.info("webhook stopping")
        await stop(application, runner)
