"""The reading form's actions against the real backend: which point, the value as the backend
reads it, the day's rules, yes/no in the user's own words, and one stored reading per submit."""

from __future__ import annotations

from typing import Any, Dict

from actions.readings import (
    ActionAskReadingValue,
    ActionSubmitReading,
    ValidateReadingForm,
    idempotency_key,
)
from tests.actions.conftest import message, responses, run, said, slot_events, tracker

NATASA_E = "SI-E-100017"  # her only point, electricity, window 1.–31.
ANA_E, ANA_G = "SI-E-100001", "SI-G-100002"  # Ana: electricity 1.–31., gas 26.–29.


def validate(slots: Dict[str, Any], new: Dict[str, Any], text: str, **kw: Any):  # type: ignore[no-untyped-def]
    """One turn of the form: the user's text answered the requested slot."""
    t = tracker(slots["_conv"], {k: v for k, v in slots.items() if k != "_conv"},
                message(text, **kw), new, loop="reading_form")
    return run(ValidateReadingForm(), t)


def last_value(c: Any, point: str) -> int:
    return int(c.get(f"/me/metering-points/{point}/readings?limit=1")[0]["value"])


def test_the_only_point_is_taken_and_named(customer) -> None:  # type: ignore[no-untyped-def]
    natasa = customer("natasa.jerman@example.com")
    base = {"_conv": natasa.conversation, "auth_token": natasa.token}
    events, dispatcher = validate(base, {}, "oddal bi stanje")
    assert slot_events(events)["reading_point"] == NATASA_E
    assert NATASA_E in said(dispatcher, "utter_reading_point_chosen")["point"]
    assert slot_events(events).get("requested_slot") == "reading_value"  # next: the value, not the point


def test_the_energy_named_in_the_request_picks_the_point(customer) -> None:  # type: ignore[no-untyped-def]
    ana = customer("ana.novak@example.com")
    base = {"_conv": ana.conversation, "auth_token": ana.token, "request_text": "rad bi vpisal stanje plina"}
    events, _ = validate(base, {}, "")
    assert slot_events(events)["reading_point"] == ANA_G
    # without a hint Ana is asked (two points): nothing is chosen for her
    events, _ = validate({**base, "request_text": "oddal bi stanje"}, {}, "")
    assert "reading_point" not in slot_events(events) or slot_events(events)["reading_point"] is None


def test_a_typed_nickname_energy_or_number_picks_the_point(customer) -> None:  # type: ignore[no-untyped-def]
    gregor = customer("gregor.mlakar@example.com")  # Dom and Vikend (electricity), gas
    base = {"_conv": gregor.conversation, "auth_token": gregor.token, "requested_slot": "reading_point"}
    points = {p["nickname"]: p["number"] for p in gregor.get("/me/metering-points") if p["nickname"]}
    for typed, want in [("Vikend", points["Vikend"]), ("plin", "SI-G-100011"), ("100009", "SI-E-100009"),
                        ("si-e-100010", "SI-E-100010")]:
        events, _ = validate(base, {"reading_point": typed}, typed)
        assert slot_events(events)["reading_point"] == want, typed
    events, dispatcher = validate(base, {"reading_point": "elektrika"}, "elektrika")  # two electricity points
    assert slot_events(events)["reading_point"] is None and "utter_point_ambiguous" in responses(dispatcher)


def test_the_value_question_shows_the_last_reading_and_window(customer) -> None:  # type: ignore[no-untyped-def]
    natasa = customer("natasa.jerman@example.com")
    t = tracker(natasa.conversation, {"auth_token": natasa.token, "reading_point": NATASA_E}, loop="reading_form")
    _, dispatcher = run(ActionAskReadingValue(), t)
    prompt = said(dispatcher, "utter_reading_value_prompt")
    assert str(last_value(natasa, NATASA_E)) in prompt["last"] and "kWh" in prompt["last"]
    assert "od 1. do 31. dne" in prompt["window"]


