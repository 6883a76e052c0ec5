"""Sign-in, sessions, CSRF and throttling of the staff web app, as a browser meets them."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from aiohttp import ClientSession, CookieJar

from bot.staff.web.auth import ACCOUNT_POLICY, ADDRESS_POLICY, SESSION_COOKIE
from tests.staff.web.conftest import PASSWORD, StaffWeb, start_staff_web, stop_staff_web


async def test_sign_in_and_out_are_audited(staff_web: StaffWeb) -> None:
    await staff_web.account("aisha.officer", "officer")
    browser = staff_web.browser()
    page = await browser.sign_in("Aisha.Officer")  # names are case-insensitive
    assert page.status == 303 and page.location == "/leads"
    assert (await browser.get("/leads")).status == 200
    assert (await browser.post("/sign-out")).location == "/sign-in"
    assert (await browser.get("/leads")).status == 303
    entries = await staff_web.audit()
    assert [e.action for e in entries] == ["sign_in", "sign_out"]
    assert entries[0].actor == "aisha.officer" and entries[0].address == "127.0.0.1"


async def test_wrong_password_or_unknown_name_are_refused_alike(staff_web: StaffWeb) -> None:
    await staff_web.account("bilal.viewer", "viewer")
    browser = staff_web.browser()
    wrong = await browser.sign_in("bilal.viewer", "not the password")
    unknown = await browser.sign_in("nobody.here", PASSWORD)
    assert wrong.status == unknown.status == 401
    assert "Wrong sign-in name or password." in wrong.text
    assert "Wrong sign-in name or password." in unknown.text
    failed = await staff_web.audit("sign_in_failed")
    assert [e.actor for e in failed] == ["bilal.viewer", None]


async def test_a_disabled_account_cannot_sign_in_and_is_signed_out(staff_web: StaffWeb) -> None:
    await staff_web.account("chief", "admin")
    target = await staff_web.account("daniyal", "officer")
    officer = await staff_web.signed_in("daniyal")
    admin = await staff_web.signed_in("chief")
    assert (await admin.post(f"/staff/{target}/disable")).status == 303
    assert (await officer.get("/leads")).status == 303  # signed out at once
    assert (await staff_web.browser().sign_in("daniyal")).status == 401


async def test_cookies_are_httponly_lax_and_secure_on_https(staff_web: StaffWeb) -> None:
    await staff_web.account("erum", "viewer")
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as session:
        base = staff_web.base
        async with session.get(base + "/sign-in") as response:
            form_cookie = response.headers.getall("Set-Cookie")[0]
            html = await response.text()
        csrf = html.split('name="csrf" value="')[1].split('"')[0]
        data = {"csrf": csrf, "name": "erum", "password": PASSWORD}
        headers = {"X-Forwarded-Proto": "https"}  # behind a proxy we trust (trust_proxy)
        async with session.post(
            base + "/sign-in", data=data, headers=headers, allow_redirects=False
        ) as response:
            cookies = [c for c in response.headers.getall("Set-Cookie") if SESSION_COOKIE in c]
    for cookie in (form_cookie, cookies[0]):
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Secure" in cookies[0] and "Secure" not in form_cookie


async def test_security_headers(staff_web: StaffWeb) -> None:
    async with ClientSession() as session, session.get(staff_web.base + "/sign-in") as response:
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Referrer-Policy"] == "same-origin"


# -- CSRF -------------------------------------------------------------------------------------


async def test_a_forged_post_is_refused(staff_web: StaffWeb) -> None:
    lead_id = await staff_web.lead()
    officer = await staff_web.signed_in("farah", "officer")
    other = await staff_web.signed_in("ghazal", "officer")
    assert other.csrf and officer.csrf and other.csrf != officer.csrf
    forged = [
        await officer.post(f"/leads/{lead_id}/status", {"status": "invalid"}, csrf=None),
        await officer.post(f"/leads/{lead_id}/status", {"status": "invalid"}, csrf="0" * 64),
        await officer.post(f"/leads/{lead_id}/status", {"status": "invalid"}, csrf=other.csrf),
    ]
    assert [page.status for page in forged] == [403, 403, 403]
    assert (await staff_web.get_lead(lead_id)).status == "new"
    done = await officer.post(f"/leads/{lead_id}/status", {"status": "contacted"})
    assert done.status == 303
    assert (await staff_web.get_lead(lead_id)).status == "contacted"


async def test_sign_in_itself_needs_the_form_token(staff_web: StaffWeb) -> None:
    await staff_web.account("hamza", "viewer")
    browser = staff_web.browser()
    await browser.get("/sign-in")
    data = {"name": "hamza", "password": PASSWORD}
    assert (await browser.post("/sign-in", data, csrf=None)).status == 403
    assert (await browser.post("/sign-in", data, csrf="f" * 64)).status == 403
    stranger = staff_web.browser()  # a token from another browser's page does not do either
    await stranger.get("/sign-in")
    assert (await browser.post("/sign-in", data, csrf=stranger.csrf)).status == 403
    assert (await browser.post("/sign-in", data)).status == 303


# -- sessions ---------------------------------------------------------------------------------


async def test_a_session_ends_after_30_idle_minutes(staff_web: StaffWeb) -> None:
    browser = await staff_web.signed_in("iqra", "viewer")
    for _ in range(3):  # activity keeps it alive, well past 30 minutes in all
        staff_web.clock.advance(minutes=20)
        assert (await browser.get("/leads")).status == 200
    staff_web.clock.advance(minutes=31)
    page = await browser.get("/leads", q="x")
    assert page.status == 303
    assert page.location and page.location.startswith("/sign-in?")
    query = parse_qs(urlsplit(page.location).query)
    assert query == {"next": ["/leads?q=x"], "expired": ["1"]}
    notice = await browser.get(page.location)
    assert "signed out after 30 minutes without activity" in notice.text
    staff_web.clock.advance(minutes=1)
    assert (await browser.get("/leads")).status == 303  # and the session is gone for good
    again = await browser.sign_in("iqra")
    assert again.status == 303


async def test_a_stolen_cookie_value_is_not_in_the_database(staff_web: StaffWeb) -> None:
    browser = await staff_web.signed_in("javed", "viewer")
    token = next(c.value for c in browser.session.cookie_jar if c.key == SESSION_COOKIE)
    from sqlalchemy import select

    from bot.storage.db import session_factory
    from bot.storage.staff_models import StaffSession

    async with session_factory(staff_web.engine)() as db:
        ids = list(await db.scalars(select(StaffSession.id)))
    assert ids and token not in ids and all(len(i) == 64 for i in ids)


# -- throttling -------------------------------------------------------------------------------


async def test_failures_on_one_account_lock_it_with_growing_waits(staff_web: StaffWeb) -> None:
    await staff_web.account("kamran", "officer")
    free = ACCOUNT_POLICY.free
    for n in range(free):  # from a new address each time: the account's count is what stops it
        page = await staff_web.browser(f"10.0.0.{n + 1}").sign_in("kamran", "wrong guess")
        assert page.status == 401
    blocked = await staff_web.browser("10.0.1.1").sign_in("kamran")  # even the right password
    assert blocked.status == 429 and "Please wait 1 minutes" in blocked.text
    staff_web.clock.advance(seconds=31)
    assert (await staff_web.browser("10.0.1.2").sign_in("kamran", "wrong")).status == 401
    assert (await staff_web.browser("10.0.1.3").sign_in("kamran")).status == 429
    staff_web.clock.advance(seconds=31)  # the second wait is twice as long
    assert (await staff_web.browser("10.0.1.4").sign_in("kamran")).status == 429
    staff_web.clock.advance(seconds=30)
    assert (await staff_web.browser("10.0.1.5").sign_in("kamran")).status == 303
    # a success starts the count again
    assert (await staff_web.browser("10.0.1.6").sign_in("kamran", "wrong")).status == 401
    assert (await staff_web.browser("10.0.1.7").sign_in("kamran")).status == 303
    assert await staff_web.audit("sign_in_blocked")
    assert ACCOUNT_POLICY.wait(free + 20) == timedelta(minutes=15)  # capped


async def test_failures_from_one_address_block_it_for_every_name(staff_web: StaffWeb) -> None:
    await staff_web.account("laila", "viewer")
    address = "203.0.113.9"
    for n in range(ADDRESS_POLICY.free):  # a different (unknown) name each time
        assert (await staff_web.browser(address).sign_in(f"guess.{n}", "x")).status == 401
    assert (await staff_web.browser(address).sign_in("laila")).status == 429
    assert (await staff_web.browser("198.51.100.7").sign_in("laila")).status == 303


async def test_throttling_is_shared_between_processes(database_url: str) -> None:
    """Two app instances on one database (two processes behind a balancer) share counts."""
    first = await start_staff_web(database_url)
    second = await start_staff_web(database_url)
    try:
        await first.account("mehwish", "viewer")
        for _ in range(ACCOUNT_POLICY.free):
            assert (await first.browser().sign_in("mehwish", "wrong")).status == 401
        assert (await second.browser().sign_in("mehwish")).status == 429
    finally:
        await stop_staff_web(first)
        await stop_staff_web(second)


async def test_signing_in_again_ends_the_earlier_session(staff_web: StaffWeb) -> None:
    from sqlalchemy import func, select

    from bot.storage.db import session_factory
    from bot.storage.staff_models import StaffSession

    await staff_web.account("nabeel", "viewer")
    await staff_web.account("noor", "officer")
    browser = await staff_web.signed_in("nabeel")
    assert (await browser.sign_in("noor")).status == 303
    async with session_factory(staff_web.engine)() as db:
        assert await db.scalar(select(func.count()).select_from(StaffSession)) == 1
    assert "noor" in (await browser.get("/leads")).text
