"""Settings from the environment or a ``.env`` file (pydantic-settings)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_database_url() -> str:
    return f"sqlite:///{Path.cwd() / 'ssw_bot.db'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: str = ""
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_api_file_url: str = "https://api.telegram.org/file/bot"
    database_url: str = ""
    log_level: str = "INFO"

    # The staff web app (``ssw-bot web``). The secret key signs CSRF tokens and keys the
    # stored session hashes: without one the web app refuses to start. Never logged.
    staff_secret_key: str = Field(default="", repr=False)
    staff_host: str = "127.0.0.1"
    staff_port: int = 8080
    staff_session_minutes: int = 30  # signed out after this long without a request
    staff_secure_cookies: bool = False  # always mark cookies Secure (they are on https anyway)
    staff_trust_proxy: bool = False  # behind a reverse proxy: believe X-Forwarded-For/-Proto

    # Staff on Telegram: the Telegram user ids that may use /stats and /export (comma
    # separated), the OEC group chat that hears of new leads, how often, and in which language.
    staff_telegram_ids: str = ""
    staff_group_chat_id: str = ""
    staff_announce_minutes: int = 10
    staff_group_language: str = "en"

    # The outbox sender's overall rate (messages a second); with several bot instances, each
    # gets its share of Telegram's 30.
    outbox_per_second: float = 25.0

    def staff_ids(self) -> frozenset[int]:
        """The configured staff Telegram ids; anything that is not a number is left out."""
        parts = (part.strip() for part in self.staff_telegram_ids.replace(";", ",").split(","))
        return frozenset(int(part) for part in parts if part.lstrip("-").isdigit())

    def staff_group(self) -> int | None:
        value = self.staff_group_chat_id.strip()
        return int(value) if value.lstrip("-").isdigit() else None

    def database(self) -> str:
        return self.database_url or default_database_url()
