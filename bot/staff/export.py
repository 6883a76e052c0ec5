"""Exports of leads (and unfinished registrations) as CSV or XLSX, streamed.

The pieces, usable on their own (the CLI, the staff web's export buttons, a Telegram /export)::

    table = export_table(database, where)                 # columns + an async iterator of rows
    count = await write_csv(table.columns, table.rows, sink)   # or write_xlsx
    count = await export(database, where, "xlsx", sink)   # the same in one call

A *sink* is anything with ``async write(bytes)`` (an aiohttp ``StreamResponse``; ``FileSink``
wraps a binary file). Rows are read from the database in batches and written as they come: an
export of 100,000 leads holds one batch in memory, not the table.

What a row holds
    Leads: one row per lead, in registration order. Columns: reference, registered at (Pakistan
    time), then every question of the registration flow in its order (the flow's English labels
    as headers; tapped answers in English through the engine's ``display``, never ids; typed
    answers as typed), then the eligibility outcome (``bot.staff.outcome``), status, language,
    source, and "Possible duplicate of" when leads have ``duplicate_of_id``.
    Unfinished registrations (users who started the form and did not submit it): last seen
    (Pakistan time), the step where they stopped (the question they were on, or would be asked
    next if they left the form; "Review" when only submitting was left), the reference of a
    lead they registered earlier (if any), the same question columns with what they answered so
    far (blank for the rest), language and source.

Shortlist of an opening
    ``export_shortlist``: the workers who said they are interested in one opening, in the
    same safe cells, under rows describing the opening (title, employer, kind of work, route,
    prefecture, places, deadline, entry date): reference, name, mobile, province, age on the
    day of entry, Japanese tests, skills test, class (meets / nearly) and what is still
    missing, shortlisted or not, pipeline status, when they answered. Named
    ``shortlist-<id>-<title slug>-<date>.<format>``.

Safe cells
    Every text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
    (or their full-width forms, which Japanese input produces) gets a leading ``'``, in CSV and
    in XLSX alike (OWASP, CSV injection): it then never runs as a formula, even after someone
    edits the cell. The one exception is the mobile column in XLSX: it is our own format
    (``+92 300 1234567``, digits and spaces only, checked again here) in a text cell, which
    cannot run. In CSV the mobile reads ``'+92 300 1234567``: a leading ``+`` there would make
    Excel compute it. CNICs read ``12345-1234567-1`` and are text cells in XLSX.

CSV is UTF-8 with a byte-order mark (Excel then shows Urdu correctly), CRLF line ends. XLSX has
a bold, frozen header row, an autofilter, widths fitted to the header and the first rows,
date-times and dates as real date cells, the years of experience as numbers
(``bot.staff.xlsx`` writes it in constant memory to a temporary file, then it is copied to the
sink: a zip is only complete at its end).
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import os
import re
import tempfile
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any, Literal, Protocol

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.engine.conditions import matches
from bot.engine.engine import Engine
from bot.engine.flows import Flow, Step
from bot.engine.validators import format_cnic, format_mobile
from bot.i18n import using_language
from bot.ssw import catalogue
from bot.ssw.matching import age_on
from bot.staff.filters import LANGUAGE_LABELS, LeadFilter
from bot.staff.outcome import stored_outcome_text
from bot.staff.xlsx import Kind, SheetWriter
from bot.storage.lead_queries import (
    PAKISTAN,
    REGISTRATION,
    LeadRow,
    UnfinishedRow,
    stream_leads,
    stream_unfinished,
)
from bot.storage.opening_models import Opening
from bot.storage.opening_staff import ShortlistRow

Format = Literal["csv", "xlsx"]
FORMATS: tuple[Format, ...] = ("csv", "xlsx")
CONTENT_TYPES: Mapping[Format, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
Cell = str | int | float | datetime | date | None
Progress = Callable[[int], object]  # called with the number of rows just written
BATCH = 1000
COPY_CHUNK = 1 << 20

DANGEROUS_FIRST = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
_SAFE_MOBILE = re.compile(r"^\+[0-9 ]+$")


def neutralise(text: str) -> str:
    """A text cell that cannot run as a formula: ``'`` before a dangerous first character."""
    return "'" + text if text and text[0] in DANGEROUS_FIRST else text


