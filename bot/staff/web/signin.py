"""Signing in and out, and choosing the interface's language."""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.i18n import N_, gettext
from bot.staff import accounts
from bot.staff.web import auth
from bot.staff.web.forms import fields, redirect, safe_path
from bot.staff.web.render import render
from bot.staff.web.state import client_address, config, db, now, staff
from bot.storage import staff as store

HOME = "/leads"
WRONG = N_("Wrong sign-in name or password.")
BLOCKED = N_("Too many failed attempts. Please wait {minutes} minutes and try again.")
EXPIRED = N_("You were signed out after {minutes} minutes without activity. Please sign in again.")


async def page(request: web.Request) -> web.StreamResponse:
    next_path = safe_path(request.query.get("next"), HOME)
    if staff(request) is not None:
        return redirect(next_path)
    notice = None
    if request.query.get("expired"):
        notice = gettext(EXPIRED).format(minutes=config(request).session_minutes)
    return render(request, "sign_in.html", {"next": next_path, "notice": notice, "name": ""})


async def submit(request: web.Request) -> web.StreamResponse:
    form = await fields(request)
    name = accounts.normalise_name(form.get("name", ""))[:64]
    password = form.get("password", "")[: accounts.MAX_PASSWORD]
    next_path = safe_path(form.get("next"), HOME)
    context = {"next": next_path, "notice": None, "name": name}
    session, at, address = db(request), now(request), client_address(request)
    account = await store.account_by_name(session, name) if name else None

    wait = await auth.sign_in_wait(request, name)
    if wait is not None:
        await store.audit(session, "sign_in_blocked", at, account=account, address=address)
        error = gettext(BLOCKED).format(minutes=auth.wait_minutes(wait))
        return render(request, "sign_in.html", {**context, "error": error}, status=429)

    stored_hash = account.password_hash if account is not None else None
    ok = await asyncio.to_thread(accounts.verify_password, stored_hash, password)
    if account is None or account.disabled_at is not None or not ok:
        await auth.record_failure(request, name)
        detail = {"disabled": True} if account is not None and account.disabled_at else None
        await store.audit(
            session, "sign_in_failed", at, account=account, detail=detail, address=address
        )
        return render(request, "sign_in.html", {**context, "error": gettext(WRONG)}, status=401)

    if accounts.needs_rehash(account.password_hash):
        account.password_hash = await asyncio.to_thread(accounts.hash_password, password)
    await auth.record_success(request, name)
    response = redirect(next_path)
    await auth.end_session(request, response)  # a browser signing in again: old session ends
    await auth.start_session(request, response, account)
    await store.audit(session, "sign_in", at, account=account, address=address)
    return response


async def sign_out(request: web.Request) -> web.StreamResponse:
    response = redirect(auth.SIGN_IN_PATH)
    await store.audit(
        db(request),
        "sign_out",
        now(request),
        account=staff(request),
        address=client_address(request),
    )
    await auth.end_session(request, response)
    return response


async def choose_language(request: web.Request) -> web.StreamResponse:
    """The interface language: kept with the account, and in a cookie for the sign-in page."""
    form = await fields(request)
    language = form.get("language", "")
    response = redirect(safe_path(form.get("next"), HOME))
    if language in accounts.STAFF_LANGUAGES:
        account = staff(request)
        if account is not None:
            account.language = language
        response.set_cookie(
            auth.LANGUAGE_COOKIE,
            language,
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="Lax",
            path="/",
        )
    return response
