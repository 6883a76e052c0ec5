"""The leads list's export buttons: the list's current filter as CSV or XLSX, streamed.

A POST (the form carries the CSRF token and the list's filter as hidden fields): an export is
recorded in the audit log, so it is not a GET. The filter is read with the same
``LeadFilter.from_query`` as the list, and the file is written by ``bot.staff.export.export``,
the CLI's exporter, straight into the response (chunked, ``Content-Disposition: attachment``,
named ``leads-<Pakistan date>.<format>``). The request's transaction is committed before the
stream starts, so a long export holds no write lock; the audit entry (format, filter, row
count, and whether every row was sent) is committed after the rows and before the end of
the file.
"""

from __future__ import annotations

import contextlib
from typing import Any

from aiohttp import web

from bot.oec_time import oec_today
from bot.staff.export import CONTENT_TYPES, FORMATS, Format, export, file_name
from bot.staff.filters import FilterError, LeadFilter
from bot.staff.web.forms import fields
from bot.staff.web.state import client_address, config, database, db, now, signed_in
from bot.storage import staff as store


def audit_filter(where: LeadFilter) -> dict[str, Any]:
    """The filter as the audit log keeps it: a searched text can be a name, CNIC or number,
    so only the fact that there was a search is kept."""
    shown: dict[str, Any] = dict(where.as_dict())
    if shown.pop("q", None) is not None:
        shown["search"] = True
    return shown


async def export_leads(request: web.Request) -> web.StreamResponse:
    account = signed_in(request)
    form = await fields(request)
    chosen = form.get("format", "")
    if chosen not in FORMATS:
        raise web.HTTPBadRequest(text="say format=csv or format=xlsx")
    format: Format = "xlsx" if chosen == "xlsx" else "csv"
    try:
        where = LeadFilter.from_query(form).replace(unfinished=False)  # the list shows leads
    except FilterError as exc:
        raise web.HTTPBadRequest(text=f"filter not understood: {exc.field}") from exc
    session, at = db(request), now(request)
    await session.commit()  # no lock held while the file streams
    name = file_name(where, format, oec_today(at, config(request).timezone))
    response = web.StreamResponse(
        headers={
            "Content-Type": CONTENT_TYPES[format],
            "Content-Disposition": f'attachment; filename="{name}"',
        }
    )
    response.enable_chunked_encoding()
    await response.prepare(request)
    written = 0

    def progress(rows: int) -> None:
        nonlocal written
        written += rows

    complete = False
    try:
        await export(database(request), where, format, response, progress)
        complete = True
    except ConnectionError:  # the browser went away: recorded as incomplete
        pass
    await store.audit(
        session,
        "export",
        at,
        account=account,
        detail={
            "format": format,
            "filter": audit_filter(where),
            "rows": written,
            "complete": complete,
        },
        address=client_address(request),
    )
    await session.commit()  # recorded before the browser sees the end of the file
    if complete:
        with contextlib.suppress(ConnectionError):
            await response.write_eof()
    return response