class BinarySink(Protocol):
    async def write(self, data: bytes, /) -> Any: ...


class FileSink:
    """A binary file as a sink."""

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file

    async def write(self, data: bytes, /) -> None:
        self.file.write(data)


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind = "text"


@dataclass(frozen=True)
class Table:
    """What an export writes: its columns and its rows (cells in column order)."""

    columns: tuple[Column, ...]
    rows: AsyncIterator[Sequence[Cell]]
    sheet: str = "Leads"


# -- rows --------------------------------------------------------------------------------------

_TAPPED = frozenset({"choice", "multi_choice", "yes_no", "menu"})
_KIND_OF_STEP: Mapping[str, Kind] = {"date": "date", "number": "number", "pk_mobile": "mobile"}


class Rows:
    """Turns stored leads and conversation states into export cells, in English.

    Answers of tapped steps are shown through the engine's ``display`` (memoised: an export
    sees the same few values again and again). Registration options do not depend on other
    answers, so a (step, value) pair always reads the same.
    """

    def __init__(self, engine: Engine | None = None, flow_id: str = REGISTRATION) -> None:
        if engine is None:
            from bot.app import build_engine

            engine = build_engine()
        self.engine = engine
        self.flow: Flow = engine.flows[flow_id]
        self.steps: tuple[Step, ...] = tuple(s for s in self.flow.steps if s.review)
        # per step: its id, a memo of shown answers (tapped steps) or None, the converter
        self._plan: list[tuple[str, dict[Any, Cell] | None, Callable[[Any], Cell]]] = [
            (step.id, {} if step.kind in _TAPPED else None, self._converter(step))
            for step in self.steps
        ]

    def step_columns(self) -> list[Column]:
        return [Column(s.label or s.id, _KIND_OF_STEP.get(s.kind, "text")) for s in self.steps]

    def _converter(self, step: Step) -> Callable[[Any], Cell]:
        """How one step's stored answer becomes a cell (never called with an empty answer)."""
        kind = step.kind
        if kind in _TAPPED:

            def tapped(value: Any) -> Cell:
                with using_language("en"):
                    return self.engine.display(self.flow.id, step.id, value)

            return tapped
        if kind == "date":
            return lambda value: value if isinstance(value, date) else _date_or_text(str(value))
        if kind == "number":
            return lambda value: value if isinstance(value, int | float) else str(value)
        if kind == "cnic":
            return lambda value: format_cnic(str(value))
        if kind == "pk_mobile":
            return lambda value: mobile_text(str(value))
        return str

    def answers(self, answers: Mapping[str, Any]) -> list[Cell]:
        """The cells of the registration questions, in flow order (None: not answered).

        Hot: called once per exported row, so tapped answers are memoised per step.
        """
        cells: list[Cell] = []
        append = cells.append
        get = answers.get
        for step_id, memo, convert in self._plan:
            value = get(step_id)
            if not value and value != 0:  # None, "" or [] (0 years is an answer)
                append(None)
            elif memo is None:
                append(convert(value))
            else:
                key = tuple(value) if value.__class__ is list else value
                text = memo.get(key)
                if text is None:
                    text = memo[key] = convert(value)
                append(text)
        return cells

    def stopped_at(self, state: Mapping[str, Any]) -> str:
        """The step where an unfinished registration stopped, by its English label."""
        given: Mapping[str, Any] = (state.get("answers") or {}).get(self.flow.id) or {}
        step_id = state.get("step") if state.get("flow") == self.flow.id else None
        if state.get("flow") == self.flow.id and state.get("mode") == "review":
            return "Review (not submitted)"
        if step_id is None or not self.flow.has_step(step_id):
            step_id = next(
                (s.id for s in self.flow.steps if matches(s.when, given) and s.id not in given),
                None,
            )
        if step_id is None:
            return "Review (not submitted)"
        step = self.flow.step(step_id)
        return step.label or step.id.replace("_", " ").capitalize()


def mobile_text(e164: str) -> str:
    """+923001234567 → +92 300 1234567 (``format_mobile``, without its cost for the usual
    Pakistani mobile: an export formats 100,000 of them)."""
    if len(e164) == 13 and e164.startswith("+923") and e164[1:].isdigit():
        return f"{e164[:3]} {e164[3:6]} {e164[6:]}"
    return format_mobile(e164)


