"""The notice scheduler with a fixed clock: a reminder on the window's first day, once (second pass,
restarted process, two schedulers at the same time); quiet hours hold until 08:00; opt-out stops
the next send; invoice notices once per invoice, never for omejeni dostop; every send in the outbox
with its SMS part count."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import time
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from apihelpers import H, login, subscribe
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from backend.core.config import Settings
from backend.db import make_engine
from backend.models import (
    AccessLevel,
    AccountAccess,
    Invoice,
    InvoiceKind,
    MeteringPoint,
    Notification,
    OutboxMessage,
)
from backend.services.notifications import run_pass
from backend.services.sms import sms_parts

ROOT = Path(__file__).resolve().parents[2]
LJ = ZoneInfo("Europe/Ljubljana")
ANA_E, ANA_G = "SI-E-100001", "SI-G-100002"  # windows 1–31 and 26–29
ANA_PHONE = "+38641123456"
RUN = "/api/v1/dev/scheduler/run"


def local(*args: int) -> datetime:
    """A Ljubljana wall-clock time as an aware datetime."""
    return datetime(*args, tzinfo=LJ)  # type: ignore[misc]


def outbox(db: Session, recipient: str | None = None) -> list[OutboxMessage]:
    """Notices in the outbox (the verification codes the test logins sent left out)."""
    db.expire_all()
    stmt = select(OutboxMessage).order_by(OutboxMessage.id)
    if recipient:
        stmt = stmt.where(OutboxMessage.recipient == recipient)
    return [m for m in db.scalars(stmt) if "koda za preverjanje" not in m.body.lower()]


@pytest.fixture
def ana(client: TestClient) -> dict[str, str]:
    return login(client, "ana.novak@example.com")


def test_window_start_sends_once(client: TestClient, ana: dict, db: Session, settings: Settings) -> None:
    subscribe(client, ana, ANA_G)
    assert run_pass(db, settings, local(2026, 11, 25, 12)).reminders == 0  # the window opens tomorrow
    assert outbox(db) == []
    first = run_pass(db, settings, local(2026, 11, 26, 9))
    assert (first.reminders, first.queued, first.held) == (1, 1, 0)
    [msg] = outbox(db)
    assert msg.channel.value == "sms" and msg.recipient == ANA_PHONE and msg.status == "pending"
    assert msg.body == (
        "Moj GEN-I: oddajte stanje števca za SI-G-100002 do 29. 11. Odgovorite na to sporočilo s stanjem, "
        "npr. 12345. Za odjavo pošljite STOP."
    )
    assert msg.sms_parts == sms_parts(msg.body) == 2  # č/š/ž: UCS-2, 67 per part
    notice = db.scalars(select(Notification)).one()
    assert msg.notification_id == notice.id and notice.status == "queued" and notice.period_key == "window:2026-11"
    # later the same day, the next days of the window: nothing more
    for at in (local(2026, 11, 26, 9, 15), local(2026, 11, 26, 19, 59), local(2026, 11, 27, 10), local(2026, 11, 29, 10)):
        assert run_pass(db, settings, at).reminders == 0
    assert len(outbox(db)) == 1
    # the next month's window: the next reminder
    assert run_pass(db, settings, local(2026, 12, 26, 8)).reminders == 1
    assert [m.body.split(" do ")[1][:7] for m in outbox(db)] == ["29. 11.", "29. 12."]


def test_catch_up_after_downtime_but_not_for_late_consent(
    client: TestClient, ana: dict, db: Session, settings: Settings, clock
) -> None:  # type: ignore[no-untyped-def]
    subscribe(client, ana, ANA_G)
    # the scheduler was down on the 26th: the next day still sends (window open until the 29th)
    assert run_pass(db, settings, local(2026, 11, 27, 10)).reminders == 1
    # consent given on the 27th, after this window opened: first reminder next month
    clock.fixed_now = local(2026, 11, 27, 11)
    helena = login(client, "helena.vidmar@example.com", conv="he")
    subscribe(client, helena, "SI-G-100012")
    assert run_pass(db, settings, local(2026, 11, 27, 12)).reminders == 0
    assert run_pass(db, settings, local(2026, 12, 26, 9)).reminders == 2


def test_quiet_hours_hold_until_eight(client: TestClient, ana: dict, db: Session, settings: Settings) -> None:
    subscribe(client, ana, ANA_G)
    night = run_pass(db, settings, local(2026, 11, 26, 0, 30))
    assert (night.quiet_hours, night.reminders, night.held, night.queued) == (True, 1, 1, 0)
    assert outbox(db) == []
    held = db.scalars(select(Notification)).one()
    assert held.status == "held" and held.send_after == local(2026, 11, 26, 8).astimezone(timezone.utc)
    assert run_pass(db, settings, local(2026, 11, 26, 7, 59)).queued == 0
    assert outbox(db) == []
    morning = run_pass(db, settings, local(2026, 11, 26, 8, 0))
    assert (morning.quiet_hours, morning.released, morning.queued, morning.reminders) == (False, 1, 1, 0)
    [msg] = outbox(db)
    assert msg.created_at == local(2026, 11, 26, 8).astimezone(timezone.utc)
    assert run_pass(db, settings, local(2026, 11, 26, 8, 15)).queued == 0
    assert len(outbox(db)) == 1


def test_evening_hold_goes_out_next_morning(client: TestClient, ana: dict, db: Session, settings: Settings) -> None:
    """20:00 on the first day is already quiet: sent at 08:00 the next day."""
    subscribe(client, ana, ANA_G)
    assert run_pass(db, settings, local(2026, 11, 26, 20, 0)).held == 1
    assert run_pass(db, settings, local(2026, 11, 26, 23, 45)).queued == 0
    assert run_pass(db, settings, local(2026, 11, 27, 7, 45)).queued == 0
    assert run_pass(db, settings, local(2026, 11, 27, 8, 0)).released == 1
    assert len(outbox(db)) == 1


def test_opt_out_stops_the_next_send(client: TestClient, ana: dict, db: Session, settings: Settings) -> None:
    subscribe(client, ana, ANA_G)
    assert run_pass(db, settings, local(2026, 11, 26, 9)).queued == 1
    r = client.post("/api/v1/notices/opt-out", headers=H, json={"sender": ANA_PHONE})
    assert r.json()["ended"] == 1
    assert run_pass(db, settings, local(2026, 12, 26, 9)).reminders == 0
    assert len(outbox(db)) == 1


def test_opt_out_at_night_cancels_the_held_reminder(
    client: TestClient, ana: dict, db: Session, settings: Settings
) -> None:
    subscribe(client, ana, ANA_G)
    assert run_pass(db, settings, local(2026, 11, 26, 5)).held == 1
    assert client.post("/api/v1/notices/opt-out", headers=H, json={"sender": "041 123 456"}).json()["ended"] == 1
    morning = run_pass(db, settings, local(2026, 11, 26, 8))
    assert (morning.released, morning.queued) == (0, 0)
    assert db.scalars(select(Notification)).one().status == "cancelled"
    assert outbox(db) == []


def test_release_checks_the_subscription_again(client: TestClient, ana: dict, db: Session, settings: Settings) -> None:
    """However a subscription ends (here straight in the database, not through the service that also
    cancels what it held), a held notice of it is not sent at 08:00."""
    from backend.models import Subscription

    subscribe(client, ana, ANA_G)
    assert run_pass(db, settings, local(2026, 11, 26, 6)).held == 1
    db.execute(update(Subscription).values(status="ended"))
    db.commit()
    morning = run_pass(db, settings, local(2026, 11, 26, 8))
    assert (morning.released, morning.cancelled) == (0, 1)
    assert outbox(db) == []


def test_ended_in_the_chat_also_cancels_held(client: TestClient, ana: dict, db: Session, settings: Settings) -> None:
    sub = subscribe(client, ana, ANA_G)
    assert run_pass(db, settings, local(2026, 11, 26, 6)).held == 1
    assert client.delete(f"/api/v1/me/subscriptions/{sub['id']}", headers=ana).json()["result"] == "ended"
    assert run_pass(db, settings, local(2026, 11, 26, 8)).queued == 0
    assert outbox(db) == []


def _new_invoice(db: Session, mp_number: str, issued: date, number: str, amount: str = "45.67") -> None:
    mp = db.scalars(select(MeteringPoint).where(MeteringPoint.number == mp_number)).one()
    db.add(
        Invoice(
            number=number,
            kind=InvoiceKind.racun,
            customer_id=mp.customer_id,
            metering_point_id=mp.id,
            period_start=date(2026, 11, 1),
            period_end=date(2026, 11, 30),
            issue_date=issued,
            due_date=issued + timedelta(days=18),
            amount_net=Decimal(amount),
            amount_gross=(Decimal(amount) * Decimal("1.22")).quantize(Decimal("0.01")),
            vat_rate=Decimal("22.00"),
            paid_on=None,
        )
    )
    db.commit()


def test_invoice_notice_once_per_new_invoice(client: TestClient, ana: dict, db: Session, settings: Settings) -> None:
    subscribe(client, ana, ANA_E, kind="invoice_notice")
    subscribe(client, ana, ANA_E, kind="invoice_notice", channel="email")
    # invoices issued before the consent (the seed's) are not news
    assert run_pass(db, settings, local(2026, 11, 23, 10)).invoice_notices == 0
    _new_invoice(db, ANA_E, date(2026, 12, 5), "2026-9000001")
    _new_invoice(db, ANA_G, date(2026, 12, 5), "2026-9000002")  # not subscribed
    assert run_pass(db, settings, local(2026, 12, 4, 10)).invoice_notices == 0  # not issued yet
    done = run_pass(db, settings, local(2026, 12, 5, 10))
    assert (done.invoice_notices, done.queued) == (2, 2)
    assert run_pass(db, settings, local(2026, 12, 5, 10, 15)).invoice_notices == 0
    assert run_pass(db, settings, local(2026, 12, 6, 10)).invoice_notices == 0
    sms, mail = sorted(outbox(db), key=lambda m: m.channel.value, reverse=True)
    assert sms.body == (
        "Moj GEN-I: izdan je račun 2026-9000001 za SI-E-100001, znesek 55,72 EUR, zapadlost 23. 12. 2026. "
        "Za odjavo pošljite STOP."
    )
    assert sms.recipient == ANA_PHONE and sms.sms_parts == 2
    assert mail.channel.value == "email" and mail.recipient == "ana.novak@example.com" and mail.sms_parts is None
    assert mail.subject == "Moj GEN-I: izdan je nov račun" and "2026-9000001" in mail.body


def test_omejeni_point_gets_no_invoice_notice(client: TestClient, ana: dict, db: Session, settings: Settings) -> None:
    """Consent given with polni dostop; the level later drops to omejeni: no notice from then on."""
    subscribe(client, ana, ANA_E, kind="invoice_notice")
    mp_id = db.scalars(select(MeteringPoint.id).where(MeteringPoint.number == ANA_E)).one()
    db.execute(update(AccountAccess).where(AccountAccess.metering_point_id == mp_id).values(level=AccessLevel.omejeni))
    db.commit()
    _new_invoice(db, ANA_E, date(2026, 12, 5), "2026-9000003")
    assert run_pass(db, settings, local(2026, 12, 5, 10)).invoice_notices == 0
    assert outbox(db) == []
    # reminders are for every level
    subscribe(client, ana, ANA_G)
    assert run_pass(db, settings, local(2026, 12, 26, 10)).reminders == 1


def test_butan_plin_variant(client: TestClient, db: Session, settings: Settings) -> None:
    luka = login(client, "luka.petek@example.com", conv="lp")
    subscribe(client, luka, "BP-U-100020")
    subscribe(client, luka, "BP-U-100020", channel="email")
    assert run_pass(db, settings, local(2026, 12, 1, 9)).reminders == 2
    mail, sms = sorted(outbox(db), key=lambda m: m.channel.value)
    assert sms.body.startswith("Moj Butan plin: oddajte stanje števca za BP-U-100020 do 31. 12. ")
    assert mail.subject == "Moj Butan plin: opomnik za oddajo stanja števca"
    assert "odjemno mesto BP-U-100020" in mail.body and "31. 12. 2026" in mail.body


def test_telegram_notice_goes_to_the_chat(client: TestClient, ana: dict, db: Session, settings: Settings) -> None:
    subscribe(client, ana, ANA_G, channel="telegram", telegram_chat_id="123456789")
    assert run_pass(db, settings, local(2026, 11, 26, 9)).queued == 1
    [msg] = outbox(db)
    assert msg.channel.value == "telegram" and msg.recipient == "123456789" and msg.sms_parts is None


def test_dev_endpoint_shows_it_by_hand(client: TestClient, ana: dict, settings: Settings) -> None:
    """With the clock on the window's first day the reminder appears in the dev outbox once."""
    subscribe(client, ana, ANA_G)
    at = "2026-11-26T09:00:00+01:00"
    r = client.post(RUN, headers=H, json={"at": at})
    assert r.status_code == 200 and r.json()["reminders"] == 1 and r.json()["local_time"] == "2026-11-26T09:00+01:00"
    assert client.post(RUN, headers=H, json={"at": at}).json()["reminders"] == 0
    rows = client.get("/api/v1/dev/outbox", headers=H, params={"recipient": ANA_PHONE}).json()
    assert len(rows) == 1 and "SI-G-100002" in rows[0]["body"]
    assert client.post(RUN, headers=H, json={"at": "1999-12-31T23:00:00Z"}).status_code == 422
    assert client.post(RUN, json={}).status_code == 401
    settings.dev_outbox_enabled = False
    assert client.post(RUN, headers=H, json={}).status_code == 404


