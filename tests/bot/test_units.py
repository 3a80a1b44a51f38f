"""Pure functions: command neutralisation, input cleaning, SMS splitting, password hashing."""

from __future__ import annotations

import pytest

from bot.agent_console import hash_password, verify_password
from bot.channels.sms import options_line, split_sms
from bot.config import parse_agent_users
from bot.neutralise import BINARY_REPLY, EMOJI_REPLY, EMPTY_REPLY, SAFE_SLASH, clean_user_text, neutralise


@pytest.mark.parametrize(
    "typed", ["/affirm", "  /affirm", '/inform{"customer_masked": "x"}', "\t/restart", "/", "\n /deny"]
)
def test_typed_commands_are_neutralised(typed: str) -> None:
    out = neutralise(typed)
    assert not out.strip().startswith("/")
    assert out.startswith(SAFE_SLASH)


@pytest.mark.parametrize("text", ["pozabu sm geslo", "a/b", "koliko je 3/4", "ura 8/20"])
def test_ordinary_text_unchanged(text: str) -> None:
    assert neutralise(text) == text


def test_clean_user_text_bad_input() -> None:
    assert clean_user_text("", 2000).reply == EMPTY_REPLY
    assert clean_user_text("   \n", 2000).reply == EMPTY_REPLY
    assert clean_user_text(None, 2000).reply == EMPTY_REPLY
    assert clean_user_text("\x00\x01\x02\xff\ufffd", 2000).reply == BINARY_REPLY
    assert clean_user_text("😀😀😀", 2000).reply == EMOJI_REPLY
    long = clean_user_text("a" * 100_000, 2000)
    assert long.truncated and long.text is not None and len(long.text) == 2000
    assert clean_user_text("'; DROP TABLE users; --", 2000).text == "'; DROP TABLE users; --"


def test_sms_split_on_word_boundaries() -> None:
    text = " ".join(["stevcno"] * 60)
    parts = split_sms(text)
    assert all(len(p) <= 153 for p in parts) and len(parts[0]) > 140  # GSM-7: 153 per part
    assert " ".join(parts) == text
    assert all(not p.startswith(" ") and not p.endswith(" ") for p in parts)
    assert split_sms("kratko") == ["kratko"]
    assert split_sms("x" * 400) == ["x" * 153, "x" * 153, "x" * 94]
    assert split_sms("   ") == []


def test_sms_parts_are_sized_by_encoding() -> None:
    """č/š/ž make the text UCS-2: 67 units per billed part, not 153 (which is billed as three)."""
    text = " ".join(["števčno"] * 60)
    parts = split_sms(text)
    assert all(len(p.encode("utf-16-le")) // 2 <= 67 for p in parts) and len(parts[0]) > 60
    assert " ".join(parts) == text
    assert split_sms("š" * 150) == ["š" * 67, "š" * 67, "š" * 16]  # a long word is cut by units
    # a GSM-7 extension character costs two septets
    assert all(len(p.encode("gsm03.38")) <= 153 for p in split_sms("€" * 100))


def test_sms_options_line() -> None:
    assert options_line([{"title": "Da", "payload": "/affirm"}, {"title": "Ne", "payload": "/deny"}]) == (
        "1 – Da, 2 – Ne"
    )


def test_password_hash_roundtrip() -> None:
    h = hash_password("dolgo-geslo-123")
    assert verify_password("dolgo-geslo-123", h)
    assert not verify_password("napačno", h)
    assert not verify_password("x", "nonsense")
    assert parse_agent_users(f"ana:{h}, bor:{h},broken") == {"ana": h, "bor": h}
    assert ":" not in h and "," not in h and "$" not in h
