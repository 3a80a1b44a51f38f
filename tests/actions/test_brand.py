"""The channel's brand fills an empty brand slot; a brand already set (named by the user) stays."""

from __future__ import annotations

import pytest

from actions.brand import ValidateSlotMappings
from tests.actions.conftest import message, run, slot_events, tracker

pytestmark = pytest.mark.offline


def with_metadata(brand: object, slots: dict) -> object:  # type: ignore[type-arg]
    latest = {**message("živjo", intent="greet"), "metadata": {"channel": "web", "brand": brand}}
    return tracker(slots=slots, latest=latest)


def test_channel_brand_fills_an_empty_slot() -> None:
    events, _ = run(ValidateSlotMappings(), with_metadata("butan", {"brand": None}))  # type: ignore[arg-type]
    assert slot_events(events) == {"brand": "butan"}


@pytest.mark.parametrize(("brand", "slots"), [("butan", {"brand": "geni"}), ("x; drop", {"brand": None}),
                                              (None, {"brand": None}), (["butan"], {"brand": None})])
def test_named_brand_stays_and_odd_metadata_is_ignored(brand: object, slots: dict) -> None:  # type: ignore[type-arg]
    events, _ = run(ValidateSlotMappings(), with_metadata(brand, slots))  # type: ignore[arg-type]
    assert "brand" not in slot_events(events)