def _date_or_text(text: str) -> Cell:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return text


def _pakistan(moment: datetime) -> datetime:
    return moment.astimezone(PAKISTAN).replace(tzinfo=None)


def lead_columns(rows: Rows, duplicates: bool) -> tuple[Column, ...]:
    columns = [
        Column("Reference"),
        Column("Registered at (Pakistan time)", "datetime"),
        *rows.step_columns(),
        Column("Eligibility outcome"),
        Column("Status"),
        Column("Language"),
        Column("Source"),
    ]
    if duplicates:
        columns.append(Column("Possible duplicate of"))
    return tuple(columns)


def unfinished_columns(rows: Rows) -> tuple[Column, ...]:
    return (
        Column("Last seen at (Pakistan time)", "datetime"),
        Column("Stopped at"),
        Column("Registered earlier as"),
        *rows.step_columns(),
        Column("Language"),
        Column("Source"),
    )


def lead_cells(rows: Rows, lead: LeadRow, duplicates: bool) -> list[Cell]:
    answers = {
        **lead.answers,
        "full_name": lead.full_name,
        "cnic": lead.cnic,
        "mobile": lead.mobile,
        "birth_date": lead.birth_date,
        "province": lead.province,
    }
    cells: list[Cell] = [
        lead.reference,
        _pakistan(lead.created_at),
        *rows.answers(answers),
        stored_outcome_text(lead.eligibility_json),
        lead.status,
        LANGUAGE_LABELS.get(lead.language, lead.language),
        lead.source,
    ]
    if duplicates:
        cells.append(lead.duplicate_of)
    return cells


def unfinished_cells(rows: Rows, item: UnfinishedRow) -> list[Cell]:
    language = item.language or ""
    return [
        _pakistan(item.last_seen_at),
        rows.stopped_at(item.state),
        item.lead_reference,
        *rows.answers(item.answers),
        LANGUAGE_LABELS.get(language, language) or None,
        item.source,
    ]


def export_table(database: AsyncEngine, where: LeadFilter, rows: Rows | None = None) -> Table:
    """The columns and rows of an export of ``where`` (unfinished registrations when
    ``where.unfinished``)."""
    shaper = rows or Rows()
    if where.unfinished:

        async def unfinished() -> AsyncIterator[Sequence[Cell]]:
            async with contextlib.aclosing(stream_unfinished(database, where)) as items:
                async for item in items:
                    yield unfinished_cells(shaper, item)

        return Table(unfinished_columns(shaper), unfinished(), "Unfinished registrations")

    from bot.storage.models import Lead

    duplicates = "duplicate_of_id" in Lead.__table__.c

    async def leads() -> AsyncIterator[Sequence[Cell]]:
        async with contextlib.aclosing(stream_leads(database, where)) as items:
            async for item in items:
                yield lead_cells(shaper, item, duplicates)

    return Table(lead_columns(shaper, duplicates), leads())


async def _batches(
    rows: AsyncIterator[Sequence[Cell]], size: int
) -> AsyncIterator[list[Sequence[Cell]]]:
    batch: list[Sequence[Cell]] = []
    try:
        async for row in rows:
            batch.append(row)
            if len(batch) >= size:
                yield batch
                batch = []
        if batch:
            yield batch
    finally:
        close = getattr(rows, "aclose", None)
        if close is not None:  # an async generator: end its database stream now
            await close()


# -- CSV ---------------------------------------------------------------------------------------

BOM = "\ufeff".encode()


def _csv_other(value: Cell) -> Cell:
    """A cell that is not text, for the csv module (which writes None as empty, numbers as
    digits)."""
    if isinstance(value, datetime):
        return value.isoformat(" ", "minutes")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _csv_row(row: Sequence[Cell]) -> list[Cell]:
    """A row for the csv module: text neutralised, dates as ISO text (Excel reads them)."""
    return [
        ("'" + v if v[:1] in DANGEROUS_FIRST else v) if v.__class__ is str else _csv_other(v)
        for v in row
    ]


