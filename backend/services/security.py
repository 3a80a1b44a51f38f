"""Hashing and masking helpers: codes and tokens are never stored or logged in clear."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets


def generate_code() -> str:
    """Random 6-digit one-time code from the OS CSPRNG."""
    return f"{secrets.randbelow(1_000_000):06d}"


def hmac_hex(secret: str, value: str) -> str:
    """Keyed hash so a leaked table does not let anyone brute-force 6-digit codes offline."""
    return hmac.new(secret.encode(), value.encode(), hashlib.sha256).hexdigest()


def sha256_hex(value: str) -> str:
    """Tokens have 256 bits of entropy, so a plain hash is enough to store them."""
    return hashlib.sha256(value.encode()).hexdigest()


def new_token() -> str:
    """Opaque bearer token."""
    return secrets.token_urlsafe(32)


def normalize_identifier(identifier: str) -> str:
    """E-mails compare case-insensitively; customer numbers without spaces."""
    return "".join(identifier.split()).lower()


def mask_email(email: str) -> str:
    """j***@g***.com: enough for the user to recognise, useless to anyone else."""
    local, _, domain = email.partition("@")
    host, dot, tld = domain.rpartition(".")
    if not dot:
        host, tld = domain, ""
    masked_host = (host[:1] + "***") if host else "***"
    return f"{local[:1]}***@{masked_host}{'.' + tld if tld else ''}"


def mask_phone(phone: str) -> str:
    """041 *** 123: operator prefix and last three digits only."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if digits.startswith("00"):
        digits = digits[2:]
    if digits.startswith("386"):
        digits = "0" + digits[3:]
    if len(digits) < 6:
        return "***"
    return f"{digits[:3]} *** {digits[-3:]}"


def mask_identifier(identifier: str) -> str:
    """For log lines: never the full identifier."""
    if "@" in identifier:
        return mask_email(identifier)
    return (identifier[:2] + "***") if identifier else "***"


EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# +386 41 555 123, 00386 41 555 123, 041 123 456, 041/123-456: 8-15 digits, national or international
PHONE_RE = re.compile(r"(?<![\w+])(?:(?:\+|00)\d(?:[ /.-]?\d){7,13}|0\d(?:[ /.-]?\d){6,13})(?![\w])")
# a one-time code: 6 digits (also typed as 123 456 / 123-456), not part of a longer number or of a
# reference such as SI-E-100001
CODE_RE = re.compile(r"(?<![\w-])\d{3}[ -]?\d{3}(?![\w-])")
CODE_MASK = "••••••"


def redact_text(text: str) -> str:
    """Free text for agents (ticket summaries): e-mails and phone numbers masked, codes replaced."""
    text = EMAIL_RE.sub(lambda m: mask_email(m.group(0)), text)
    text = PHONE_RE.sub(lambda m: mask_phone(m.group(0)) if _is_phone(m.group(0)) else m.group(0), text)
    return CODE_RE.sub(CODE_MASK, text)


def _is_phone(candidate: str) -> bool:
    digits = sum(ch.isdigit() for ch in candidate)
    return 8 <= digits <= 15
