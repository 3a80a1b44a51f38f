"""Meter-reading rules: integer, date window, ownership, monotonic, plausibility, window days."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.core.errors import DomainError, fmt_date
from backend.models import AccessLevel, AccountAccess, Energy, MeteringPoint, MeterReading, ReadingType

MAX_READING = 999_999_999
# digits in groups of three separated by one space or one dot: "12 345", "4.321", "1.234.567"
THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:([ .])\d{3})(?:\1\d{3})*")
MAX_AGE_DAYS = 5
UNITS = {Energy.elektrika: "kWh", Energy.zemeljski_plin: "Sm3", Energy.unp: "m3"}
# Above this average daily consumption since the last reading we ask the user to confirm.
PLAUSIBLE_PER_DAY = {Energy.elektrika: 150, Energy.zemeljski_plin: 40, Energy.unp: 30}


@dataclass
class SubmitOutcome:
    """created=False means the idempotency key matched an already stored reading."""

    reading: MeterReading
    created: bool
    dry_run: bool = False


def parse_value(raw: Any) -> int:
    """Accept an int or a string of digits (spaces allowed); explain anything else."""
    if isinstance(raw, bool):
        raise DomainError(422, "reading_not_number", "Odčitek mora biti celo število, npr. 12345.")
    if isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise DomainError(422, "reading_not_number", "Odčitek mora biti celo število, npr. 12345.")
        if not raw.is_integer():
            raise DomainError(422, "reading_not_integer", "Odčitek vpišite brez decimalnih mest, npr. 12345.")
        raw = int(raw)
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, str):
        text = raw.strip().replace("\u00a0", " ")
        if len(text) > 40:
            raise DomainError(422, "reading_too_large", "Odčitek je predolg. Vpišite stanje števca.")
        if THOUSANDS.fullmatch(text):
            # "12 345" and "4.321" group thousands (Slovene style); the summary shows the number
            # before anything is stored, so a misread is caught by the user
            text = re.sub(r"[ .]", "", text)
        text = text.replace(" ", "")
        if re.fullmatch(r"[+-]?\d+", text):
            value = int(text)
        elif re.fullmatch(r"[+-]?\d*[.,]\d+", text) or re.fullmatch(r"[+-]?\d+[.,]\d*", text):
            if text.startswith("-"):
                raise DomainError(422, "reading_negative", "Odčitek ne more biti negativen.")
            raise DomainError(422, "reading_not_integer", "Odčitek vpišite brez decimalnih mest, npr. 12345.")
        else:
            raise DomainError(
                422, "reading_not_number", "Odčitek mora biti celo število brez črk, npr. 12345."
            )
    else:
        raise DomainError(422, "reading_not_number", "Odčitek mora biti celo število, npr. 12345.")
    if value < 0:
        raise DomainError(422, "reading_negative", "Odčitek ne more biti negativen.")
    if value > MAX_READING:
        raise DomainError(
            422,
            "reading_too_large",
            f"Odčitek je prevelik (največ {MAX_READING}). Preverite stanje števca.",
        )
    return value


def in_window(mp: MeteringPoint, day: date) -> bool:
    """Window days of the month, inclusive; supports windows over the month end (28–3)."""
    start, end = mp.reading_window_start_day, mp.reading_window_end_day
    if start <= end:
        return start <= day.day <= end
    return day.day >= start or day.day <= end


def last_reading(db: Session, mp_id: int) -> MeterReading | None:
    """Latest reading by date (then insertion order)."""
    return db.scalars(
        select(MeterReading)
        .where(MeterReading.metering_point_id == mp_id)
        .order_by(MeterReading.reading_date.desc(), MeterReading.id.desc())
        .limit(1)
    ).first()


def list_readings(db: Session, mp_id: int, limit: int) -> list[MeterReading]:
    """Most recent first."""
    return list(
        db.scalars(
            select(MeterReading)
            .where(MeterReading.metering_point_id == mp_id)
            .order_by(MeterReading.reading_date.desc(), MeterReading.id.desc())
            .limit(limit)
        )
    )


def submit(
    db: Session,
    *,
    access: AccountAccess,
    raw_value: Any,
    reading_date: date | None,
    reading_type: ReadingType,
    channel: str,
    idempotency_key: str | None,
    confirm_high: bool,
    dry_run: bool,
    today: date,
    now: datetime,
) -> SubmitOutcome:
    """Validate and store; a repeated idempotency key returns the stored row unchanged."""
    mp = access.metering_point
    if idempotency_key:
        existing = db.scalars(
            select(MeterReading).where(MeterReading.idempotency_key == idempotency_key)
        ).first()
        if existing is not None:
            if existing.metering_point_id != mp.id:
                raise DomainError(
                    409,
                    "idempotency_key_reused",
                    "Ta ključ je bil že uporabljen za drugo merilno mesto.",
                )
            return SubmitOutcome(existing, created=False)

    value = parse_value(raw_value)
    rdate = reading_date or today
    if rdate > today:
        raise DomainError(422, "reading_in_future", "Datum odčitka ne sme biti v prihodnosti.")
    if rdate < today - timedelta(days=MAX_AGE_DAYS):
        raise DomainError(
            422, "reading_too_old", f"Odčitek ne sme biti starejši od {MAX_AGE_DAYS} dni.", max_age_days=MAX_AGE_DAYS
        )
    if reading_type == ReadingType.oddaja and not in_window(mp, today):
        raise DomainError(
            422,
            "outside_window",
            f"Odčitke za to merilno mesto sprejemamo od {mp.reading_window_start_day}. do "
            f"{mp.reading_window_end_day}. dne v mesecu. Zunaj tega obdobja ga lahko "
            "shranite kot lastno evidenco.",
            window_start_day=mp.reading_window_start_day,
            window_end_day=mp.reading_window_end_day,
            allowed_type="lastna_evidenca",
        )
    last = last_reading(db, mp.id)
    unit = UNITS[mp.energy]
    if last is not None:
        if value < last.value:
            raise DomainError(
                409,
                "reading_lower_than_last",
                f"Odčitek {value} je nižji od zadnjega zabeleženega ({last.value} {unit}, "
                f"{fmt_date(last.reading_date)}). Če je bil števec zamenjan, "
                "vas lahko povežem s svetovalcem.",
                value=value,
                unit=unit,
                last_value=last.value,
                last_date=last.reading_date.isoformat(),
            )
        days = max((rdate - last.reading_date).days, 1)
        per_day = (value - last.value) / days
        if per_day > PLAUSIBLE_PER_DAY[mp.energy] and not confirm_high:
            raise DomainError(
                409,
                "consumption_implausible",
                f"Poraba {value - last.value} {unit} v {days} dneh je nenavadno visoka. "
                "Preverite odčitek in ga potrdite, če je pravilen.",
                value=value,
                unit=unit,
                consumption=value - last.value,
                days=days,
                needs_confirmation="confirm_high",
            )
    reading = MeterReading(
        metering_point_id=mp.id,
        value=value,
        reading_date=rdate,
        type=reading_type,
        channel=channel,
        idempotency_key=idempotency_key,
        account_id=access.account_id,
        created_at=now,
    )
    if dry_run:
        return SubmitOutcome(reading, created=False, dry_run=True)
    db.add(reading)
    try:
        db.commit()
    except IntegrityError:
        # A concurrent retry with the same key won the race: return its row.
        db.rollback()
        existing = db.scalars(
            select(MeterReading).where(MeterReading.idempotency_key == idempotency_key)
        ).first()
        if existing is None:
            raise
        return SubmitOutcome(existing, created=False)
    return SubmitOutcome(reading, created=True)


def consumption(db: Session, access: AccountAccess) -> dict[str, Any]:
    """Monthly consumption from consecutive readings; omejeni sees only since granted_at."""
    mp = access.metering_point
    since: date | None = None
    if access.level == AccessLevel.omejeni:
        since = access.granted_at.date()
    stmt = select(MeterReading).where(MeterReading.metering_point_id == mp.id)
    if since is not None:
        stmt = stmt.where(MeterReading.reading_date >= since)
    rows = list(db.scalars(stmt.order_by(MeterReading.reading_date, MeterReading.id)))
    months: dict[str, int] = {}
    prev: MeterReading | None = None
    for r in rows:
        if prev is not None and r.value >= prev.value:
            key = r.reading_date.strftime("%Y-%m")
            months[key] = months.get(key, 0) + (r.value - prev.value)
        prev = r
    periods = [{"month": k, "consumption": v} for k, v in sorted(months.items())]
    return {
        "metering_point": mp.number,
        "energy": mp.energy.value,
        "unit": UNITS[mp.energy],
        "access_level": access.level.value,
        "since": since.isoformat() if since else None,
        "periods": periods,
        "total": sum(p["consumption"] for p in periods),
        "readings_used": len(rows),
    }
