"""Settings from the environment and `.env`, read in one place (DESIGN §5).

A missing or malformed setting stops start-up with one line naming the variable and what it
should look like. Tokens are kept out of every repr so they never reach a log.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.core.calendar import DEFAULT_TIMEZONE
from bot.core.errors import UserError
from db.session import DEFAULT_DATABASE_URL

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
REGION_CODES = ("ENG", "WLS", "SCT", "NIR")
SUPPORTED_DATABASES = ("sqlite", "postgresql")


class ConfigError(UserError):
    """A setting is missing or malformed."""


class StartupError(Exception):
    """Start-up can't go on for a reason outside the settings (Slack out of reach, the port
    taken); the message is one line saying what to do."""


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    database_url_given: bool = False  # the sandbox uses a throwaway database unless it is
    slack_bot_token: str | None = field(default=None, repr=False)
    slack_app_token: str | None = field(default=None, repr=False)
    slack_signing_secret: str | None = field(default=None, repr=False)
    slack_api_url: str = DEFAULT_SLACK_API_URL
    port: int = 3000
    host: str = "0.0.0.0"
    timezone: str = DEFAULT_TIMEZONE
    region: str = "ENG"

    @property
    def socket_mode(self) -> bool:
        return bool(self.slack_app_token)

    def require_slack(self) -> None:
        """Check what `run` needs: a bot token, and an app token or a signing secret."""
        if not self.slack_bot_token:
            raise ConfigError("SLACK_BOT_TOKEN is not set: give the bot token, xoxb-…")
        if not self.socket_mode and not self.slack_signing_secret:
            raise ConfigError(
                "SLACK_SIGNING_SECRET is not set: HTTP mode needs the app's signing secret "
                "(or set SLACK_APP_TOKEN, xapp-…, for Socket Mode)"
            )


def load_settings(
    environ: Mapping[str, str] | None = None, dotenv_path: str | Path | None = ".env"
) -> Settings:
    """Read settings; real environment variables win over `.env`."""
    values: dict[str, str] = {}
    if dotenv_path is not None and Path(dotenv_path).is_file():
        values.update({k: v for k, v in dotenv_values(dotenv_path).items() if v is not None})
    values.update(os.environ if environ is None else environ)

    def get(name: str) -> str | None:
        value = values.get(name)
        return value.strip() if value and value.strip() else None

    bot_token = get("SLACK_BOT_TOKEN")
    if bot_token and not bot_token.startswith("xoxb-"):
        raise ConfigError("SLACK_BOT_TOKEN should be a bot token starting xoxb-")
    app_token = get("SLACK_APP_TOKEN")
    if app_token and not app_token.startswith("xapp-"):
        raise ConfigError("SLACK_APP_TOKEN should be an app-level token starting xapp-")
    api_url = get("SLACK_API_URL") or DEFAULT_SLACK_API_URL
    if not re.match(r"^https?://[^\s/]+", api_url):
        raise ConfigError("SLACK_API_URL should be a URL such as https://slack.com/api/")
    if not api_url.endswith("/"):
        api_url += "/"
    port_text = get("PORT") or "3000"
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ConfigError("PORT should be a port number such as 3000")
    timezone = get("BOT_TIMEZONE") or DEFAULT_TIMEZONE
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError("BOT_TIMEZONE should be a timezone name such as Europe/London") from None
    region = (get("BOT_REGION") or "ENG").upper()
    if region not in REGION_CODES:
        raise ConfigError("BOT_REGION should be one of ENG, WLS, SCT, NIR")
    database_url = get("DATABASE_URL") or DEFAULT_DATABASE_URL
    if "://" not in database_url or _backend(database_url) not in SUPPORTED_DATABASES:
        raise ConfigError(
            "DATABASE_URL should be a SQLite or PostgreSQL URL such as "
            "sqlite:///improvement-bot.db or postgresql://user@host/dbname"
        )
    return Settings(
        database_url=database_url,
        database_url_given=get("DATABASE_URL") is not None,
        slack_bot_token=bot_token,
        slack_app_token=app_token,
        slack_signing_secret=get("SLACK_SIGNING_SECRET"),
        slack_api_url=api_url,
        port=int(port_text),
        host=get("HOST") or "0.0.0.0",
        timezone=timezone,
        region=region,
    )


def _backend(database_url: str) -> str | None:
    try:
        return make_url(database_url).get_backend_name()
    except ArgumentError:
        return None
