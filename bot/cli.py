"""The ``ssw-bot`` command: run (Telegram, long polling or ``--webhook``), chat (terminal),
web (the staff web app), staff (its accounts), export (leads as CSV or XLSX for OEC staff),
db upgrade|backup, facts."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from bot.config import Settings
from bot.logsafe import hide_library_payloads
from bot.oec_time import oec_today

NO_TOKEN = (
    "ssw-bot: no Telegram bot token. Create a bot with @BotFather in Telegram, then put "
    "TELEGRAM_BOT_TOKEN=... in the environment or in a .env file. "
    "To try the conversation without Telegram, run: ssw-bot chat"
)
NO_SECRET = (
    "ssw-bot: no secret key for the staff web app. Put a long random STAFF_SECRET_KEY=... in "
    "the environment or in a .env file, for example the output of: "
    "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
)


def _logging(level: str, log_format: str = "text") -> None:
    """Text or JSON lines (``LOG_FORMAT``), with update, user number and job (``bot.logs``)."""
    from bot.logs import setup

    setup(level, log_format)
    hide_library_payloads()  # even at DEBUG: no update, text, SQL parameter or token


def run(settings: Settings, with_web: bool = False, webhook: str | None = None) -> int:
    if not settings.telegram_bot_token:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    if with_web and not settings.staff_secret_key:
        print(NO_SECRET, file=sys.stderr)
        return 2
    if webhook is not None:
        from bot.channels.webhook import config_problem

        problem = config_problem(webhook, settings.telegram_webhook_secret, with_web)
        if problem:
            print(problem, file=sys.stderr)
            return 2
    from datetime import timedelta

    from telegram import Update

    from bot.app import build_services
    from bot.channels.flood import FloodGuard
    from bot.channels.limits import limits_from
    from bot.channels.sender import SenderSettings
    from bot.channels.staff_telegram import StaffOnTelegram
    from bot.channels.telegram import CHANNEL, build_application, on_start
    from bot.jobs import build_runner
    from bot.storage.db import session_factory
    from bot.storage.migrate import upgrade

    upgrade(settings.database())
    services = build_services(
        settings.database(),
        database_wait=settings.database_wait_seconds,
        timezone=settings.timezone,
    )
    sender = SenderSettings(
        group_chat_id=settings.staff_group(),
        group_language=settings.staff_group_language,
        announce_every=timedelta(minutes=max(1, settings.staff_announce_minutes)),
        per_second=max(0.1, settings.outbox_per_second),
        lease=timedelta(seconds=max(1.0, settings.outbox_lease_seconds)),
        poll_seconds=max(0.05, settings.outbox_poll_seconds),
        batch=max(1, settings.outbox_batch),
        timezone=settings.timezone,
    )
    application = build_application(
        services.conversations,
        settings.telegram_bot_token,
        base_url=settings.telegram_api_base_url,
        base_file_url=settings.telegram_api_file_url,
        staff=StaffOnTelegram(services.database, settings.staff_ids()),
        outbox=(session_factory(services.database), sender),
        webhook=webhook is not None,
        flood=FloodGuard(settings.flood_messages, settings.flood_seconds),
        jobs=build_runner(
            settings,
            session_factory(services.database),
            [  # reminders go to workers who stopped mid-registration
                flow_id
                for flow_id, flow in services.conversations.engine.flows.items()
                if flow.on_complete == "save_lead"
            ],
            [CHANNEL],
            sender.worker,
        ),
        limits=limits_from(settings),
    )
    if webhook is not None:
        return _run_webhook(settings, application, services, with_web, webhook)

    web_runner: list[object] = []

    async def start_web(app: object) -> None:
        from bot.staff.web.server import start

        await on_start(application)
        web_runner.append(await start(settings))

    async def close(_: object) -> None:
        from aiohttp import web

        for runner in web_runner:
            assert isinstance(runner, web.AppRunner)
            await runner.cleanup()
        await services.close()

    if with_web:  # the staff web app in the same process and event loop as the bot
        application.post_init = start_web
    application.post_shutdown = close
    logging.getLogger(__name__).info(
        "ssw-bot polling (database: %s)", settings.database().split("://")[0]
    )
    application.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


def _run_webhook(
    settings: Settings, application: Any, services: Any, with_web: bool, url: str
) -> int:
    """Serve updates on the webhook's route (with the staff web app in the same aiohttp
    application with ``--web``) until SIGINT or SIGTERM."""
    from aiohttp import web

    from bot.channels.webhook import WebhookConfig, serve

    config = WebhookConfig(
        url=url,
        secret=settings.telegram_webhook_secret,
        host=settings.telegram_webhook_host,
        port=settings.telegram_webhook_port,
        max_connections=settings.telegram_webhook_max_connections,
    )
    if with_web:
        from bot.staff.web.app import create_app
        from bot.staff.web.server import web_config

        app = create_app(web_config(settings), database=services.database)
    else:  # the bot's route alone, with the health checks and metrics (bot.ops)
        from bot.ops import add_ops_routes

        app = web.Application()
        add_ops_routes(app, services.database, settings.metrics_token)

    async def main() -> None:
        try:
            await serve(application, config, app)
        finally:
            await services.close()

    logging.getLogger(__name__).info(
        "ssw-bot webhook (database: %s, staff web app: %s)",
        settings.database().split("://")[0],
        "yes" if with_web else "no",
    )
    asyncio.run(main())
    return 0


def chat(settings: Settings, user: str | None) -> int:
    from bot.app import build_services
    from bot.channels.terminal import chat as terminal_chat
    from bot.storage.migrate import upgrade

    upgrade(settings.database())

    async def main() -> None:
        services = build_services(settings.database(), timezone=settings.timezone)
        try:
            await terminal_chat(services.conversations, user)
        finally:
            await services.close()

    asyncio.run(main())
    return 0


def web_app(settings: Settings) -> int:
    """The staff web app on its own (``ssw-bot web``)."""
    if not settings.staff_secret_key:
        print(NO_SECRET, file=sys.stderr)
        return 2
    from bot.staff.web.server import serve
    from bot.storage.migrate import upgrade

    upgrade(settings.database())
    serve(settings)
    return 0


def staff(settings: Settings, args: argparse.Namespace) -> int:
    from bot.staff.cli import main as staff_main
    from bot.storage.migrate import upgrade

    upgrade(settings.database())
    return staff_main(args, settings.database())


def db_upgrade(settings: Settings, revision: str) -> int:
    from bot.storage.migrate import upgrade

    upgrade(settings.database(), revision)
    print(f"database upgraded to {revision}")
    return 0


def db_backup(settings: Settings, out: str) -> int:
    """``ssw-bot db backup OUT``: pg_dump -Fc (PostgreSQL) or SQLite's backup API."""
    from pathlib import Path

    from bot.storage.backup import BackupError, backup

    try:
        backup(settings.database(), Path(out))
    except BackupError as exc:
        print(f"ssw-bot: {exc}", file=sys.stderr)
        return 1
    print(f"database backed up to {out}")
    return 0


