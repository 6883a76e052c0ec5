"""Templates: the jinja2 environment (i18n extension with ``bot.i18n``), the page context
(who is signed in, the CSRF token, language and direction, the navigation) and formatting
helpers (Pakistan time, masked numbers)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web
from babel.dates import format_datetime
from markupsafe import Markup, escape

from bot.i18n import comma, gettext, is_rtl, ngettext
from bot.staff.accounts import ROLE_LABELS, has_role
from bot.staff.pipeline import STATUS_LABELS
from bot.staff.web.auth import CSRF_FIELD, csrf_token
from bot.staff.web.state import language as request_language
from bot.staff.web.state import staff
from bot.storage.lead_queries import PAKISTAN  # times are shown in Pakistan time
from bot.storage.staff import as_utc

TEMPLATES = Path(__file__).resolve().parent / "templates"


def translate(message: str, **params: object) -> str:
    """``_()`` in templates: translate, then fill ``{placeholders}`` (a broken translation
    falls back to the English text). Jinja escapes the result."""
    text = gettext(message)
    if not params:
        return text
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return message.format(**params)


def translate_plural(singular: str, plural: str, n: int, **params: object) -> str:
    text = ngettext(singular, plural, n)
    try:
        return text.format(n=n, **params)
    except (KeyError, IndexError, ValueError):
        return (singular if n == 1 else plural).format(n=n, **params)


def pk_time(value: datetime | None, language: str = "en") -> str:
    """A moment in Pakistan time: 25 Nov 2026, 14:05 (the comma of the language)."""
    if value is None:
        return "—"
    local = as_utc(value).astimezone(PAKISTAN)
    day = format_datetime(local, "d MMM y", tzinfo=PAKISTAN, locale=language)
    return day + comma(language) + format_datetime(local, "HH:mm", tzinfo=PAKISTAN, locale=language)


def isolate(text: str) -> str:
    """Text set apart from its surroundings' direction (FSI … PDI): a Latin reference inside
    an Urdu sentence, where markup (``<bdi>``) cannot go, e.g. a button's label."""
    return f"\u2068{text}\u2069"


def with_link(text: str, name: str, href: str | None, label: str) -> Markup:
    """A translated text (``_()`` without params) with its ``{name}`` placeholder as a link:
    ``{{ _("Merged into {ref}")|with_link("ref", "/leads/7", "SSW-...") }}`` (no ``href``: the
    label alone). The text and the label are escaped; a translation that lost the placeholder
    gets the link after it."""
    if href:
        link = Markup('<a href="{0}"><bdi class="mono">{1}</bdi></a>').format(href, label)
    else:
        link = Markup("<bdi>{0}</bdi>").format(label)
    if "{" + name + "}" in text:
        try:
            return Markup(escape(text)).format(**{name: link})
        except (KeyError, IndexError, ValueError):
            pass
    return Markup("{0} {1}").format(text, link)


def setup(app: web.Application) -> None:
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(default=True),
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=translate, ngettext=translate_plural, newstyle=False
    )
    env.globals.update(status_label=_status_label, role_label=_role_label, isolate=isolate)
    env.filters["pk_time"] = pk_time
    env.filters["with_link"] = with_link


def _status_label(status: str) -> str:
    return gettext(STATUS_LABELS.get(status, status))


def _role_label(role: str) -> str:
    return gettext(ROLE_LABELS.get(role, role))


def _page_context(request: web.Request) -> dict[str, Any]:
    from bot.staff.web.routes import NAVIGATION

    account = staff(request)
    language = request_language(request)
    return {
        "staff": account,
        "csrf_field": CSRF_FIELD,
        "csrf": csrf_token(request),
        "lang": language,
        "dir": "rtl" if is_rtl(language) else "ltr",
        "path": request.path,
        "path_qs": request.path_qs,
        "nav": [
            item for item in NAVIGATION if account is not None and has_role(account.role, item.role)
        ],
    }


def render(
    request: web.Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    status: int = 200,
) -> web.Response:
    """A page: the layout's context (who, CSRF token, language, menu) plus ``context``."""
    values = {**_page_context(request), **(context or {})}
    return aiohttp_jinja2.render_template(template, request, values, status=status)