def test_thousands_dot_is_read_by_the_backend(customer) -> None:  # type: ignore[no-untyped-def]
    natasa = customer("natasa.jerman@example.com")
    value = last_value(natasa, NATASA_E) + 1234
    typed = f"{value // 1000}.{value % 1000:03d}"
    base = {"_conv": natasa.conversation, "auth_token": natasa.token, "reading_point": NATASA_E,
            "requested_slot": "reading_value"}
    events, dispatcher = validate(base, {"reading_value": typed}, typed)
    assert slot_events(events)["reading_value"] == str(value) and not dispatcher.messages


def test_bad_values_are_explained_and_asked_again(customer) -> None:  # type: ignore[no-untyped-def]
    natasa = customer("natasa.jerman@example.com")
    base = {"_conv": natasa.conversation, "auth_token": natasa.token, "reading_point": NATASA_E,
            "requested_slot": "reading_value"}
    for typed, response in [("12,5", "utter_reading_not_integer"), ("-3", "utter_reading_negative"),
                            ("1000000000000", "utter_reading_too_large"), ("abc", "utter_reading_not_number"),
                            ("1", "utter_reading_lower_than_last")]:
        events, dispatcher = validate(base, {"reading_value": typed}, typed)
        assert slot_events(events)["reading_value"] is None, typed
        assert response in responses(dispatcher), (typed, responses(dispatcher))
    lower = said(validate(base, {"reading_value": "1"}, "1")[1], "utter_reading_lower_than_last")
    assert lower["last_value"] == last_value(natasa, NATASA_E) and lower["unit"] == "kWh"


def test_a_question_instead_of_the_value_gets_its_answer(customer) -> None:  # type: ignore[no-untyped-def]
    natasa = customer("natasa.jerman@example.com")
    base = {"_conv": natasa.conversation, "auth_token": natasa.token, "reading_point": NATASA_E,
            "requested_slot": "reading_value"}
    events, dispatcher = validate(base, {"reading_value": "kaj je lastna evidenca"}, "kaj je lastna evidenca",
                                  intent="faq", faq="submit_reading_portal")
    assert responses(dispatcher) == ["utter_faq/submit_reading_portal"]
    assert slot_events(events)["reading_value"] is None  # the form asks for the value again
    assert not slot_events(events).get("flow_stopped")


def test_a_day_outside_the_window_offers_own_record(customer) -> None:  # type: ignore[no-untyped-def]
    ana = customer("ana.novak@example.com")
    points = {p["number"]: p for p in ana.get("/me/metering-points")}
    value = str(last_value(ana, ANA_G) + 5)
    base = {"_conv": ana.conversation, "auth_token": ana.token, "reading_point": ANA_G, "reading_value": value,
            "requested_slot": "reading_date"}
    events, dispatcher = validate(base, {"reading_date": "danes"}, "danes")
    if points[ANA_G]["window_open_today"]:  # the 26th–29th: today is inside Ana's gas window
        assert slot_events(events).get("reading_outside_window") is None
        return
    assert slot_events(events)["reading_outside_window"] == "da"
    outside = said(dispatcher, "utter_reading_outside_window")
    assert (outside["start"], outside["end"]) == (26, 29)


def test_yes_in_own_words_answers_the_question(customer) -> None:  # type: ignore[no-untyped-def]
    ana = customer("ana.novak@example.com")
    base = {"_conv": ana.conversation, "auth_token": ana.token, "reading_point": ANA_G, "reading_value": "1",
            "reading_date": "2026-12-01", "reading_outside_window": "da", "requested_slot": "reading_own_record"}
    # the NLU read it as an FAQ question about "lastna evidenca": the form still hears a yes
    events, _ = validate(base, {"reading_own_record": "ja, kot lastno evidenco prosim"},
                         "ja, kot lastno evidenco prosim", intent="faq", faq="submit_reading_portal")
    assert slot_events(events)["reading_own_record"] is True
    events, dispatcher = validate(base, {"reading_own_record": "ne, hvala"}, "ne, hvala", intent="deny")
    assert slot_events(events)["flow_stopped"] is True and "utter_reading_cancelled" in responses(dispatcher)
    events, dispatcher = validate(base, {"reading_own_record": "mogoče"}, "mogoče", intent="out_of_scope")
    assert slot_events(events)["reading_own_record"] is None and responses(dispatcher) == ["utter_yes_or_no"]


