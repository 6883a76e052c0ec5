"""The staff web app in a real browser: headless Chromium (Debian's) driven by Playwright.

Sign in, search by an Urdu name and by a CNIC typed without dashes, filter, open a lead,
change its status, add a note, read the timeline, switch the interface to Urdu; resolve a
possible duplicate and download both exports of a filtered list. Screenshots of the sign-in,
leads list and lead pages in English and Urdu go to ``$SSW_SCREENSHOTS``
(``SSW_SCREENSHOTS=docs/screenshots`` refreshes the ones in the docs), else to a temporary
folder.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from bench.seed import seed
from bot.ssw import review
from tests.staff.web.conftest import PASSWORD, START, StaffWeb, eligibility

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
URDU_NAME = "محمد علی آزمائشی"


@pytest.fixture
async def chromium() -> AsyncIterator[Browser]:
    executable = shutil.which("chromium")
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is required in CI (apt-get install -y chromium)")
        pytest.skip("no chromium: apt-get install -y chromium")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


async def sign_in(page: Page, web: StaffWeb, name: str, path: str = "/sign-in") -> None:
    """Sign in through the form, after opening ``path`` (a page that sends strangers to it)."""
    await page.goto(web.base + path)
    await page.get_by_label("Sign-in name").fill(name)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("SSW_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def _seed(web: StaffWeb) -> int:
    """A handful of obviously fake leads; returns the Urdu-named one's id."""
    urdu = await web.lead(
        full_name=URDU_NAME,
        cnic="3520212345671",
        mobile="+923001234567",
        language="ur",
        source="roadshow_lahore",
        answers={"province": "punjab", "sectors": ["construction"], "district": "فیصل آباد"},
        eligibility=eligibility(),
        created_at=datetime(2026, 11, 20, 6, 30, tzinfo=UTC),
    )
    others = [
        ("Test Worker Beta", "sindh", ["food_service"], "en", None),
        ("Test Worker Gamma", "kp", ["agriculture", "construction"], "en", "fb_ad_nov"),
        ("فاطمہ آزمائشی", "punjab", ["nursing_care"], "ur", "roadshow_lahore"),
        ("Test Worker Delta", "balochistan", ["auto_repair"], "en", None),
        ("Test Worker Epsilon", "islamabad", ["it_engineer"], "ja", None),
    ]
    for n, (name, province, sectors, language, source) in enumerate(others):
        await web.lead(
            full_name=name,
            language=language,
            source=source,
            answers={"province": province, "sectors": sectors},
            eligibility=eligibility() if n % 2 else None,
            created_at=datetime(2026, 11, 21 + n, 7, tzinfo=UTC),
        )
    return urdu


async def _names(page: Page) -> list[str]:
    return await page.locator("table.list tbody tr td:first-child a").all_inner_texts()


