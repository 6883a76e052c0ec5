"""One XLSX worksheet written row by row in constant memory, with xlsxwriter.

xlsxwriter's ``constant_memory`` mode keeps only the current row in memory (rows must come in
order, which an export's do) and streams the sheet to a temporary file; the workbook is zipped
onto ``file`` at ``close()``. What exports need: text, numbers, dates and date-times; a bold
header row, frozen; an autofilter over the table; column widths from a sample of rows; and,
for a list about one thing (an opening's shortlist), a few "label: value" rows above the table
(``preamble``), the labels in bold.

Text cells are always written with ``write_string``: a CNIC or a phone number is never turned
into a number, a URL into a link, nor anything into a formula. Neutralising text that *looks*
like a formula (for when someone edits the cell) is the caller's job (``bot.staff.export``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import IO, Any, Literal

import xlsxwriter  # type: ignore[import-untyped]

Kind = Literal["text", "mobile", "datetime", "date", "number"]
MAX_ROWS = 1_048_576  # Excel's limit, header included
MAX_WIDTH = 50
_FIXED_WIDTH = {"datetime": 17.0, "date": 11.0}
FORMATS = {"datetime": "yyyy-mm-dd hh:mm", "date": "yyyy-mm-dd"}

Cell = str | int | float | datetime | date | None


class SheetWriter:
    """Writes one worksheet into an ``.xlsx`` on ``file`` (binary, seekable).

    ``SheetWriter(file, sheet, headers, kinds)``, then ``start(widths)`` once, ``write(rows)``
    as often as needed, ``close()``. Not thread-safe; call from one thread at a time.
    """

    def __init__(
        self,
        file: IO[bytes],
        sheet: str,
        headers: Sequence[str],
        kinds: Sequence[Kind],
        preamble: Sequence[Sequence[Cell]] = (),
    ) -> None:
        self.headers = list(headers)
        self.kinds = list(kinds)
        self.preamble = [list(row) for row in preamble]
        # the header's row: after the preamble and one empty row, if there is a preamble
        self.header_row = len(self.preamble) + 1 if self.preamble else 0
        self.rows = self.header_row + 1
        self.book: Any = xlsxwriter.Workbook(
            file, {"constant_memory": True, "strings_to_numbers": False}
        )
        self.sheet: Any = self.book.add_worksheet(
            re.sub(r"[\[\]:*?/\\]", " ", sheet)[:31].strip("'") or "Sheet1"
        )
        self._bold = self.book.add_format({"bold": True})
        self._dates = {kind: self.book.add_format({"num_format": f}) for kind, f in FORMATS.items()}
        self._started = False

    @staticmethod
    def widths(
        headers: Sequence[str], kinds: Sequence[Kind], sample: Sequence[Sequence[Cell]]
    ) -> list[float]:
        """Column widths (in characters) for the header and a sample of rows."""
        widths = []
        for index, (header, kind) in enumerate(zip(headers, kinds, strict=True)):
            if kind in _FIXED_WIDTH:
                widths.append(max(_FIXED_WIDTH[kind], len(header) + 2.0))
                continue
            longest = max(
                (len(str(row[index])) for row in sample if row[index] is not None), default=0
            )
            widths.append(float(min(MAX_WIDTH, max(len(header), longest) + 2)))
        return widths

    def start(self, widths: Sequence[float]) -> None:
        """The header in bold, frozen; column widths."""
        for column, width in enumerate(widths):
            self.sheet.set_column(column, column, width)
        for number, row in enumerate(self.preamble):
            for column, value in enumerate(row):
                self._put(number, column, value, self._bold if column == 0 else None)
        self.sheet.freeze_panes(self.header_row + 1, 0)
        for column, text in enumerate(self.headers):
            self.sheet.write_string(self.header_row, column, text, self._bold)
        self._started = True

    def _put(self, row: int, column: int, value: Cell, style: Any = None) -> None:
        """One cell of the preamble (text as text, dates as dates, numbers as numbers)."""
        if value is None or value == "":
            return
        if isinstance(value, str):
            self.sheet.write_string(row, column, value, style)
        elif isinstance(value, datetime):
            self.sheet.write_datetime(
                row, column, value.replace(tzinfo=None), self._dates["datetime"]
            )
        elif isinstance(value, date):
            self.sheet.write_datetime(row, column, value, self._dates["date"])
        else:
            self.sheet.write_number(row, column, value, style)

    def write(self, rows: Sequence[Sequence[Cell]]) -> None:
        """Append rows (cells in column order; None or "" leaves a cell empty)."""
        assert self._started, "start() first"
        if self.rows + len(rows) > MAX_ROWS:
            raise ValueError(f"an XLSX sheet holds at most {MAX_ROWS - 1} rows; use CSV")
        sheet, moment, day = self.sheet, self._dates["datetime"], self._dates["date"]
        write_string, write_number = sheet.write_string, sheet.write_number
        number = self.rows
        for row in rows:
            for column, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, str):
                    write_string(number, column, value)
                elif isinstance(value, datetime):
                    sheet.write_datetime(number, column, value.replace(tzinfo=None), moment)
                elif isinstance(value, date):
                    sheet.write_datetime(number, column, value, day)
                else:
                    write_number(number, column, value)
            number += 1
        self.rows = number

    def close(self) -> None:
        """An autofilter over the table, then the workbook onto the file."""
        if not self._started:
            self.start(self.widths(self.headers, self.kinds, []))
        last = max(self.rows - 1, self.header_row + 1)
        self.sheet.autofilter(self.header_row, 0, last, len(self.headers) - 1)
        self.book.close()
