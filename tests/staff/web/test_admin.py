"""Staff accounts and the audit log in the web app (admins), my own password, the language."""

from __future__ import annotations

from tests.staff.web.conftest import PASSWORD, StaffWeb

NEW_PASSWORD = "another-fake-password"


async def test_an_admin_adds_and_manages_accounts(staff_web: StaffWeb) -> None:
    admin = await staff_web.signed_in("root.admin", "admin")
    page = await admin.post("/staff", {"name": "Zara.New", "role": "officer", "password": PASSWORD})
    assert page.status == 303
    assert "zara.new" in (await admin.get("/staff")).text
    again = await admin.post("/staff", {"name": "zara.new", "role": "viewer", "password": PASSWORD})
    assert again.status == 400 and "exists already" in again.text
    short = await admin.post("/staff", {"name": "yusuf", "role": "viewer", "password": "short"})
    assert short.status == 400 and "at least 10 characters" in short.text

    zara = await staff_web.signed_in("zara.new")
    from sqlalchemy import select

    from bot.storage.db import session_factory
    from bot.storage.staff_models import StaffAccount

    async with session_factory(staff_web.engine)() as db:
        zara_id = await db.scalar(select(StaffAccount.id).where(StaffAccount.name == "zara.new"))
    assert (await admin.post(f"/staff/{zara_id}/role", {"role": "viewer"})).status == 303
    assert (await zara.get("/leads")).status == 303  # a role change signs them out
    zara = await staff_web.signed_in("zara.new")
    assert (await zara.post(f"/staff/{zara_id}/role", {"role": "admin"})).status == 403
    assert (
        await admin.post(f"/staff/{zara_id}/password", {"password": NEW_PASSWORD})
    ).status == 303
    assert (await zara.get("/leads")).status == 303
    assert (await staff_web.browser().sign_in("zara.new")).status == 401
    assert (await staff_web.browser().sign_in("zara.new", NEW_PASSWORD)).status == 303
    actions = [e.action for e in await staff_web.audit() if e.action.startswith("staff_")]
    assert actions == ["staff_add", "staff_role", "staff_password"]


async def test_an_admin_cannot_lock_themselves_out(staff_web: StaffWeb) -> None:
    own = await staff_web.account("only.admin", "admin")
    admin = await staff_web.signed_in("only.admin")
    assert (await admin.post(f"/staff/{own}/disable")).status == 400
    assert (await admin.post(f"/staff/{own}/role", {"role": "viewer"})).status == 400
    assert (await admin.get("/staff")).status == 200


async def test_the_audit_log_filters(staff_web: StaffWeb) -> None:
    lead = await staff_web.lead(full_name="Test Worker Audit", reference="SSW-AUDT-TEST")
    viewer = await staff_web.signed_in("audit.viewer", "viewer")
    await viewer.get(f"/leads/{lead}")
    staff_web.clock.advance(days=2)
    admin = await staff_web.signed_in("audit.admin", "admin")
    everything = (await admin.get("/audit")).text
    assert "3 entries" in everything  # two sign-ins and one lead view
    by_person = (await admin.get("/audit", actor="audit.viewer")).text
    assert "2 entries" in by_person and "Opened a lead" in by_person
    by_action = (await admin.get("/audit", action="lead_view")).text
    assert "1 entry," in by_action and "SSW-AUDT-TEST" in by_action
    assert "1 entry," in (await admin.get("/audit", lead="ssw-audt-test")).text
    assert "0 entries" in (await admin.get("/audit", lead="SSW-NONE-NONE")).text
    assert "1 entry," in (await admin.get("/audit", since="2026-11-26")).text
    assert "2 entries" in (await admin.get("/audit", until="2026-11-25")).text


async def test_the_audit_log_cannot_be_changed(staff_web: StaffWeb) -> None:
    import pytest
    from sqlalchemy import delete, update
    from sqlalchemy.exc import DBAPIError

    from bot.storage.staff_models import AuditEntry

    await staff_web.signed_in("audit.keeper", "viewer")
    for statement in (delete(AuditEntry), update(AuditEntry).values(actor="someone else")):
        with pytest.raises(DBAPIError, match="append-only"):
            async with staff_web.engine.begin() as connection:
                await connection.execute(statement)
    assert [e.actor for e in await staff_web.audit()] == ["audit.keeper"]


async def test_changing_my_password(staff_web: StaffWeb) -> None:
    me = await staff_web.signed_in("sana", "viewer")
    other_browser = await staff_web.signed_in("sana")
    wrong = await me.post(
        "/account/password", {"current": "wrong", "new": NEW_PASSWORD, "again": NEW_PASSWORD}
    )
    assert wrong.status == 400 and "current password is not right" in wrong.text
    differ = await me.post(
        "/account/password", {"current": PASSWORD, "new": NEW_PASSWORD, "again": "x" * 12}
    )
    assert differ.status == 400
    done = await me.post(
        "/account/password", {"current": PASSWORD, "new": NEW_PASSWORD, "again": NEW_PASSWORD}
    )
    assert done.status == 303 and done.location == "/account?changed=1"
    assert "Your password is changed." in (await me.get("/account", changed="1")).text
    assert (await other_browser.get("/leads")).status == 303  # signed out elsewhere
    assert (await staff_web.browser().sign_in("sana", NEW_PASSWORD)).status == 303


async def test_the_interface_in_urdu_right_to_left(staff_web: StaffWeb) -> None:
    browser = staff_web.browser()
    page = await browser.get("/sign-in")
    assert '<html lang="en" dir="ltr">' in page.text
    await browser.post("/language", {"language": "ur", "next": "/sign-in"})
    assert '<html lang="ur" dir="rtl">' in (await browser.get("/sign-in")).text
    await staff_web.account("tariq", "officer")
    assert (await browser.sign_in("tariq")).status == 303
    # the choice made before signing in is not the account's; choosing while signed in is
    await browser.post("/language", {"language": "ur", "next": "/leads"})
    fresh = await staff_web.signed_in("tariq")  # another browser, no language cookie
    assert '<html lang="ur" dir="rtl">' in (await fresh.get("/leads")).text
    await fresh.post("/language", {"language": "en", "next": "/leads"})
    assert '<html lang="en" dir="ltr">' in (await fresh.get("/leads")).text
    urdu_browser = staff_web.browser()
    urdu_browser.session.headers["Accept-Language"] = "ur-PK,ur;q=0.9,en;q=0.5"
    assert 'dir="rtl"' in (await urdu_browser.get("/sign-in")).text
