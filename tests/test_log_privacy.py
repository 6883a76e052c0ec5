"""No personal data in the logs, whatever the log level.

Every log record of every logger (DEBUG and up: the bot's own, python-telegram-bot, httpx,
httpcore, aiohttp, SQLAlchemy, aiosqlite, asyncpg) is captured, formatted with tracebacks,
while: a worker registers over the fake Bot API (real PTB, real HTTP), an officer signs in to
the staff web app (served as in production, with its access log), searches by CNIC (with and
without dashes), by phone and by name, opens the lead and exports the list, and changes its
status, so that the outbox sends the worker a notice. The captured text is then searched for
the worker's CNIC, mobile number (every way of writing it), name and date of birth, the bot
token and the staff password. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from aiohttp.test_utils import TestServer

from bot.channels.sender import SenderSettings
from bot.cli import _logging
from bot.staff import accounts
from bot.staff.web.app import AccessLogger, create_app
from bot.staff.web.state import WebConfig
from bot.storage import staff as store
from bot.storage.db import create_engine, session_factory
from tests.channels.conftest import at_menu, running_bot
from tests.channels.test_status_notices import settled
from tests.channels.test_telegram_registration import register
from tests.fake_bot_api import TOKEN, FakeBotApi
from tests.staff.web.conftest import CHEAP, PASSWORD, SECRET, Browser

NAME = "Zarghuna Palwasha Durrani"
ANSWERS = {
    "name": NAME,
    "cnic": "37405-2946183-8",
    "mobile": "0321 7654298",
    "birth_date": "17/08/1994",
    "district": "Rawalpindi",
    "experience": "4",
}
SECRETS = [
    "3740529461838",  # the CNIC as stored
    "37405-2946183-8",  # as typed and shown
    "37405",  # its first part, in any layout
    "2946183",
    "3217654298",  # the mobile: inside +923217654298, 03217654298, 923217654298
    "321 7654298",  # +92 321 7654298, 0321 7654298
    "321-7654298",
    "7654298",
    "Zarghuna",  # the name, and any part of it
    "Palwasha",
    "Durrani",
    "1994-08-17",  # the date of birth, as stored and as typed
    "17/08/1994",
    "1994, 8, 17",  # repr(date(1994, 8, 17))
    TOKEN,
    TOKEN.split(":", 1)[1],
    PASSWORD,
]
LIBRARIES = ["telegram", "httpx", "httpcore", "aiohttp", "sqlalchemy", "aiosqlite", "asyncpg"]


class Everything(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        self.lines: list[str] = []
        self.names: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))
        self.names.add(record.name.split(".")[0])


@pytest.fixture
def everything(monkeypatch: pytest.MonkeyPatch) -> Iterator[Everything]:
    """The bot's own logging set-up at DEBUG (as ``LOG_LEVEL=DEBUG ssw-bot run``), then every
    library logger forced down to DEBUG too, all caught."""
    monkeypatch.setattr(accounts, "hasher", CHEAP)
    factory = logging.getLogRecordFactory()
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level for name in ["", *LIBRARIES, "bot"]}
    handler = Everything()
    _logging("DEBUG")
    for name in levels:
        logging.getLogger(name).setLevel(logging.DEBUG)
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
        logging.setLogRecordFactory(factory)


async def test_logs_hold_no_personal_data(
    api: FakeBotApi, database_url: str, everything: Everything
) -> None:
    sender = SenderSettings(worker="privacy-test", poll_seconds=0.3, chat_interval=0.0)
    web_db = create_engine(database_url)
    server = TestServer(create_app(WebConfig(secret_key=SECRET), database=web_db))
    await server.start_server(access_log_class=AccessLogger)  # as bot.staff.web.server does
    officer = Browser(str(server.make_url("")).rstrip("/"))
    try:
        async with running_bot(api, database_url, sender=sender) as bot:
            person = await at_menu(api, 4242)
            await register(person, ANSWERS)
            await person.say("/mydata")
            await person.say("/status")
            (lead,) = await bot.repository.leads()

            async with session_factory(web_db)() as db, db.begin():
                await store.add_account(
                    db, "officer.one", accounts.hash_password(PASSWORD), "officer",
                    datetime.now(UTC),
                )  # fmt: skip
            assert (await officer.sign_in("officer.one")).status == 303
            for typed in ("3740529461838", "37405-2946183-8", "0321-7654298", "Durrani"):
                page = await officer.get("/leads", q=typed)
                assert NAME in page.text, typed
            assert NAME in (await officer.get(f"/leads/{lead.id}")).text
            await officer.get("/leads")
            export = {"q": "Zarghuna", "format": "csv", "csrf": officer.csrf or ""}
            async with officer.session.post(officer.base + "/leads/export", data=export) as r:
                assert r.status == 200 and "37405-2946183-8" in (await r.read()).decode("utf-8-sig")
            page = await officer.post(
                f"/leads/{lead.id}/status", {"status": "contacted", "note": "Zarghuna called"}
            )
            assert page.status == 303
            notice = await person.user.reply(timeout=10)  # the outbox's notice
            assert lead.reference in notice.text
            await settled(bot.database)
    finally:
        await officer.close()
        await server.close()
        await web_db.dispose()

    text = "\n".join(everything.lines)
    assert len(everything.lines) > 100, "the logs were not captured"
    # (the Bot API calls go over aiohttp: bot.channels.request; httpx is not used)
    assert {"telegram", "sqlalchemy", "aiohttp"} <= everything.names, everything.names
    leaks = {
        secret: next(line for line in everything.lines if secret in line)[:300]
        for secret in SECRETS
        if secret in text
    }
    assert not leaks, leaks