async def write_csv(
    columns: Sequence[Column],
    rows: AsyncIterator[Sequence[Cell]],
    sink: BinarySink,
    progress: Progress | None = None,
    preamble: Sequence[Sequence[Cell]] = (),
) -> int:
    """Write a UTF-8 CSV (with BOM) to ``sink``; returns the number of rows written. A
    ``preamble`` ("label, value" rows about the whole list) comes first, then an empty row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if preamble:
        writer.writerows(map(_csv_row, preamble))
        writer.writerow([])
    writer.writerow([neutralise(c.header) for c in columns])
    await sink.write(BOM + buffer.getvalue().encode())
    count = 0
    async for batch in _batches(rows, BATCH):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(map(_csv_row, batch))
        await sink.write(buffer.getvalue().encode())
        count += len(batch)
        if progress is not None:
            progress(len(batch))
    return count


# -- XLSX --------------------------------------------------------------------------------------


def _xlsx_cells(kinds: Sequence[Kind], row: Sequence[Cell]) -> list[Cell]:
    """Neutralise text cells; a mobile in our own format stays as it is (a text cell of
    digits and spaces after the +, which cannot run)."""
    cells: list[Cell] = []
    for kind, value in zip(kinds, row, strict=True):
        if (
            isinstance(value, str)
            and value
            and value[0] in DANGEROUS_FIRST
            and (kind != "mobile" or not _SAFE_MOBILE.match(value))
        ):
            value = "'" + value
        cells.append(value)
    return cells


def _xlsx_batch(
    writer: SheetWriter, kinds: Sequence[Kind], batch: Sequence[Sequence[Cell]], first: bool
) -> None:
    cells = [_xlsx_cells(kinds, row) for row in batch]
    if first:  # column widths from the header and the first batch of rows
        writer.start(SheetWriter.widths(writer.headers, kinds, cells))
    writer.write(cells)


async def write_xlsx(
    columns: Sequence[Column],
    rows: AsyncIterator[Sequence[Cell]],
    sink: BinarySink,
    progress: Progress | None = None,
    sheet: str = "Leads",
    preamble: Sequence[Sequence[Cell]] = (),
) -> int:
    """Write an XLSX workbook (one sheet) to ``sink``; returns the number of rows written.

    The workbook is built in a temporary file (a zip is complete only at its end), then copied
    to the sink. The CPU-heavy part runs in a worker thread batch by batch, so the event loop
    (the web app, the bot) stays responsive during a large export.
    """
    kinds = [c.kind for c in columns]
    headers = [neutralise(c.header) for c in columns]
    above = [_xlsx_cells(["text"] * len(row), row) for row in preamble]
    with tempfile.TemporaryFile(prefix="ssw-export-") as file:
        writer = SheetWriter(file, sheet, headers, kinds, above)
        count = 0
        async for batch in _batches(rows, BATCH):
            await asyncio.to_thread(_xlsx_batch, writer, kinds, batch, count == 0)
            count += len(batch)
            if progress is not None:
                progress(len(batch))
        await asyncio.to_thread(writer.close)
        file.seek(0)
        while chunk := await asyncio.to_thread(file.read, COPY_CHUNK):
            await sink.write(chunk)
    return count


async def export(
    database: AsyncEngine,
    where: LeadFilter,
    format: Format,
    sink: BinarySink,
    progress: Progress | None = None,
) -> int:
    """Export the leads (or unfinished registrations) of ``where`` to ``sink``."""
    table = export_table(database, where)
    if format == "xlsx":
        return await write_xlsx(table.columns, table.rows, sink, progress, table.sheet)
    return await write_csv(table.columns, table.rows, sink, progress)


def file_name(where: LeadFilter, format: Format, today: date) -> str:
    """A download name: leads-2026-11-25.xlsx, unfinished-2026-11-25.csv."""
    what = "unfinished" if where.unfinished else "leads"
    return f"{what}-{today.isoformat()}.{format}"


# -- the shortlist of an opening ---------------------------------------------------------------

MATCH_TEXT: Mapping[str, str] = {"meets": "Meets", "nearly": "Nearly", "no": "No longer matches"}
ROUTE_TEXT: Mapping[str, str] = {"ssw1": "SSW (i)", "ssw2": "SSW (ii)"}


def shortlist_columns() -> tuple[Column, ...]:
    return (
        Column("Reference"),
        Column("Full name"),
        Column("Mobile", "mobile"),
        Column("Province"),
        Column("Age on the day of entry", "number"),
        Column("Japanese tests"),
        Column("Skills test passed"),
        Column("Class"),
        Column("Still missing"),
        Column("Shortlisted"),
        Column("Pipeline status"),
        Column("Answered at (Pakistan time)", "datetime"),
    )


def _entry_date(opening: Opening) -> date:
    return opening.entry_date or opening.deadline


def shortlist_preamble(opening: Opening, at: datetime) -> list[list[Cell]]:
    """Rows describing the opening, above the table."""
    sector = catalogue.sector(opening.sector)
    work = sector.name
    category = sector.category(opening.category) if opening.category else None
    if category is not None:
        work = f"{work}: {category.name}"
    return [
        ["Shortlist of interested workers for", opening.title],
        ["Employer", opening.employer],
        ["Kind of work", work],
        ["Route", ROUTE_TEXT.get(opening.route, opening.route)],
        ["Prefecture", opening.prefecture.replace("_", " ").title()],
        ["Places", opening.places],
        ["Deadline", opening.deadline],
        ["Entry date (ages are taken on it)", _entry_date(opening)],
        ["Exported at (Pakistan time)", _pakistan(at)],
    ]


def _criterion_text(criterion: Mapping[str, Any]) -> str:
    """A stored criterion in English (its msgid is the English text)."""
    msgid = str(criterion.get("label_msgid", ""))
    params = criterion.get("params") or {}
    try:
        return msgid.format(**{str(k): str(v) for k, v in params.items()})
    except (KeyError, IndexError, ValueError):
        return msgid


def shortlist_cells(shaper: Rows, opening: Opening, row: ShortlistRow) -> list[Cell]:
    flow = shaper.flow.id
    tests = [t for t in row.answers.get("jp_tests") or [] if t != "none"]
    skills = row.answers.get("skills_test")
    with using_language("en"):
        province = shaper.engine.display(flow, "province", row.province) if row.province else None
        shown_tests = shaper.engine.display(flow, "jp_tests", tests) if tests else "None"
        shown_skills = shaper.engine.display(flow, "skills_test", skills) if skills else None
    return [
        row.reference,
        row.full_name,
        mobile_text(row.mobile),
        province,
        None if row.birth_date is None else age_on(row.birth_date, _entry_date(opening)),
        shown_tests,
        shown_skills,
        MATCH_TEXT.get(row.match, row.match),
        "; ".join(_criterion_text(c) for c in row.missing if isinstance(c, Mapping)) or None,
        "Yes" if row.shortlisted_at is not None else "No",
        row.status,
        None if row.answered_at is None else _pakistan(row.answered_at),
    ]


async def export_shortlist(
    opening: Opening,
    candidates: Sequence[ShortlistRow],
    format: Format,
    sink: BinarySink,
    at: datetime,
    shaper: Rows | None = None,
) -> int:
    """Write the shortlist of ``opening`` (its interested ``candidates``) to ``sink``, with
    rows describing the opening above the table; the number of candidates written."""
    rows = shaper or Rows()

    async def cells() -> AsyncIterator[Sequence[Cell]]:
        for candidate in candidates:
            yield shortlist_cells(rows, opening, candidate)

    preamble = shortlist_preamble(opening, at)
    if format == "xlsx":
        return await write_xlsx(
            shortlist_columns(), cells(), sink, sheet="Shortlist", preamble=preamble
        )
    return await write_csv(shortlist_columns(), cells(), sink, preamble=preamble)


def slug(text: str, longest: int = 40) -> str:
    """Latin letters and digits of ``text``, lower case, joined by hyphens (a file name part;
    "opening" when nothing is left, as for a title in Urdu)."""
    words = re.findall(r"[a-z0-9]+", text.lower().encode("ascii", "ignore").decode())
    return "-".join(words)[:longest].strip("-") or "opening"


def shortlist_file_name(opening: Opening, format: Format, today: date) -> str:
    """shortlist-12-food-factory-workers-2026-12-02.xlsx"""
    return f"shortlist-{opening.id}-{slug(opening.title)}-{today.isoformat()}.{format}"


def atomic_path(path: str) -> tuple[IO[bytes], str]:
    """A temporary file next to ``path`` (mode 0600: it holds personal data); rename it to
    ``path`` when complete, delete it otherwise."""
    directory = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(
        dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".part"
    )
    return os.fdopen(handle, "wb"), temporary
