"""The staff web app on a real database (SQLite and PostgreSQL), a clock the test moves, and
browsers (aiohttp client sessions with their own cookies) signed in as any role.

Passwords are hashed with cheap argon2 parameters here; the real ones are tested in
``test_accounts``. All people, CNICs and numbers are obviously fake.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import ClientSession, CookieJar
from aiohttp.test_utils import TestServer
from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.staff import accounts
from bot.staff.segments import Segment
from bot.staff.web.app import create_app
from bot.staff.web.state import WebConfig
from bot.storage import broadcasts, duplicates
from bot.storage import staff as store
from bot.storage.db import create_engine, session_factory
from bot.storage.models import Lead
from bot.storage.staff_models import AuditEntry
from tests.staff import factory

SECRET = "test-only-secret-key-not-for-production"
PASSWORD = "fake-password-for-tests"
START = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)  # 09:00 in Pakistan
CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')
BROADCAST_TEXTS = {
    "en": "Test announcement: the Lahore roadshow is on Monday.",
    "ur": "آزمائشی اعلان: لاہور روڈ شو پیر کو ہے۔",
    "ja": "テストのお知らせ：ラホールの説明会は月曜日です。",
}
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(accounts, "hasher", CHEAP)
    accounts._dummy_hash.cache_clear()
    yield
    accounts._dummy_hash.cache_clear()


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@dataclass
class Page:
    status: int
    text: str
    location: str | None

    @property
    def csrf(self) -> str | None:
        found = CSRF.search(self.text)
        return found.group(1) if found else None


@dataclass
class Browser:
    """One browser: its own cookies, the CSRF token of the last page it saw."""

    base: str
    address: str | None = None
    session: ClientSession = field(init=False)
    csrf: str | None = None

    def __post_init__(self) -> None:
        headers = {"X-Forwarded-For": self.address} if self.address else {}
        self.session = ClientSession(cookie_jar=CookieJar(unsafe=True), headers=headers)

    async def _page(self, method: str, path: str, **kw: Any) -> Page:
        async with self.session.request(
            method, self.base + path, allow_redirects=False, **kw
        ) as response:
            page = Page(response.status, await response.text(), response.headers.get("Location"))
        if page.csrf:
            self.csrf = page.csrf
        return page

    async def get(self, path: str, **params: str) -> Page:
        return await self._page("GET", path, params=params)

    async def post(
        self, path: str, data: Mapping[str, str] | None = None, *, csrf: str | None = "page"
    ) -> Page:
        """POST a form; ``csrf="page"`` sends the last page's token, None sends none."""
        form = dict(data or {})
        if csrf == "page":
            if self.csrf is None:
                await self.get("/sign-in")
            assert self.csrf is not None
            form["csrf"] = self.csrf
        elif csrf is not None:
            form["csrf"] = csrf
        return await self._page("POST", path, data=form)

    async def sign_in(self, name: str, password: str = PASSWORD) -> Page:
        await self.get("/sign-in")
        page = await self.post("/sign-in", {"name": name, "password": password, "next": "/leads"})
        if page.status == 303:
            await self.get("/account")  # a signed-in page: its CSRF token
        return page

    async def close(self) -> None:
        await self.session.close()


@dataclass
class StaffWeb:
    engine: AsyncEngine
    clock: Clock
    server: TestServer
    browsers: list[Browser] = field(default_factory=list)

    @property
    def base(self) -> str:
        return str(self.server.make_url("")).rstrip("/")

    def browser(self, address: str | None = None) -> Browser:
        browser = Browser(self.base, address)
        self.browsers.append(browser)
        return browser

    async def account(self, name: str, role: str, password: str = PASSWORD) -> int:
        async with session_factory(self.engine)() as db, db.begin():
            account = await store.add_account(
                db, name, accounts.hash_password(password), role, self.clock()
            )
            return account.id

    async def signed_in(self, name: str, role: str | None = None) -> Browser:
        """A browser signed in as ``name`` (the account is added first when ``role`` is given)."""
        if role is not None:
            await self.account(name, role)
        browser = self.browser()
        page = await browser.sign_in(name)
        assert page.status == 303, page.text
        return browser

    async def lead(self, **values: Any) -> int:
        reference = await factory.add_lead(self.engine, **values)
        async with session_factory(self.engine)() as db:
            lead_id = await db.scalar(select(Lead.id).where(Lead.reference == reference))
        assert lead_id is not None
        return lead_id

    async def get_lead(self, lead_id: int) -> Lead:
        async with session_factory(self.engine)() as db:
            lead = await db.get(Lead, lead_id)
        assert lead is not None
        return lead

    async def decide(
        self,
        lead_id: int,
        other_id: int,
        officer: str,
        decision: duplicates.Decision = "keep_both",
    ) -> int:
        """A decision on a marked pair, taken straight in storage; returns its id."""
        async with session_factory(self.engine)() as db, db.begin():
            account = await store.account_by_name(db, officer)
            assert account is not None
            row = await duplicates.decide(
                db, lead_id, other_id, decision, account, self.clock(), target_id=other_id
            )  # fmt: skip
            return row.id

    async def broadcast(self, **segment: str) -> int:
        """A draft broadcast in the three languages (obviously fake texts); returns its id."""
        async with session_factory(self.engine)() as db, db.begin():
            draft = await broadcasts.create(
                db, BROADCAST_TEXTS, Segment.from_mapping(segment), self.clock(), None
            )
            return draft.id

    async def audit(self, action: str | None = None) -> list[AuditEntry]:
        async with session_factory(self.engine)() as db:
            query = select(AuditEntry).order_by(AuditEntry.id)
            if action:
                query = query.where(AuditEntry.action == action)
            return list((await db.scalars(query)).all())


async def start_staff_web(url: str, **config: Any) -> StaffWeb:
    engine = create_engine(url)
    clock = Clock(START)
    settings = WebConfig(secret_key=SECRET, trust_proxy=True, **config)
    server = TestServer(create_app(settings, database=engine, clock=clock))
    await server.start_server()
    return StaffWeb(engine, clock, server)


async def stop_staff_web(web: StaffWeb) -> None:
    for browser in web.browsers:
        await browser.close()
    await web.server.close()
    await web.engine.dispose()


@pytest.fixture
async def staff_web(database_url: str) -> AsyncIterator[StaffWeb]:
    """The app on SQLite, then on PostgreSQL."""
    web = await start_staff_web(database_url)
    try:
        yield web
    finally:
        await stop_staff_web(web)


@pytest.fixture
async def staff_web_sqlite(sqlite_url: str) -> AsyncIterator[StaffWeb]:
    web = await start_staff_web(sqlite_url)
    try:
        yield web
    finally:
        await stop_staff_web(web)


def eligibility() -> dict[str, object]:
    """A real stored assessment: construction, JFT-Basic passed, skills test not yet."""
    return factory.eligibility(
        age=28, sector="construction", jp_tests=["jft_a2"], skills_test="no", titp="none"
    )
