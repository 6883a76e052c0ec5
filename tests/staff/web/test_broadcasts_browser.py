"""Broadcasts in a real browser (Debian's Chromium through Playwright), in English and Urdu:
choose a segment and watch the count change (the page's script asks the JSON endpoint), write
the announcement, see what is missing, preview it as the worker will see it (Urdu right to
left), confirm, send, and follow the progress page as its numbers refresh; pause and resume.
Screenshots go to ``$SSW_SCREENSHOTS`` (``docs/screenshots`` in the docs)."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, expect
from sqlalchemy import select, update

from bot.storage import outbox
from bot.storage.db import session_factory
from bot.storage.models import OutboxMessage
from tests.staff.web.conftest import BROADCAST_TEXTS, StaffWeb
from tests.staff.web.test_browser import _seed, chromium, shots, sign_in  # noqa: F401  (fixtures)


async def _sent_one(web: StaffWeb) -> None:
    """What a sender would do with one message (no bot runs in this test)."""
    async with session_factory(web.engine)() as db, db.begin():
        first = await db.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id).limit(1))
        await db.execute(
            update(OutboxMessage).where(OutboxMessage.id == first).values(state=outbox.SENT)
        )


async def test_an_officer_writes_previews_and_sends_a_broadcast(
    staff_web_sqlite: StaffWeb,
    chromium: Browser,  # noqa: F811
    shots: Path,  # noqa: F811
) -> None:
    web = staff_web_sqlite
    await _seed(web)  # six workers on Telegram, two of them in Punjab
    await web.account("test.officer", "officer")
    context = await chromium.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    await sign_in(page, web, "test.officer")

    await page.get_by_role("link", name="Broadcasts").click()
    await expect(page.get_by_text("No broadcasts yet.")).to_be_visible()
    await page.get_by_role("link", name="Write a new broadcast").click()
    reach = page.locator("#reach")
    await expect(reach).to_have_text("This will reach 6 people.")
    await page.get_by_label("Province").select_option("punjab")  # the script counts again
    await expect(reach).to_have_text("This will reach 2 people.")
    assert page.url.endswith("/broadcasts/new?province=punjab")
    await page.get_by_label("Work").select_option("construction")
    await expect(reach).to_have_text("This will reach 1 person.")
    await page.get_by_label("Work").select_option("")
    await expect(reach).to_have_text("This will reach 2 people.")

    await page.get_by_role("textbox", name="English").fill(BROADCAST_TEXTS["en"])
    await page.get_by_role("textbox", name="اردو").fill(BROADCAST_TEXTS["ur"])
    await page.get_by_role("button", name="Save and preview").click()
    await expect(page.get_by_role("alert")).to_contain_text("Missing: 日本語")
    await expect(page.get_by_role("link", name="Send…")).to_have_count(0)
    urdu = page.locator("figure[data-preview='ur']")
    await expect(urdu).to_have_attribute("dir", "rtl")
    await expect(urdu.locator(".bubble")).to_contain_text(BROADCAST_TEXTS["ur"])
    await expect(urdu.locator(".tg-button")).to_contain_text("یہ پیغامات بند کریں")
    await expect(page.locator("#reach")).to_have_text("This will reach 2 people.")  # saved

    await page.get_by_role("textbox", name="日本語").fill(BROADCAST_TEXTS["ja"])
    await page.get_by_role("button", name="Save and preview").click()
    japanese = page.locator("figure[data-preview='ja'] .bubble")
    await expect(japanese).to_contain_text("📢 OECからのお知らせ")
    await page.screenshot(path=shots / "broadcast-preview-en.png", full_page=True)
    await page.get_by_role("link", name="Send…").click()
    await expect(page.get_by_role("status")).to_have_text("This will reach 2 people.")
    await page.screenshot(path=shots / "broadcast-confirm-en.png", full_page=True)
    await page.get_by_role("button", name="Yes, send it to 2 people").click()

    await expect(page.locator("#state")).to_have_text("Sending")
    await expect(page.locator("[data-count='queued']")).to_have_text("2")
    await expect(page.locator("[data-count='remaining']")).to_have_text("2")
    await _sent_one(web)  # the page's script shows it within a few seconds
    await expect(page.locator("[data-count='sent']")).to_have_text("1", timeout=8000)
    await expect(page.locator("[data-count='remaining']")).to_have_text("1")
    await page.screenshot(path=shots / "broadcast-progress-en.png", full_page=True)
    await page.get_by_role("button", name="Pause").click()
    await expect(page.locator("#state")).to_have_text("Paused")
    await page.get_by_role("button", name="Resume").click()
    await expect(page.locator("#state")).to_have_text("Sending")

    await page.get_by_role("button", name="اردو").click()
    await expect(page.locator("html")).to_have_attribute("dir", "rtl")
    await expect(page.locator("#state")).to_have_text("جا رہا ہے")
    await page.screenshot(path=shots / "broadcast-progress-ur.png", full_page=True)
    await page.goto(web.base + "/broadcasts")
    await expect(page.locator("table.list tbody tr")).to_have_count(1)
    await page.screenshot(path=shots / "broadcasts-ur.png", full_page=True)
    await page.goto(web.base + "/broadcasts/new?province=punjab")
    await expect(page.locator("#reach")).to_have_text("یہ 2 افراد تک پہنچے گا۔")
    await page.get_by_role("textbox", name="English").fill(BROADCAST_TEXTS["en"])
    await page.get_by_role("textbox", name="اردو").fill(BROADCAST_TEXTS["ur"])
    await page.get_by_role("textbox", name="日本語").fill(BROADCAST_TEXTS["ja"])
    await page.get_by_role("button", name="محفوظ کریں اور دیکھیں").click()
    await expect(page.locator("figure[data-preview='ur'] .bubble")).to_contain_text(
        "اعلان، OEC کی طرف سے"
    )
    await page.screenshot(path=shots / "broadcast-preview-ur.png", full_page=True)
    audit = [e.action for e in await web.audit() if e.action.startswith("broadcast")]
    assert audit == [
        "broadcast_create",
        "broadcast_edit",
        "broadcast_send",
        "broadcast_pause",
        "broadcast_resume",
        "broadcast_create",
    ]
    await context.close()
