"""The shortlist download of an opening: its interested workers as CSV or XLSX.

``POST /openings/{id}/shortlist.csv`` and ``.../shortlist.xlsx`` (officer and admin, as the
leads export; a POST with the CSRF token, since a download of personal data is recorded in
the audit log). The file is ``bot.staff.export.export_shortlist``: the same safe cells as the
leads export (formula injection neutralised, CSV with a BOM), rows describing the opening
above the table, named ``shortlist-<id>-<title slug>-<Pakistan date>.<format>``. The audit
entry ("export", the opening as its target, the format and the row count) is committed with
the request, before the file is sent; a shortlist is small, so it is built in full first.
"""

from __future__ import annotations

from aiohttp import web

from bot.oec_time import oec_today
from bot.staff.export import CONTENT_TYPES, Format, export_shortlist, shortlist_file_name
from bot.staff.web.forms import int_param
from bot.staff.web.state import client_address, config, db, now, signed_in
from bot.storage import opening_staff, openings
from bot.storage import staff as store


class _Buffer:
    """A sink that keeps the file's bytes."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    async def write(self, data: bytes, /) -> None:
        self.parts.append(data)


async def _download(request: web.Request, format: Format) -> web.Response:
    account = signed_in(request)
    opening_id = int_param(request, "opening_id")
    session, at = db(request), now(request)
    opening = await openings.get(session, opening_id)
    if opening is None:
        raise web.HTTPNotFound()
    candidates = await opening_staff.shortlist(session, opening_id)
    sink = _Buffer()
    written = await export_shortlist(opening, candidates, format, sink, at)
    await store.audit(
        session,
        "export",
        at,
        account=account,
        target=f"opening:{opening_id}",
        detail={
            "format": format,
            "filter": {"opening": opening_id, "list": "shortlist"},
            "rows": written,
            "complete": True,
        },
        address=client_address(request),
    )
    await session.commit()  # recorded before the browser has the file
    name = shortlist_file_name(opening, format, oec_today(at, config(request).timezone))
    return web.Response(
        body=b"".join(sink.parts),
        headers={
            "Content-Type": CONTENT_TYPES[format],
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


async def download_csv(request: web.Request) -> web.Response:
    return await _download(request, "csv")


async def download_xlsx(request: web.Request) -> web.Response:
    return await _download(request, "xlsx")