def facts() -> int:
    """Every fact the bot states, with its source: the page OEC staff review."""
    from bot.ssw.facts_doc import render_markdown

    sys.stdout.write(render_markdown())
    return 0


def facts_due(today: date, within_days: int) -> int:
    """The date-bound facts whose review date has passed (or comes within ``within_days``)."""
    from bot.ssw import review

    sys.stdout.write(review.render_due(review.due(today, within_days), today, within_days))
    return 0


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {text!r}") from None


def _days(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"not a whole number of days: {text!r}")
    return int(text)


def export(settings: Settings, args: argparse.Namespace) -> int:
    """Write the leads matching the filters to ``--out``; exit status 2 for bad arguments."""
    from bot.staff.exporting import run_export

    return run_export(settings.database(), args)


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="ssw-bot", description=__doc__)
    commands = main.add_subparsers(dest="command", required=True)
    run_cmd = commands.add_parser("run", help="run the Telegram bot (long polling)")
    run_cmd.add_argument(
        "--web", action="store_true", help="also serve the staff web app in the same process"
    )
    run_cmd.add_argument(
        "--webhook",
        metavar="URL",
        help="receive updates on this public https URL (its path is served on "
        "TELEGRAM_WEBHOOK_HOST:TELEGRAM_WEBHOOK_PORT) instead of long polling",
    )
    commands.add_parser("web", help="serve the staff web app (STAFF_HOST, STAFF_PORT)")
    from bot.staff.cli import add_parser as add_staff_parser

    add_staff_parser(commands)
    chat_cmd = commands.add_parser("chat", help="the same conversation in this terminal")
    chat_cmd.add_argument("--user", help="who you are in the database (default: your login)")
    facts_cmd = commands.add_parser(
        "facts", help="print every fact the bot states, with its source"
    )
    facts_cmd.add_argument(
        "--due",
        action="store_true",
        help="only the date-bound facts whose review date has passed",
    )
    facts_cmd.add_argument(
        "--within",
        type=_days,
        default=0,
        metavar="DAYS",
        help="with --due: also those due within DAYS days",
    )
    facts_cmd.add_argument(
        "--today", type=_day, default=None, metavar="YYYY-MM-DD", help=argparse.SUPPRESS
    )
    from bot.staff.exporting import add_export_arguments

    add_export_arguments(
        commands.add_parser(
            "export",
            help="write leads (or unfinished registrations) to a CSV or XLSX file",
            description="Write leads (or, with --unfinished, registrations started and not "
            "submitted) to a CSV or XLSX file, in English, one row per lead.",
        )
    )
    db = commands.add_parser("db", help="database tasks")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    up = db_commands.add_parser("upgrade", help="apply Alembic migrations")
    up.add_argument("revision", nargs="?", default="head")
    back = db_commands.add_parser(
        "backup", help="back the database up to a file (pg_dump -Fc, or a SQLite copy)"
    )
    back.add_argument("out", metavar="OUT", help="the backup file to write")
    return main


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    settings = Settings()
    _logging(
        settings.log_level if args.command in {"run", "web"} else "WARNING", settings.log_format
    )
    if args.command == "run":
        return run(settings, with_web=args.web, webhook=args.webhook)
    if args.command == "web":
        return web_app(settings)
    if args.command == "staff":
        return staff(settings, args)
    if args.command == "chat":
        return chat(settings, args.user)
    if args.command == "facts":
        if args.due or args.within:
            return facts_due(
                args.today or oec_today(datetime.now(UTC), settings.timezone), args.within
            )
        return facts()
    if args.command == "export":
        return export(settings, args)
    if args.db_command == "backup":
        return db_backup(settings, args.out)
    return db_upgrade(settings, args.revision)


if __name__ == "__main__":
    sys.exit(main())
