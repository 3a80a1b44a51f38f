"""Personal endpoints: account, metering points, readings, consumption.

The three reading endpoints (points, list readings, submit) also accept a reminder grant in place
of the verification token, limited to the grant's point and one stored reading; every other
endpoint refuses it (403 reminder_grant_not_allowed)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from sqlalchemy.orm import Session

from backend.deps import AccountDep, ClockDep, ReadingActorDep, SessionDep, SubmittingActorDep
from backend.models import MeterReading
from backend.models.customer import AccountAccess
from backend.schemas.account import (
    ConsumptionOut,
    LastReadingOut,
    MeOut,
    MeteringPointOut,
    ReadingIn,
    ReadingOut,
    ReadingSubmitOut,
)
from backend.schemas.common import ERRORS
from backend.services import readings, reminder_grants
from backend.services.access import access_for, accesses

router = APIRouter(prefix="/me", tags=["account"], responses=ERRORS)


def _mp_out(db: Session, acc: AccountAccess, today: date) -> MeteringPointOut:
    mp = acc.metering_point
    last = readings.last_reading(db, mp.id)
    return MeteringPointOut(
        number=mp.number,
        energy=mp.energy.value,
        unit=readings.UNITS[mp.energy],
        distribution_operator=mp.distribution_operator,
        nickname=mp.nickname,
        address=mp.address,
        reading_window_start_day=mp.reading_window_start_day,
        reading_window_end_day=mp.reading_window_end_day,
        access_level=acc.level.value,
        access_granted_at=acc.granted_at,
        customer_number=mp.customer.customer_number,
        brand=mp.customer.brand.code,
        last_reading=LastReadingOut(value=last.value, reading_date=last.reading_date, type=last.type.value)
        if last is not None
        else None,
        window_open_today=readings.in_window(mp, today),
    )


def _reading_out(r: MeterReading, mp_number: str) -> ReadingOut:
    return ReadingOut(
        id=r.id,
        metering_point=mp_number,
        value=r.value,
        reading_date=r.reading_date,
        type=r.type.value,
        channel=r.channel,
        idempotency_key=r.idempotency_key,
        created_at=r.created_at,
    )


@router.get("", response_model=MeOut)
def me(account: AccountDep, db: SessionDep, clock: ClockDep) -> MeOut:
    """Who is verified in this conversation."""
    c = account.customer
    return MeOut(
        email=account.email,
        customer_number=c.customer_number,
        customer_name=c.name,
        brand=c.brand.code,
        is_household=c.is_household,
        metering_points=[_mp_out(db, a, clock.today()) for a in accesses(db, account.id)],
    )


@router.get("/metering-points", response_model=list[MeteringPointOut])
def metering_points(actor: ReadingActorDep, db: SessionDep, clock: ClockDep) -> list[MeteringPointOut]:
    """Points linked to the account, with access level, last reading and today's window per point
    (with a reminder grant: only the grant's point)."""
    accs = accesses(db, actor.account.id)
    if actor.grant is not None:
        accs = [a for a in accs if a.metering_point_id == actor.grant.metering_point_id]
    return [_mp_out(db, a, clock.today()) for a in accs]


@router.get("/metering-points/{mp_number}/readings", response_model=list[ReadingOut])
def list_readings(
    mp_number: str,
    actor: ReadingActorDep,
    db: SessionDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 12,
) -> list[ReadingOut]:
    """Recent readings (all access levels); a reminder grant sees only the last one of its point."""
    acc = access_for(db, actor.account.id, mp_number)
    if actor.grant is not None:
        reminder_grants.check_point(actor.grant, acc.metering_point)
        limit = 1
    return [_reading_out(r, mp_number) for r in readings.list_readings(db, acc.metering_point_id, limit)]


@router.post(
    "/metering-points/{mp_number}/readings",
    response_model=ReadingSubmitOut,
    status_code=201,
    responses={200: {"model": ReadingSubmitOut, "description": "Duplicate or dry run"}},
)
def submit_reading(
    mp_number: str, body: ReadingIn, actor: SubmittingActorDep, db: SessionDep, clock: ClockDep, response: Response
) -> ReadingSubmitOut:
    """Validate and store a reading; 201 new, 200 duplicate key or dry run. With a reminder grant:
    its point only, and the first stored reading spends it."""
    acc = access_for(db, actor.account.id, mp_number)
    fields: dict[str, Any] = {
        "access": acc,
        "raw_value": body.value,
        "reading_date": body.reading_date,
        "reading_type": body.type,
        "channel": body.channel,
        "idempotency_key": body.idempotency_key,
        "confirm_high": body.confirm_high,
        "dry_run": body.dry_run,
        "today": clock.today(),
        "now": clock.now(),
    }
    if actor.grant is not None:
        out = reminder_grants.submit(db, actor.grant, **fields)
    else:
        out = readings.submit(db, **fields)
    if out.dry_run or not out.created:
        response.status_code = 200
    return ReadingSubmitOut(
        reading=_reading_out(out.reading, mp_number),
        duplicate=not out.created and not out.dry_run,
        stored=not out.dry_run,
        unit=readings.UNITS[acc.metering_point.energy],
    )


@router.get("/metering-points/{mp_number}/consumption", response_model=ConsumptionOut)
def consumption(mp_number: str, account: AccountDep, db: SessionDep) -> ConsumptionOut:
    """Monthly consumption; omejeni only since its access was granted."""
    acc = access_for(db, account.id, mp_number)
    return ConsumptionOut.model_validate(readings.consumption(db, acc))
