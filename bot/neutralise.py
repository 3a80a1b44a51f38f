"""User text hygiene before anything reaches Rasa.

Rasa treats a message whose stripped text starts with "/" as a command (`/intent{"slot": ...}`)
that sets the intent and slots directly. Typed text must never do that, so the leading "/" is
replaced by a look-alike DIVISION SLASH (U+2215): Rasa then sees ordinary text. Button presses
travel separately as payloads and are not passed through here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

COMMAND_SLASH = "/"
SAFE_SLASH = "\u2215"  # ∕
# C0/C1 control characters except tab/newline, and lone surrogates.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")

EMPTY_REPLY = "Vaše sporočilo je prazno. Napišite, prosim, vprašanje, na primer: »Kako oddam števčno stanje?«"
BINARY_REPLY = (
    "Vašega sporočila žal ne morem prebrati, ker vsebuje nenavadne znake. "
    "Napišite, prosim, vprašanje z običajnim besedilom."
)
EMOJI_REPLY = (
    "Hvala za sporočilo! Žal razumem samo besedilo. Kako vam lahko pomagam? "
    "Vprašajte me, na primer, kako se registrirate na portal."
)


def too_long_notice(limit: int) -> str:
    """Told to the user when the message was shortened before forwarding."""
    return (
        f"Vaše sporočilo je bilo predolgo, zato sem upošteval le prvih {limit} znakov. "
        "Če je kaj ostalo, mi napišite, prosim, v ločenem sporočilu."
    )


def neutralise(text: str) -> str:
    """Return text that Rasa cannot interpret as an `/intent` command."""
    stripped = text.strip()
    if stripped.startswith(COMMAND_SLASH):
        return SAFE_SLASH + stripped[1:]
    return text


@dataclass
class Cleaned:
    """Result of cleaning user input: either text to forward or a reply for the user."""

    text: str | None
    reply: str | None = None
    truncated: bool = False


def _is_binary_looking(text: str, raw_controls: int) -> bool:
    """Control or undecodable characters that outweigh the letters: bytes, not a sentence."""
    suspicious = raw_controls + text.count("\ufffd")
    letters = sum(ch.isalpha() for ch in text)
    return suspicious > 0 and letters < 3 * suspicious


def clean_user_text(raw: str | None, max_chars: int) -> Cleaned:
    """Empty, binary-looking and symbol-only input gets a Slovene reply; long input is capped."""
    if raw is None:
        return Cleaned(None, EMPTY_REPLY)
    text = raw
    controls = len(_CONTROL.findall(text))
    text = _CONTROL.sub("", text).strip()
    if not text:
        return Cleaned(None, BINARY_REPLY if controls else EMPTY_REPLY)
    if _is_binary_looking(text, controls):
        return Cleaned(None, BINARY_REPLY)
    text = text.replace("\ufffd", "")
    if not any(unicodedata.category(ch)[0] in "LN" for ch in text):
        return Cleaned(None, EMOJI_REPLY)
    truncated = len(text) > max_chars
    if truncated:
        text = text[:max_chars]
    return Cleaned(neutralise(text), None, truncated)
