"""Gateway settings from the environment (pydantic-settings, like the backend's), so no secret or
deployment detail lives in code. Every variable is documented in bot/ENV.md.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

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
    # "production" (default): no /docs, no /openapi.json; "development" serves both.
    environment: str = _env("production", "GATEWAY_ENVIRONMENT", "environment")
    # Who may frame the widget's demo pages (CSP frame-ancestors); the console is never framable.
    frame_ancestors: str = _env("'self'", "GATEWAY_FRAME_ANCESTORS", "frame_ancestors")
    # Every channel's request body: at most this many bytes, JSON at most this deep.
    max_body_bytes: int = _env(262_144, "GATEWAY_MAX_BODY_BYTES", "max_body_bytes")
    max_json_depth: int = _env(32, "GATEWAY_MAX_JSON_DEPTH", "max_json_depth")
    # How long a Twilio MessageSid / Telegram update_id is remembered, so a replay is processed once.
    dedup_ttl_seconds: int = _env(172_800, "GATEWAY_DEDUP_TTL_SECONDS", "dedup_ttl_seconds")
    # A web session with no message for this long is gone: its turns are deleted, the widget starts anew.
    web_history_hours: float = _env(24.0, "GATEWAY_WEB_HISTORY_HOURS", "web_history_hours")
    # bot.retention: conversations, turns and Rasa tracker events older than this are deleted.
    retention_days: float = _env(90.0, "GATEWAY_RETENTION_DAYS", "retention_days")
    retention_interval_minutes: float = _env(60.0, "GATEWAY_RETENTION_INTERVAL_MINUTES", "retention_interval_minutes")
    # Rasa's SQL tracker store (table `events`), where the erase marker and bot.retention delete:
    # GATEWAY_RASA_TRACKER_URL (an SQLAlchemy URL), else PostgreSQL from the TRACKER_DB_* variables
    # endpoints.postgres.yml reads, else the SQLite file RASA_TRACKER_DB (endpoints.yml).
    rasa_tracker_url: str = _env("", "GATEWAY_RASA_TRACKER_URL", "rasa_tracker_url")
    rasa_tracker_db: str = _env("var/rasa_tracker.db", "RASA_TRACKER_DB", "rasa_tracker_db")
    tracker_db_host: str = _env("", "TRACKER_DB_HOST", "tracker_db_host")
    tracker_db_port: str = _env("5432", "TRACKER_DB_PORT", "tracker_db_port")
    tracker_db_name: str = _env("rasa", "TRACKER_DB_NAME", "tracker_db_name")
    tracker_db_user: str = _env("postgres", "TRACKER_DB_USER", "tracker_db_user")
    tracker_db_password: str = _env("", "TRACKER_DB_PASSWORD", "tracker_db_password")
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

    @field_validator("environment", mode="after")
    @classmethod
    def _environment(cls, value: str) -> str:
        value = value.strip().lower()
        if value not in ("production", "development"):
            raise ValueError("GATEWAY_ENVIRONMENT must be 'production' or 'development'")
        return value

    @field_validator("frame_ancestors", mode="after")
    @classmethod
    def _frame_ancestors(cls, value: str) -> str:
        """Source expressions only: a ';' or ',' would smuggle another directive into the header."""
        # A shell that sourced GATEWAY_FRAME_ANCESTORS='self' unquoted leaves `self`: that is the keyword.
        value = " ".join(f"'{w}'" if w in ("self", "none") else w for w in value.split())
        if not value or any(ch in value for ch in ";,\"\\\n") or not value.isascii():
            raise ValueError("GATEWAY_FRAME_ANCESTORS: CSP sources separated by spaces, e.g. 'self' https://www.gen-i.si")
        return value

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

    @property
    def api_docs(self) -> bool:
        """/docs and /openapi.json only in development: in production they map the attack surface."""
        return self.environment == "development"

    def resolved_database_url(self) -> str:
        """Relative SQLite paths are relative to the repo root (folder created), as for the backend."""
        return _resolve_url(self.database_url, create_dir=True)

    def resolved_tracker_url(self) -> str:
        """Rasa's tracker store as SQLAlchemy sees it; the folder is not created (Rasa creates the file)."""
        url = self.rasa_tracker_url.strip()
        if not url and self.tracker_db_host.strip():
            auth = quote(self.tracker_db_user, safe="")
            if self.tracker_db_password:
                auth += ":" + quote(self.tracker_db_password, safe="")
            url = (f"postgresql+psycopg://{auth}@{self.tracker_db_host.strip()}:{self.tracker_db_port.strip()}/"
                   f"{self.tracker_db_name.strip()}")
        return _resolve_url(url or f"sqlite:///{self.rasa_tracker_db.strip()}", create_dir=False)


def _resolve_url(url: str, create_dir: bool) -> str:
    url = url.strip()
    prefix = "sqlite:///"
    if url.startswith(prefix) and ":memory:" not in url:
        path = Path(url[len(prefix):])
        if not path.is_absolute():
            path = (REPO_ROOT / path).resolve()
        if create_dir:
            path.parent.mkdir(parents=True, exist_ok=True)
        return f"{prefix}{path}"
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


@lru_cache
def get_settings() -> Settings:
    """Process-wide settings."""
    return Settings()
