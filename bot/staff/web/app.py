"""The app factory: database, templates, middlewares and the routes of ``routes.ROUTES``.

Middlewares, outermost first: safety (no personal data in error logs; security headers are
set on every response as it is prepared, streamed downloads included),
database (one transaction per request, committed unless the handler failed), error pages
(403/404/405 rendered in the staff's language), then the auth guard (``auth``).
"""

from __future__ import annotations

import logging
from pathlib import Path

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.typedefs import Handler
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import build_engine
from bot.engine.engine import Engine
from bot.logsafe import describe
from bot.ops import OPS_ROUTES, add_ops_routes
from bot.staff.web import render
from bot.staff.web.auth import auth_middleware
from bot.staff.web.routes import ROUTES, STATIC_PATH
from bot.staff.web.state import (
    CLOCK,
    CONFIG,
    DATABASE,
    DB,
    FLOWS,
    ROLES,
    SESSIONS,
    Clock,
    WebConfig,
)
from bot.storage.db import create_engine, session_factory
from bot.storage.models import utcnow

STATIC = Path(__file__).resolve().parent / "static"
log = logging.getLogger(__name__)

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; "
        "connect-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",  # search words in our URLs never leave the site
}
ERROR_PAGES = {403, 404, 405}


@web.middleware
async def _safety(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException:
        raise
    except Exception as exc:  # logged by type and place only: messages can quote a CNIC
        log.error("staff web: %s %s failed: %s", request.method, request.path, describe(exc))
        response = web.Response(status=500, text="Something went wrong. Please try again.")
    return response


async def _headers(request: web.Request, response: web.StreamResponse) -> None:
    """Security headers on every response, set as it is prepared (a streamed download is
    sent before its handler returns)."""
    response.headers.update(SECURITY_HEADERS)
    if not request.path.startswith(STATIC_PATH + "/"):
        response.headers["Cache-Control"] = "no-store"  # pages hold personal data


@web.middleware
async def _database(request: web.Request, handler: Handler) -> web.StreamResponse:
    """One session and transaction per request: committed when the handler returns or
    redirects, rolled back when it fails."""
    async with request.app[SESSIONS]() as session:
        request[DB] = session
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            if exc.status < 400:
                await session.commit()
            else:
                await session.rollback()
            raise
        except BaseException:
            await session.rollback()
            raise
        await session.commit()
        return response


@web.middleware
async def _error_pages(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status not in ERROR_PAGES:
            raise
        return render.render(request, "error.html", {"status": exc.status}, status=exc.status)


class AccessLogger(AbstractAccessLogger):
    """Method, path, status and time: never the query string, which can hold a searched
    name, CNIC or phone number."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info(
            "%s %s %s %.0fms", request.method, request.path, response.status, time * 1000
        )


def create_app(
    config: WebConfig,
    database_url: str | None = None,
    *,
    database: AsyncEngine | None = None,
    clock: Clock = utcnow,
    flows: Engine | None = None,
) -> web.Application:
    """The staff web app on ``database`` (or a new engine on ``database_url``, disposed with
    the app). The database must already be migrated."""
    if not config.secret_key:
        raise ValueError("the staff web app needs a secret key")
    app = web.Application(middlewares=[_safety, _database, _error_pages, auth_middleware])
    owned = database is None
    if database is None:
        if not database_url:
            raise ValueError("give a database or a database_url")
        database = create_engine(database_url)
    app[CONFIG] = config
    app[SESSIONS] = session_factory(database)
    app[DATABASE] = database
    app[CLOCK] = clock
    app[FLOWS] = flows or build_engine()
    roles: dict[str, str | None] = {route.name: route.role for route in ROUTES}
    roles["static"] = None  # the stylesheet: needed on the sign-in page
    roles.update(dict.fromkeys(OPS_ROUTES))  # /healthz, /readyz, /metrics (bot.ops)
    app[ROLES] = roles
    for route in ROUTES:
        app.router.add_route(route.method, route.path, route.handler, name=route.name)
    add_ops_routes(app, database, config.metrics_token)
    app.router.add_static(STATIC_PATH, STATIC, name="static")
    render.setup(app)
    app.on_response_prepare.append(_headers)

    if owned:
        engine = database

        async def _dispose(_: web.Application) -> None:
            await engine.dispose()

        app.on_cleanup.append(_dispose)
    return app
