"""Settings from the environment or a ``.env`` file (pydantic-settings).

Every setting is a field with a default and a ``description``: the README's configuration
reference is generated from them (``python -m bot.config``), and a test keeps it in step.
Add a setting here, with its description, and nowhere else.
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.oec_time import OEC_TIMEZONE, zone


def default_database_url() -> str:
    return f"sqlite:///{Path.cwd() / 'ssw_bot.db'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: str = Field(
        default="",
        repr=False,
        description="The bot's token from @BotFather. Never logged.",
    )
    telegram_api_base_url: str = Field(
        default="https://api.telegram.org/bot",
        description="Where the Bot API is (a local Bot API server, or a test fake).",
    )
    telegram_api_file_url: str = Field(
        default="https://api.telegram.org/file/bot",
        description="Where the Bot API serves files.",
    )
    telegram_webhook_secret: str = Field(
        default="",
        repr=False,
        description="Required with run --webhook: Telegram sends it back in the "
        "X-Telegram-Bot-Api-Secret-Token header of every update (1 to 256 characters: "
        "A-Z, a-z, 0-9, _ and -). Never logged.",
    )
    telegram_webhook_host: str = Field(
        default="127.0.0.1",
        description="With run --webhook: the address the webhook listens on (behind the "
        "reverse proxy). With --web the staff web app is served there too.",
    )
    telegram_webhook_port: int = Field(
        default=8081,
        description="With run --webhook: the port the webhook listens on (with --web, the "
        "staff web app's port too; STAFF_HOST and STAFF_PORT are then not used).",
    )
    telegram_webhook_max_connections: int = Field(
        default=40,
        description="With run --webhook: how many deliveries Telegram may have in flight to "
        "this URL at once (1 to 100).",
    )
    timezone: str = Field(
        default=OEC_TIMEZONE,
        validation_alias=AliasChoices("timezone", "reminder_timezone"),
        description="OEC's time zone (an IANA name): its date is \"today\" for openings' "
        "deadlines (the deadline day is open to its end there), the invitations still worth "
        "sending, the worker's Jobs list and the staff's checks, and its hours are the "
        "reminders' quiet hours. REMINDER_TIMEZONE, its former name, is read when TIMEZONE "
        "is not set.",
    )
    database_url: str = Field(
        default="",
        description="sqlite:///path.db or postgresql://user@host/db. Empty: ssw_bot.db in "
        "the working directory.",
    )
    log_level: str = Field(default="INFO", description="DEBUG, INFO, WARNING or ERROR.")

    staff_secret_key: str = Field(
        default="",
        repr=False,
        description="Signs the staff web app's CSRF tokens and keys its stored session "
        "hashes. Required for the web app; never logged.",
    )
    staff_host: str = Field(default="127.0.0.1", description="The staff web app's address.")
    staff_port: int = Field(default=8080, description="The staff web app's port.")
    staff_session_minutes: int = Field(
        default=30, description="Staff are signed out after this long without a request."
    )
    staff_secure_cookies: bool = Field(
        default=False,
        description="Always mark cookies Secure (they are Secure on https anyway).",
    )
    staff_trust_proxy: bool = Field(
        default=False,
        description="Behind a reverse proxy: believe X-Forwarded-For and X-Forwarded-Proto.",
    )

    staff_telegram_ids: str = Field(
        default="",
        description="Telegram user ids (comma separated) that may use /stats and /export.",
    )
    staff_group_chat_id: str = Field(
        default="", description="The OEC staff group that hears of new leads (a chat id)."
    )
    staff_announce_minutes: int = Field(
        default=10, description="How often new leads are announced in the staff group."
    )
    staff_group_language: str = Field(
        default="en", description="The staff group's language: en, ur or ja."
    )

    outbox_per_second: float = Field(
        default=28.6,
        description="The outbox sender's overall rate (messages a second): broadcasts go "
        "this fast when no reply is waiting, and replies keep the rest of Telegram's 30. "
        "With several bot instances, give each its share.",
    )

    # -- operations (health, metrics, logs, outages, floods) -------------------------------
    metrics_token: str = Field(
        default="",
        repr=False,
        description="If set, /metrics wants the header 'Authorization: Bearer TOKEN'. Empty: "
        "/metrics is open to whoever reaches the listening address (keep it private). Never "
        "logged.",
    )
    log_format: str = Field(
        default="text",
        description="text (one readable line per record) or json (one JSON object per line "
        "with time, level, logger, message and, when known, update_id, user and job).",
    )
    database_wait_seconds: float = Field(
        default=10.0,
        description="How long to wait for the database (connecting, or a locked SQLite file) "
        "before telling the worker to try again in a moment.",
    )
    flood_messages: int = Field(
        default=15,
        description="Updates one user may send within FLOOD_SECONDS; beyond that they are "
        "dropped before the database is touched and the user is asked, once, to slow down.",
    )
    flood_seconds: float = Field(
        default=10.0, description="The window of FLOOD_MESSAGES (a sliding window, seconds)."
    )

    # -- background jobs (reminders, retention) ----------------------------------------------
    reminder_after_hours: float = Field(
        default=24.0,
        description="A worker who stopped mid-registration gets one reminder after this "
        "many hours without a message (0 turns reminders off).",
    )
    reminder_quiet_hours: str = Field(
        default="21:00-09:00",
        description="No reminder is sent in these local hours (HH:MM-HH:MM in TIMEZONE); "
        "one due then is sent when they end.",
    )
    retention_days: int = Field(
        default=30,
        description="Unfinished registrations untouched for this many days lose their "
        "answers (the retention job; 0 keeps them).",
    )
    outbox_retention_days: int = Field(
        default=90,
        description="Sent reminders and staff-group announcements older than this many "
        "days are deleted (status notices and broadcasts are kept).",
    )
    jobs_poll_seconds: float = Field(
        default=30.0,
        description="How often each instance looks for a background job that is due "
        "(reminders every 10 minutes, retention every hour; one instance runs each).",
    )

    # -- the outbox sender --------------------------------------------------------------------
    outbox_lease_seconds: float = Field(
        default=120.0,
        description="How long a sender holds the outbox messages it claimed: another "
        "instance takes over a dead one's messages after this.",
    )
    outbox_batch: int = Field(
        default=30,
        description="How many outbox messages a sender claims at a time (a large broadcast "
        "goes faster with more, e.g. 150: fewer pauses between claims).",
    )
    outbox_poll_seconds: float = Field(
        default=5.0,
        description="How often an idle outbox sender looks for messages to send (a "
        "broadcast, a notice).",
    )

    # -- Telegram's limits on the way out ---------------------------------------------------
    telegram_per_second: float = Field(
        default=30.0,
        description="Messages a second this process sends to Telegram, replies and outbox "
        "together (Telegram allows a bot about 30). With several instances, give each its "
        "share.",
    )
    telegram_chat_per_second: float = Field(
        default=1.0,
        description="Messages a second to one private chat (Telegram's limit is about 1).",
    )
    telegram_chat_burst: int = Field(
        default=3,
        description="Messages one private chat may get at once before the per-chat rate "
        "holds them (a reply of an answer and the next question is not held).",
    )
    telegram_reply_attempts: int = Field(
        default=3,
        description="Tries of a reply's Bot API call after timeouts, dropped connections "
        "and 5xx answers (with backoff and jitter), in all.",
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        """A misspelt zone stops the bot at start, not at the first deadline."""
        try:
            zone(value)
        except (ValueError, ZoneInfoNotFoundError) as exc:
            raise ValueError(f"unknown time zone {value!r} (an IANA name: Asia/Karachi)") from exc
        return value

    def staff_ids(self) -> frozenset[int]:
        """The configured staff Telegram ids; anything that is not a number is left out."""
        parts = (part.strip() for part in self.staff_telegram_ids.replace(";", ",").split(","))
        return frozenset(int(part) for part in parts if part.lstrip("-").isdigit())

    def staff_group(self) -> int | None:
        value = self.staff_group_chat_id.strip()
        return int(value) if value.lstrip("-").isdigit() else None

    def database(self) -> str:
        return self.database_url or default_database_url()


if __name__ == "__main__":  # python -m bot.config: the README's configuration reference
    import sys

    from bot.config_reference import main

    sys.exit(main(sys.argv[1:]))
