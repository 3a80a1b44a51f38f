"""Support hours: Mon–Fri 8–20, Sat 8–14, closed on Sundays and Slovene public holidays."""

from __future__ import annotations

from datetime import datetime

import pytest

from actions.handoff import TZ, within_support_hours

pytestmark = pytest.mark.offline


@pytest.mark.parametrize(
    ("moment", "open_"),
    [
        ("2026-11-24T10:00", True),   # a Tuesday at 10:00
        ("2026-11-28T15:00", False),  # a Saturday at 15:00
        ("2026-11-28T13:59", True),   # Saturday before 14:00
        ("2026-06-25T10:00", False),  # 25 June, Statehood Day (a Thursday)
        ("2026-11-22T10:00", False),  # a Sunday
        ("2026-11-24T20:00", False),  # closing time
        ("2026-11-24T07:59", False),
        ("2026-12-25T10:00", False),  # Christmas
    ],
)
def test_support_hours(moment: str, open_: bool) -> None:
    assert within_support_hours(datetime.fromisoformat(moment).replace(tzinfo=TZ)) is open_


def test_live_handoff_pauses_and_then_listens(monkeypatch: pytest.MonkeyPatch) -> None:
    """After the hand-back the next message is a fresh turn, not a continuation of the handoff."""
    from rasa_sdk.events import ActionExecuted, ConversationPaused

    from actions.handoff import ActionHandoff
    from tests.actions.conftest import message, responses, run, tracker

    monkeypatch.setenv("HANDOFF_FAKE_NOW", "2026-11-24T10:00:00")
    events, dispatcher = run(ActionHandoff(), tracker(latest=message("svetovalec", intent="human_handoff")))
    assert events == [ConversationPaused(), ActionExecuted("action_listen")]
    assert responses(dispatcher)[0] == "utter_handoff_live"
    assert dispatcher.messages[1]["custom"] == {"handoff": {"kind": "live", "reason": "request"}}
    monkeypatch.setenv("HANDOFF_FAKE_NOW", "2026-11-24T21:00:00")  # closed: a message or a callback
    events, dispatcher = run(ActionHandoff(), tracker(latest=message("svetovalec", intent="human_handoff")))
    assert responses(dispatcher) == ["utter_handoff_closed"] and events[-1]["name"] == "callback_form"
