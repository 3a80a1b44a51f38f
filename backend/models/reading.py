"""Meter readings; the idempotency key makes retried submissions store one row."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.models.base import Base, ReadingType, str_enum


class MeterReading(Base):
    """One register value (integer) at a reading date."""

    __tablename__ = "meter_reading"
    __table_args__ = (Index("ix_meter_reading_mp_date", "metering_point_id", "reading_date", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    metering_point_id: Mapped[int] = mapped_column(ForeignKey("metering_point.id"))
    value: Mapped[int] = mapped_column(BigInteger)
    reading_date: Mapped[date] = mapped_column(Date)
    type: Mapped[ReadingType] = mapped_column(str_enum(ReadingType))
    channel: Mapped[str] = mapped_column(String(32))
    idempotency_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("portal_account.id"))
    created_at: Mapped[datetime] = mapped_column()
