"""Log setup: readable text or one JSON object per line, with what is being worked on.

Three context variables say what the code is doing when it logs: ``UPDATE_ID`` (the Telegram
update), ``USER`` (our internal ``users.id``: a row number, not personal data; never the
Telegram id, a name or a phone number) and ``JOB`` (a background job, such as ``outbox``).
The Telegram handler and the background jobs set them; a filter copies them onto every
record, so both formats carry them (``LOG_FORMAT=json`` as fields ``update_id``, ``user``,
``job``, only when known).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

UPDATE_ID: ContextVar[int | None] = ContextVar("ssw_update_id", default=None)
USER: ContextVar[int | None] = ContextVar("ssw_user", default=None)
JOB: ContextVar[str | None] = ContextVar("ssw_job", default=None)
FIELDS = (("update_id", UPDATE_ID), ("user", USER), ("job", JOB))
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s%(context)s"


class ContextFilter(logging.Filter):
    """Puts ``update_id``, ``user`` and ``job`` (None when unknown) on every record, and
    ``context``: the known ones as text (`` [update_id=7 user=3]``) for the text format."""

    def filter(self, record: logging.LogRecord) -> bool:
        known = []
        for name, variable in FIELDS:
            value = variable.get()
            setattr(record, name, value)
            if value is not None:
                known.append(f"{name}={value}")
        record.context = f" [{' '.join(known)}]" if known else ""
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, the known
    context fields, and ``exception`` (the formatted traceback) when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name, variable in FIELDS:
            value = getattr(record, name, None)
            if value is None:
                value = variable.get()
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def handler(log_format: str = "text") -> logging.Handler:
    """A stderr handler in ``log_format`` (``text`` or ``json``) with the context filter."""
    out = logging.StreamHandler()
    out.addFilter(ContextFilter())
    if log_format.strip().lower() == "json":
        out.setFormatter(JsonFormatter())
    else:
        out.setFormatter(logging.Formatter(TEXT_FORMAT))
    return out


def setup(level: str = "INFO", log_format: str = "text") -> None:
    """Configure the root logger (replacing its handlers)."""
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler(log_format))
    root.setLevel(level.upper())
    quiet_libraries()


# Libraries whose records carry personal data or secrets, and the lowest level they may log
# at: httpx logs every request URL at INFO (Bot API URLs hold the token); at DEBUG
# python-telegram-bot logs whole updates (names, texts, contacts) and aiosqlite the calls.
QUIET = {"httpx": logging.WARNING, "httpcore": logging.WARNING, "telegram": logging.INFO,
         "aiosqlite": logging.INFO, "asyncpg": logging.INFO}  # fmt: skip


def quiet_libraries() -> None:
    """Keep the libraries of ``QUIET`` at their level, whatever ``LOG_LEVEL`` says."""
    for name, lowest in QUIET.items():
        logging.getLogger(name).setLevel(lowest)


@contextmanager
def scope(
    update_id: int | None = None, user: int | None = None, job: str | None = None
) -> Iterator[None]:
    """The context fields for the block, exactly these (None: unknown), restored after it;
    code inside may set ``USER`` once it knows it."""
    update_token = UPDATE_ID.set(update_id)
    user_token = USER.set(user)
    job_token = JOB.set(job)
    try:
        yield
    finally:
        JOB.reset(job_token)
        USER.reset(user_token)
        UPDATE_ID.reset(update_token)
