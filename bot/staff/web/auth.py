"""Sessions, CSRF, sign-in throttling and the role guard of the staff web app.

- **Sessions** live in the database (``staff_sessions``); the cookie carries a random token
  and the table only its keyed hash. Cookies are HttpOnly, SameSite=Lax, Secure on https (or
  when a setting says so). A session ends after ``session_minutes`` without a request,
  checked on the server, and at once when the account is disabled or its password reset.
- **CSRF**: every form carries a token derived from the session (or, before signing in, from
  a random cookie) with the secret key; every POST without the right one gets 403.
- **Throttling**: failed sign-ins are counted per account and per client address in the
  database (so every process sees them); past a few, the key is blocked for a time that
  doubles with each further failure.
- **Role guard**: each route's minimum role comes from ``routes.ROUTES``; an anonymous request
  is sent to sign in, an under-privileged one gets 403; a route missing from the table is
  refused.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from aiohttp import web
from aiohttp.typedefs import Handler

from bot.i18n import set_language
from bot.ops import OPS_ROUTES
from bot.staff.accounts import STAFF_LANGUAGES, has_role
from bot.staff.web.state import (
    FORM_SEED,
    LANGUAGE,
    ROLES,
    SESSION_EXPIRED,
    STAFF,
    STAFF_SESSION,
    client_address,
    config,
    db,
    is_https,
    now,
    staff,
    staff_session,
)
from bot.storage import staff as store
from bot.storage.staff_models import StaffAccount
from bot.storage.staff_models import StaffSession as SessionRow

SESSION_COOKIE = "ssw_staff_session"
FORM_COOKIE = "ssw_staff_form"  # seeds the CSRF token of forms shown before signing in
LANGUAGE_COOKIE = "ssw_staff_lang"
CSRF_FIELD = "csrf"
SEEN_RESOLUTION = timedelta(seconds=30)  # last_seen_at is written at most this often
SIGN_IN_PATH = "/sign-in"


def _keyed(secret: str, purpose: str, value: str) -> str:
    return hmac.new(secret.encode(), f"{purpose}|{value}".encode(), hashlib.sha256).hexdigest()


def _set_cookie(
    request: web.Request, response: web.StreamResponse, name: str, value: str, **kw: int
) -> None:
    response.set_cookie(
        name,
        value,
        httponly=True,
        samesite="Lax",
        secure=is_https(request),
        path="/",
        **kw,  # type: ignore[arg-type]
    )


# -- sessions ---------------------------------------------------------------------------------


async def start_session(
    request: web.Request, response: web.StreamResponse, account: StaffAccount
) -> None:
    """Sign ``account`` in: a new session row, its token in a cookie."""
    token = secrets.token_urlsafe(32)
    session_id = _keyed(config(request).secret_key, "session", token)
    at = now(request)
    await store.end_idle_sessions(db(request), at - _idle_limit(request))
    await store.create_session(db(request), session_id, account.id, at, client_address(request))
    _set_cookie(request, response, SESSION_COOKIE, token)
    response.del_cookie(FORM_COOKIE, path="/")


async def end_session(request: web.Request, response: web.StreamResponse) -> None:
    session = staff_session(request)
    if session is not None:
        await store.end_session(db(request), session.id)
    response.del_cookie(SESSION_COOKIE, path="/")


def _idle_limit(request: web.Request) -> timedelta:
    return timedelta(minutes=config(request).session_minutes)


async def _load_session(request: web.Request) -> None:
    """Find the signed-in account from the cookie; end the session if it has gone idle."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return
    session_id = _keyed(config(request).secret_key, "session", token)
    found = await store.load_session(db(request), session_id)
    if found is None:
        return
    session, account = found
    at = now(request)
    if at - store.as_utc(session.last_seen_at) > _idle_limit(request) or account.disabled_at:
        await store.end_session(db(request), session.id)
        request[SESSION_EXPIRED] = True
        return
    if at - store.as_utc(session.last_seen_at) >= SEEN_RESOLUTION:
        session.last_seen_at = at
    request[STAFF] = account
    request[STAFF_SESSION] = session


# -- CSRF -------------------------------------------------------------------------------------


def csrf_token(request: web.Request) -> str:
    """The token every form of this page carries in its ``csrf`` field."""
    secret = config(request).secret_key
    session: SessionRow | None = staff_session(request)
    if session is not None:
        return _keyed(secret, "csrf", session.id)
    seed = request.get(FORM_SEED) or request.cookies.get(FORM_COOKIE)
    if not seed:
        seed = request[FORM_SEED] = secrets.token_urlsafe(24)
    return _keyed(secret, "form", seed)


