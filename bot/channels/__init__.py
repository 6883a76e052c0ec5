"""Channels: thin adapters that turn a platform's events into ``Incoming`` and render replies.

python-telegram-bot 22.2+ is moving time periods (``RetryAfter.retry_after``...) from seconds to
``datetime.timedelta`` and warns on every use until a program opts in; we opt in (our code reads
both forms), so flood-control answers don't fill the logs with warnings.
"""

import os

os.environ.setdefault("PTB_TIMEDELTA", "1")
