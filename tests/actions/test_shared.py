"""The leaf helpers: dates and amounts in Slovene, yes/no in people's words, which point a text names,
and the domain's wording filled in."""

from __future__ import annotations

from datetime import date
from typing import Any, Dict, Optional

import pytest

from actions.shared import Wording, match_points, parse_date, point_name, sl_amount, sl_date, yes_no
from tests.actions.conftest import DOMAIN, message, tracker

pytestmark = pytest.mark.offline
BASE = date(2026, 11, 22)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("danes", BASE), ("Včeraj", date(2026, 11, 21)), ("vceraj", date(2026, 11, 21)),
     ("20. 11.", date(2026, 11, 20)), ("20.11.2026", date(2026, 11, 20)), ("2026-11-19", date(2026, 11, 19)),
     ("predvčerajšnjim", date(2026, 11, 20)), ("včeraj zvečer", date(2026, 11, 21)), ("31. 2.", None),
     ("jutri nekoč", None)],
)
def test_dates(text: str, expected: Optional[date]) -> None:
    assert parse_date(text, BASE) == expected


def test_slovene_formats() -> None:
    assert sl_date("2026-06-30") == "30. 6. 2026"
    assert sl_amount("12345.5") == "12.345,50 €"
    assert sl_amount("-3.1") == "-3,10 €"


@pytest.mark.parametrize(
    ("text", "intent", "answer"),
    [("/affirm", "affirm", True), ("/deny", "deny", False), ("ja, kot lastno evidenco prosim", "faq", True),
     ("Da, stanje je pravilno", "affirm", True), ("ne, popravil bom", "inform", False),
     ("Ne", "deny", False), ("seveda", "affirm", True), ("ok pošlji", "inform", True),
     ("ni pravilno", "deny", False), ("mogoče", "out_of_scope", None), ("kaj je lastna evidenca", "faq", None),
     ("ja ne", "affirm", None)],
)
def test_yes_no_in_own_words(text: str, intent: str, answer: Optional[bool]) -> None:
    assert yes_no(tracker(latest=message(text, intent=intent, confidence=0.9))) is answer


POINTS = [
    {"number": "SI-E-100009", "energy": "elektrika", "nickname": "Dom"},
    {"number": "SI-E-100010", "energy": "elektrika", "nickname": "Vikend"},
    {"number": "SI-G-100011", "energy": "zemeljski_plin", "nickname": None},
]


@pytest.mark.parametrize(
    ("text", "numbers"),
    [("SI-E-100010", ["SI-E-100010"]), ("si e 100010", ["SI-E-100010"]), ("100011", ["SI-G-100011"]),
     ("za vikend", ["SI-E-100010"]), ("Dom", ["SI-E-100009"]), ("plin", ["SI-G-100011"]),
     ("stanje plinomera", ["SI-G-100011"]), ("elektrika", ["SI-E-100009", "SI-E-100010"]),
     ("banana", []), ("", [])],
)
def test_points_by_number_nickname_or_energy(text: str, numbers: list) -> None:  # type: ignore[type-arg]
    assert [p["number"] for p in match_points(text, POINTS)] == numbers


def test_wording_fills_the_domains_pieces_and_follows_the_brand() -> None:
    geni = Wording(DOMAIN, tracker(slots={"brand": None}))
    butan = Wording(DOMAIN, tracker(slots={"brand": "butan"}))
    assert "merilnega" in geni.render("utter_point_unknown") and "odjemnega" in butan.render("utter_point_unknown")
    assert geni.render("utter_line_window_open", start=1, end=31) == "Odčitke sprejemamo od 1. do 31. dne v mesecu."
    assert geni.render("utter_line_window_open", start=1) .endswith("do {end}. dne v mesecu.")  # a gap stays visible
    assert point_name(POINTS[1], geni) == "Vikend – SI-E-100010 (elektrika)"
    assert geni.label("invoice_kind", "dobropis") == "dobropis"


def test_every_response_variable_an_action_fills_is_named_in_the_domain() -> None:
    """Each {variable} in a response is one the actions pass (a typo would show "{x}" to users)."""
    import re

    passed = {"minutes", "remaining", "point", "last", "window", "value", "unit", "last_value", "last_date", "days",
              "start", "end", "consumption", "date", "lines", "balance", "number", "amount", "url", "text",
              "campaign", "energy", "documents", "reasons", "kind", "due", "status", "settled", "open", "overdue",
              "credit", "values", "since", "month", "months", "name", "brand", "join_to", "join_from", "items", "item",
              "gross", "net", "condition", "source", "adopted", "changes", "reason", "other_campaign",
              # notices (actions/notices.py)
              "what", "channel", "contact", "contact_kind", "first", "quiet_start", "quiet_end", "stop", "next"}
    used: Dict[str, Any] = {}
    for name, variations in DOMAIN["responses"].items():
        for v in variations:
            for var in re.findall(r"\{(\w+)\}", str(v.get("text") or "")):
                used.setdefault(var, name)
    assert set(used) <= passed, {k: used[k] for k in set(used) - passed}
