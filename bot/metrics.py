"""The Prometheus metrics every part of the bot reports to (served at ``/metrics``).

One registry for the process (``REGISTRY``), so tests can read values and several
applications in one test process do not clash. Labels never carry personal data: kinds,
methods, results and job names only.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

UPDATES = Counter(
    "ssw_updates_total",
    "Telegram updates handled, by kind (message, callback_query, command, other) and result "
    "(ok, duplicate, error, throttled, ignored).",
    ["kind", "result"],
    registry=REGISTRY,
)
HANDLER_SECONDS = Histogram(
    "ssw_handler_seconds",
    "Time to handle one update, from its arrival to its state being committed and its first "
    "reply sent.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0, 5.0, 10.0),
    registry=REGISTRY,
)
ERRORS = Counter(
    "ssw_errors_total",
    "Errors, by where they happened (handler, database, sender, job, webhook).",
    ["where"],
    registry=REGISTRY,
)
LEADS_CREATED = Counter(
    "ssw_leads_created_total", "Registrations saved as new leads.", registry=REGISTRY
)
API_CALLS = Counter(
    "ssw_api_calls_total",
    "Outgoing Bot API calls, by method and result (ok, retry_after, forbidden, bad_request, "
    "network, server_error, timeout).",
    ["method", "result"],
    registry=REGISTRY,
)
API_RETRIES = Counter(
    "ssw_api_retries_total",
    "Bot API calls tried again (after a 429, a timeout, a 5xx or a dropped connection).",
    ["method"],
    registry=REGISTRY,
)
OUTBOX_DEPTH = Gauge(
    "ssw_outbox_depth",
    "Outbox messages waiting to be sent (pending), by kind, as last counted.",
    ["kind"],
    registry=REGISTRY,
)
JOB_RUNS = Counter(
    "ssw_job_runs_total",
    "Background job runs, by job and result (ok, error, skipped).",
    ["job", "result"],
    registry=REGISTRY,
)
JOB_ROWS = Counter(
    "ssw_job_rows_total",
    "Rows background jobs handled, by job and what was done (reminded, purged_conversation, "
    "purged_outbox).",
    ["job", "what"],
    registry=REGISTRY,
)
