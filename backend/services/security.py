"""Hashing and masking helpers: codes and tokens are never stored or logged in clear."""

from __future__ import annotations

import hashlib
import hmac
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
