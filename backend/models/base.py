"""Declarative base and shared enums (stored as VARCHAR + CHECK so SQLite and PG agree)."""

from __future__ import annotations

import enum
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect, Enum, MetaData
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """An instant: TIMESTAMP WITH TIME ZONE on PostgreSQL, UTC text on SQLite; always read back as
    an aware UTC datetime, so the API renders RFC 3339 with an offset and comparisons never mix
    naive and aware values. A naive value written to it is taken as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
        # SQLite has no time zone type: store naive UTC, as the rows before migration 0002 are
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    """Base with a naming convention so Alembic migrations have stable constraint names."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


class Energy(str, enum.Enum):
    """Energy carried at a metering point."""

    elektrika = "elektrika"
    zemeljski_plin = "zemeljski_plin"
    unp = "unp"  # utekočinjen naftni plin (LPG)


class AccessLevel(str, enum.Enum):
    """Portal access level of an account for one metering point."""

    polni = "polni"
    pooblasceni = "pooblasceni"
    omejeni = "omejeni"


class ReadingType(str, enum.Enum):
    """Oddaja goes to the operator; lastna evidenca is stored only for the customer."""

    oddaja = "oddaja"
    lastna_evidenca = "lastna_evidenca"


class InvoiceKind(str, enum.Enum):
    """Invoice, credit note (dobropis) or debit note (bremepis)."""

    racun = "racun"
    dobropis = "dobropis"
    bremepis = "bremepis"


class Channel(str, enum.Enum):
    """Delivery channel of a verification code (codes never go to Telegram)."""

    email = "email"
    sms = "sms"


class DeliveryChannel(str, enum.Enum):
    """Where an outbound message goes: the outbox carries codes (e-mail/SMS) and notices (also Telegram)."""

    email = "email"
    sms = "sms"
    telegram = "telegram"


class SubscriptionKind(str, enum.Enum):
    """What a customer opted into: the monthly reading reminder or a notice of each new invoice."""

    reading_reminder = "reading_reminder"
    invoice_notice = "invoice_notice"


def str_enum(enum_cls: type[enum.Enum], name: str | None = None) -> Enum:
    """Non-native enum column storing the value, portable and easy to migrate.

    `name` names the CHECK constraint (default: the class name), so a column can move to a wider
    enum and keep its constraint name."""
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda e: [m.value for m in e],
        name=name or enum_cls.__name__.lower(),
    )
