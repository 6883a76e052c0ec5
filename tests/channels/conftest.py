"""End-to-end harness: our real Application over real HTTP against the fake Bot API, and a
``Person`` that talks to the bot the way a worker does (reads replies, taps labels, types)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Collection
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest

from bot.app import Services, build_services
from bot.channels.flood import FloodGuard
from bot.channels.sender import SenderSettings
from bot.channels.staff_telegram import StaffOnTelegram
from bot.channels.telegram import build_application, on_start, on_stop
from bot.conversation import utcnow
from bot.i18n import gettext, using_language
from bot.jobs.runner import JobRunner
from bot.storage.db import session_factory
from tests.conftest import TODAY
from tests.fake_bot_api import TOKEN, BotMessage, FakeBotApi, FakeUser


@asynccontextmanager
async def running_bot(
    api: FakeBotApi,
    database_url: str,
    staff_ids: Collection[int] = (),
    sender: SenderSettings | None = None,
    flood: FloodGuard | None = None,
    database_wait: float = 30.0,
    now: Callable[[], datetime] = utcnow,
    jobs: Callable[[Services], JobRunner] | None = None,
) -> AsyncIterator[Services]:
    """Start the bot (long polling) on a database; stop it cleanly at the end. ``staff_ids``:
    staff on Telegram; ``sender``: the outbox sender runs too, with these settings;
    ``flood``: the per-user limit on incoming updates; ``database_wait``: seconds to wait for
    the database; ``now``: the service's and the sender's clock; ``jobs``: the background
    jobs run too."""
    services = build_services(
        database_url, today=lambda: TODAY, now=now, database_wait=database_wait
    )
    application = build_application(
        services.conversations,
        TOKEN,
        base_url=api.base_url,
        base_file_url=api.base_file_url,
        staff=StaffOnTelegram(services.database, staff_ids),
        outbox=(session_factory(services.database), sender) if sender else None,
        flood=flood,
        jobs=jobs(services) if jobs else None,
    )
    await application.initialize()
    await on_start(application)  # post_init, which run_polling would call
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0, timeout=1)
    try:
        yield services
    finally:
        await application.updater.stop()
        await application.stop()
        await on_stop(application)  # post_stop
        await application.shutdown()
        await services.close()


@pytest.fixture
async def bot(api: FakeBotApi, database_url: str) -> AsyncIterator[Services]:
    async with running_bot(api, database_url) as services:
        yield services


@dataclass
class Turn:
    """What the bot said in answer to one action."""

    messages: list[BotMessage]

    @property
    def text(self) -> str:
        return "\n".join(m.text for m in self.messages)

    @property
    def labels(self) -> list[str]:
        return [label for m in self.messages for label in m.button_labels()]

    @property
    def last(self) -> BotMessage:
        return self.messages[-1]


class Person:
    """A worker in a private chat. ``language`` is the one they will read the bot in; labels
    given to ``tap`` are English msgids, shown to them translated."""

    def __init__(self, user: FakeUser, language: str = "en") -> None:
        self.user = user
        self.language = language

    def _(self, msgid: str, **params: Any) -> str:
        with using_language(self.language):
            text = gettext(msgid)
        return text.format(**params) if params else text

    async def turn(self, timeout: float = 10.0) -> Turn:  # noqa: ASYNC109
        """Everything the bot says until it asks something (a message with buttons)."""
        messages: list[BotMessage] = []
        while True:
            message = await self.user.reply(timeout=timeout)
            messages.append(message)
            asks = message.buttons or message.reply_keyboard
            if asks and (message.edited or not message.text.startswith("⚠️")):
                messages += await self.user.replies_until_idle(quiet=0.05, timeout=1)
                return Turn(messages)

    async def quiet_turn(self) -> Turn:
        """Everything the bot says until it goes quiet (for answers without buttons): the
        first message may take a while on a loaded machine, then until 0.3 s pass without."""
        first = await self.user.reply(timeout=10)
        return Turn([first, *await self.user.replies_until_idle(quiet=0.3, timeout=10)])

    async def say(self, text: str) -> Turn:
        await self.user.send(text)
        return await self.turn()

    async def tap(self, msgid: str, translate: bool = True) -> Turn:
        await self.user.tap(self._(msgid) if translate else msgid)
        return await self.turn()

    async def share_contact(self, phone: str) -> Turn:
        await self.user.share_contact(phone)
        return await self.turn()


LANGUAGE_BUTTONS = {"en": "English", "ur": "اردو", "ja": "日本語"}


async def at_menu(api: FakeBotApi, user_id: int, language: str = "en") -> Person:
    """A new worker says /start and picks a language: the main menu is on screen."""
    person = Person(api.user(user_id, language_code=language), language)
    await person.user.send("/start")
    await person.turn()
    await person.tap(LANGUAGE_BUTTONS[language], translate=False)
    return person
