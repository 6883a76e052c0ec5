"""``ssw-bot staff add|list|disable|enable|reset-password``: staff accounts from a terminal.

The password is prompted for twice on a terminal, or read from the first line of standard
input for scripts (``printf '%s\\n' "$PW" | ssw-bot staff add ayesha --role officer``).
Every change is written to the audit log as done from the command line.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Awaitable, Callable
from typing import TextIO

from sqlalchemy.ext.asyncio import AsyncSession

from bot.staff import accounts
from bot.storage import staff as store
from bot.storage.db import create_engine, session_factory
from bot.storage.models import utcnow
from bot.storage.staff_models import StaffAccount

CLI_ADDRESS = "command line"


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    staff = commands.add_parser("staff", help="staff accounts of the web app")
    sub = staff.add_subparsers(dest="staff_command", required=True)
    add = sub.add_parser("add", help="add an account (password prompted, or from stdin)")
    add.add_argument("name", help="sign-in name: letters, digits, . _ -")
    add.add_argument("--role", required=True, choices=accounts.ROLES)
    add.add_argument("--language", default="en", choices=accounts.STAFF_LANGUAGES)
    sub.add_parser("list", help="list accounts with role and state")
    for command, text in (
        ("disable", "stop an account from signing in (signs it out everywhere)"),
        ("enable", "let a disabled account sign in again"),
        ("reset-password", "set a new password (prompted, or from stdin); signs it out"),
    ):
        sub.add_parser(command, help=text).add_argument("name")


def read_password(stdin: TextIO, confirm: bool = True) -> str:
    if stdin.isatty():
        first = getpass.getpass("Password: ")
        if confirm and getpass.getpass("Password again: ") != first:
            raise accounts.AccountError("The two passwords differ.")
        return first
    return stdin.readline().rstrip("\r\n")


def main(args: argparse.Namespace, database_url: str) -> int:
    try:
        return asyncio.run(_run(args, database_url))
    except accounts.AccountError as exc:
        print(f"ssw-bot staff: {exc.message.format(**exc.params)}", file=sys.stderr)
        return 2


async def _run(args: argparse.Namespace, database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as db, db.begin():
            return await COMMANDS[args.staff_command](db, args)
    finally:
        await engine.dispose()


async def _existing(db: AsyncSession, name: str) -> StaffAccount:
    account = await store.account_by_name(db, accounts.normalise_name(name))
    if account is None:
        raise accounts.AccountError("No account is called {name}.", name=name)
    return account


async def _add(db: AsyncSession, args: argparse.Namespace) -> int:
    name = accounts.check_name(args.name)
    if await store.account_by_name(db, name) is not None:
        raise accounts.AccountError("An account called {name} exists already.", name=name)
    password = accounts.check_password(read_password(sys.stdin), name)
    hashed = await asyncio.to_thread(accounts.hash_password, password)
    now = utcnow()
    account = await store.add_account(db, name, hashed, args.role, now, args.language)
    await store.audit(
        db, "staff_add", now, target=name, detail={"role": args.role}, address=CLI_ADDRESS
    )
    print(f"added {account.name} ({account.role})")
    return 0


async def _list(db: AsyncSession, _args: argparse.Namespace) -> int:
    rows = await store.accounts(db)
    if not rows:
        print("no staff accounts yet: ssw-bot staff add NAME --role admin")
        return 0
    width = max(len(a.name) for a in rows)
    for account in rows:
        state = "disabled" if account.disabled_at else "active"
        created = store.as_utc(account.created_at).strftime("%Y-%m-%d")
        print(f"{account.name:<{width}}  {account.role:<7}  {state:<8}  added {created}")
    return 0


async def _disable(db: AsyncSession, args: argparse.Namespace) -> int:
    account = await _existing(db, args.name)
    now = utcnow()
    await store.disable_account(db, account, now)
    await store.audit(db, "staff_disable", now, target=account.name, address=CLI_ADDRESS)
    print(f"disabled {account.name}")
    return 0


async def _enable(db: AsyncSession, args: argparse.Namespace) -> int:
    account = await _existing(db, args.name)
    await store.enable_account(db, account)
    await store.audit(db, "staff_enable", utcnow(), target=account.name, address=CLI_ADDRESS)
    print(f"enabled {account.name}")
    return 0


async def _reset_password(db: AsyncSession, args: argparse.Namespace) -> int:
    account = await _existing(db, args.name)
    password = accounts.check_password(read_password(sys.stdin), account.name)
    hashed = await asyncio.to_thread(accounts.hash_password, password)
    now = utcnow()
    await store.set_password(db, account, hashed, now, sign_out=True)
    await store.audit(db, "staff_password", now, target=account.name, address=CLI_ADDRESS)
    print(f"new password set for {account.name}; signed out everywhere")
    return 0


COMMANDS: dict[str, Callable[[AsyncSession, argparse.Namespace], Awaitable[int]]] = {
    "add": _add,
    "list": _list,
    "disable": _disable,
    "enable": _enable,
    "reset-password": _reset_password,
}
