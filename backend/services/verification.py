"""OTP verification: random 6-digit codes, stored hashed, valid 10 minutes.

Attacks this module is built against (issue 12):
- guessing: one attempt budget and one lock per account, shared by all of its open codes in every
  conversation; the counter is changed by conditional UPDATEs (atomic under parallel requests on
  SQLite and PostgreSQL), and a lock kills every open code of the account;
- user enumeration: a code request answers the same whether or not the identifier exists; an
  unknown identifier gets a challenge nobody can answer, so it costs the same limits and fails
  like a wrong code;
- paid-SMS abuse: send limits per identifier/account, per conversation (sends and different
  accounts), per client (the gateway's opaque client_ref) and a global daily SMS budget.
Send checks of one subject are serialised by updating its verification_guard row first.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from backend.core.config import Settings
from backend.core.errors import DomainError
from backend.models import (
    Channel,
    Customer,
    DeliveryChannel,
    OutboxMessage,
    PortalAccount,
    SessionToken,
    UsageCounter,
    VerificationChallenge,
    VerificationGuard,
)
from backend.services import security
from backend.services.sms import sms_parts

log = logging.getLogger("backend.verification")

START_MESSAGE = (
    "Če obstaja račun s tem podatkom, smo poslali kodo za preverjanje na kontakt, ki je zapisan "
    "pri računu. Koda velja {minutes} minut."
)


@dataclass
class StartResult:
    """The same for every identifier, known or not: no channel, no masked contact."""

    message: str
    expires_in_seconds: int


@dataclass
class ConfirmResult:
    """Issued token (shown once), its expiry, and where the code had been sent (masked)."""

    token: str
    expires_at: datetime
    account: PortalAccount
    channel: Channel
    masked_contact: str


def _find_account(db: Session, norm: str) -> PortalAccount | None:
    """Identifier is the portal e-mail (username) or the customer number (normalised)."""
    if "@" in norm:
        return db.scalars(select(PortalAccount).where(func.lower(PortalAccount.email) == norm)).first()
    return db.scalars(
        select(PortalAccount)
        .join(Customer, PortalAccount.customer_id == Customer.id)
        .where(Customer.customer_number == norm)
        .order_by(PortalAccount.id)
    ).first()


def _usable_email(value: str | None) -> str | None:
    return value if value and "@" in value else None


def _retry_after(until: datetime, now: datetime) -> int:
    return max(1, math.ceil((until - now).total_seconds()))


def _limit_error(status: int, code: str, message: str, retry_after: int) -> DomainError:
    err = DomainError(status, code, message, retry_after=retry_after)
    err.headers["Retry-After"] = str(retry_after)
    return err


def _locked_error(retry_after: int) -> DomainError:
    return _limit_error(
        429,
        "verification_locked",
        "Preveč napačnih vnosov kode. Preverjanje je začasno zaklenjeno, "
        f"poskusite znova čez {math.ceil(retry_after / 60)} min.",
        retry_after,
    )


def _refuse(db: Session, err: DomainError) -> DomainError:
    """Nothing of a refused request is kept (and SQLite's write lock is released at once)."""
    db.rollback()
    return err


def _insert_ignore(db: Session, model: type[VerificationGuard] | type[UsageCounter], rows: list[dict]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING on SQLite and PostgreSQL."""
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.execute(insert(model).values(rows).on_conflict_do_nothing(index_elements=["key"]))


def _hold(db: Session, subject: str, others: Iterable[str], now: datetime) -> None:
    """Serialise the send checks of this subject, conversation and client, so that the counts that
    follow see every committed send: the subject's guard row is created if missing and updated
    (on SQLite the first write takes the database's write lock, which serialises everything); on
    PostgreSQL also transaction-scoped advisory locks for the conversation and the client (in key
    order: no deadlocks), which need no rows."""
    _insert_ignore(db, VerificationGuard, [{"key": subject, "failed_attempts": 0, "updated_at": now}])
    if db.get_bind().dialect.name == "postgresql":
        for key in sorted({subject, *others}):
            lock_id = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
            db.execute(select(func.pg_advisory_xact_lock(lock_id)))
    db.execute(update(VerificationGuard).where(VerificationGuard.key == subject).values(updated_at=now))


def _guard(db: Session, key: str) -> VerificationGuard | None:
    return db.scalars(
        select(VerificationGuard).where(VerificationGuard.key == key).execution_options(populate_existing=True)
    ).first()


def _lock_remaining(db: Session, key: str, now: datetime) -> int | None:
    """Seconds the subject stays locked, or None."""
    g = _guard(db, key)
    if g is not None and g.locked_until is not None and g.locked_until > now:
        return _retry_after(g.locked_until, now)
    return None


def _check_send_limits(
    db: Session, settings: Settings, now: datetime, subject: str, ident_hash: str, conversation_id: str,
    client_hash: str | None,
) -> None:
    """Per identifier/account, per conversation (sends, accounts), per client; raise when over."""
    C = VerificationChallenge
    window = timedelta(minutes=settings.otp_send_window_minutes)
    recent = list(
        db.scalars(
            select(C.created_at)
            .where(or_(C.identifier_hash == ident_hash, C.subject_key == subject), C.created_at > now - window)
            .order_by(C.created_at)
        )
    )
    if len(recent) >= settings.otp_max_sends:
        retry = _retry_after(recent[0] + window, now)
        raise _refuse(db, _limit_error(
            429,
            "too_many_codes",
            f"Poslali smo že {settings.otp_max_sends} kode v zadnjih {settings.otp_send_window_minutes} "
            f"minutah. Novo kodo lahko zahtevate čez {math.ceil(retry / 60)} min.",
            retry,
        ))
    in_conv = list(
        db.scalars(
            select(C.created_at)
            .where(C.conversation_id == conversation_id, C.created_at > now - window)
            .order_by(C.created_at)
        )
    )
    if len(in_conv) >= settings.otp_conversation_max_sends:
        retry = _retry_after(in_conv[0] + window, now)
        raise _refuse(db, _limit_error(
            429,
            "too_many_codes_conversation",
            f"V tem pogovoru smo poslali že {settings.otp_conversation_max_sends} kode. Novo kodo lahko "
            f"zahtevate čez {math.ceil(retry / 60)} min.",
            retry,
        ))
    acc_window = timedelta(minutes=settings.otp_conversation_accounts_window_minutes)
    subjects = {
        key: last
        for key, last in db.execute(
            select(C.subject_key, func.max(C.created_at))
            .where(C.conversation_id == conversation_id, C.created_at > now - acc_window)
            .group_by(C.subject_key)
        ).tuples()
    }
    if subject not in subjects and len(subjects) >= settings.otp_conversation_max_accounts:
        retry = _retry_after(min(subjects.values()) + acc_window, now)
        raise _refuse(db, _limit_error(
            429,
            "too_many_accounts_conversation",
            "V tem pogovoru ste se že poskusili preveriti z različnimi računi. Za drug račun začnite "
            f"nov pogovor ali poskusite znova čez {math.ceil(retry / 60)} min.",
            retry,
        ))
    if client_hash is not None:
        _check_client_limit(db, settings, now, client_hash, None, settings.otp_client_max_sends)


def _check_client_limit(
    db: Session, settings: Settings, now: datetime, client_hash: str, channel: Channel | None, limit: int
) -> None:
    """Codes (or only SMS codes, when `channel` is given) asked for from one client in the window.

    Two limits because the costs differ: SMS is paid (a tight limit), while e-mail is free and many
    people may share one address (an office, a mobile operator's NAT, a local test run).
    """
    C = VerificationChallenge
    cl_window = timedelta(minutes=settings.otp_client_window_minutes)
    query = select(C.created_at).where(C.client_ref_hash == client_hash, C.created_at > now - cl_window)
    if channel is not None:
        query = query.where(C.channel == channel)
    from_client = list(db.scalars(query.order_by(C.created_at)))
    if len(from_client) >= limit:
        retry = _retry_after(from_client[0] + cl_window, now)
        raise _refuse(db, _limit_error(
            429,
            "too_many_codes_client",
            "Z te naprave je bilo zahtevanih preveč kod. Poskusite znova čez "
            f"{math.ceil(retry / 60)} min.",
            retry,
        ))


def _claim_sms(db: Session, settings: Settings, now: datetime) -> bool:
    """Count one SMS against today's (local) budget; False when the budget is used up."""
    budget = settings.otp_sms_daily_budget
    if budget <= 0:
        return False
    day = now.astimezone(ZoneInfo(settings.backend_timezone)).date()
    key = f"sms:{day.isoformat()}"
    _insert_ignore(db, UsageCounter, [{"key": key, "count": 0, "updated_at": now}])
    used = db.execute(
        update(UsageCounter)
        .where(UsageCounter.key == key, UsageCounter.count < budget)
        .values(count=UsageCounter.count + 1, updated_at=now)
        .returning(UsageCounter.count)
    ).scalar_one_or_none()
    if used is None:
        return False
    warn_at = math.ceil(budget * 0.8)
    if used == budget:
        log.warning("SMS daily budget reached (%d/%d codes today): further SMS codes go by e-mail", used, budget)
    elif used == warn_at:
        log.warning("SMS daily budget 80 %% used (%d/%d codes today)", used, budget)
    return True


def start(
    db: Session,
    settings: Settings,
    now: datetime,
    identifier: str,
    conversation_id: str,
    channel: Channel | None = None,
    client_ref: str | None = None,
) -> StartResult:
    """Send a new code to the contact on file (via the outbox), within every send limit."""
    norm = security.normalize_identifier(identifier)
    if not norm:
        raise DomainError(422, "identifier_invalid", "Vpišite e-naslov ali številko kupca.")
    ident_hash = security.hmac_hex(settings.otp_secret, norm)
    account = _find_account(db, norm)
    subject = f"a:{account.id}" if account is not None else f"i:{ident_hash}"
    client_hash = security.hmac_hex(settings.otp_secret, "client:" + client_ref) if client_ref else None
    conv_key = "c:" + security.hmac_hex(settings.otp_secret, "conversation:" + conversation_id)
    _hold(db, subject, [conv_key] + (["r:" + client_hash] if client_hash else []), now)

    locked = _lock_remaining(db, subject, now)
    if locked is not None:
        raise _refuse(db, _locked_error(locked))
    _check_send_limits(db, settings, now, subject, ident_hash, conversation_id, client_hash)

    recipient: str | None = None
    if account is not None:
        customer = account.customer
        email = _usable_email(customer.contact_email) or _usable_email(account.email)
        phone = customer.contact_phone
        if channel is None:
            channel = Channel.email if ("@" in norm and email) or not phone else Channel.sms
        if channel == Channel.sms and not phone:
            channel = Channel.email
        if channel == Channel.email and not email and phone:
            channel = Channel.sms
        if channel == Channel.sms and client_hash is not None:
            _check_client_limit(db, settings, now, client_hash, Channel.sms, settings.otp_client_max_sms)
        if channel == Channel.sms and not _claim_sms(db, settings, now):
            if not email:
                raise _refuse(db, DomainError(
                    503,
                    "sms_budget_exhausted",
                    "Kode po SMS danes žal ne moremo več poslati. Poskusite znova jutri ali pokličite "
                    "naše svetovalce na 080 1558.",
                ))
            log.warning("SMS daily budget used up: code sent by e-mail instead")
            channel = Channel.email
        recipient = phone if channel == Channel.sms else email
    else:
        channel = Channel.email if "@" in norm else Channel.sms
        if channel == Channel.sms and client_hash is not None:  # counted like a real SMS: no enumeration
            _check_client_limit(db, settings, now, client_hash, Channel.sms, settings.otp_client_max_sms)

    code = security.generate_code()
    # Older open challenges of this conversation are superseded by the new one.
    db.execute(
        update(VerificationChallenge)
        .where(VerificationChallenge.conversation_id == conversation_id, VerificationChallenge.consumed_at.is_(None))
        .values(consumed_at=now)
    )
    db.add(
        VerificationChallenge(
            account_id=account.id if account is not None else None,
            subject_key=subject,
            identifier_hash=ident_hash,
            conversation_id=conversation_id,
            client_ref_hash=client_hash,
            # unknown identifier or no contact: a hash no code matches (confirm never compares it)
            code_hash=security.hmac_hex(settings.otp_secret, f"{conversation_id}:{code}")
            if recipient
            else security.new_token(),
            channel=channel,
            created_at=now,
            expires_at=now + timedelta(minutes=settings.otp_ttl_minutes),
        )
    )
    if account is not None and recipient:
        brand = account.customer.brand.portal_name if account.customer.brand else "portal"
        body = (
            f"Vaša koda za preverjanje ({brand}): {code}. "
            f"Koda velja {settings.otp_ttl_minutes} minut. Kode ne posredujte nikomur."
        )
        db.add(
            OutboxMessage(
                channel=DeliveryChannel(channel.value),
                recipient=recipient,
                subject="Koda za preverjanje" if channel == Channel.email else None,
                body=body,
                status="pending",
                created_at=now,
                sms_parts=sms_parts(body) if channel == Channel.sms else None,
            )
        )
        masked = security.mask_phone(recipient) if channel == Channel.sms else security.mask_email(recipient)
        log.info("verification code queued via %s to %s", channel.value, masked)
    elif account is not None:
        log.warning("verification start: account id %d has no contact on file; nothing sent", account.id)
    else:
        log.info("verification start: no account for %s; nothing sent", security.mask_identifier(norm))
    db.commit()
    return StartResult(START_MESSAGE.format(minutes=settings.otp_ttl_minutes), settings.otp_ttl_minutes * 60)


def _masked_contact(account: PortalAccount, channel: Channel) -> str:
    customer = account.customer
    if channel == Channel.sms:
        return security.mask_phone(customer.contact_phone or "")
    email = _usable_email(customer.contact_email) or _usable_email(account.email) or ""
    return security.mask_email(email) if email else "***"


def confirm(db: Session, settings: Settings, now: datetime, conversation_id: str, code: str) -> ConfirmResult:
    """Check the code against the conversation's latest challenge and the account's one budget."""
    C, G = VerificationChallenge, VerificationGuard
    ch = db.scalars(
        select(C).where(C.conversation_id == conversation_id).order_by(C.created_at.desc(), C.id.desc())
    ).first()
    no_challenge = DomainError(
        404, "no_active_challenge", "Za ta pogovor ni aktivne kode. Najprej zahtevajte novo kodo."
    )
    if ch is None:
        raise no_challenge
    subject, challenge_id, account_id = ch.subject_key, ch.id, ch.account_id
    locked = _lock_remaining(db, subject, now)
    if locked is not None:
        raise _locked_error(locked)
    if ch.consumed_at is not None:
        raise no_challenge
    if now >= ch.expires_at:
        raise DomainError(410, "code_expired", "Koda je potekla. Zahtevajte novo kodo.")
    expected = security.hmac_hex(settings.otp_secret, f"{conversation_id}:{code.strip()}")
    matches = account_id is not None and security.hmac.compare_digest(expected, ch.code_hash)
    channel = ch.channel

    _insert_ignore(db, G, [{"key": subject, "failed_attempts": 0, "updated_at": now}])
    # a lock that ran out, or failures older than a code's lifetime, start a fresh budget
    db.execute(
        update(G)
        .where(
            G.key == subject,
            or_(
                G.locked_until <= now,
                (G.locked_until.is_(None)) & (G.first_failed_at <= now - timedelta(minutes=settings.otp_ttl_minutes)),
            ),
        )
        .values(failed_attempts=0, first_failed_at=None, locked_until=None, updated_at=now)
    )
    open_budget = (G.key == subject) & (G.failed_attempts < settings.otp_max_attempts) & (
        G.locked_until.is_(None) | (G.locked_until <= now)
    )
    if matches:
        # the account must not be locked at this very moment, and the code is used only once
        claimed = _rowcount(db.execute(
            update(G).where(open_budget).values(failed_attempts=0, first_failed_at=None, updated_at=now)
        ))
        if claimed != 1:
            raise _refuse(db, _locked_error(_lock_remaining(db, subject, now) or settings.otp_lock_minutes * 60))
        used = _rowcount(db.execute(
            update(C).where(C.id == challenge_id, C.consumed_at.is_(None)).values(consumed_at=now)
        ))
        if used != 1:
            raise _refuse(db, no_challenge)
        token = security.new_token()
        expires = now + timedelta(minutes=settings.token_ttl_minutes)
        db.add(
            SessionToken(
                token_hash=security.sha256_hex(token),
                account_id=account_id,
                conversation_id=conversation_id,
                created_at=now,
                expires_at=expires,
            )
        )
        db.commit()
        account = db.get(PortalAccount, account_id)
        assert account is not None
        log.info("verification succeeded for account id %d", account.id)
        return ConfirmResult(token, expires, account, channel, _masked_contact(account, channel))

    failed = db.execute(
        update(G)
        .where(open_budget)
        .values(
            failed_attempts=G.failed_attempts + 1,
            first_failed_at=func.coalesce(G.first_failed_at, now),
            updated_at=now,
        )
        .returning(G.failed_attempts)
    ).scalar_one_or_none()
    if failed is None:  # a parallel guess used the last attempt
        raise _refuse(db, _locked_error(_lock_remaining(db, subject, now) or settings.otp_lock_minutes * 60))
    remaining = settings.otp_max_attempts - failed
    if remaining <= 0:
        until = now + timedelta(minutes=settings.otp_lock_minutes)
        db.execute(update(G).where(G.key == subject).values(locked_until=until))
        # every open code of the account (any conversation) stops working
        db.execute(update(C).where(C.subject_key == subject, C.consumed_at.is_(None)).values(consumed_at=now))
        db.commit()
        log.info("verification: too many wrong codes, locked for %d min", settings.otp_lock_minutes)
        raise _locked_error(_retry_after(until, now))
    db.commit()
    log.info("verification: wrong code, %d attempts left", remaining)
    raise DomainError(
        400,
        "code_invalid",
        f"Koda ni pravilna. Preostali poskusi: {remaining}.",
        remaining_attempts=remaining,
    )


def authenticate(db: Session, now: datetime, token: str | None, conversation_id: str | None) -> PortalAccount:
    """Resolve a bearer token; it must be live and bound to the given conversation."""
    if not token:
        raise DomainError(401, "token_missing", "Za ta podatek se morate najprej preveriti s kodo.")
    row = db.scalars(
        select(SessionToken).where(SessionToken.token_hash == security.sha256_hex(token))
    ).first()
    if row is None or row.revoked_at is not None:
        raise DomainError(401, "token_invalid", "Preverjanje ni veljavno. Prosimo, preverite se znova.")
    if now >= row.expires_at:
        raise DomainError(401, "token_expired", "Preverjanje je poteklo. Prosimo, preverite se znova.")
    if not conversation_id or conversation_id != row.conversation_id:
        raise DomainError(
            403,
            "conversation_mismatch",
            "Preverjanje velja samo za pogovor, v katerem je bilo opravljeno.",
        )
    account = db.get(PortalAccount, row.account_id)
    if account is None:
        raise DomainError(401, "token_invalid", "Preverjanje ni veljavno. Prosimo, preverite se znova.")
    return account


def revoke(db: Session, now: datetime, token: str) -> None:
    """Logout: the token stops working at once."""
    row = db.scalars(
        select(SessionToken).where(SessionToken.token_hash == security.sha256_hex(token))
    ).first()
    if row is not None and row.revoked_at is None:
        row.revoked_at = now
        db.commit()


def _rowcount(result: Any) -> int:
    """Rows an UPDATE changed (SQLAlchemy types execute() as Result; an UPDATE gives a CursorResult)."""
    return int(result.rowcount)
