"""When an opening is open now: the one definition, in Python and in SQL.

An opening is open on ``today`` (OEC's date, ``bot.oec_time.oec_today``) when its state is
``open`` and its deadline is not past: the deadline day itself is still open, to its end in
Pakistan. ``is_open`` says it of one opening's facts (``bot.openings.is_open``, the buttons and
the menu), ``open_now`` is the same as a SQL clause (the worker's "Jobs open now", the outbox's
check before sending an invitation); ``is_past_deadline`` and ``past_deadline`` are its
complement among open openings (the deadline job closes those). Its own module because
``bot.storage.outbox`` cannot import ``bot.storage.openings`` (which imports the outbox).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, and_

from bot.storage.opening_models import OPEN, Opening


def is_open(state: str, deadline: date, today: date) -> bool:
    """Workers may still answer it: open, and its deadline (the whole day) not passed."""
    return state == OPEN and deadline >= today


def is_past_deadline(state: str, deadline: date, today: date) -> bool:
    """Still open, but its deadline has passed on ``today``: due to be closed."""
    return state == OPEN and deadline < today


def open_now(today: date) -> ColumnElement[bool]:
    """``is_open`` in SQL: the openings workers may still answer on ``today``."""
    return and_(Opening.state == OPEN, Opening.deadline >= today)


def past_deadline(today: date) -> ColumnElement[bool]:
    """``is_past_deadline`` in SQL: the open openings due to be closed on ``today``."""
    return and_(Opening.state == OPEN, Opening.deadline < today)
