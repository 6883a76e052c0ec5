"""Staff on Telegram: /stats (today's and the last 7 days' figures, Pakistan time) and /export
(the XLSX of the leads registered in the last 7 days, as a document), for the configured staff
Telegram ids only, in a private chat. Every export is recorded in the staff audit log.

Anyone else's /stats or /export never reaches this module: the conversation service answers it
as any unknown command, so nobody can tell that the commands exist.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Collection
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Update

from bot.conversation import utcnow
from bot.engine.texts import t
from bot.i18n import DEFAULT_LANGUAGE, N_, paragraph, resolve_language, using_language
from bot.oec_time import oec_today
from bot.staff.export import export, file_name
from bot.staff.filters import LeadFilter
from bot.storage import staff as store
from bot.storage.db import session_factory
from bot.storage.figures import Figures, figures
from bot.storage.lead_queries import PAKISTAN, day_start_utc

COMMANDS = frozenset({"stats", "export"})
WEEK_DAYS = 7

STATS_TODAY = N_("Today, {day}:")
STATS_WEEK = N_("Last 7 days, {since} to {until}:")
STATS_PEOPLE = N_("New people: {count}")
STATS_CHECKS = N_("Eligibility checks: {count}")
STATS_STARTED = N_("Started registering: {count}")
STATS_REGISTERED = N_("Registered: {count}")
STATS_NOTE = N_("Pakistan time. Send /export for the list of the last 7 days.")
EXPORT_CAPTION = N_("Leads registered from {since} to {until}: {count}")


class BytesSink:
    """An export sink that keeps the file in memory (a week of leads is small)."""

    def __init__(self) -> None:
        self.buffer = io.BytesIO()

    async def write(self, data: bytes) -> None:
        self.buffer.write(data)


class StaffOnTelegram:
    def __init__(
        self,
        database: AsyncEngine,
        staff_ids: Collection[int],
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.database = database
        self.staff_ids = frozenset(staff_ids)
        self.now = now
        self.sessions = session_factory(database)

    def handles(self, command: str | None, user_id: int, private: bool) -> bool:
        """True for a staff command from a configured staff id in a private chat."""
        return command in COMMANDS and private and user_id in self.staff_ids

    def today(self) -> date:
        return oec_today(self.now(), PAKISTAN)

    @staticmethod
    def _start(day: date) -> datetime:
        return day_start_utc(day)  # the stored times are UTC (SQLite keeps no zone)

    async def stats_text(self) -> str:
        """Today's and the last 7 days' figures, in the current language."""
        today = self.today()
        since = today - timedelta(days=WEEK_DAYS - 1)
        end = self._start(today + timedelta(days=1))
        async with self.sessions() as db:
            day = await figures(db, self._start(today), end)
            week = await figures(db, self._start(since), end)
        lines = [t(STATS_TODAY, day=today), *_lines(day), ""]
        lines += [t(STATS_WEEK, since=since, until=today), *_lines(week), ""]
        lines.append(t(STATS_NOTE))
        return paragraph("\n".join(lines))

    async def export_week(self, user_id: int) -> tuple[bytes, str, int, date, date]:
        """The XLSX of the last 7 days' leads (file, name, rows, first and last day), recorded
        in the audit log as an export by ``telegram:<user_id>``."""
        today = self.today()
        since = today - timedelta(days=WEEK_DAYS - 1)
        where = LeadFilter(since=since, until=today)
        sink = BytesSink()
        rows = await export(self.database, where, "xlsx", sink)
        async with self.sessions() as db, db.begin():
            await store.audit(
                db,
                "export",
                self.now(),
                actor=f"telegram:{user_id}",
                detail={
                    "format": "xlsx",
                    "rows": rows,
                    "since": since.isoformat(),
                    "until": today.isoformat(),
                    "via": "telegram",
                },
            )
        return sink.buffer.getvalue(), file_name(where, "xlsx", today), rows, since, today

    async def handle(self, update: Update, command: str) -> None:
        """Answer a staff command (``handles`` said yes) in the staff member's language."""
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None:
            return
        language = resolve_language(None, user.language_code) or DEFAULT_LANGUAGE
        with using_language(language):
            if command == "stats":
                await chat.send_message(await self.stats_text())
                return
            data, name, rows, since, until = await self.export_week(user.id)
            caption = paragraph(t(EXPORT_CAPTION, since=since, until=until, count=rows))
            await chat.send_document(document=data, filename=name, caption=caption)


def _lines(figures: Figures) -> list[str]:
    return [
        t(STATS_PEOPLE, count=figures.people),
        t(STATS_CHECKS, count=figures.checks),
        t(STATS_STARTED, count=figures.started),
        t(STATS_REGISTERED, count=figures.registered),
    ]
