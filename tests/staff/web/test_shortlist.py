"""An opening's shortlist download through real HTTP, on SQLite and PostgreSQL: only the
interested workers, rows describing the opening above them, the opening in the file name,
formula-looking text neutralised, read back with the csv module and openpyxl; officers only;
forged forms refused; each download in the audit log."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Any

import openpyxl
from sqlalchemy import select

from bot.storage import openings
from bot.storage.db import session_factory
from bot.storage.models import Lead
from tests.staff import factory
from tests.staff.web.conftest import Browser, StaffWeb

FOOD = ["food_manufacturing"]
READY = {"sectors": FOOD, "jp_tests": ["jft_a2"], "skills_test": "yes", "province": "punjab"}
FORMULA_TITLE = "=cmd|' /C calc'!A0 Test packers"
URDU_NAME = "ٹیسٹ محمد علی"


async def _opening(web: StaffWeb, **values: Any) -> int:
    return await factory.add_opening(
        web.engine,
        **{
            "title": "Food factory workers",
            "employer": "Example Foods KK (test)",
            "entry_date": date(2027, 6, 1),
            **values,
        },
    )


async def _answer(web: StaffWeb, opening_id: int, lead_id: int, interested: bool) -> None:
    async with session_factory(web.engine)() as db, db.begin():
        opening = await openings.get(db, opening_id)
        lead = await db.get(Lead, lead_id)
        assert opening is not None and lead is not None and lead.user_id is not None
        await openings.answer(
            db, opening, lead_id=lead_id, user_id=lead.user_id, interested=interested,
            match_class="meets", missing=[], now=web.clock(),
        )  # fmt: skip


async def _people(web: StaffWeb, opening_id: int) -> dict[str, int]:
    """Matched, then: two interested (one shortlisted and selected), one declined, one not
    asked; and an interested worker of another opening."""
    leads = {
        "urdu": await web.lead(full_name=URDU_NAME, answers=READY, mobile="+923001234567"),
        "nearly": await web.lead(
            full_name="Test Nearly",
            answers={**READY, "skills_test": "no"},
            birth_date=date(2000, 7, 1),
        ),
        "declined": await web.lead(full_name="Test Declined", answers=READY),
        "silent": await web.lead(full_name="Test Silent", answers=READY),
    }
    async with session_factory(web.engine)() as db, db.begin():
        opening = await openings.get(db, opening_id, for_update=True)
        assert opening is not None
        await openings.run_matching(db, opening, today=date(2026, 11, 25), now=web.clock())
    web.clock.advance(hours=3)
    await _answer(web, opening_id, leads["urdu"], True)
    web.clock.advance(hours=2)
    await _answer(web, opening_id, leads["nearly"], True)
    await _answer(web, opening_id, leads["declined"], False)
    async with session_factory(web.engine)() as db, db.begin():
        from bot.storage.opening_models import OpeningCandidate

        candidate = (
            await db.scalars(
                select(OpeningCandidate).where(
                    OpeningCandidate.opening_id == opening_id,
                    OpeningCandidate.lead_id == leads["nearly"],
                )
            )
        ).one()
        candidate.shortlisted_at = web.clock()
        lead = await db.get(Lead, leads["nearly"])
        assert lead is not None
        lead.status = "selected"
    other = await _opening(web, title="Other opening")
    await _answer(web, other, leads["silent"], True)
    return leads


async def _download(
    browser: Browser, opening_id: int, format: str
) -> tuple[int, dict[str, str], bytes]:
    await browser.get("/account")  # a page with a fresh CSRF token
    url = f"{browser.base}/openings/{opening_id}/shortlist.{format}"
    async with browser.session.post(url, data={"csrf": browser.csrf or ""}) as response:
        return response.status, dict(response.headers), await response.read()


async def test_csv_shortlist_has_the_opening_and_only_the_interested(
    staff_web: StaffWeb,
) -> None:
    opening_id = await _opening(staff_web)
    await _people(staff_web, opening_id)
    officer = await staff_web.signed_in("omar", "officer")
    status, headers, body = await _download(officer, opening_id, "csv")
    assert status == 200
    name = f"shortlist-{opening_id}-food-factory-workers-2026-11-25.csv"
    assert headers["Content-Disposition"] == f'attachment; filename="{name}"'
    assert headers["Content-Type"].startswith("text/csv")
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    blank = rows.index([])
    about = dict(rows[:blank])
    assert about["Shortlist of interested workers for"] == "Food factory workers"
    assert about["Employer"] == "Example Foods KK (test)"
    assert about["Kind of work"] == "Food and beverage manufacturing"
    assert about["Prefecture"] == "Aichi" and about["Places"] == "20"
    assert about["Deadline"] == "2027-03-01" and about["Route"] == "SSW (i)"
    table = [dict(zip(rows[blank + 1], row, strict=True)) for row in rows[blank + 2 :]]
    # the shortlisted first, then by when they answered
    assert [r["Full name"] for r in table] == ["Test Nearly", URDU_NAME]
    nearly, urdu = table
    assert nearly["Shortlisted"] == "Yes" and nearly["Pipeline status"] == "selected"
    assert nearly["Class"] == "Nearly" and "Skills test" in nearly["Still missing"]
    assert nearly["Age on the day of entry"] == "26"
    assert urdu["Shortlisted"] == "No" and urdu["Class"] == "Meets"
    assert urdu["Mobile"] == "'+92 300 1234567"  # a leading + would be a formula in Excel
    assert urdu["Province"] == "Punjab" and urdu["Answered at (Pakistan time)"] == (
        "2026-11-25 12:00"
    )
    assert urdu["Japanese tests"].startswith("JFT-Basic")
    (entry,) = await staff_web.audit("export")
    assert entry.actor == "omar" and entry.target == f"opening:{opening_id}"
    assert entry.detail == {
        "format": "csv",
        "filter": {"opening": opening_id, "list": "shortlist"},
        "rows": 2,
        "complete": True,
    }


async def test_xlsx_shortlist_reads_back_with_formulas_neutralised(
    staff_web: StaffWeb,
) -> None:
    opening_id = await _opening(staff_web, title=FORMULA_TITLE, employer="+Test KK")
    await _people(staff_web, opening_id)
    officer = await staff_web.signed_in("omar", "officer")
    status, headers, body = await _download(officer, opening_id, "xlsx")
    assert status == 200
    name = f"shortlist-{opening_id}-cmd-c-calc-a0-test-packers-2026-11-25.xlsx"
    assert headers["Content-Disposition"] == f'attachment; filename="{name}"'
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    assert sheet is not None
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    blank = next(n for n, r in enumerate(rows) if all(v is None for v in r))
    about = {r[0]: r[1] for r in rows[:blank]}
    assert about["Shortlist of interested workers for"] == "'" + FORMULA_TITLE
    assert about["Employer"] == "'+Test KK"
    assert about["Deadline"] == datetime(2027, 3, 1)  # a real date cell
    assert about["Places"] == 20
    header = rows[blank + 1]
    assert sheet.freeze_panes == f"A{blank + 3}"  # the header row stays in view
    assert sheet.auto_filter.ref is not None and sheet.auto_filter.ref.startswith(f"A{blank + 2}")
    table = [dict(zip(header, r, strict=True)) for r in rows[blank + 2 :]]
    assert [r["Full name"] for r in table] == ["Test Nearly", URDU_NAME]
    assert table[1]["Mobile"] == "+92 300 1234567"  # our own format: a text cell
    assert table[0]["Age on the day of entry"] == 26
    assert table[1]["Answered at (Pakistan time)"] == datetime(2026, 11, 25, 12, 0)
    for row in rows:  # no cell anywhere is a formula
        assert not any(isinstance(v, str) and v.startswith("=") for v in row)


async def test_an_opening_nobody_answered_still_has_its_header(staff_web: StaffWeb) -> None:
    opening_id = await _opening(staff_web, title="ٹیسٹ نوکری")  # no Latin letters: "opening"
    officer = await staff_web.signed_in("omar", "officer")
    status, headers, body = await _download(officer, opening_id, "csv")
    assert status == 200
    name = f"shortlist-{opening_id}-opening-2026-11-25.csv"
    assert headers["Content-Disposition"] == f'attachment; filename="{name}"'
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[-1][0] == "Reference" and len(rows) == rows.index([]) + 2


async def test_viewers_forgers_and_unknown_openings_get_nothing(staff_web: StaffWeb) -> None:
    opening_id = await _opening(staff_web)
    await _people(staff_web, opening_id)
    viewer = await staff_web.signed_in("vera", "viewer")
    status, _, body = await _download(viewer, opening_id, "csv")
    assert status == 403 and URDU_NAME.encode() not in body
    officer = await staff_web.signed_in("omar", "officer")
    url = f"{officer.base}/openings/{opening_id}/shortlist.csv"
    async with officer.session.post(url, data={"csrf": "0" * 64}) as response:
        assert response.status == 403 and URDU_NAME.encode() not in await response.read()
    async with officer.session.get(url) as response:
        assert response.status == 405  # never a GET
    assert (await _download(officer, opening_id + 100, "csv"))[0] == 404
    assert await staff_web.audit("export") == []
