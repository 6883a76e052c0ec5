"""A job opening from end to end, as an officer and workers live it.

An officer signs in (Debian's Chromium through Playwright), enters an employer's opening and
publishes it. Registered workers with different answers are classed by the matching: two meet
it, two nearly do (one has no skills test yet, one neither test), one is too old for it, one
chose other work. The officer invites those who meet it, then, separately, those
who nearly do. The bot (python-telegram-bot over real HTTP to our fake Bot API, with the
outbox sender) delivers the invitations to exactly those three, each in their own language;
two tap "I'm interested". The officer sees them on the opening's page, shortlists them, and
downloads the shortlist as CSV and XLSX, read back here. One database (PostgreSQL) under
both the staff web and the bot.
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.async_api import Browser, Page, expect

from bot import openings as jobs
from bot.engine.texts import button_label
from bot.i18n import gettext, using_language
from tests.channels.conftest import running_bot
from tests.channels.test_openings import FAST, next_message, worker
from tests.conftest import _truncate
from tests.fake_bot_api import FakeBotApi
from tests.staff.web.conftest import StaffWeb, start_staff_web, stop_staff_web
from tests.staff.web.test_browser import chromium, shots, sign_in  # noqa: F401  (fixtures)

PASSED = {"sectors": ["food_manufacturing"], "jp_tests": ["jft_a2"], "skills_test": "yes"}
DESCRIPTIONS = {
    "en": "Packing boxed lunches in a clean factory near Nagoya. Test opening.",
    "ur": "ناگویا کے قریب ایک صاف فیکٹری میں کھانے کے ڈبے پیک کرنا۔ آزمائشی اسامی۔",
    "ja": "名古屋の近くの清潔な工場で弁当を包装する仕事。テスト用の求人。",
}
TITLE = "Test boxed lunch packers, Aichi"


@pytest.fixture
def clean_postgres(postgres_url: str) -> str:
    _truncate(postgres_url)
    return postgres_url


@pytest.fixture
async def web(clean_postgres: str) -> AsyncIterator[StaffWeb]:
    staff = await start_staff_web(clean_postgres)
    try:
        yield staff
    finally:
        await stop_staff_web(staff)


def label(language: str, msgid: str) -> str:
    with using_language(language):
        return button_label(gettext(msgid))


async def _create_and_publish(page: Page, web: StaffWeb) -> int:
    await sign_in(page, web, "test.officer")
    await page.get_by_role("link", name="Job openings").click()
    await page.get_by_role("link", name="New job opening").click()
    await page.get_by_label("Title").fill(TITLE)
    await page.locator("#sector").select_option("food_manufacturing")
    await page.get_by_label("Employer or partner").fill("Example Bento KK (fake)")
    await page.get_by_label("Prefecture").select_option("aichi")
    await page.get_by_label("Places").fill("20")
    await page.get_by_label("Highest age on the day of entry").fill("35")
    await page.get_by_label("Japanese level").select_option("jft_a2")
    await page.get_by_label("Monthly pay in yen (optional)").fill("205000")
    await page.locator("input[name=deadline]").fill("2027-03-01")
    for name, code in (("English", "en"), ("اردو", "ur"), ("日本語", "ja")):
        await page.get_by_role("textbox", name=name).fill(DESCRIPTIONS[code])
    await page.get_by_role("button", name="Save as a draft").click()
    await page.get_by_role("button", name="Publish and match").click()
    await expect(page.locator("#state")).to_have_text("Open")
    return int(page.url.split("/openings/")[1].split("?")[0])


async def _invite(page: Page, link: str, button: str) -> None:
    await page.get_by_role("link", name=link).click()
    await page.get_by_role("button", name=button).click()
    await expect(page.locator("#done")).to_have_text("The invitations are on their way.")


async def _download(page: Page, name: str) -> tuple[str, bytes]:
    async with page.expect_download() as info:
        await page.get_by_role("button", name=name).click()
    download = await info.value
    path = await download.path()
    return download.suggested_filename, await asyncio.to_thread(Path(path).read_bytes)


async def test_an_officer_finds_invites_and_shortlists_workers_for_an_opening(
    web: StaffWeb,
    clean_postgres: str,
    api: FakeBotApi,
    chromium: Browser,  # noqa: F811
) -> None:
    async with running_bot(api, clean_postgres, sender=FAST) as services:
        database = services.database
        await worker(database, api, 9101, "ur", PASSED)  # meets it
        await worker(database, api, 9102, "ja", PASSED)  # meets it
        await worker(database, api, 9103, "en", {**PASSED, "skills_test": "no"})  # nearly
        await worker(
            database, api, 9104, "en", {**PASSED, "skills_test": "no", "jp_tests": ["none"]}
        )
        await worker(database, api, 9105, "en", {**PASSED, "sectors": ["construction"]})
        await worker(database, api, 9106, "en", PASSED, birth_date=date(1980, 1, 1))  # too old
        await web.account("test.officer", "officer")
        context = await chromium.new_context(viewport={"width": 1280, "height": 900})
        page = await context.new_page()

        opening_id = await _create_and_publish(page, web)
        matching = page.locator("#matching")
        await expect(matching).to_contain_text("Meets it")
        rows = page.locator("#candidates table.list tbody tr")
        await expect(rows).to_have_count(4)  # two meet it, two nearly (9104 lacks two tests)
        await _invite(page, "Invite the 2 who meet it…", "Yes, invite 2 workers")

        urdu, japanese = api.user(9101), api.user(9102)
        ur_invitation = await next_message(urdu)
        ja_invitation = await next_message(japanese)
        with using_language("ur"):
            assert gettext(jobs.INVITATION_HEADING) in ur_invitation.text
            assert DESCRIPTIONS["ur"] in ur_invitation.text
        with using_language("ja"):
            assert gettext(jobs.INVITATION_HEADING) in ja_invitation.text
            assert DESCRIPTIONS["ja"] in ja_invitation.text and "愛知県" in ja_invitation.text

        await _invite(
            page,
            "Invite the 2 who nearly meet it (they are told what they still need)…",
            "Yes, invite 2 workers",
        )
        en_invitation = await next_message(api.user(9103))
        assert DESCRIPTIONS["en"] in en_invitation.text
        assert "You still need:\n• Skills test for this work passed" in en_invitation.text
        await next_message(api.user(9104))  # also nearly: the Japanese and the skills test
        await asyncio.sleep(0.3)
        assert api.messages(9105) == api.messages(9106) == []  # other work; too old: not asked

        await urdu.tap(label("ur", jobs.INTERESTED_LABEL))
        await next_message(urdu)
        await api.user(9103).tap(label("en", jobs.INTERESTED_LABEL))
        await next_message(api.user(9103))
        await japanese.tap(label("ja", jobs.NOT_FOR_ME_LABEL))
        await next_message(japanese)

        await page.goto(web.base + f"/openings/{opening_id}?answer=interested")
        await expect(page.locator("[data-count='interested']")).to_have_text("2")
        await expect(page.locator("[data-count='declined']")).to_have_text("1")
        await expect(rows).to_have_count(2)
        for _ in range(2):
            await page.get_by_role("button", name="Put on the shortlist").first.click()
        await expect(page.locator("[data-count='shortlisted']")).to_have_text("2")

        csv_name, csv_bytes = await _download(page, "Download CSV")
        xlsx_name, xlsx_bytes = await _download(page, "Download XLSX")
        await context.close()

    assert csv_name.startswith(f"shortlist-{opening_id}-") and csv_name.endswith(".csv")
    assert xlsx_name.endswith(".xlsx")
    text = csv_bytes.decode("utf-8-sig")
    assert TITLE in text and "Example Bento KK (fake)" in text  # the opening, described
    table = list(csv.reader(io.StringIO(text)))
    references = {cell for row in table for cell in row if cell.startswith("SSW-")}
    assert len(references) == 2  # the two interested workers, nobody else
    sheet = load_workbook(io.BytesIO(xlsx_bytes), read_only=True).active
    assert sheet is not None
    xlsx_refs = {
        str(cell) for row in sheet.iter_rows(values_only=True) for cell in row
        if isinstance(cell, str) and cell.startswith("SSW-")
    }  # fmt: skip
    assert xlsx_refs == references
