"""Small helpers for page handlers: form fields, redirects, safe return paths, ids."""

from __future__ import annotations

from aiohttp import web


async def fields(request: web.Request) -> dict[str, str]:
    """The POSTed form as text fields (files are ignored)."""
    form = await request.post()
    return {key: value for key, value in form.items() if isinstance(value, str)}


def redirect(location: str) -> web.Response:
    """303 See Other, returned (not raised) so the request's transaction is committed."""
    return web.Response(status=303, headers={"Location": location})


def safe_path(value: str | None, default: str) -> str:
    """A path on this site to go back to; anything else (another site, //host) → default."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return default


def int_param(request: web.Request, name: str) -> int:
    try:
        return int(request.match_info[name])
    except (KeyError, ValueError) as exc:
        raise web.HTTPNotFound() from exc
