"""My account: the signed-in person changes their own password (other sessions end)."""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.i18n import N_, gettext
from bot.staff import accounts
from bot.staff.web import auth
from bot.staff.web.forms import fields, redirect
from bot.staff.web.render import render
from bot.staff.web.state import client_address, db, now, signed_in
from bot.storage import staff as store

WRONG_CURRENT = N_("Your current password is not right.")
DIFFERENT = N_("The two new passwords differ.")
CHANGED = N_("Your password is changed.")


async def page(request: web.Request) -> web.StreamResponse:
    notice = gettext(CHANGED) if request.query.get("changed") else None
    return render(
        request,
        "account.html",
        {"error": None, "notice": notice, "min_password": accounts.MIN_PASSWORD},
    )


async def change_password(request: web.Request) -> web.StreamResponse:
    account = signed_in(request)
    form = await fields(request)
    error: str | None = None
    current = form.get("current", "")[: accounts.MAX_PASSWORD]
    if not await asyncio.to_thread(accounts.verify_password, account.password_hash, current):
        error = gettext(WRONG_CURRENT)
    elif form.get("new", "") != form.get("again", ""):
        error = gettext(DIFFERENT)
    else:
        try:
            password = accounts.check_password(form.get("new", ""), account.name)
        except accounts.AccountError as exc:
            error = gettext(exc.message).format(**exc.params)
    if error is not None:
        context = {"error": error, "notice": None, "min_password": accounts.MIN_PASSWORD}
        return render(request, "account.html", context, status=400)
    session, at = db(request), now(request)
    hashed = await asyncio.to_thread(accounts.hash_password, password)
    await store.set_password(session, account, hashed, at, sign_out=True)
    await store.audit(
        session,
        "staff_password",
        at,
        account=account,
        target=account.name,
        address=client_address(request),
    )
    response = redirect("/account?changed=1")
    await auth.start_session(request, response, account)  # this browser stays signed in
    return response
