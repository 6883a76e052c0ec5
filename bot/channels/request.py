"""The HTTP layer under python-telegram-bot: Bot API calls over one aiohttp session.

PTB's default (``HTTPXRequest``) spends most of a busy bot's CPU in httpcore's pool
bookkeeping, which grows with connections × requests in flight. ``AiohttpRequest`` keeps one
``aiohttp.ClientSession`` with a bounded ``TCPConnector`` (keep-alive connections reused),
sends plain calls as one JSON body (files as multipart), maps PTB's four timeouts onto
aiohttp's, raises PTB's own ``TimedOut`` and ``NetworkError``, and counts every call in
``bot.metrics.API_CALLS`` by method and result. Retries are the limiter's job
(``bot.channels.limits``), not this layer's.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.metrics import API_CALLS

JSON = "application/json"


def result_of(status: int) -> str:
    """The ``result`` label of an HTTP status from the Bot API."""
    if 200 <= status <= 299:
        return "ok"
    if status == 429:
        return "retry_after"
    if status == 403:
        return "forbidden"
    if status == 400:
        return "bad_request"
    if status >= 500:
        return "server_error"
    return "other"


def method_of(url: str) -> str:
    """The Bot API method of a call's URL (``.../bot<token>/sendMessage``): never the token."""
    return url.rsplit("/", 1)[-1][:32] or "unknown"


def count(method: str, result: str) -> None:
    API_CALLS.labels(method, result).inc()


def _seconds(value: ODVInput[float], default: float | None) -> float | None:
    return default if isinstance(value, DefaultValue) else value


def _total(*parts: float | None) -> float | None:
    """A bound on the whole call: the sum of its phases' bounds (none if one is unbounded)."""
    if any(part is None for part in parts):
        return None
    return sum(part for part in parts if part is not None)


class AiohttpRequest(BaseRequest):
    """A ``BaseRequest`` over aiohttp (see the module docstring).

    ``connection_pool_size``: connections open at once (more calls wait up to
    ``pool_timeout`` for one). ``read_timeout`` bounds the wait for the answer after the
    request was sent; ``write_timeout`` (``media_write_timeout`` with files) the sending;
    ``connect_timeout`` a new connection. aiohttp has no separate write bound, so the call as
    a whole is bounded by the sum of the four."""

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read = read_timeout
        self._write = write_timeout
        self._connect = connect_timeout
        self._pool = pool_timeout
        self._media_write = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=self._pool_size, keepalive_timeout=60.0, enable_cleanup_closed=True
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers={"User-Agent": self.USER_AGENT},
                skip_auto_headers=("Accept-Encoding",),
            )

    async def shutdown(self) -> None:
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """One HTTP call: (status, body). Every call is counted, by method and result."""
        if self._session is None or self._session.closed:
            await self.initialize()
        assert self._session is not None
        files = request_data.multipart_data if request_data else None
        read = _seconds(read_timeout, self._read)
        connect = _seconds(connect_timeout, self._connect)
        pool = _seconds(pool_timeout, self._pool)
        write = _seconds(write_timeout, self._write if not files else self._media_write)
        timeout = aiohttp.ClientTimeout(
            total=_total(pool, connect, write, read),
            connect=_total(pool, connect),
            sock_connect=connect,
            sock_read=read,
        )
        kwargs: dict[str, Any] = {}
        if files:
            form = aiohttp.FormData()
            for name, value in (request_data.json_parameters if request_data else {}).items():
                form.add_field(name, value)
            for name, (filename, content, mime) in files.items():
                form.add_field(name, content, filename=filename, content_type=mime)
            kwargs["data"] = form
        elif request_data is not None and request_data.parameters:
            # one JSON document of the values as they are (PTB's json_payload would encode
            # every value as a JSON string inside it: timeouts and ids as text)
            kwargs["data"] = json.dumps(request_data.parameters, separators=(",", ":")).encode()
            kwargs["headers"] = {"Content-Type": JSON}
        name = method_of(url)
        try:
            async with self._session.request(method, url, timeout=timeout, **kwargs) as response:
                body = await response.read()
        except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
            count(name, "timeout")
            raise TimedOut(f"aiohttp: {type(exc).__name__}") from exc
        except aiohttp.ClientError as exc:
            count(name, "network")
            raise NetworkError(f"aiohttp.{type(exc).__name__}") from exc
        except asyncio.CancelledError:
            raise
        count(name, result_of(response.status))
        return response.status, body
