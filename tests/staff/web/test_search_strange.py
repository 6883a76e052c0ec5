"""The staff web's search box takes whatever is typed into it: long text, right-to-left
override, zero-width and combining characters, emoji, SQL and HTML fragments. Never a 500,
never an injection; a lead whose name is such text is shown escaped (the test client on
SQLite and PostgreSQL, and once in a real browser)."""

from __future__ import annotations

from urllib.parse import quote

from markupsafe import escape
from playwright.async_api import Browser

from bot.staff.filters import MAX_QUERY
from tests.staff.web.conftest import StaffWeb
from tests.staff.web.test_browser import chromium as chromium
from tests.staff.web.test_browser import sign_in  # the fixture
from tests.strange import STRANGE

SEARCHES = (
    *STRANGE,
    "%",
    "_",
    "\\",
    "%%' OR 1=1 --",
    "' UNION SELECT password_hash FROM staff_accounts --",
    "x" * 20_000,
    "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
)
SCRIPT_NAME = "<script>document.title='pwned'</script><b>Zed</b> \u202eKhan"


async def test_search_box_takes_anything(staff_web: StaffWeb) -> None:
    await staff_web.lead(full_name="Test Worker Alpha", cnic="3740598765439")
    await staff_web.lead(full_name=SCRIPT_NAME, cnic="3520212345671", mobile="+923451112233")
    officer = await staff_web.signed_in("nadia", "officer")
    everyone = (await officer.get("/leads")).text
    assert SCRIPT_NAME not in everyone and str(escape(SCRIPT_NAME)) in everyone
    for typed in SEARCHES:
        page = await officer.get("/leads", q=typed)
        if len(quote(typed)) > 8000:  # over aiohttp's request line limit: 400, not a 500
            assert page.status == 400, (typed[:40], page.status)
            continue
        assert page.status == 200, (typed[:40], page.status)
        assert "<script>document.title" not in page.text
        if not "".join(ch for ch in typed if ch.isprintable()).strip():  # nothing: everyone
            assert "Test Worker Alpha" in page.text
        elif len(" ".join(typed.split())) > MAX_QUERY:  # refused, and said so
            assert 'class="error" role="alert"' in page.text
        else:
            assert "Test Worker Alpha" not in page.text, typed[:40]
    for path in ("/leads/export.csv", "/leads/export.xlsx"):
        page = await officer.get(path, q="'; DROP TABLE leads; --")
        assert page.status in {200, 303, 404}, (path, page.status)
    still = await officer.get("/leads", q="Test Worker Alpha")
    assert "Test Worker Alpha" in still.text  # nothing was dropped


async def test_the_list_renders_such_a_name_as_text_in_a_browser(
    staff_web_sqlite: StaffWeb, chromium: Browser
) -> None:
    web = staff_web_sqlite
    await web.lead(full_name=SCRIPT_NAME, cnic="3520212345671")
    await web.account("test.officer", "officer")
    context = await chromium.new_context()
    page = await context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))
    await sign_in(page, web, "test.officer", "/sign-in?next=/leads")
    await page.get_by_label("Search").fill("<script>alert(1)</script> '; DROP TABLE leads; --")
    await page.get_by_role("button", name="Show").first.click()
    assert await page.locator("script").count() == 0 or "pwned" not in await page.title()
    await page.get_by_label("Search").fill("Zed")
    await page.get_by_role("button", name="Show").first.click()
    cell = page.locator("table.list tbody tr td:first-child a")
    assert (await cell.all_inner_texts()) == [SCRIPT_NAME]
    assert "pwned" not in await page.title() and not dialogs
    await context.close()