def _subscribe_everyone(client: TestClient, db: Session) -> int:
    """Reminder subscriptions for every demo point whose window opens on the 1st, by SMS and e-mail
    where the contact exists: enough rows for two passes to overlap."""
    from backend.seed import PEOPLE

    n = 0
    for i, person in enumerate(PEOPLE):
        if not person.mps:
            continue
        headers = login(client, person.email, conv=f"all-{i}")
        for acc in client.get("/api/v1/me/metering-points", headers=headers).json():
            if acc["reading_window_start_day"] != 1:
                continue
            for channel in ("sms", "email"):
                r = client.post(
                    "/api/v1/me/subscriptions",
                    headers=headers,
                    json={"metering_point": acc["number"], "kind": "reading_reminder", "channel": channel},
                )
                n += r.status_code == 201
    return n


def test_two_schedulers_at_the_same_time_send_once(
    client: TestClient, db: Session, db_url: str, settings: Settings
) -> None:
    """Two replicas (own engines, own connections) run the same pass at the same instant."""
    expected = _subscribe_everyone(client, db)
    assert expected > 30
    engines: list[Engine] = [make_engine(db_url), make_engine(db_url)]
    barrier = threading.Barrier(2)
    results = []
    errors: list[BaseException] = []

    def replica(eng: Engine) -> None:
        try:
            with sessionmaker(bind=eng, expire_on_commit=False)() as s:
                barrier.wait()
                results.append(run_pass(s, settings, local(2026, 12, 1, 9)))
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=replica, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for e in engines:
        e.dispose()
    assert not errors, errors
    assert sum(r.reminders for r in results) == expected
    assert len(outbox(db)) == expected
    assert db.scalar(select(func.count()).select_from(Notification)) == expected
    M = OutboxMessage
    per_recipient = db.execute(select(M.recipient, M.body, func.count()).group_by(M.recipient, M.body)).all()
    assert all(c == 1 for _, _, c in per_recipient)


