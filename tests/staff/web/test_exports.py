"""The leads list's export buttons through real HTTP, on SQLite and PostgreSQL: exactly the
list's filter, streamed as an attachment with a dated name, read back with the csv module and
openpyxl; officers only; forged forms refused; each export in the audit log."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import openpyxl

from tests.staff.web.conftest import Browser, StaffWeb

URDU_NAME = "محمد علی آزمائشی"
FORMULA_NAME = '=HYPERLINK("http://example.invalid","Fake")'


async def _people(web: StaffWeb) -> None:
    await web.lead(
        full_name=URDU_NAME,
        cnic="3520212345671",
        mobile="+923001234567",
        language="ur",
        answers={"province": "punjab", "sectors": ["construction"]},
        created_at=datetime(2026, 11, 20, 6, tzinfo=UTC),
    )
    await web.lead(
        full_name=FORMULA_NAME,
        cnic="3520298765431",
        answers={"province": "punjab", "sectors": ["construction"]},
        created_at=datetime(2026, 11, 21, 6, tzinfo=UTC),
    )
    await web.lead(
        full_name="Test Worker Sindh",
        answers={"province": "sindh", "sectors": ["construction"]},
        created_at=datetime(2026, 11, 22, 6, tzinfo=UTC),
    )
    await web.lead(
        full_name="Test Worker Farm",
        answers={"province": "punjab", "sectors": ["agriculture"]},
        created_at=datetime(2026, 11, 23, 6, tzinfo=UTC),
    )


async def _download(browser: Browser, form: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    await browser.get("/leads")
    data = {**form, "csrf": browser.csrf or ""}
    async with browser.session.post(browser.base + "/leads/export", data=data) as response:
        return response.status, dict(response.headers), await response.read()


def _csv_names(body: bytes) -> list[str]:
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    return [row["Full name"] for row in rows]


async def test_csv_holds_exactly_the_filtered_list(staff_web: StaffWeb) -> None:
    await _people(staff_web)
    officer = await staff_web.signed_in("omar", "officer")
    page = await officer.get("/leads", province="punjab", sector="construction")
    assert 'name="province" value="punjab"' in page.text  # the buttons carry the filter
    assert 'name="format" value="csv"' in page.text and 'name="format" value="xlsx"' in page.text
    status, headers, body = await _download(
        officer, {"province": "punjab", "sector": "construction", "format": "csv"}
    )
    assert status == 200
    assert headers["Content-Disposition"] == 'attachment; filename="leads-2026-11-25.csv"'
    assert headers["Content-Type"].startswith("text/csv")
    assert headers["Cache-Control"] == "no-store" and headers["X-Frame-Options"] == "DENY"
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM: Excel shows Urdu intact
    assert _csv_names(body) == [URDU_NAME, "'" + FORMULA_NAME]  # registration order
    (entry,) = await staff_web.audit("export")
    assert entry.actor == "omar"
    assert entry.detail == {
        "format": "csv",
        "filter": {"sector": "construction", "province": "punjab"},
        "rows": 2,
        "complete": True,
    }


async def test_xlsx_holds_exactly_the_filtered_list(staff_web: StaffWeb) -> None:
    await _people(staff_web)
    officer = await staff_web.signed_in("omar", "officer")
    status, headers, body = await _download(officer, {"province": "punjab", "format": "xlsx"})
    assert status == 200
    assert headers["Content-Disposition"] == 'attachment; filename="leads-2026-11-25.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(body), read_only=True).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    column = list(rows[0]).index("Full name")
    assert [row[column] for row in rows[1:]] == [URDU_NAME, "'" + FORMULA_NAME, "Test Worker Farm"]
    cnic = list(rows[0]).index("CNIC")
    assert rows[1][cnic] == "35202-1234567-1"  # text, not a number


async def test_a_search_is_audited_without_what_was_searched(staff_web: StaffWeb) -> None:
    await _people(staff_web)
    officer = await staff_web.signed_in("omar", "officer")
    status, _, body = await _download(officer, {"q": "3520212345671", "format": "csv"})
    assert status == 200 and _csv_names(body) == [URDU_NAME]
    (entry,) = await staff_web.audit("export")
    assert entry.detail is not None
    assert entry.detail["filter"] == {"search": True} and entry.detail["rows"] == 1
    assert "3520212345671" not in str(entry.detail)
    admin = await staff_web.signed_in("adil", "admin")
    log = await admin.get("/audit", action="export")
    assert "CSV: 1 row; search=True" in log.text


async def test_viewers_get_no_buttons_and_a_403(staff_web: StaffWeb) -> None:
    await _people(staff_web)
    viewer = await staff_web.signed_in("vera", "viewer")
    page = await viewer.get("/leads")
    assert "/leads/export" not in page.text and "Export CSV" not in page.text
    status, _, body = await _download(viewer, {"format": "csv"})
    assert status == 403 and URDU_NAME.encode() not in body
    assert await staff_web.audit("export") == []


async def test_a_forged_export_is_refused(staff_web: StaffWeb) -> None:
    await _people(staff_web)
    officer = await staff_web.signed_in("omar", "officer")
    for csrf in (None, "0" * 64):
        data = {"format": "csv"} if csrf is None else {"format": "csv", "csrf": csrf}
        async with officer.session.post(officer.base + "/leads/export", data=data) as response:
            assert response.status == 403
            assert URDU_NAME.encode() not in await response.read()
    async with officer.session.get(officer.base + "/leads/export") as response:
        assert response.status == 405  # never a GET
    assert await staff_web.audit("export") == []


async def test_a_bad_format_or_filter_is_refused(staff_web_sqlite: StaffWeb) -> None:
    officer = await staff_web_sqlite.signed_in("omar", "officer")
    assert (await _download(officer, {"format": "pdf"}))[0] == 400
    assert (await _download(officer, {"format": "csv", "province": "atlantis"}))[0] == 400
    assert await staff_web_sqlite.audit("export") == []
