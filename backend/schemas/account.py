"""Metering points, readings and consumption."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field, StrictBool, StrictFloat, StrictInt, StrictStr

from backend.models import ReadingType


class LastReadingOut(BaseModel):
    """The newest reading of a point, shown before the user types a new one."""

    value: int
    reading_date: date
    type: str


class MeteringPointOut(BaseModel):
    """A point the account may see, with its access level, last reading and today's window."""

    number: str
    energy: str
    unit: str
    distribution_operator: str
    nickname: str | None
    address: str | None
    reading_window_start_day: int
    reading_window_end_day: int
    access_level: str
    access_granted_at: datetime
    customer_number: str
    brand: str
    last_reading: LastReadingOut | None = None
    window_open_today: bool = Field(description="Readings of type oddaja are accepted today")


class MeOut(BaseModel):
    """Verified account summary."""

    email: str
    customer_number: str
    customer_name: str
    brand: str
    is_household: bool
    metering_points: list[MeteringPointOut]


class ReadingIn(BaseModel):
    """value may be a number or the user's raw text; the backend explains bad input."""

    value: StrictInt | StrictFloat | StrictStr | StrictBool | None = Field(
        default=None, description="Integer register value (raw user text is accepted and checked)"
    )
    reading_date: date | None = Field(default=None, description="Default: today")
    type: ReadingType = ReadingType.oddaja
    channel: str = Field(default="chat", max_length=32)
    idempotency_key: str | None = Field(default=None, min_length=1, max_length=100)
    confirm_high: bool = False
    dry_run: bool = Field(default=False, description="Validate only; nothing is stored")


class ReadingOut(BaseModel):
    """Stored reading."""

    id: int | None
    metering_point: str
    value: int
    reading_date: date
    type: str
    channel: str
    idempotency_key: str | None
    created_at: datetime


class ReadingSubmitOut(BaseModel):
    """duplicate=True: the same idempotency key was seen before; nothing new was stored.

    No sentences: the assistant words the outcome (domain.yml) from these fields.
    """

    reading: ReadingOut
    duplicate: bool
    stored: bool
    unit: str


class ConsumptionPeriod(BaseModel):
    """Consumption attributed to the month of the later reading."""

    month: str
    consumption: int


class ConsumptionOut(BaseModel):
    """Monthly overview; since is set for omejeni access."""

    metering_point: str
    energy: str
    unit: str
    access_level: str
    since: date | None
    periods: list[ConsumptionPeriod]
    total: int
    readings_used: int
