"""OTP verification: random 6-digit codes, hashed, 10 min, 5 attempts, 3 sends / 15 min."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from backend.core.config import Settings
from backend.core.errors import DomainError
from backend.models import (
    Channel,
    Customer,
    OutboxMessage,
    PortalAccount,
    SessionToken,
    VerificationChallenge,
)
from backend.services import security

log = logging.getLogger("backend.verification")


@dataclass
class StartResult:
    """What the bot may tell the user: where the code went, masked."""

    channel: Channel
    masked_contact: str
    expires_in_seconds: int


@dataclass
class ConfirmResult:
    """Issued token (shown once) and its expiry."""

    token: str
    expires_at: datetime
    account: PortalAccount


def _find_account(db: Session, identifier: str) -> PortalAccount | None:
    """Identifier is the portal e-mail (username) or the customer number."""
    norm = security.normalize_identifier(identifier)
    if not norm:
        return None
    if "@" in norm:
        return db.scalars(select(PortalAccount).where(func.lower(PortalAccount.email) == norm)).first()
    return db.scalars(
        select(PortalAccount)
        .join(Customer, PortalAccount.customer_id == Customer.id)
        .where(Customer.customer_number == norm)
        .order_by(PortalAccount.id)
    ).first()


def _retry_after(until: datetime, now: datetime) -> int:
    return max(1, math.ceil((until - now).total_seconds()))


def _locked_error(retry_after: int) -> DomainError:
    err = DomainError(
        429,
        "verification_locked",
        "Preveč napačnih vnosov kode. Preverjanje je začasno zaklenjeno, "
        f"poskusite znova čez {math.ceil(retry_after / 60)} min.",
        retry_after=retry_after,
    )
    err.headers["Retry-After"] = str(retry_after)
    return err


def start(
    db: Session,
    settings: Settings,
    now: datetime,
    identifier: str,
    conversation_id: str,
    channel: Channel | None = None,
) -> StartResult:
    """Send a new code to the contact on file (via the outbox), within the send limits."""
    account = _find_account(db, identifier)
    if account is None:
        log.info("verification start: unknown identifier %s", security.mask_identifier(identifier))
        raise DomainError(
            404,
            "identity_not_found",
            "Uporabnika s tem e-naslovom ali številko kupca nismo našli. Preverite vnos.",
        )
    ident_hash = security.hmac_hex(settings.otp_secret, security.normalize_identifier(identifier))
    locked = db.scalars(
        select(VerificationChallenge).where(
            VerificationChallenge.account_id == account.id,
            VerificationChallenge.locked_until > now,
        )
    ).first()
    if locked is not None and locked.locked_until is not None:
        raise _locked_error(_retry_after(locked.locked_until, now))
    window_start = now - timedelta(minutes=settings.otp_send_window_minutes)
    recent = list(
        db.scalars(
            select(VerificationChallenge.created_at)
            .where(
                or_(
                    VerificationChallenge.identifier_hash == ident_hash,
                    VerificationChallenge.account_id == account.id,
                ),
                VerificationChallenge.created_at > window_start,
            )
            .order_by(VerificationChallenge.created_at)
        )
    )
    if len(recent) >= settings.otp_max_sends:
        retry = _retry_after(recent[0] + timedelta(minutes=settings.otp_send_window_minutes), now)
        err = DomainError(
            429,
            "too_many_codes",
            f"Poslali smo že {settings.otp_max_sends} kode v zadnjih "
            f"{settings.otp_send_window_minutes} minutah. Novo kodo lahko zahtevate čez "
            f"{math.ceil(retry / 60)} min.",
            retry_after=retry,
        )
        err.headers["Retry-After"] = str(retry)
        raise err

    customer = account.customer
    email = customer.contact_email or account.email
    phone = customer.contact_phone
    if channel is None:
        channel = Channel.email if "@" in identifier or not phone else Channel.sms
    if channel == Channel.sms and not phone:
        channel = Channel.email
    recipient = phone if channel == Channel.sms and phone else email
    masked = security.mask_phone(recipient) if channel == Channel.sms else security.mask_email(recipient)

    code = security.generate_code()
    # Older open challenges of this conversation are superseded by the new code.
    for old in db.scalars(
        select(VerificationChallenge).where(
            VerificationChallenge.conversation_id == conversation_id,
            VerificationChallenge.consumed_at.is_(None),
        )
    ):
        old.consumed_at = now
    db.add(
        VerificationChallenge(
            account_id=account.id,
            identifier_hash=ident_hash,
            conversation_id=conversation_id,
            code_hash=security.hmac_hex(settings.otp_secret, f"{conversation_id}:{code}"),
            channel=channel,
            attempts=0,
            created_at=now,
            expires_at=now + timedelta(minutes=settings.otp_ttl_minutes),
        )
    )
    brand = customer.brand.portal_name if customer.brand else "portal"
    body = (
        f"Vaša koda za preverjanje ({brand}): {code}. "
        f"Koda velja {settings.otp_ttl_minutes} minut. Kode ne posredujte nikomur."
    )
    db.add(
        OutboxMessage(
            channel=channel,
            recipient=recipient,
            subject="Koda za preverjanje" if channel == Channel.email else None,
            body=body,
            status="pending",
            created_at=now,
        )
    )
    db.commit()
    log.info("verification code queued via %s to %s", channel.value, masked)
    return StartResult(channel, masked, settings.otp_ttl_minutes * 60)


def confirm(db: Session, settings: Settings, now: datetime, conversation_id: str, code: str) -> ConfirmResult:
    """Check the code; the 6th attempt is refused even when the code is right."""
    ch = db.scalars(
        select(VerificationChallenge)
        .where(VerificationChallenge.conversation_id == conversation_id)
        .order_by(VerificationChallenge.created_at.desc(), VerificationChallenge.id.desc())
    ).first()
    if ch is None or (ch.consumed_at is not None and ch.locked_until is None):
        raise DomainError(
            404,
            "no_active_challenge",
            "Za ta pogovor ni aktivne kode. Najprej zahtevajte novo kodo.",
        )
    if ch.attempts >= settings.otp_max_attempts:
        until = ch.locked_until or now
        if until > now:
            raise _locked_error(_retry_after(until, now))
        raise DomainError(
            429,
            "too_many_attempts",
            "Koda je bila preveč krat napačno vnesena. Zahtevajte novo kodo.",
            retry_after=0,
        )
    if now >= ch.expires_at:
        raise DomainError(410, "code_expired", "Koda je potekla. Zahtevajte novo kodo.")
    ch.attempts += 1
    expected = security.hmac_hex(settings.otp_secret, f"{conversation_id}:{code.strip()}")
    if not security.hmac.compare_digest(expected, ch.code_hash):
        remaining = settings.otp_max_attempts - ch.attempts
        if remaining <= 0:
            ch.locked_until = now + timedelta(minutes=settings.otp_lock_minutes)
            ch.consumed_at = now
        db.commit()
        log.info("verification: wrong code, %d attempts left", remaining)
        if remaining <= 0:
            raise _locked_error(_retry_after(ch.locked_until or now, now))
        raise DomainError(
            400,
            "code_invalid",
            f"Koda ni pravilna. Preostali poskusi: {remaining}.",
            remaining_attempts=remaining,
        )
    ch.consumed_at = now
    token = security.new_token()
    expires = now + timedelta(minutes=settings.token_ttl_minutes)
    db.add(
        SessionToken(
            token_hash=security.sha256_hex(token),
            account_id=ch.account_id,
            conversation_id=conversation_id,
            created_at=now,
            expires_at=expires,
        )
    )
    db.commit()
    account = db.get(PortalAccount, ch.account_id)
    assert account is not None
    log.info("verification succeeded for account id %d", account.id)
    return ConfirmResult(token, expires, account)


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
