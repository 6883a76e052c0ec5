"""What a request can reach: the app's configuration, clock, database session and flow
engine, the signed-in account. Typed keys, so handlers never guess at dict entries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.engine.engine import Engine
from bot.oec_time import OEC_TIMEZONE, oec_today
from bot.storage.staff_models import StaffAccount, StaffSession


@dataclass(frozen=True)
class WebConfig:
    """The staff web app's settings (see ``bot.config.Settings.staff_*``)."""

    secret_key: str
    session_minutes: int = 30
    secure_cookies: bool = False
    trust_proxy: bool = False
    metrics_token: str = ""  # /metrics wants it as a bearer token (empty: open)
    timezone: str = OEC_TIMEZONE  # OEC's day: deadlines are its dates


Clock = Callable[[], datetime]

CONFIG = web.AppKey("config", WebConfig)
SESSIONS = web.AppKey("sessions", async_sessionmaker[AsyncSession])
DATABASE = web.AppKey("database", AsyncEngine)  # for streams outside the request's session
CLOCK: web.AppKey[Clock] = web.AppKey("clock")
FLOWS = web.AppKey("flows", Engine)
ROLES = web.AppKey("roles", dict[str, str | None])  # route name → minimum role (None: public)

DB = web.RequestKey("db", AsyncSession)  # the request's session, in one transaction
STAFF = web.RequestKey("staff", StaffAccount)  # the signed-in account
STAFF_SESSION = web.RequestKey("staff_session", StaffSession)
LANGUAGE = web.RequestKey("language", str)  # of the interface: en | ur
SESSION_EXPIRED = web.RequestKey("session_expired", bool)  # it went idle on this request
FORM_SEED = web.RequestKey("form_seed", str)  # a new pre-sign-in CSRF seed, for the cookie


def config(request: web.Request) -> WebConfig:
    return request.app[CONFIG]


def now(request: web.Request) -> datetime:
    clock: Clock = request.app[CLOCK]
    return clock()


def today(request: web.Request) -> date:
    """OEC's date now (``bot.oec_time``): deadlines are Pakistan days."""
    return oec_today(now(request), config(request).timezone)


def db(request: web.Request) -> AsyncSession:
    return request[DB]


def database(request: web.Request) -> AsyncEngine:
    return request.app[DATABASE]


def staff(request: web.Request) -> StaffAccount | None:
    return request.get(STAFF)


def language(request: web.Request) -> str:
    chosen: str = request.get(LANGUAGE) or "en"
    return chosen


def signed_in(request: web.Request) -> StaffAccount:
    """The signed-in account (the role guard has already refused anyone else)."""
    account = staff(request)
    if account is None:
        raise web.HTTPForbidden()
    return account


def staff_session(request: web.Request) -> StaffSession | None:
    return request.get(STAFF_SESSION)


def client_address(request: web.Request) -> str | None:
    """The browser's address: the first X-Forwarded-For hop when we trust a proxy."""
    if config(request).trust_proxy:
        forwarded = request.headers.get("X-Forwarded-For", "").split(",")[0].strip()
        if forwarded:
            return forwarded[:64]
    return (request.remote or "")[:64] or None


def is_https(request: web.Request) -> bool:
    if request.secure or config(request).secure_cookies:
        return True
    proto = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
    return config(request).trust_proxy and proto == "https"
