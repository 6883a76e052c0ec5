"""Settings from the environment or a ``.env`` file (pydantic-settings).

Every setting is a field with a default and a ``description``: the README's configuration
reference is generated from them (``python -m bot.config``), and a test keeps it in step.
Add a setting here, with its description, and nowhere else.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


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
        default=25.0,
        description="The outbox sender's overall rate (messages a second). With several "
        "bot instances, give each its share of Telegram's 30.",
    )

    def staff_ids(self) -> frozenset[int]:
        """The configured staff Telegram ids; anything that is not a number is left out."""
        parts = (part.strip() for part in self.staff_telegram_ids.replace(";", ",").split(","))
        return frozenset(int(part) for part in parts if part.lstrip("-").isdigit())

    def staff_group(self) -> int | None:
        value = self.staff_group_chat_id.strip()
        return int(value) if value.lstrip("-").isdigit() else None

    def database(self) -> str:
        return self.database_url or default_database_url()
