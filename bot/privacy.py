"""Personal data the gateway keeps as little of as it can: one-time codes and contacts masked.

A 6-digit code the user types is needed by Rasa (it is forwarded unchanged) but by nobody later:
the gateway's turns store it as "••••••", so neither the widget history nor an agent's transcript
nor a ticket summary ever shows it. E-mails and phone numbers are masked in what agents see
(ticket summaries, the transcript). The patterns and masks are the backend's
(backend/services/security.py), repeated here because the gateway is its own process and must not
rely on the backend having redacted what the gateway sends it.
"""

from __future__ import annotations

import re

CODE_MASK = "••••••"
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# +386 41 555 123, 00386 41 555 123, 041 123 456, 041/123-456: 8-15 digits, national or international
PHONE_RE = re.compile(r"(?<![\w+])(?:(?:\+|00)\d(?:[ /.-]?\d){7,13}|0\d(?:[ /.-]?\d){6,13})(?![\w])")
# a one-time code: 6 digits (also typed as 123 456 / 123-456), not part of a longer number or of a
# reference such as SI-E-100001
CODE_RE = re.compile(r"(?<![\w-])\d{3}[ -]?\d{3}(?![\w-])")
ONLY_CODE_RE = re.compile(r"\s*\d{3}[ -]?\d{3}\s*")
# The bot's messages that ask for the code ("Vpišite 6-mestno kodo …", "Če kodo že imate, jo vpišite").
ASKS_FOR_CODE_RE = re.compile(r"\bkod[aoei]?\b", re.IGNORECASE)


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


def _phone(match: re.Match[str]) -> str:
    candidate = match.group(0)
    digits = sum(ch.isdigit() for ch in candidate)
    return mask_phone(candidate) if 8 <= digits <= 15 else candidate


def mask_contacts(text: str) -> str:
    """E-mails and phone numbers masked; everything else as it was."""
    return PHONE_RE.sub(_phone, EMAIL_RE.sub(lambda m: mask_email(m.group(0)), text))


def redact(text: str) -> str:
    """For agents' eyes (summaries, transcripts): contacts masked and every code-like number replaced."""
    return CODE_RE.sub(CODE_MASK, mask_contacts(text))


def asks_for_code(bot_text: str | None) -> bool:
    return bool(bot_text) and ASKS_FOR_CODE_RE.search(bot_text or "") is not None


def user_turn_text(text: str, code_expected: bool) -> str:
    """What the gateway stores of a user message: a message that is just a code is "••••••"; when
    the last bot message asked for the code, a code inside a sentence ("koda je 123456") too."""
    if ONLY_CODE_RE.fullmatch(text):
        return CODE_MASK
    if code_expected:
        return CODE_RE.sub(CODE_MASK, text)
    return text
