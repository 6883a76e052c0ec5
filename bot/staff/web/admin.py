"""Staff accounts, for admins: add, change role, disable or enable, set a new password.

An admin cannot disable or demote their own account (so nobody locks the last admin out);
every change is in the audit log.
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.i18n import N_, gettext
from bot.staff import accounts
from bot.staff.web.forms import fields, int_param, redirect
from bot.staff.web.render import render
from bot.staff.web.state import client_address, db, now, signed_in
from bot.storage import staff as store
from bot.storage.staff_models import StaffAccount

OWN_ACCOUNT = N_("You cannot disable or demote your own account.")
EXISTS = N_("An account with this sign-in name exists already.")


async def page(request: web.Request, error: str | None = None, status: int = 200) -> web.Response:
    rows = await store.accounts(db(request))
    return render(
        request,
        "staff.html",
        {
            "accounts": rows,
            "roles": accounts.ROLES,
            "error": error,
            "min_password": accounts.MIN_PASSWORD,
        },
        status=status,
    )


def _message(exc: accounts.AccountError) -> str:
    return gettext(exc.message).format(**exc.params)


async def _target(request: web.Request) -> StaffAccount:
    account = await store.account_by_id(db(request), int_param(request, "account_id"))
    if account is None:
        raise web.HTTPNotFound()
    return account


async def _audit(request: web.Request, action: str, target: str, **detail: str) -> None:
    await store.audit(
        db(request),
        action,
        now(request),
        account=signed_in(request),
        target=target,
        detail=detail or None,
        address=client_address(request),
    )


async def add(request: web.Request) -> web.StreamResponse:
    form = await fields(request)
    try:
        name = accounts.check_name(form.get("name", ""))
        role = accounts.check_role(form.get("role", ""))
        password = accounts.check_password(form.get("password", ""), name)
    except accounts.AccountError as exc:
        return await page(request, _message(exc), status=400)
    session = db(request)
    if await store.account_by_name(session, name) is not None:
        return await page(request, gettext(EXISTS), status=400)
    hashed = await asyncio.to_thread(accounts.hash_password, password)
    await store.add_account(session, name, hashed, role, now(request))
    await _audit(request, "staff_add", name, role=role)
    return redirect("/staff")


async def set_role(request: web.Request) -> web.StreamResponse:
    target = await _target(request)
    form = await fields(request)
    try:
        role = accounts.check_role(form.get("role", ""))
    except accounts.AccountError as exc:
        return await page(request, _message(exc), status=400)
    if target.id == signed_in(request).id and role != target.role:
        return await page(request, gettext(OWN_ACCOUNT), status=400)
    if role != target.role:
        old, target.role = target.role, role
        await store.end_sessions(db(request), target.id)  # the new role applies at once
        await _audit(request, "staff_role", target.name, **{"from": old, "to": role})
    return redirect("/staff")


async def disable(request: web.Request) -> web.StreamResponse:
    target = await _target(request)
    if target.id == signed_in(request).id:
        return await page(request, gettext(OWN_ACCOUNT), status=400)
    if target.disabled_at is None:
        await store.disable_account(db(request), target, now(request))
        await _audit(request, "staff_disable", target.name)
    return redirect("/staff")


async def enable(request: web.Request) -> web.StreamResponse:
    target = await _target(request)
    if target.disabled_at is not None:
        await store.enable_account(db(request), target)
        await _audit(request, "staff_enable", target.name)
    return redirect("/staff")


async def reset_password(request: web.Request) -> web.StreamResponse:
    """A new password the admin gives the person; their sessions end."""
    target = await _target(request)
    form = await fields(request)
    try:
        password = accounts.check_password(form.get("password", ""), target.name)
    except accounts.AccountError as exc:
        return await page(request, _message(exc), status=400)
    hashed = await asyncio.to_thread(accounts.hash_password, password)
    await store.set_password(db(request), target, hashed, now(request), sign_out=True)
    await _audit(request, "staff_password", target.name)
    if target.id == signed_in(request).id:
        return redirect("/sign-in")
    return redirect("/staff")
