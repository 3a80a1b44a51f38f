"""Settings from the environment, so no secret or deployment detail lives in code."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SQLITE_URL = "sqlite:///./var/backend.db"


class Settings(BaseSettings):
    """All env vars the backend reads (documented in backend/ENV.md)."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=False)

    database_url: str = DEFAULT_SQLITE_URL
    backend_api_key: str = "dev-backend-api-key"
    otp_secret: str = "dev-otp-secret-change-me"
    token_ttl_minutes: int = 30
    otp_ttl_minutes: int = 10
    otp_max_attempts: int = 5
    otp_max_sends: int = 3
    otp_send_window_minutes: int = 15
    otp_lock_minutes: int = 15
    # paid-SMS abuse: per conversation, per client (opaque client_ref from the gateway), per day
    otp_conversation_max_sends: int = 3
    otp_conversation_max_accounts: int = 2
    otp_conversation_accounts_window_minutes: int = 60
    otp_client_max_sends: int = 100
    otp_client_max_sms: int = 10
    otp_client_window_minutes: int = 60
    otp_sms_daily_budget: int = 500
    dev_outbox_enabled: bool = False
    backend_fake_today: str | None = None
    backend_timezone: str = "Europe/Ljubljana"
    db_echo: bool = False
    # signs the short-lived links that open an invoice PDF in the browser (through the gateway)
    pdf_link_secret: str = "dev-pdf-link-secret-change-me"
    pdf_link_ttl_minutes: int = 10
    # the FAQ topic files whose topics a rating may name (relative paths from the repo root)
    faq_topics_dir: str = "data/faq_sl"

    def resolved_faq_topics_dir(self) -> str:
        path = Path(self.faq_topics_dir)
        return str(path if path.is_absolute() else REPO_ROOT / path)
    # notices: the scheduler (python -m backend.scheduler) and replies to reading reminders
    scheduler_interval_minutes: int = Field(default=15, ge=1, le=60)
    notice_quiet_start_hour: int = Field(default=20, ge=0, le=23)
    notice_quiet_end_hour: int = Field(default=8, ge=0, le=23)
    reminder_catchup_days: int = Field(default=2, ge=0, le=27)
    invoice_notice_lookback_days: int = Field(default=7, ge=0, le=366)
    reminder_reply_days: int = Field(default=7, ge=1, le=62)
    reminder_grant_ttl_minutes: int = Field(default=30, ge=1, le=1440)


def resolve_database_url(url: str) -> str:
    """Make relative SQLite paths relative to the repo root and create their folder."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith("sqlite:////") and ":memory:" not in url:
        rel = url[len(prefix) :]
        path = (REPO_ROOT / rel).resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"{prefix}{path}"
    if url.startswith("sqlite:////"):
        Path(url[len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


@lru_cache
def get_settings() -> Settings:
    """Cached settings; tests override the FastAPI dependency instead of the env."""
    return Settings()
