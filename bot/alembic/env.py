"""Alembic environment of the gateway: URL from GATEWAY_DATABASE_URL (or a connection given by tests).

Its own version table, so the gateway may share a PostgreSQL database with other services; on
PostgreSQL an advisory lock serialises replicas that start (and migrate) at the same moment.
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection, text

from bot.config import get_settings
from bot.db import make_engine
from bot.models import Base

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata
VERSION_TABLE = "gateway_alembic_version"
LOCK_KEY = 0x6761746577  # "gatew": any constant shared by all replicas


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or get_settings().resolved_database_url()


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        version_table=VERSION_TABLE,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    pg = connection.dialect.name == "postgresql"
    if pg:
        connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": LOCK_KEY})
    try:
        with context.begin_transaction():
            context.run_migrations()
    finally:
        if pg:
            connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY})
            connection.commit()


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True, version_table=VERSION_TABLE)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    conn = config.attributes.get("connection")
    if conn is not None:
        _run(conn)
        return
    engine = make_engine(_url())
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
