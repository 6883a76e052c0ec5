"""Logging without personal data: an exception is described by its type and where it was
raised, never by its message (database errors quote the values, such as a CNIC); and the
libraries' own debug and info records (python-telegram-bot's request and update dumps,
SQLAlchemy's parameters and rows, aiosqlite's calls, httpx's URLs with the bot token) keep
their message but lose their arguments (``hide_library_payloads``)."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

# Loggers whose records below WARNING carry request bodies, updates, SQL parameters or rows.
LIBRARIES = ("telegram", "httpx", "httpcore", "sqlalchemy", "aiosqlite", "asyncpg", "aiohttp")
HIDDEN = "…"


def describe(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)[-6:]
    where = " <- ".join(
        f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno}:{f.name}" for f in reversed(frames)
    )
    return f"{type(exc).__name__} at {where}" if where else type(exc).__name__


def _from_library(name: str) -> bool:
    return any(name == lib or name.startswith(lib + ".") for lib in LIBRARIES)


def _hiding(factory: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        if record.levelno < logging.WARNING and _from_library(record.name):
            if not isinstance(record.msg, str):
                record.msg, record.args = f"<{type(record.msg).__name__}>", None
            elif record.args:  # the format stays, its placeholders unfilled
                values = record.args if isinstance(record.args, tuple) else (record.args,)
                kinds = ", ".join(type(value).__name__ for value in values)
                record.msg, record.args = f"{record.msg} [{HIDDEN} {kinds}]", None
        return record

    make.ssw_hiding = True  # type: ignore[attr-defined]
    return make


def hide_library_payloads() -> None:
    """From now on, library records below WARNING are logged without their arguments (once
    installed, installing again changes nothing)."""
    factory = logging.getLogRecordFactory()
    if not getattr(factory, "ssw_hiding", False):
        logging.setLogRecordFactory(_hiding(factory))
