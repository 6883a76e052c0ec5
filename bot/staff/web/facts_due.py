"""Facts due for review: every date-bound fact of ``flows/`` whose review date has passed or
comes within 30 days, with where the bot uses it, its sources and the official page to check.

The list is ``bot.ssw.review.due`` (what ``ssw-bot facts --due --within 30`` prints), for
today in Pakistan time. Fact texts are shown as written in ``flows/`` (English), since they
are checked against their sources.
"""

from __future__ import annotations

import re

from aiohttp import web
from babel.dates import format_date

from bot.ssw import review
from bot.staff.web.render import render
from bot.staff.web.state import language
from bot.staff.web.state import today as oec_today

WITHIN_DAYS = 30
# a source written as a web address without its scheme: "jpf.go.jp/jft-basic/e/"
WEB_ADDRESS = re.compile(r"^(https?://)?[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}(/\S*)?$", re.I)


def source_link(source: str) -> str | None:
    """The address to open for a source, or None for a source that is not a web page."""
    if not WEB_ADDRESS.match(source):
        return None
    return source if source.startswith(("http://", "https://")) else "https://" + source


async def page(request: web.Request) -> web.StreamResponse:
    today = oec_today(request)
    lang = language(request)
    due = review.due(today, WITHIN_DAYS)
    items = [
        {
            "where": item.where,
            "text": item.text,
            "sources": [(source, source_link(source)) for source in item.source],
            "official": item.official,
            "checked": format_date(item.checked, "d MMM y", locale=lang),
            "review_by": format_date(item.review_by, "d MMM y", locale=lang),
            "days": (item.review_by - today).days,
        }
        for item in due
    ]
    return render(
        request,
        "facts_due.html",
        {
            "items": items,
            "within": WITHIN_DAYS,
            "today": format_date(today, "d MMM y", locale=lang),
            "past": sum(1 for item in due if item.is_past(today)),
        },
    )
