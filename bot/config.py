"""Gateway settings from the environment (pydantic-settings, like the backend's), so no secret or
deployment detail lives in code. Every variable is documented in bot/ENV.md.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import AliasChoices, Field, PrivateAttr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATABASE_URL = "sqlite:///./var/gateway.db"


def _agent_entries(raw: str) -> list[list[str]]:
    """AGENT_USERS entries "name:hash[:Display name[:ž|m]]", each split (malformed ones skipped)."""
    entries = []
    for item in raw.split(","):
        parts = [p.strip() for p in item.strip().split(":", 3)]
        if len(parts) >= 2 and parts[0] and parts[1]:
            entries.append(parts)
    return entries


def parse_agent_users(raw: str) -> dict[str, str]:
    """AGENT_USERS="ana:<hash>,bor:<hash>:Bor:m" -> {"ana": "<hash>", "bor": "<hash>"}."""
    return {parts[0]: parts[1] for parts in _agent_entries(raw)}


def parse_agent_names(raw: str) -> dict[str, tuple[str, str]]:
    """The display names of AGENT_USERS: login -> (name the customer sees, "ž"/"m"/"" for the
    grammatical gender of the claim notice). Entries without a name are left out."""
    names: dict[str, tuple[str, str]] = {}
    for parts in _agent_entries(raw):
        if len(parts) >= 3 and parts[2]:
            gender = parts[3].lower() if len(parts) == 4 else ""
            names[parts[0]] = (parts[2][:60], gender if gender in ("ž", "m") else "")
    return names


def _env(default: Any, *names: str) -> Any:
    """A field read from the environment name(s) given; its own name also works in code (tests)."""
    return Field(default, validation_alias=AliasChoices(*names))


class Settings(BaseSettings):
    """Everything the gateway and the Telegram process read from the environment."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=False, populate_by_name=True)

    rasa_url: str = "http://127.0.0.1:5005"
    rasa_token: str = ""
    rasa_timeout: float = _env(30.0, "RASA_TIMEOUT_SECONDS", "rasa_timeout")
    backend_url: str = "http://127.0.0.1:8000"
    backend_api_key: str = ""
    backend_timeout: float = _env(10.0, "GATEWAY_BACKEND_TIMEOUT_SECONDS", "backend_timeout")
    telegram_token: str = ""
    telegram_webhook_secret: str = ""
    telegram_api_base: str = "https://api.telegram.org/bot"
    twilio_auth_token: str = ""
    twilio_account_sid: str = ""
    twilio_from_number: str = ""
    public_url: str = _env("", "GATEWAY_PUBLIC_URL", "public_url")
    agent_users: Annotated[dict[str, str], NoDecode] = Field(default_factory=dict)
    # filled from AGENT_USERS' optional third and fourth fields (see parse_agent_names)
    agent_names: Annotated[dict[str, tuple[str, str]], NoDecode] = Field(
        default_factory=dict, validation_alias=AliasChoices("agent_names")
    )
    # an agent session unused this long ends (server-side); 12 h after login it ends anyway
    agent_idle_minutes: int = _env(30, "GATEWAY_AGENT_IDLE_MINUTES", "agent_idle_minutes")
    agent_session_hours: int = _env(12, "GATEWAY_AGENT_SESSION_HOURS", "agent_session_hours")
    # failed logins per user name (any address) before the growing delay starts; its cap in seconds
    login_free_failures: int = _env(5, "GATEWAY_LOGIN_FREE_FAILURES", "login_free_failures")
    login_max_delay: int = _env(900, "GATEWAY_LOGIN_MAX_DELAY_SECONDS", "login_max_delay")
    # Without a configured secret, agent sessions do not survive a restart; with REDIS_URL (replicas)
    # a configured one is required (see require_shared_secrets).
    session_secret: str = _env("", "GATEWAY_SESSION_SECRET", "session_secret")
    # Key of the HMAC that turns a client address into the opaque client_ref sent to Rasa/the backend.
    client_ref_secret: str = _env("", "GATEWAY_CLIENT_REF_SECRET", "client_ref_secret")
    # auto = console cookies carry Secure unless the console is opened on localhost; 1 always; 0 never
    cookie_secure: str = _env("auto", "GATEWAY_COOKIE_SECURE", "cookie_secure")
    database_url: str = _env(DEFAULT_DATABASE_URL, "GATEWAY_DATABASE_URL", "database_url")
    redis_url: str = ""
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list, validation_alias=AliasChoices("GATEWAY_TRUSTED_PROXIES", "trusted_proxies")
    )
    rate_limit: str = _env("20/minute", "GATEWAY_RATE_LIMIT", "rate_limit")
    session_rate_limit: str = _env("30/minute", "GATEWAY_SESSION_RATE_LIMIT", "session_rate_limit")
    login_rate_limit: str = _env("10/minute", "GATEWAY_LOGIN_RATE_LIMIT", "login_rate_limit")
    max_message_chars: int = _env(2000, "GATEWAY_MAX_MESSAGE_CHARS", "max_message_chars")
    default_brand: str = _env("geni", "GATEWAY_BRAND", "default_brand")
    replica: str = _env("", "GATEWAY_REPLICA", "replica")
    handback_retries: int = _env(3, "GATEWAY_HANDBACK_RETRIES", "handback_retries")
    _generated_session_secret: bool = PrivateAttr(default=False)

    @model_validator(mode="before")
    @classmethod
    def _names_from_users(cls, data: Any) -> Any:
        """The display names travel in AGENT_USERS; split them off before the hashes are parsed."""
        if isinstance(data, dict):
            raw = next((v for k, v in data.items() if k.lower() == "agent_users"), None)
            if isinstance(raw, str) and "agent_names" not in data:
                data = {**data, "agent_names": parse_agent_names(raw)}
        return data

    @field_validator("agent_users", mode="before")
    @classmethod
    def _agent_users(cls, value: Any) -> Any:
        return parse_agent_users(value) if isinstance(value, str) else value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxies(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [p.strip() for p in value.split(",") if p.strip()]
        return value

    @field_validator("cookie_secure", mode="before")
    @classmethod
    def _cookie_secure(cls, value: Any) -> str:
        text = str(value).strip().lower()
        if text in ("", "auto"):
            return "auto"
        if text in ("1", "true", "yes", "on"):
            return "1"
        if text in ("0", "false", "no", "off"):
            return "0"
        raise ValueError("GATEWAY_COOKIE_SECURE must be auto, 1 or 0")

    @field_validator("rasa_url", "backend_url", "public_url", mode="after")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.strip().rstrip("/")

    def model_post_init(self, _context: Any) -> None:
        """Development defaults for secrets that only need to be stable within one process."""
        if not self.session_secret:
            self.session_secret = secrets.token_hex(32)
            self._generated_session_secret = True
        if not self.client_ref_secret:
            self.client_ref_secret = secrets.token_hex(32)

    @property
    def session_secret_generated(self) -> bool:
        return self._generated_session_secret

    def require_shared_secrets(self) -> None:
        """Replicas (REDIS_URL set) must share the session secret, or a login on one is invalid on the other."""
        if self.redis_url and self.session_secret_generated:
            raise RuntimeError(
                "GATEWAY_SESSION_SECRET must be set when REDIS_URL is set: every gateway replica "
                "has to sign and check agent sessions with the same secret"
            )

    def resolved_database_url(self) -> str:
        """Relative SQLite paths are relative to the repo root (folder created), as for the backend."""
        url = self.database_url.strip()
        prefix = "sqlite:///"
        if url.startswith(prefix) and ":memory:" not in url:
            path = Path(url[len(prefix):])
            if not path.is_absolute():
                path = (REPO_ROOT / path).resolve()
            path.parent.mkdir(parents=True, exist_ok=True)
            return f"{prefix}{path}"
        if url.startswith("postgresql://"):
            return "postgresql+psycopg://" + url[len("postgresql://"):]
        return url


@lru_cache
def get_settings() -> Settings:
    """Process-wide settings."""
    return Settings()