def _cli(db_url: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": db_url}
    return subprocess.Popen(
        [sys.executable, "-m", "backend.scheduler", *args], cwd=ROOT, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )


def test_restarted_and_parallel_scheduler_processes_send_once(
    client: TestClient, ana: dict, db: Session, db_url: str
) -> None:
    """The real CLI, as separate processes: two at once, then a restart: one reminder."""
    subscribe(client, ana, ANA_G)
    at = "2026-11-26T09:00:00+01:00"
    procs = [_cli(db_url, "--once", "--at", at) for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    claimed = [json.loads(out.strip().splitlines()[-1])["reminders"] for out, _ in outs]
    assert sorted(claimed) == [0, 1]
    again = _cli(db_url, "--once", "--at", "2026-11-26T10:00:00+01:00")
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert json.loads(out.strip().splitlines()[-1])["reminders"] == 0
    assert len(outbox(db)) == 1


def test_scheduler_process_runs_a_pass_at_start(client: TestClient, ana: dict, db: Session, db_url: str) -> None:
    """`python -m backend.scheduler` (as scripts/stack.py starts it): APScheduler's first tick runs at start, with
    the backend's clock (BACKEND_FAKE_TODAY); SIGTERM stops it."""
    subscribe(client, ana, ANA_G)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": db_url, "BACKEND_FAKE_TODAY": "2026-11-26"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "backend.scheduler"], cwd=ROOT, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while not outbox(db, ANA_PHONE) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.5)
        assert [m.body[:60] for m in outbox(db, ANA_PHONE)] == [
            "Moj GEN-I: oddajte stanje števca za SI-G-100002 do 29. 11. O"
        ]
    finally:
        proc.terminate()
        log_text = proc.communicate(timeout=30)[0]
    assert proc.returncode == 0, log_text
    assert "notice scheduler started" in log_text and "1 reminders" in log_text
    assert "41123456" not in log_text and "123 456" not in log_text  # no contact in a log line


def test_no_contact_in_log_lines(
    client: TestClient, ana: dict, db: Session, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    subscribe(client, ana, ANA_G)
    subscribe(client, ana, ANA_E, kind="invoice_notice", channel="email")
    run_pass(db, settings, local(2026, 11, 26, 9))
    client.post("/api/v1/notices/opt-out", headers=H, json={"sender": ANA_PHONE})
    text = caplog.text
    assert "notice pass" in text and "opt-out by sms" in text
    for secret in ("41123456", "123 456", "ana.novak@example.com"):
        assert secret not in text
