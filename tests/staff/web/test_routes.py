"""Every route of ``routes.ROUTES``, as every role: anonymous → sent to sign in,
under-privileged → 403, allowed → the page (200) or the action done (303). Generated from the
table itself, so a new route gets checked the moment it is added."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.ops import OPS_ROUTES
from bot.staff.accounts import ROLES, has_role
from bot.staff.web.app import create_app
from bot.staff.web.routes import ROUTES, Route
from bot.staff.web.state import ROLES as ROLES_KEY
from bot.staff.web.state import WebConfig
from tests.staff.web.conftest import PASSWORD, SECRET, Browser, StaffWeb
from tests.staff.web.openings_data import PASSED, add_answer, add_opening, opening_form

_names = itertools.count(1)

# A valid form for every POST route (a POST route without one fails the test below).
FORMS: dict[str, Callable[[dict[str, int]], dict[str, str]]] = {
    "sign_in_submit": lambda ids: {"name": "table.admin", "password": PASSWORD},
    "sign_out": lambda ids: {},
    "language": lambda ids: {"language": "en", "next": "/sign-in"},
    "lead_status": lambda ids: {"status": "contacted", "note": "Fake note: called"},
    "lead_note": lambda ids: {"note": "Fake note"},
    "lead_assign": lambda ids: {"officer": str(ids["officer"])},
    "leads_export": lambda ids: {"format": "csv", "province": "punjab"},
    "duplicates_resolve": lambda ids: {
        "lead": str(ids["marked"]),
        "other": str(ids["lead"]),
        "decision": "keep_both",
    },
    "duplicates_undo": lambda ids: {"decision": str(ids["decision"])},
    "account_password": lambda ids: {"current": PASSWORD, "new": PASSWORD, "again": PASSWORD},
    "staff_add": lambda ids: {
        "name": f"added.{next(_names)}",
        "role": "viewer",
        "password": PASSWORD,
    },
    "staff_role": lambda ids: {"role": "viewer"},
    "staff_disable": lambda ids: {},
    "staff_enable": lambda ids: {},
    "staff_password": lambda ids: {"password": PASSWORD},
    "broadcast_create": lambda ids: {"text_en": "Fake announcement", "province": "punjab"},
    "broadcast_save": lambda ids: {
        "text_en": "Fake announcement",
        "text_ur": "آزمائشی اعلان",
        "text_ja": "テストのお知らせ",
    },
    "broadcast_send": lambda ids: {},
    "broadcast_pause": lambda ids: {},
    "broadcast_resume": lambda ids: {},
    "broadcast_cancel": lambda ids: {},
    "opening_create": lambda ids: opening_form(),
    "opening_save": lambda ids: opening_form(title="Test food factory workers (changed)"),
    "opening_publish": lambda ids: {},
    "opening_match": lambda ids: {},
    "opening_invite": lambda ids: {"which": "meets"},
    "opening_close": lambda ids: {"state": "closed"},
    "opening_shortlist": lambda ids: {"on": "1"},
    "shortlist_csv": lambda ids: {},
    "shortlist_xlsx": lambda ids: {},
}
# GET routes that answer a signed-in person with a redirect rather than a page.
REDIRECTS = {"home": "/leads", "sign_in": "/leads"}
# POST routes that answer with a download (200) rather than a redirect.
DOWNLOADS = {"leads_export", "shortlist_csv", "shortlist_xlsx"}


PARAMETERS = {
    "lead_id": "lead",
    "broadcast_id": "broadcast",
    "account_id": "target",
    "opening_id": "opening",
    "candidate_id": "candidate",
}


def _url(route: Route, ids: dict[str, int]) -> str:
    return re.sub(r"\{(\w+)(?::[^}]*)?\}", lambda m: str(ids[PARAMETERS[m.group(1)]]), route.path)


async def _request(browser: Browser, route: Route, ids: dict[str, int]) -> tuple[int, str]:
    url = _url(route, ids)
    if route.method == "GET":
        page = await browser.get(url)
    elif route.name in DOWNLOADS:  # a file, perhaps not text: its status only
        form = {**FORMS[route.name](ids), "csrf": browser.csrf or ""}
        async with browser.session.post(
            browser.base + url, data=form, allow_redirects=False
        ) as response:
            await response.read()
            return response.status, response.headers.get("Location") or ""
    else:
        page = await browser.post(url, FORMS[route.name](ids))
    return page.status, page.location or ""


def test_every_post_route_has_a_sample_form() -> None:
    posts = {route.name for route in ROUTES if route.method == "POST"}
    assert posts <= set(FORMS), f"add a sample form for: {sorted(posts - set(FORMS))}"


# Served around the table, on purpose and public: the stylesheet, and the operator's
# endpoints of bot.ops (/healthz, /readyz, /metrics), which need no sign-in and no session.
PUBLIC_OUTSIDE_TABLE = {"static", "healthz", "readyz", "metrics"}


def test_the_app_serves_exactly_the_table() -> None:
    """Nothing is routed around the table (but the public routes named above)."""
    app = create_app(WebConfig(secret_key=SECRET), "sqlite:///:memory:")
    served = sorted((r.method, r.name or "") for r in app.router.routes())
    table = sorted((route.method, route.name) for route in ROUTES)
    assert [entry for entry in served if entry[1] not in PUBLIC_OUTSIDE_TABLE] == table
    assert {name for _, name in served} - {name for _, name in table} == PUBLIC_OUTSIDE_TABLE
    assert set(OPS_ROUTES) <= PUBLIC_OUTSIDE_TABLE
    assert all(app[ROLES_KEY][name] is None for name in PUBLIC_OUTSIDE_TABLE)


async def test_a_route_missing_from_the_table_is_refused(staff_web_sqlite: StaffWeb) -> None:
    async def secret_page(_: web.Request) -> web.Response:
        return web.Response(text="secret")

    app = create_app(WebConfig(secret_key=SECRET), database=staff_web_sqlite.engine)
    app.router.add_get("/not-in-table", secret_page, name="not_in_table")
    server = TestServer(app)
    await server.start_server()
    try:
        await staff_web_sqlite.account("boss", "admin")
        browser = Browser(str(server.make_url("")).rstrip("/"))
        assert (await browser.sign_in("boss")).status == 303
        page = await browser.get("/not-in-table")
        assert page.status == 403 and "secret" not in page.text
        await browser.close()
    finally:
        await server.close()


async def test_each_route_as_each_role(staff_web: StaffWeb) -> None:
    web_ = staff_web
    await web_.account("table.admin", "admin")
    for role in ROLES:
        await web_.account(f"table.{role}.1", role)
    ids = {
        "lead": await web_.lead(full_name="Test Worker Route", cnic="9911111111111"),
        "target": await web_.account("table.target", "viewer"),
        "officer": await web_.account("table.officer.2", "officer"),
    }
    ids["marked"] = await web_.lead(
        full_name="Test Worker Route Two", cnic="9911111111111", duplicate_of_id=ids["lead"],
        duplicate_reason="cnic",
    )  # fmt: skip
    ids["decision"] = await web_.decide(ids["marked"], ids["lead"], "table.officer.2")
    ids["broadcast"] = await web_.broadcast()
    ids["opening"] = await add_opening(web_.engine)
    ids["candidate"] = await add_answer(
        web_.engine, ids["opening"], await web_.lead(answers=PASSED), interested=True
    )
    problems: list[str] = []
    for route in ROUTES:
        where = f"{route.method} {route.path}"
        anonymous = web_.browser()
        status, location = await _request(anonymous, route, ids)
        if route.role is None:
            if status not in (200, 303) or location.startswith("/sign-in?"):
                problems.append(f"{where} anonymous: {status} {location}")
        elif status != 303 or not location.startswith("/sign-in"):
            problems.append(f"{where} anonymous: {status} {location} (want sign-in)")
        for role in ROLES:
            browser = web_.browser()
            assert (await browser.sign_in(f"table.{role}.1")).status == 303
            status, location = await _request(browser, route, ids)
            allowed = route.role is None or has_role(role, route.role)
            if not allowed:
                if status != 403:
                    problems.append(f"{where} as {role}: {status} (want 403)")
            elif route.method == "GET" and route.name in REDIRECTS:
                if status != 303 or location != REDIRECTS[route.name]:
                    problems.append(f"{where} as {role}: {status} {location}")
            elif route.method == "GET" and status != 200:
                problems.append(f"{where} as {role}: {status} (want 200)")
            elif route.method == "POST" and route.name in DOWNLOADS:
                if status != 200:
                    problems.append(f"{where} as {role}: {status} (want 200)")
            elif route.method == "POST" and status != 303:
                problems.append(f"{where} as {role}: {status} (want 303)")
            if route.name == "staff_disable" and allowed:  # let the target sign in again
                await _request(browser, _route("staff_enable"), ids)
    assert not problems, "\n".join(problems)


def _route(name: str) -> Route:
    return next(route for route in ROUTES if route.name == name)


@pytest.mark.parametrize("role", ROLES)
def test_roles_are_ordered(role: str) -> None:
    assert has_role(role, "viewer")
    assert has_role(role, role)
    assert has_role("admin", role)
    assert not has_role(None, role)