async def test_an_officer_follows_a_lead_up_in_a_browser(
    staff_web_sqlite: StaffWeb, chromium: Browser, shots: Path
) -> None:
    web = staff_web_sqlite
    urdu_lead = await _seed(web)
    await web.account("test.officer", "officer")
    context = await chromium.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()

    await page.goto(web.base + "/leads")
    await expect(page).to_have_url(web.base + "/sign-in?next=/leads")
    await page.screenshot(path=shots / "sign-in-en.png", full_page=True)
    await page.get_by_label("Sign-in name").fill("test.officer")
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page).to_have_url(web.base + "/leads")
    assert len(await _names(page)) == 6
    await page.screenshot(path=shots / "leads-en.png", full_page=True)

    await page.get_by_label("Search").fill("محمد علی")
    await page.get_by_role("button", name="Show").first.click()
    assert await _names(page) == [URDU_NAME]
    await page.get_by_label("Search").fill("3520212345671")
    await page.get_by_role("button", name="Show").first.click()
    assert await _names(page) == [URDU_NAME]
    assert "q=3520212345671" in page.url  # the filter is in the link, to share

    await page.get_by_text("Filters and sorting").click()  # folded away until used
    await page.get_by_role("link", name="Clear").click()
    await expect(page).to_have_url(web.base + "/leads")
    await page.get_by_text("Filters and sorting").click()
    await page.get_by_label("Province").select_option("punjab")
    await page.get_by_role("button", name="Show").first.click()
    assert sorted(await _names(page)) == sorted([URDU_NAME, "فاطمہ آزمائشی"])
    await page.get_by_label("Work").select_option("construction")
    await page.get_by_role("button", name="Show").first.click()
    assert await _names(page) == [URDU_NAME]

    await page.get_by_role("link", name=URDU_NAME).click()
    await expect(page).to_have_url(web.base + f"/leads/{urdu_lead}")
    await expect(page.locator("h1")).to_have_text(URDU_NAME)
    await expect(page.get_by_text("SSW (i) in Construction: what you still need")).to_be_visible()

    await page.get_by_label("Status").select_option("contacted")
    await page.get_by_label("Note (optional)").fill("Called him; he will send his passport copy.")
    await page.get_by_role("button", name="Save").click()
    timeline = page.locator("ol.timeline")
    await expect(timeline).to_contain_text("Status: New → Contacted")
    await expect(timeline).to_contain_text("Called him; he will send his passport copy.")
    await expect(timeline).to_contain_text("Worker's notice: waiting to be sent")  # queued
    web.clock.advance(minutes=7)
    await page.get_by_label("Note (optional)").fill("Passport copy received.")
    await page.get_by_role("button", name="Save").click()  # same status: just a note
    await expect(timeline.locator("li")).to_have_count(2)
    await expect(timeline.locator("li").first).to_contain_text("Passport copy received.")
    await page.get_by_label("Assign to").select_option(label="test.officer")
    await page.get_by_role("button", name="Assign", exact=True).click()
    await expect(timeline.locator("li").first).to_contain_text("Assigned to test.officer")
    await page.screenshot(path=shots / "lead-en.png", full_page=True)

    await page.get_by_role("button", name="اردو").click()
    await expect(page.locator("html")).to_have_attribute("dir", "rtl")
    await expect(page.locator("html")).to_have_attribute("lang", "ur")
    await expect(page).to_have_url(web.base + f"/leads/{urdu_lead}")
    await expect(page.locator("ol.timeline")).to_contain_text("کارکن کو اطلاع: ابھی بھیجی جانی ہے")
    await page.screenshot(path=shots / "lead-ur.png", full_page=True)
    await page.goto(web.base + "/leads")
    await expect(page.locator("html")).to_have_attribute("dir", "rtl")
    await page.screenshot(path=shots / "leads-ur.png", full_page=True)
    await page.locator("form[action='/sign-out'] button").click()
    await expect(page).to_have_url(web.base + "/sign-in")
    await expect(page.locator("html")).to_have_attribute("dir", "rtl")
    await page.screenshot(path=shots / "sign-in-ur.png", full_page=True)
    await context.close()


async def test_pages_fit_a_phone(
    staff_web_sqlite: StaffWeb, chromium: Browser, shots: Path
) -> None:
    web = staff_web_sqlite
    lead = await _seed(web)
    await web.account("test.viewer", "viewer")
    context = await chromium.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True
    )
    page = await context.new_page()
    await sign_in(page, web, "test.viewer")
    for path, name in (("/leads", "leads-phone-en.png"), (f"/leads/{lead}", "lead-phone-en.png")):
        await page.goto(web.base + path)
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} scrolls sideways on a phone ({width}px)"
        await page.screenshot(path=shots / name, full_page=True)
    assert "35202-*******-1" in await page.content()  # a viewer's phone shows it masked
    await context.close()


FORMULA_NAME = '=HYPERLINK("http://example.invalid","Fake")'


async def _seed_duplicates(web: StaffWeb) -> tuple[int, int]:
    """The usual leads, a lead named like a formula, and a second account's lead with the
    Urdu-named worker's CNIC, marked as its possible duplicate. Returns (marked, earlier)."""
    earlier = await _seed(web)
    await web.lead(
        full_name=FORMULA_NAME,
        answers={"province": "punjab", "sectors": ["construction"]},
        created_at=datetime(2026, 11, 23, 9, tzinfo=UTC),
    )
    marked = await web.lead(
        full_name="محمد علی",
        cnic="3520212345671",
        mobile="+923219876543",
        language="ur",
        answers={"province": "punjab", "district": "لاہور", "sectors": ["construction"]},
        created_at=datetime(2026, 11, 24, 10, tzinfo=UTC),
        duplicate_of_id=earlier,
        duplicate_reason="cnic",
    )
    return marked, earlier


