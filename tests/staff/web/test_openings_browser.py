"""Job openings in a real browser (Debian's Chromium through Playwright), in English and
Urdu: an officer signs in, writes an opening (the form says the Japanese description is
missing, and publishing waits for it), adds it, publishes it, sees the leads who meet it and
nearly do with what they miss, invites the ones who meet it after a confirmation, and watches
an answer arrive (the page's script asks the JSON endpoint). Screenshots go to
``$SSW_SCREENSHOTS`` (``docs/screenshots`` in the docs)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from playwright.async_api import Browser, expect

from tests.staff.web.conftest import StaffWeb
from tests.staff.web.openings_data import DESCRIPTIONS, PASSED, add_answer
from tests.staff.web.test_browser import chromium, shots, sign_in  # noqa: F401  (fixtures)


async def test_an_officer_creates_publishes_and_invites_in_a_browser(
    staff_web_sqlite: StaffWeb,
    chromium: Browser,  # noqa: F811
    shots: Path,  # noqa: F811
) -> None:
    web = staff_web_sqlite
    meets = await web.lead(full_name="Test Meets Ahmad", answers=PASSED)
    await web.lead(full_name="Test Nearly Bilal", answers={**PASSED, "skills_test": "no"})
    await web.lead(full_name="Test Too Old Chand", answers=PASSED, birth_date=date(1980, 1, 1))
    await web.lead(full_name="آزمائشی نزدیک دانش", answers={**PASSED, "jp_tests": ["none"]})
    await web.account("test.officer", "officer")
    context = await chromium.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    await sign_in(page, web, "test.officer")

    await page.get_by_role("link", name="Job openings").click()
    await expect(page.get_by_text("No job openings yet.")).to_be_visible()
    await page.get_by_role("link", name="New job opening").click()
    await page.get_by_label("Title").fill("Test food factory workers, Aichi")
    await page.locator("#sector").select_option("food_manufacturing")
    await expect(page.locator("#category")).to_be_hidden()  # no job types in this work
    await page.get_by_label("Employer or partner").fill("Example Foods KK (fake)")
    await page.get_by_label("Prefecture").select_option("aichi")
    await page.get_by_label("Places").fill("20")
    await page.get_by_label("Highest age on the day of entry").fill("35")
    await page.get_by_label("Japanese level").select_option("jft_a2")
    await page.get_by_label("Monthly pay in yen (optional)").fill("210000")
    await page.locator("input[name=deadline]").fill("2027-03-01")
    await page.get_by_role("textbox", name="English").fill(DESCRIPTIONS["en"])
    await page.get_by_role("textbox", name="اردو").fill(DESCRIPTIONS["ur"])
    await expect(page.get_by_role("textbox", name="اردو")).to_have_attribute("dir", "rtl")
    await expect(page.locator("[data-missing=ja]")).to_be_visible()
    await expect(page.locator("[data-missing=ur]")).to_be_hidden()  # typed: no longer marked
    await expect(page.locator("#missing")).to_contain_text("日本語")  # the notice follows too
    await expect(page.locator("#missing")).not_to_contain_text("English")
    await page.screenshot(path=shots / "opening-form-en.png", full_page=True)
    await page.get_by_role("button", name="Save as a draft").click()

    await expect(page.locator("#done")).to_have_text("The opening is saved as a draft.")
    await expect(page.locator("#problems")).to_contain_text("日本語")
    await expect(page.get_by_role("button", name="Publish and match")).to_be_disabled()
    await page.get_by_role("link", name="Change", exact=True).click()
    await expect(page.get_by_label("Title")).to_have_value("Test food factory workers, Aichi")
    await page.get_by_role("textbox", name="日本語").fill(DESCRIPTIONS["ja"])
    await page.get_by_role("button", name="Save", exact=True).click()
    await page.get_by_role("button", name="Publish and match").click()

    await expect(page.locator("#state")).to_have_text("Open")
    table = page.locator("#candidates table.list")
    await expect(table.locator("tbody tr")).to_have_count(3)
    await expect(table).to_contain_text("Test Meets Ahmad")
    await expect(table).to_contain_text("Test Nearly Bilal")
    await expect(table).not_to_contain_text("Test Too Old Chand")
    await expect(table).to_contain_text("Skills test for this work passed")
    await expect(page.locator("#matching")).to_contain_text("Meets it")
    await page.screenshot(path=shots / "opening-en.png", full_page=True)

    await page.get_by_role("link", name="Invite the 1 who meets it…").click()
    await expect(page.locator("#invite-count")).to_contain_text("1 worker meets this opening")
    await page.get_by_role("button", name="Yes, invite 1 worker").click()
    await expect(page.locator("#done")).to_have_text("The invitations are on their way.")
    await expect(page.locator("[data-count='invited']")).to_have_text("1")
    opening_id = int(page.url.split("/openings/")[1].split("?")[0])
    await add_answer(web.engine, opening_id, meets, interested=True)  # the worker taps
    await expect(page.locator("[data-count='interested']")).to_have_text("1", timeout=20_000)
    await expect(page.locator("#reload")).to_be_visible()
    await page.locator("#reload").click()
    await page.get_by_role("button", name="Put on the shortlist").click()
    await expect(page.locator("[data-count='shortlisted']")).to_have_text("1")
    await page.screenshot(path=shots / "opening-answers-en.png", full_page=True)

    await page.get_by_role("button", name="اردو").click()
    await expect(page.locator("html")).to_have_attribute("dir", "rtl")
    await expect(page.locator("#state")).to_have_text("کھلی")
    await expect(page.locator("#candidates")).to_contain_text("اس کام کا ہنر کا ٹیسٹ پاس")
    await page.screenshot(path=shots / "opening-ur.png", full_page=True)
    await page.set_viewport_size({"width": 390, "height": 844})  # a phone: rows become cards
    await expect(page.locator("#candidates thead")).to_be_hidden()
    await page.screenshot(path=shots / "opening-phone-ur.png", full_page=True)
    await page.set_viewport_size({"width": 1280, "height": 900})
    await page.goto(web.base + f"/openings/{opening_id}/edit")
    await expect(page.get_by_label("جاپان کا صوبہ (پریفیکچر)")).to_have_value("aichi")
    await page.screenshot(path=shots / "opening-form-ur.png", full_page=True)
    await page.goto(web.base + "/openings")
    await expect(page.locator("table.list tbody tr")).to_have_count(1)
    await expect(page.locator("table.list")).to_contain_text("آئچی")
    await page.screenshot(path=shots / "openings-ur.png", full_page=True)
    audit = [e.action for e in await web.audit() if e.action.startswith("opening.")]
    assert audit == [
        "opening.create",
        "opening.update",
        "opening.publish",
        "opening.invite",
        "opening.shortlist",
    ]
