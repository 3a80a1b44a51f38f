"""One form per contact, so a subscription, the notices sent and a reply from the provider compare
equal: phone numbers in E.164 (libphonenumber, Slovenia as the default region), e-mails in lower
case, Telegram chat ids as the gateway passes them. Masks for every answer that shows a contact."""

from __future__ import annotations

import phonenumbers

from backend.models import DeliveryChannel
from backend.services.security import mask_email, mask_phone

DEFAULT_REGION = "SI"


def normalize_phone(raw: str | None) -> str | None:
    """E.164 (+38641123456) for a valid number in national or international form, else None."""
    if not raw or len(raw) > 40:
        return None
    try:
        number = phonenumbers.parse(raw, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_email(raw: str | None) -> str | None:
    """Lower case without surrounding spaces; None when it is not an address."""
    if not raw:
        return None
    value = raw.strip().lower()
    return value if "@" in value and " " not in value else None


def normalize_telegram(raw: str | None) -> str | None:
    """A Telegram chat id (an integer, negative for groups), kept as the gateway passes it."""
    if raw is None:
        return None
    value = raw.strip()
    digits = value[1:] if value.startswith("-") else value
    return value if digits.isdigit() and 0 < len(digits) <= 20 else None


def normalize(channel: DeliveryChannel, raw: str | None) -> str | None:
    """The stored form of a contact on `channel`, or None when `raw` is not one."""
    if channel == DeliveryChannel.sms:
        return normalize_phone(raw)
    if channel == DeliveryChannel.email:
        return normalize_email(raw)
    return normalize_telegram(raw)


def mask(channel: DeliveryChannel, contact: str) -> str:
    """041 *** 456, a***@e***.com, or ***789 for a Telegram chat: enough to recognise, no more."""
    if channel == DeliveryChannel.sms:
        return mask_phone(contact)
    if channel == DeliveryChannel.email:
        return mask_email(contact)
    return "***" + contact[-3:] if len(contact) > 3 else "***"