def test_confirmed_reading_is_stored_once(customer) -> None:  # type: ignore[no-untyped-def]
    natasa = customer("natasa.jerman@example.com")
    value = last_value(natasa, NATASA_E) + 40
    from actions.shared import today

    slots = {"auth_token": natasa.token, "reading_point": NATASA_E, "reading_value": str(value),
             "reading_date": today().isoformat(), "reading_confirm": True}
    t = tracker(natasa.conversation, slots, message("/affirm", intent="affirm"))
    events, dispatcher = run(ActionSubmitReading(), t)
    saved = said(dispatcher, "utter_reading_saved")
    assert saved["value"] == value and saved["unit"] == "kWh"
    assert slot_events(events)["reading_value"] is None  # the form's answers are forgotten
    _, again = run(ActionSubmitReading(), t)  # e.g. a retry after a timeout
    assert "utter_reading_duplicate" in responses(again)
    stored = [r["value"] for r in natasa.get(f"/me/metering-points/{NATASA_E}/readings?limit=5")]
    assert stored.count(value) == 1


def test_a_stopped_form_stores_nothing(customer) -> None:  # type: ignore[no-untyped-def]
    natasa = customer("natasa.jerman@example.com")
    before = natasa.get(f"/me/metering-points/{NATASA_E}/readings?limit=5")
    slots = {"auth_token": natasa.token, "reading_point": NATASA_E, "reading_value": "99999999",
             "reading_date": "2026-12-01", "reading_confirm": False, "flow_stopped": True}
    events, dispatcher = run(ActionSubmitReading(), tracker(natasa.conversation, slots))
    assert not dispatcher.messages and slot_events(events)["flow_stopped"] is None
    assert natasa.get(f"/me/metering-points/{NATASA_E}/readings?limit=5") == before


def test_idempotency_key_depends_on_the_content() -> None:
    a = idempotency_key("c1", "SI-E-1", 100, "2026-12-01", "oddaja")
    assert a == idempotency_key("c1", "SI-E-1", 100, "2026-12-01", "oddaja")
    assert a != idempotency_key("c1", "SI-E-1", 101, "2026-12-01", "oddaja")
    assert a != idempotency_key("c2", "SI-E-1", 100, "2026-12-01", "oddaja")


def test_the_value_is_asked_again_briefly(customer) -> None:  # type: ignore[no-untyped-def]
    """After a refused value the facts are not repeated: a short question, the error said the rest."""
    natasa = customer("natasa.jerman@example.com")
    events = [{"event": "active_loop", "name": "reading_form"},
              {"event": "slot", "name": "requested_slot", "value": "reading_value"},
              {"event": "action", "name": "action_listen"}, {"event": "user", "text": "12,5"},
              {"event": "action", "name": "reading_form"}, {"event": "slot", "name": "reading_value", "value": None},
              {"event": "slot", "name": "requested_slot", "value": "reading_value"}]
    t = tracker(natasa.conversation, {"auth_token": natasa.token, "reading_point": NATASA_E}, loop="reading_form")
    t.events = events
    _, dispatcher = run(ActionAskReadingValue(), t)
    assert responses(dispatcher) == ["utter_reading_value_reask"]
    t.events = events[:2]  # the first time: the point's facts
    _, dispatcher = run(ActionAskReadingValue(), t)
    assert responses(dispatcher) == ["utter_reading_value_prompt"]


def test_a_refused_value_given_with_its_day_is_explained_once(customer) -> None:  # type: ignore[no-untyped-def]
    """A reminder reply fills the value and today's day together; when the value is refused, the
    day was checked with no value and "Tega ne razumem kot stanje števca." followed (seen by SMS)."""
    natasa = customer("natasa.jerman@example.com")
    base = {"_conv": natasa.conversation, "auth_token": natasa.token}
    events, dispatcher = validate(base, {"reading_point": NATASA_E, "reading_value": "1",
                                         "reading_date": "2026-11-23"}, "1")
    assert responses(dispatcher) == ["utter_reading_lower_than_last"]
    got = slot_events(events)
    assert got["reading_value"] is None and got["reading_date"] is None