async def test_an_officer_resolves_a_duplicate_and_exports_a_filtered_list(
    staff_web_sqlite: StaffWeb, chromium: Browser, shots: Path, tmp_path: Path
) -> None:
    import csv

    import openpyxl

    web = staff_web_sqlite
    marked, earlier = await _seed_duplicates(web)
    earlier_ref = (await web.get_lead(earlier)).reference
    await web.account("test.officer", "officer")
    context = await chromium.new_context(
        viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    page = await context.new_page()
    await sign_in(page, web, "test.officer")

    await page.get_by_role("link", name="Possible duplicates").click()
    await expect(page).to_have_url(web.base + "/duplicates")
    pair = page.locator("section.pair")
    await expect(pair).to_have_count(1)
    await expect(pair.locator("tr.same")).to_have_count(2)  # CNIC and work
    await expect(pair.locator("tr.same").first).to_contain_text("CNIC")
    await page.screenshot(path=shots / "staff-duplicates-en.png", full_page=True)
    await page.get_by_role("button", name="اردو").click()
    await expect(page.locator("html")).to_have_attribute("dir", "rtl")
    await page.screenshot(path=shots / "staff-duplicates-ur.png", full_page=True)
    await page.get_by_role("button", name="English").click()
    await page.set_viewport_size({"width": 390, "height": 844})
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"/duplicates scrolls sideways on a phone ({width}px)"
    await page.set_viewport_size({"width": 1280, "height": 900})

    keep = re.compile(f"Keep \\W?{earlier_ref}\\W?, merge the other into it")  # FSI…PDI
    await page.get_by_role("button", name=keep).click()
    await expect(page.get_by_role("status").first).to_contain_text("Decision recorded: Merged.")
    await expect(page.locator("section.pair")).to_have_count(0)
    await page.goto(web.base + f"/leads/{marked}")
    await expect(page.locator("ol.timeline")).to_contain_text(f"Merged into {earlier_ref}")
    await expect(page.locator("ol.timeline")).to_contain_text("Status: New → Invalid")
    await page.locator(".banner").get_by_role("link", name=earlier_ref).click()
    await expect(page).to_have_url(web.base + f"/leads/{earlier}")
    await expect(page.locator(".banner")).to_contain_text("was merged into this lead")

    await page.goto(web.base + "/leads")
    await page.get_by_text("Filters and sorting").click()
    await page.get_by_label("Province").select_option("punjab")
    await page.get_by_label("Work").select_option("construction")
    await page.get_by_role("button", name="Show").first.click()
    shown = sorted(await _names(page))
    assert shown == sorted([URDU_NAME, "محمد علی", FORMULA_NAME])

    async with page.expect_download() as csv_download:
        await page.get_by_role("button", name="Export CSV").click()
    download = await csv_download.value
    assert download.suggested_filename == "leads-2026-11-25.csv"
    await download.save_as(tmp_path / "leads.csv")
    with (tmp_path / "leads.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    names = [row["Full name"] for row in rows]
    assert sorted(names) == sorted([URDU_NAME, "محمد علی", "'" + FORMULA_NAME])
    assert URDU_NAME in names  # intact, not mojibake

    async with page.expect_download() as xlsx_download:
        await page.get_by_role("button", name="Export XLSX").click()
    download = await xlsx_download.value
    assert download.suggested_filename == "leads-2026-11-25.xlsx"
    await download.save_as(tmp_path / "leads.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "leads.xlsx", read_only=True).active
    assert sheet is not None
    table = list(sheet.iter_rows(values_only=True))
    column = list(table[0]).index("Full name")
    assert sorted(str(row[column]) for row in table[1:]) == sorted(names)
    assert [e.detail["rows"] for e in await web.audit("export") if e.detail] == [3, 3]
    await context.close()


async def test_a_viewer_sees_the_dashboard_and_the_facts_due(
    staff_web_sqlite: StaffWeb, chromium: Browser, shots: Path
) -> None:
    """The charts are drawn (SVG, each with its accessible name), in English and in Urdu, on a
    desktop and on a phone; the facts due list links to its sources. Fake data from the bench
    seeder, funnel events included."""
    web = staff_web_sqlite
    await seed(str(web.engine.url).replace("+aiosqlite", ""), 1500, funnel=True)
    await web.account("test.viewer", "viewer")
    context = await chromium.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    await sign_in(page, web, "test.viewer", "/dashboard")
    await expect(page).to_have_url(web.base + "/dashboard")
    charts = page.locator("svg.chart[role='img']")
    await expect(charts).to_have_count(7)
    for title in (
        "From first use to registration",
        "Where people stop registering",
        "Leads per day",
        "Leads by kind of work",
        "Leads by province",
        "Leads by language",
        "Leads by source",
    ):
        chart = page.get_by_role("img", name=title)
        await expect(chart).to_be_visible()
        box = await chart.bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 60
    funnel = page.get_by_role("img", name="From first use to registration", exact=True)
    await expect(funnel).to_have_accessible_description(
        "People at each stage, and their share of those who started."
    )
    await expect(funnel.locator("rect")).to_have_count(4)
    await expect(funnel.locator("text.label").first).to_have_text("Started using the bot")
    await expect(funnel.locator("text.value").first).to_contain_text("(100%)")
    days = page.get_by_role("img", name="Leads per day")
    await expect(days.locator("g.column")).to_have_count(30)
    await page.get_by_text("The numbers").first.click()  # the table under the funnel
    await expect(page.locator("#funnel table.figures tbody tr")).to_have_count(4)
    await page.get_by_role("link", name="Last 90 days").click()
    await expect(page).to_have_url(web.base + "/dashboard?days=90")
    await expect(days.locator("g.column")).to_have_count(90)
    await page.get_by_role("link", name="Last 30 days").click()
    await page.screenshot(path=shots / "staff-dashboard-en.png", full_page=True)

    await page.get_by_role("button", name="اردو").click()
    await expect(page.locator("html")).to_have_attribute("dir", "rtl")
    await expect(page.get_by_role("img", name="پہلی بار استعمال سے رجسٹریشن تک")).to_be_visible()
    await expect(page.get_by_role("img", name="صوبے کے لحاظ سے امیدوار")).to_contain_text("پنجاب")
    await expect(charts.first).to_have_attribute("direction", "rtl")
    await page.screenshot(path=shots / "staff-dashboard-ur.png", full_page=True)

    web.clock.at = datetime(2027, 3, 15, 4, tzinfo=UTC)  # some facts are due by then
    await page.get_by_role("link", name="جانچ طلب حقائق").click()  # signed out, idle so long
    await page.locator("input[name='name']").fill("test.viewer")
    await page.locator("input[name='password']").fill(PASSWORD)
    await page.locator("main button").click()
    await expect(page).to_have_url(web.base + "/facts-due")
    await expect(page.locator("ol.due-list > li")).to_have_count(
        len(review.due(date(2027, 3, 15), 30))
    )
    await page.screenshot(path=shots / "facts-due-ur.png")  # the first screen
    await page.get_by_role("button", name="English").click()
    await expect(page.locator("html")).to_have_attribute("dir", "ltr")
    await expect(page.get_by_role("heading", name="Facts to check")).to_be_visible()
    official = page.get_by_role("link", name="https://www.jpf.go.jp/jft-basic/e/").first
    await expect(official).to_have_attribute("href", "https://www.jpf.go.jp/jft-basic/e/")
    await page.screenshot(path=shots / "facts-due-en.png")
    await context.close()

    phone = await chromium.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True
    )
    page = await phone.new_page()
    await sign_in(page, web, "test.viewer")
    web.clock.at = START
    for path in ("/dashboard", "/facts-due"):
        await page.goto(web.base + path)
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} scrolls sideways on a phone ({width}px)"
    await page.goto(web.base + "/dashboard")
    await page.screenshot(path=shots / "staff-dashboard-phone-en.png", full_page=True)
    await phone.close()
