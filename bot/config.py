"""Gateway settings, read from the environment so no secret or deployment detail lives in code.

Every variable is documented in bot/ENV.md.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def _int(name: str, default: int) -> int:
    raw = _env(name)
    try:
        return int(raw) if raw else default
    except ValueError:
        return default


def parse_agent_users(raw: str) -> dict[str, str]:
    """AGENT_USERS="ana:<hash>,bor:<hash>" -> {"ana": "<hash>", ...}; malformed entries are skipped."""
    users: dict[str, str] = {}
    for item in raw.split(","):
        name, sep, hashed = item.strip().partition(":")
        if sep and name.strip() and hashed.strip():
            users[name.strip()] = hashed.strip()
    return users


@dataclass
class Settings:
    """Everything the gateway reads from the environment."""

    rasa_url: str = "http://127.0.0.1:5005"
    rasa_token: str = ""
    rasa_timeout: float = 30.0
    backend_url: str = "http://127.0.0.1:8000"
    backend_api_key: str = ""
    telegram_token: str = ""
    telegram_webhook_secret: str = ""
    telegram_api_base: str = "https://api.telegram.org/bot"
    twilio_auth_token: str = ""
    twilio_account_sid: str = ""
    twilio_from_number: str = ""
    public_url: str = ""
    agent_users: dict[str, str] = field(default_factory=dict)
    session_secret: str = field(default_factory=lambda: secrets.token_hex(32))
    cookie_secure: bool = False
    state_db: str = "var/gateway.db"
    rate_limit: str = "20/minute"
    session_rate_limit: str = "30/minute"
    max_message_chars: int = 2000
    default_brand: str = "geni"

    @classmethod
    def from_env(cls) -> Settings:
        """Build settings from os.environ (defaults for local development)."""
        return cls(
            rasa_url=_env("RASA_URL", "http://127.0.0.1:5005").rstrip("/"),
            rasa_token=_env("RASA_TOKEN"),
            rasa_timeout=float(_int("RASA_TIMEOUT_SECONDS", 30)),
            backend_url=_env("BACKEND_URL", "http://127.0.0.1:8000").rstrip("/"),
            backend_api_key=_env("BACKEND_API_KEY"),
            telegram_token=_env("TELEGRAM_TOKEN"),
            telegram_webhook_secret=_env("TELEGRAM_WEBHOOK_SECRET"),
            telegram_api_base=_env("TELEGRAM_API_BASE", "https://api.telegram.org/bot"),
            twilio_auth_token=_env("TWILIO_AUTH_TOKEN"),
            twilio_account_sid=_env("TWILIO_ACCOUNT_SID"),
            twilio_from_number=_env("TWILIO_FROM_NUMBER"),
            public_url=_env("GATEWAY_PUBLIC_URL").rstrip("/"),
            agent_users=parse_agent_users(_env("AGENT_USERS")),
            # Without a configured secret, sessions simply do not survive a restart.
            session_secret=_env("GATEWAY_SESSION_SECRET") or secrets.token_hex(32),
            cookie_secure=_env("GATEWAY_COOKIE_SECURE", "0") in ("1", "true", "yes"),
            state_db=_env("GATEWAY_STATE_DB", "var/gateway.db"),
            rate_limit=_env("GATEWAY_RATE_LIMIT", "20/minute"),
            session_rate_limit=_env("GATEWAY_SESSION_RATE_LIMIT", "30/minute"),
            max_message_chars=_int("GATEWAY_MAX_MESSAGE_CHARS", 2000),
            default_brand=_env("GATEWAY_BRAND", "geni"),
        )

    def state_db_path(self) -> Path:
        """Relative paths are relative to the repo root, as for the backend's SQLite file."""
        path = Path(self.state_db)
        if not path.is_absolute():
            path = REPO_ROOT / path
        path.parent.mkdir(parents=True, exist_ok=True)
        return path


@lru_cache
def get_settings() -> Settings:
    """Process-wide settings."""
    return Settings.from_env()
