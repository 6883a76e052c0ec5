"""``ssw-bot export``: the leads matching the filters, to a CSV or XLSX file.

The file appears only when complete: rows go to a temporary file in the same folder (mode 0600,
it holds personal data), renamed at the end; a failed or interrupted export leaves nothing. A
bad filter value stops before anything is written, with exit status 2. A progress bar goes to
stderr when it is a terminal; a one-line summary ends the run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import time
from pathlib import Path

from bot.staff.filters import FilterError, LeadFilter, add_arguments

FORMATS = ("csv", "xlsx")


def add_export_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format", choices=FORMATS, help="csv or xlsx (default: the extension of --out)"
    )
    parser.add_argument("--out", required=True, metavar="FILE", help="the file to write")
    add_arguments(parser)


def _fail(message: str, status: int = 2) -> int:
    print(f"ssw-bot export: {message}", file=sys.stderr)
    return status


def run_export(database_url: str, args: argparse.Namespace) -> int:
    try:
        where = LeadFilter.from_args(args)
    except FilterError as error:
        return _fail(str(error))
    out = Path(args.out)
    format = args.format or out.suffix.lstrip(".").lower()
    if format not in FORMATS:
        return _fail("say --format csv or --format xlsx (or name the file .csv or .xlsx)")
    if not out.parent.is_dir():
        return _fail(f"folder {str(out.parent)!r} does not exist")
    if out.is_dir():
        return _fail(f"{str(out)!r} is a folder; give a file name")
    missing = _missing_sqlite_file(database_url)
    if missing:
        return _fail(f"no database at {missing} (set DATABASE_URL, or run ssw-bot db upgrade)", 1)
    try:
        return asyncio.run(_export(database_url, where, format, out))
    except KeyboardInterrupt:
        return _fail("interrupted; nothing was written", 130)


def _missing_sqlite_file(database_url: str) -> str | None:
    """The path of a SQLite database that does not exist (connecting would create it)."""
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return None if Path(url.database).exists() else url.database


async def _export(database_url: str, where: LeadFilter, format: str, out: Path) -> int:
    from sqlalchemy.exc import SQLAlchemyError
    from tqdm import tqdm

    from bot.staff.export import FileSink, atomic_path, export
    from bot.storage.db import create_engine
    from bot.storage.lead_queries import count_leads

    started = time.perf_counter()
    database = create_engine(database_url)
    file, temporary = atomic_path(str(out))
    done = False
    try:
        show = sys.stderr.isatty()
        total = await count_leads(database, where) if show else None
        what = "unfinished registrations" if where.unfinished else "leads"
        with (
            tqdm(
                total=total, unit=" rows", desc=out.name, file=sys.stderr, disable=not show
            ) as bar,
            file,
        ):
            count = await export(
                database, where, "xlsx" if format == "xlsx" else "csv", FileSink(file),
                bar.update,
            )  # fmt: skip
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, out)
        done = True
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).splitlines()[0]
        hint = " (is the database migrated? ssw-bot db upgrade)" if "no such" in reason else ""
        return _fail(f"cannot read the database: {reason}{hint}; nothing was written", 1)
    finally:
        if not done:
            file.close()
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        await database.dispose()
    seconds = time.perf_counter() - started
    print(f"wrote {count} {what} to {out} in {seconds:.1f} s")
    return 0
