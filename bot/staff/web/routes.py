"""The one table of the staff web app's URLs: method, path, handler, minimum role, name.

``role`` is required for every route (``PUBLIC`` for the few pages a signed-out browser
needs). The auth middleware reads it, refuses a route that is missing from the table, and
the tests go through the table route by route and role by role, so a new route without a
rule cannot slip in. ``NAVIGATION`` is the layout's menu, filtered by role.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from aiohttp import web
from aiohttp.typedefs import Handler

from bot.i18n import N_
from bot.staff.accounts import Role
from bot.staff.web import (
    account,
    admin,
    audit,
    broadcasts,
    dashboard,
    duplicates,
    exports,
    facts_due,
    lead,
    leads,
    opening_page,
    openings,
    shortlist,
    signin,
)

PUBLIC: None = None
OPENING = r"/openings/{opening_id:\d+}"  # one opening
STATIC_PATH = "/static"


@dataclass(frozen=True)
class Route:
    method: Literal["GET", "POST"]
    path: str
    handler: Handler
    role: Role | None  # the least role allowed; PUBLIC: anyone, signed in or not
    name: str


async def home(_request: web.Request) -> web.StreamResponse:
    return web.Response(status=303, headers={"Location": "/leads"})


ROUTES: tuple[Route, ...] = (
    Route("GET", "/", home, "viewer", "home"),
    Route("GET", "/sign-in", signin.page, PUBLIC, "sign_in"),
    Route("POST", "/sign-in", signin.submit, PUBLIC, "sign_in_submit"),
    Route("POST", "/sign-out", signin.sign_out, "viewer", "sign_out"),
    Route("POST", "/language", signin.choose_language, PUBLIC, "language"),
    Route("GET", "/leads", leads.list_page, "viewer", "leads"),
    Route("POST", "/leads/export", exports.export_leads, "officer", "leads_export"),
    Route("GET", r"/leads/{lead_id:\d+}", lead.detail, "viewer", "lead"),
    Route("POST", r"/leads/{lead_id:\d+}/status", lead.change_status, "officer", "lead_status"),
    Route("POST", r"/leads/{lead_id:\d+}/notes", lead.add_note, "officer", "lead_note"),
    Route("POST", r"/leads/{lead_id:\d+}/assign", lead.assign, "officer", "lead_assign"),
    Route("GET", "/duplicates", duplicates.page, "officer", "duplicates"),
    Route("POST", "/duplicates/resolve", duplicates.resolve, "officer", "duplicates_resolve"),
    Route("POST", "/duplicates/undo", duplicates.undo, "officer", "duplicates_undo"),
    Route("GET", "/dashboard", dashboard.page, "viewer", "dashboard"),
    Route("GET", "/facts-due", facts_due.page, "viewer", "facts_due"),
    Route("GET", "/account", account.page, "viewer", "account"),
    Route("POST", "/account/password", account.change_password, "viewer", "account_password"),
    Route("GET", "/staff", admin.page, "admin", "staff"),
    Route("POST", "/staff", admin.add, "admin", "staff_add"),
    Route("POST", r"/staff/{account_id:\d+}/role", admin.set_role, "admin", "staff_role"),
    Route("POST", r"/staff/{account_id:\d+}/disable", admin.disable, "admin", "staff_disable"),
    Route("POST", r"/staff/{account_id:\d+}/enable", admin.enable, "admin", "staff_enable"),
    Route(
        "POST",
        r"/staff/{account_id:\d+}/password",
        admin.reset_password,
        "admin",
        "staff_password",
    ),
    Route("GET", "/audit", audit.page, "admin", "audit"),
    Route("GET", "/broadcasts", broadcasts.list_page, "viewer", "broadcasts"),
    Route("GET", "/broadcasts/new", broadcasts.new_page, "officer", "broadcast_new"),
    Route("GET", "/broadcasts/reach", broadcasts.reach_json, "officer", "broadcast_reach"),
    Route("POST", "/broadcasts", broadcasts.create, "officer", "broadcast_create"),
    Route("GET", r"/broadcasts/{broadcast_id:\d+}", broadcasts.detail, "viewer", "broadcast"),
    Route("POST", r"/broadcasts/{broadcast_id:\d+}", broadcasts.save, "officer", "broadcast_save"),
    Route(
        "GET",
        r"/broadcasts/{broadcast_id:\d+}/progress",
        broadcasts.progress_json,
        "viewer",
        "broadcast_progress",
    ),
    Route(
        "GET",
        r"/broadcasts/{broadcast_id:\d+}/send",
        broadcasts.confirm_page,
        "officer",
        "broadcast_confirm",
    ),
    Route(
        "POST", r"/broadcasts/{broadcast_id:\d+}/send", broadcasts.send, "officer", "broadcast_send"
    ),
    Route(
        "POST",
        r"/broadcasts/{broadcast_id:\d+}/pause",
        broadcasts.pause,
        "officer",
        "broadcast_pause",
    ),
    Route(
        "POST",
        r"/broadcasts/{broadcast_id:\d+}/resume",
        broadcasts.resume,
        "officer",
        "broadcast_resume",
    ),
    Route(
        "POST",
        r"/broadcasts/{broadcast_id:\d+}/cancel",
        broadcasts.cancel,
        "officer",
        "broadcast_cancel",
    ),
    Route("GET", "/openings", openings.list_page, "viewer", "openings"),
    Route("GET", "/openings/new", openings.new_page, "officer", "opening_new"),
    Route("POST", "/openings", openings.create, "officer", "opening_create"),
    Route("GET", OPENING, opening_page.detail, "viewer", "opening"),
    Route("POST", OPENING, openings.save, "officer", "opening_save"),
    Route("GET", OPENING + "/edit", openings.edit_page, "officer", "opening_edit"),
    Route("GET", OPENING + "/answers", opening_page.answers_json, "viewer", "opening_answers"),
    Route("POST", OPENING + "/publish", openings.publish, "officer", "opening_publish"),
    Route("POST", OPENING + "/match", openings.match_again, "officer", "opening_match"),
    Route(
        "GET", OPENING + "/invite", opening_page.invite_page, "officer", "opening_invite_confirm"
    ),
    Route("POST", OPENING + "/invite", openings.invite, "officer", "opening_invite"),
    Route("POST", OPENING + "/close", openings.close, "officer", "opening_close"),
    Route(
        "POST",
        OPENING + r"/candidates/{candidate_id:\d+}/shortlist",
        openings.shortlist,
        "officer",
        "opening_shortlist",
    ),
    Route("POST", OPENING + "/shortlist.csv", shortlist.download_csv, "officer", "shortlist_csv"),
    Route(
        "POST", OPENING + "/shortlist.xlsx", shortlist.download_xlsx, "officer", "shortlist_xlsx"
    ),
)


@dataclass(frozen=True)
class NavItem:
    path: str
    label: str  # msgid
    role: Role


NAVIGATION: tuple[NavItem, ...] = (
    NavItem("/leads", N_("Leads"), "viewer"),
    NavItem("/duplicates", N_("Possible duplicates"), "officer"),
    NavItem("/dashboard", N_("Dashboard"), "viewer"),
    NavItem("/facts-due", N_("Facts to check"), "viewer"),
    NavItem("/broadcasts", N_("Broadcasts"), "viewer"),
    NavItem("/openings", N_("Job openings"), "viewer"),
    NavItem("/staff", N_("Staff accounts"), "admin"),
    NavItem("/audit", N_("Audit log"), "admin"),
    NavItem("/account", N_("My account"), "viewer"),
)