async def _csrf_ok(request: web.Request) -> bool:
    form = await request.post()
    sent = form.get(CSRF_FIELD)
    if not isinstance(sent, str) or not sent:
        return False
    if staff_session(request) is None and not request.cookies.get(FORM_COOKIE):
        return False
    return hmac.compare_digest(sent, csrf_token(request))


# -- sign-in throttling -----------------------------------------------------------------------


@dataclass(frozen=True)
class ThrottlePolicy:
    free: int  # failures allowed before any wait
    base: timedelta  # the first wait; each further failure doubles it
    cap: timedelta
    forget_after: timedelta  # failures older than this no longer count

    def wait(self, failures: int) -> timedelta:
        if failures < self.free:
            return timedelta(0)
        wait: timedelta = self.base * 2 ** (failures - self.free)
        return min(wait, self.cap)


# An office shares one address: it gets more tries than one account does.
ACCOUNT_POLICY = ThrottlePolicy(5, timedelta(seconds=30), timedelta(minutes=15), timedelta(days=1))
ADDRESS_POLICY = ThrottlePolicy(20, timedelta(seconds=30), timedelta(minutes=15), timedelta(days=1))


def _throttle_keys(name: str, address: str | None) -> list[tuple[str, ThrottlePolicy]]:
    keys = [(f"account:{name[:64]}", ACCOUNT_POLICY)]
    if address:
        keys.append((f"address:{address}", ADDRESS_POLICY))
    return keys


async def sign_in_wait(request: web.Request, name: str) -> timedelta | None:
    """How long this name or address must wait before trying again (None: it may try)."""
    at = now(request)
    keys = _throttle_keys(name, client_address(request))
    rows = await store.throttles(db(request), [key for key, _ in keys])
    waits = [
        store.as_utc(row.blocked_until) - at
        for row in rows.values()
        if row.blocked_until is not None and store.as_utc(row.blocked_until) > at
    ]
    return max(waits) if waits else None


async def record_failure(request: web.Request, name: str) -> None:
    at = now(request)
    for key, policy in _throttle_keys(name, client_address(request)):
        row = await store.throttle_row(db(request), key, at)
        if at - store.as_utc(row.last_failure_at) > policy.forget_after:
            row.failures = 0
        row.failures = (row.failures or 0) + 1
        row.last_failure_at = at
        wait = policy.wait(row.failures)
        row.blocked_until = at + wait if wait else None


async def record_success(request: web.Request, name: str) -> None:
    """The account's count starts again; the address's does not (one good account must not
    wipe out an address's failures on others)."""
    await store.clear_throttle(db(request), f"account:{name[:64]}")


# -- the middleware ---------------------------------------------------------------------------


def _language(request: web.Request, account: StaffAccount | None) -> str:
    if account is not None and account.language in STAFF_LANGUAGES:
        return account.language
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in STAFF_LANGUAGES:
        return chosen
    accepted = request.headers.get("Accept-Language", "").lower()
    return "ur" if accepted.startswith("ur") else "en"


def sign_in_url(request: web.Request) -> str:
    query: dict[str, str] = {}
    if request.method == "GET" and request.path != "/":
        query["next"] = request.path_qs
    if request.get(SESSION_EXPIRED):
        query["expired"] = "1"
    return SIGN_IN_PATH + ("?" + urlencode(query) if query else "")


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Load the session, choose the language, then guard the route: role, then CSRF."""
    match = request.match_info
    route_name = match.route.name or ""
    if route_name != "static" and route_name not in OPS_ROUTES:  # these work without a database
        await _load_session(request)
    request[LANGUAGE] = _language(request, staff(request))
    set_language(request[LANGUAGE])
    if match.http_exception is not None:  # no such page (404) or method (405)
        raise match.http_exception
    roles = request.app[ROLES]
    if route_name not in roles:  # not in the table: refused, whoever asks
        raise web.HTTPForbidden()
    minimum = roles[route_name]
    if minimum is not None:
        account = staff(request)
        if account is None:
            raise web.HTTPSeeOther(sign_in_url(request))
        if not has_role(account.role, minimum):
            raise web.HTTPForbidden()
    if request.method == "POST" and not await _csrf_ok(request):
        raise web.HTTPForbidden(reason="CSRF token missing or wrong")
    response = await handler(request)
    seed = request.get(FORM_SEED)
    if seed and staff_session(request) is None:
        _set_cookie(request, response, FORM_COOKIE, seed)
    return response


def wait_minutes(wait: timedelta) -> int:
    return max(1, -(-int(wait.total_seconds()) // 60))
