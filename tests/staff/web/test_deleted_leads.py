"""/delete reaches leads already exported, on SQLite and PostgreSQL: two workers register
(the second with the first's mobile number, so marked a possible duplicate of it), OEC
exports both, the first deletes their data through the conversation service. The stored
lead is a tombstone with no personal data; the next exports (the web app's CSV, the export
stream every export uses), the leads list and its search, the duplicates page and the
dashboard leave it out; its page says it was deleted at the worker's request (en and ur)."""

from __future__ import annotations

import csv
import io
from datetime import date

from sqlalchemy import select

from bot.app import build_services
from bot.conversation import Incoming
from bot.engine.model import Press
from bot.staff.export import export
from bot.staff.filters import LeadFilter
from bot.storage.dashboard import Period, lead_total
from bot.storage.db import session_factory
from bot.storage.lead_queries import count_leads
from bot.storage.models import Lead, User
from bot.storage.repository import LeadData, Repository
from tests.staff.web.conftest import Browser, StaffWeb

FIRST = LeadData(
    cnic="4210148172635",
    full_name="Test Worker Deleting",
    mobile="+923001112223",
    birth_date=date(1998, 3, 15),
    province="sindh",
    answers={"full_name": "Test Worker Deleting", "cnic": "4210148172635", "sectors": ["care"]},
    language="en",
    eligibility={"routes": []},
)
SECOND = LeadData(
    cnic="3520298765431",
    full_name="Test Worker Staying",
    mobile="+923001112223",  # the first's number: a possible duplicate of it
    birth_date=date(1999, 1, 2),
    province="punjab",
    answers={"full_name": "Test Worker Staying", "sectors": ["construction"]},
    language="ur",
)
PERSONAL = ("4210148172635", "42101-4817263-5", "Test Worker Deleting")


class Sink:
    def __init__(self) -> None:
        self.data = b""

    async def write(self, data: bytes) -> None:
        self.data += data


async def _csv(staff_web: StaffWeb) -> list[dict[str, str]]:
    sink = Sink()
    await export(staff_web.engine, LeadFilter(), "csv", sink)
    return list(csv.DictReader(io.StringIO(sink.data.decode("utf-8-sig"))))


async def _web_csv(officer: Browser) -> str:
    await officer.get("/leads")
    data = {"csrf": officer.csrf or "", "format": "csv"}
    async with officer.session.post(officer.base + "/leads/export", data=data) as response:
        assert response.status == 200
        return (await response.read()).decode("utf-8-sig")


async def test_a_deleted_lead_is_erased_and_left_out_of_later_exports(
    staff_web: StaffWeb, database_url: str
) -> None:
    repository = Repository(session_factory(staff_web.engine))
    async with repository.user("telegram", "501") as unit:
        first = await unit.save_lead(FIRST)
    async with repository.user("telegram", "502") as unit:
        second = await unit.save_lead(SECOND)
    assert second.duplicate == "mobile"

    exported = await _csv(staff_web)  # OEC has both in a file now
    assert {row["Reference"] for row in exported} == {first.reference, second.reference}
    officer = await staff_web.signed_in("tahir", "officer")
    assert "42101-4817263-5" in await _web_csv(officer)

    # the worker deletes through the conversation service, as on Telegram
    services = build_services(database_url)
    try:
        incoming = Incoming("telegram", "501", action=Press("x:delete:yes"))
        replies = await services.conversations.handle(incoming)
        assert "deleted" in replies[0].text
    finally:
        await services.close()

    async with session_factory(staff_web.engine)() as db:
        tombstone = await db.scalar(select(Lead).where(Lead.reference == first.reference))
        kept = await db.scalar(select(Lead).where(Lead.reference == second.reference))
        users = (await db.scalars(select(User.external_id))).all()
    assert tombstone is not None and kept is not None
    assert tombstone.deleted_at is not None and tombstone.user_id is None
    assert (tombstone.cnic, tombstone.full_name, tombstone.mobile) == ("", "", "")
    assert (tombstone.birth_date, tombstone.province, tombstone.eligibility) == (None, None, None)
    assert tombstone.answers == {} and tombstone.sectors is None
    assert (tombstone.status, tombstone.language) == ("new", "en")  # what stays
    assert list(users) == ["502"]  # the worker's user row is gone
    assert (kept.duplicate_of_id, kept.duplicate_reason) == (None, None)  # checked again

    exported = await _csv(staff_web)
    assert [row["Reference"] for row in exported] == [second.reference]
    web_csv = await _web_csv(officer)
    assert first.reference not in web_csv
    assert not any(value in web_csv for value in PERSONAL)
    assert await count_leads(staff_web.engine, LeadFilter()) == 1
    async with session_factory(staff_web.engine)() as db:
        assert await lead_total(db, Period(date(2020, 1, 1), date(2040, 1, 1))) == 1

    link = f'href="/leads/{tombstone.id}"'
    listing = await officer.get("/leads")
    assert link not in listing.text and f'href="/leads/{kept.id}"' in listing.text
    search = await officer.get("/leads", q=first.reference)
    assert link not in search.text
    duplicates = await officer.get("/duplicates")
    assert link not in duplicates.text and first.reference not in duplicates.text

    page = await officer.get(f"/leads/{tombstone.id}")
    assert page.status == 200
    assert "Deleted at the worker&#39;s request on" in page.text or (
        "Deleted at the worker's request on" in page.text
    )
    assert not any(value in page.text for value in PERSONAL)
    # a tombstone is not followed up: no status, note or assignment forms, and a POST is refused
    assert f'action="/leads/{tombstone.id}/status"' not in page.text
    for action, form in (("status", {"status": "contacted"}), ("notes", {"note": "called"})):
        refused = await officer.post(f"/leads/{tombstone.id}/{action}", form)
        assert refused.status == 409, action
    refused = await officer.post(f"/leads/{tombstone.id}/assign", {"officer": ""})
    assert refused.status == 409
    await officer.post("/language", {"language": "ur", "next": f"/leads/{tombstone.id}"})
    page = await officer.get(f"/leads/{tombstone.id}")
    assert 'id="deleted"' in page.text
    assert "Deleted at the worker" not in page.text  # said in Urdu
