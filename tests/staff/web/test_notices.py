"""The lead page tells the officer whether the worker was told of a status change: waiting,
told, or not told because the worker blocked the bot (real app over HTTP, both databases)."""

from __future__ import annotations

from datetime import timedelta

from bot.storage import outbox
from bot.storage.db import session_factory
from tests.staff.web.conftest import StaffWeb

WAITING = "Worker&#39;s notice: waiting to be sent"
TOLD = "Worker told on Telegram"
BLOCKED = "Worker not told: they have blocked the bot"


async def test_the_timeline_shows_how_the_workers_notice_went(staff_web: StaffWeb) -> None:
    officer = await staff_web.signed_in("officer1", "officer")
    lead = await staff_web.lead()
    sessions = session_factory(staff_web.engine)

    await officer.post(f"/leads/{lead}/status", {"status": "contacted"})
    page = await officer.get(f"/leads/{lead}")
    assert WAITING in page.text and TOLD not in page.text

    (claimed,) = await outbox.claim(
        sessions, "sender-a", "telegram", 5, staff_web.clock(), timedelta(minutes=2)
    )
    await outbox.finish(sessions, claimed.id, "sender-a", outbox.BLOCKED, staff_web.clock())
    await officer.post(f"/leads/{lead}/status", {"status": "invalid"})  # the worker is not told
    page = await officer.get(f"/leads/{lead}")
    assert BLOCKED in page.text and WAITING not in page.text
    assert page.text.count('class="told ') == 1

    staff_web.clock.advance(minutes=1)
    await officer.post(f"/leads/{lead}/status", {"status": "documents"})
    (claimed,) = await outbox.claim(
        sessions, "sender-a", "telegram", 5, staff_web.clock(), timedelta(minutes=2)
    )
    await outbox.finish(sessions, claimed.id, "sender-a", outbox.SENT, staff_web.clock())
    page = await officer.get(f"/leads/{lead}")
    assert TOLD in page.text and BLOCKED in page.text
