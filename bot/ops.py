"""The operator's endpoints: ``/healthz``, ``/readyz`` and ``/metrics`` on an aiohttp app.

``add_ops_routes(app, database, metrics_token)`` adds them; the staff web app does (so they
are served wherever it runs), and so can the webhook's app. None needs a staff sign-in:

* ``GET /healthz``: 200 ``ok`` whenever the process serves HTTP (a liveness probe).
* ``GET /readyz``: 200 ``ready`` when the database answers and its migrations are at the
  code's head; 503 with a short reason otherwise (a load balancer's readiness check).
* ``GET /metrics``: ``bot.metrics.REGISTRY`` in Prometheus' text format, the outbox depth
  counted afresh. With ``metrics_token`` set it wants ``Authorization: Bearer <token>``
  (401 otherwise, compared in constant time); empty, it is open to whoever reaches the
  listening address, so keep that address private or set the token.
"""

from __future__ import annotations

import hmac
import logging

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.logsafe import describe
from bot.metrics import ERRORS, OUTBOX_DEPTH, REGISTRY
from bot.storage.db import session_factory
from bot.storage.health import pending_by_kind, readiness

log = logging.getLogger(__name__)
OPS_ROUTES = frozenset({"healthz", "readyz", "metrics"})  # route names: public, no session
OPS_DATABASE = web.AppKey("ops_database", AsyncEngine)
OPS_METRICS_TOKEN = web.AppKey("ops_metrics_token", str)
OUTBOX_KINDS = ("status", "new_leads", "broadcast", "reminder")  # always shown, 0 when none


async def healthz(_: web.Request) -> web.Response:
    return web.Response(text="ok\n", headers={"Cache-Control": "no-store"})


async def readyz(request: web.Request) -> web.Response:
    problem = await readiness(request.app[OPS_DATABASE])
    if problem is not None:
        return web.Response(status=503, text=f"not ready: {problem}\n")
    return web.Response(text="ready\n")


async def refresh_outbox_depth(database: AsyncEngine) -> None:
    """Set ``ssw_outbox_depth`` from the outbox table (left as it was if that fails)."""
    try:
        pending = await pending_by_kind(session_factory(database))
    except Exception as exc:
        ERRORS.labels("database").inc()
        log.warning("outbox depth not counted: %s", describe(exc))
        return
    for kind in {*OUTBOX_KINDS, *pending}:
        OUTBOX_DEPTH.labels(kind).set(pending.get(kind, 0))


def _authorised(request: web.Request) -> bool:
    token = request.app[OPS_METRICS_TOKEN]
    if not token:
        return True
    given = request.headers.get("Authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


async def metrics(request: web.Request) -> web.Response:
    if not _authorised(request):
        return web.Response(
            status=401, text="metrics need a bearer token\n", headers={"WWW-Authenticate": "Bearer"}
        )
    await refresh_outbox_depth(request.app[OPS_DATABASE])
    response = web.Response(body=generate_latest(REGISTRY))
    response.headers["Content-Type"] = CONTENT_TYPE_LATEST
    return response


def add_ops_routes(app: web.Application, database: AsyncEngine, metrics_token: str = "") -> None:
    """Add ``/healthz``, ``/readyz`` and ``/metrics`` (named as in ``OPS_ROUTES``) to ``app``."""
    app[OPS_DATABASE] = database
    app[OPS_METRICS_TOKEN] = metrics_token
    app.router.add_route("GET", "/healthz", healthz, name="healthz")
    app.router.add_route("GET", "/readyz", readyz, name="readyz")
    app.router.add_route("GET", "/metrics", metrics, name="metrics")
