"""Notices in the chat against the real backend: kind, channel and point from the request's words
or asked, the confirmation with what / where (masked) / when, the backend's refusals worded,
listing and ending (one, the named one, or all), and a reminder grant good for one reading only."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk.events import FollowupAction

from actions.notices import (
    ActionAskNoticeEndChoice,
    ActionEndNotice,
    ActionListNotices,
    ActionSubscribeNotice,
    ActionUnsubscribeNotice,
    ValidateNoticeEndForm,
    ValidateNoticeForm,
    channel_in,
    kind_in,
    reminder_reply,
)
from actions.readings import ActionSubmitReading
from actions.verification import ActionPersonalRequest
from tests.actions.conftest import message, responses, run, said, slot_events, tracker


def active(c: Any) -> List[Dict[str, Any]]:
    return list(c.get("/me/subscriptions"))


def subscribe(c: Any, point: str, kind: str = "reading_reminder", channel: str = "sms", **slots: Any):  # type: ignore[no-untyped-def]
    t = tracker(c.conversation, {"auth_token": c.token, "notice_point": point, "notice_kind": kind,
                                 "notice_channel": channel, **slots})
    return run(ActionSubscribeNotice(), t)


def test_kind_and_channel_are_read_as_people_type_them() -> None:
    assert kind_in("vklopi SMS opomnik za oddajo stanja") == "reading_reminder"
    assert kind_in("obvescajte me o novih racunih po mailu") == "invoice_notice"
    assert kind_in("izklopi obvestila") is None  # names neither: asked
    assert channel_in("vklopi SMS opomnik") == "sms"
    assert channel_in("obveščajte me o novih računih po e-pošti") == "email"
    assert channel_in("ne želim več sms-ov") == "sms"
    assert channel_in("na Telegram prosim") == "telegram"
    assert channel_in("vklopi opomnik") is None


def test_the_request_fills_kind_channel_and_the_only_point(customer) -> None:  # type: ignore[no-untyped-def]
    franc = customer("franc.golob@example.com")  # one point
    t = tracker(franc.conversation, {"auth_token": franc.token, "request_text": "vklopi SMS opomnik za oddajo stanja"},
                message(""), loop="notice_form")
    events, _ = run(ValidateNoticeForm(), t)
    got = slot_events(events)
    assert (got["notice_kind"], got["notice_channel"]) == ("reading_reminder", "sms")
    assert got["notice_point"] == franc.get("/me/metering-points")[0]["number"]
    assert got.get("requested_slot") is None  # nothing left to ask


def test_what_the_request_does_not_say_is_asked(customer) -> None:  # type: ignore[no-untyped-def]
    ana = customer("ana.novak@example.com")  # two points
    t = tracker(ana.conversation, {"auth_token": ana.token, "request_text": "vklopi opomnik"}, message(""),
                loop="notice_form")
    events, _ = run(ValidateNoticeForm(), t)
    got = slot_events(events)
    assert got["notice_kind"] == "reading_reminder" and got.get("notice_point") is None
    assert got.get("notice_channel") is None  # the form asks it next
    # a typed answer that is no channel is asked again with the hint; "po mailu" is e-mail
    base = {"auth_token": ana.token, "notice_kind": "reading_reminder", "requested_slot": "notice_channel"}
    events, dispatcher = run(ValidateNoticeForm(), tracker(ana.conversation, base, message("hm"),
                                                          {"notice_channel": "hm"}, loop="notice_form"))
    assert slot_events(events)["notice_channel"] is None and "utter_notice_channel_unknown" in responses(dispatcher)
    events, _ = run(ValidateNoticeForm(), tracker(ana.conversation, base, message("po mailu"),
                                                  {"notice_channel": "po mailu"}, loop="notice_form"))
    assert slot_events(events)["notice_channel"] == "email"


def test_telegram_only_from_a_telegram_chat(customer) -> None:  # type: ignore[no-untyped-def]
    ana = customer("ana.novak@example.com")
    base = {"auth_token": ana.token, "notice_kind": "reading_reminder", "requested_slot": "notice_channel"}
    events, dispatcher = run(ValidateNoticeForm(), tracker(ana.conversation, base, message("Telegram"),
                                                          {"notice_channel": "Telegram"}, loop="notice_form"))
    assert slot_events(events)["notice_channel"] is None
    assert "utter_notice_telegram_elsewhere" in responses(dispatcher)
    events, _ = run(ValidateNoticeForm(), tracker(ana.conversation, {**base, "telegram_chat_id": "987654321"},
                                                  message("Telegram"), {"notice_channel": "Telegram"},
                                                  loop="notice_form"))
    assert slot_events(events)["notice_channel"] == "telegram"


def test_a_reminder_is_confirmed_with_what_where_and_when(customer) -> None:  # type: ignore[no-untyped-def]
    helena = customer("helena.vidmar@example.com")  # gas, window 26.–29., phone 040 121 212
    point = helena.get("/me/metering-points")[0]["number"]
    events, dispatcher = subscribe(helena, point)
    shown = said(dispatcher, "utter_notice_subscribed_reminder")
    assert shown["point"] == point and shown["channel"] == "po SMS" and shown["contact"] == "040 *** 212"
    assert (shown["start"], shown["end"]) == (26, 29) and shown["first"].startswith("26. ")
    assert "STOP" in shown["stop"]
    assert "notice_point" in slot_events(events) and slot_events(events)["notice_point"] is None
    subs = active(helena)
    assert [(s["metering_point"], s["kind"], s["channel"]) for s in subs] == [(point, "reading_reminder", "sms")]
    # the same again is one subscription, and said so
    _, dispatcher = subscribe(helena, point)
    assert responses(dispatcher) == ["utter_notice_already_on"] and len(active(helena)) == 1


def test_invoice_notices_refused_for_omejeni_and_missing_contact_explained(customer) -> None:  # type: ignore[no-untyped-def]
    cvetka = customer("cvetka.zupan@example.com")  # omejeni: no invoices
    point = cvetka.get("/me/metering-points")[0]["number"]
    _, dispatcher = subscribe(cvetka, point, kind="invoice_notice", channel="email")
    assert responses(dispatcher) == ["utter_notice_invoices_no_access"] and active(cvetka) == []
    lara = customer("lara.kralj@example.com")  # no phone on file
    _, dispatcher = subscribe(lara, lara.get("/me/metering-points")[0]["number"], channel="sms")
    assert said(dispatcher, "utter_notice_contact_missing")["contact_kind"] == "telefonske številke"
    assert active(lara) == []


def test_telegram_subscribes_this_chat(customer) -> None:  # type: ignore[no-untyped-def]
    klemen = customer("klemen.bizjak@example.com")
    point = klemen.get("/me/metering-points")[0]["number"]
    _, dispatcher = subscribe(klemen, point, channel="telegram", telegram_chat_id="555123789")
    assert said(dispatcher, "utter_notice_subscribed_reminder")["contact"].endswith("789")
    assert [s["channel"] for s in active(klemen)] == ["telegram"]


def test_list_and_end_the_only_one(customer) -> None:  # type: ignore[no-untyped-def]
    jana = customer("jana.zorko@example.com")
    t = tracker(jana.conversation, {"auth_token": jana.token})
    _, dispatcher = run(ActionListNotices(), t)
    assert responses(dispatcher) == ["utter_notices_none"]
    point = jana.get("/me/metering-points")[0]["number"]
    subscribe(jana, point)
    _, dispatcher = run(ActionListNotices(), t)
    line = said(dispatcher, "utter_notices_list")["lines"]
    assert "opomnik za oddajo stanja" in line and point in line and "031 *** 656" in line and "naslednji" in line
    tt = tracker(jana.conversation, {"auth_token": jana.token}, message("izklopi opomnik", intent="unsubscribe_notice"))
    _, dispatcher = run(ActionUnsubscribeNotice(), tt)
    assert point in said(dispatcher, "utter_notices_ended")["lines"] and active(jana) == []
    _, dispatcher = run(ActionUnsubscribeNotice(), tt)
    assert responses(dispatcher) == ["utter_notices_none_to_end"]


def test_with_several_the_words_pick_one_or_it_asks_which(customer) -> None:  # type: ignore[no-untyped-def]
    oto = customer("oto.bergant@example.com")  # electricity and gas, polni
    e, g = [p["number"] for p in oto.get("/me/metering-points")]
    subscribe(oto, e)
    subscribe(oto, g)
    subscribe(oto, e, kind="invoice_notice", channel="email")
    said_text = "ne želim več obvestil o računih"
    _, dispatcher = run(ActionUnsubscribeNotice(), tracker(oto.conversation, {"auth_token": oto.token},
                                                           message(said_text, intent="unsubscribe_notice")))
    assert "obvestilo o novem računu" in said(dispatcher, "utter_notices_ended")["lines"]
    assert sorted(s["metering_point"] for s in active(oto)) == sorted([e, g])
    # "izklopi opomnik" names two: the form asks which, with a button for each and "Vse"
    events, dispatcher = run(ActionUnsubscribeNotice(), tracker(oto.conversation, {"auth_token": oto.token},
                                                                message("izklopi opomnik", intent="unsubscribe_notice")))
    assert FollowupAction("notice_end_form") in events and dispatcher.messages == []
    _, dispatcher = run(ActionAskNoticeEndChoice(), tracker(oto.conversation, {"auth_token": oto.token}))
    titles = [b["title"] for b in said(dispatcher, "utter_ask_notice_end_choice")["buttons"]]
    assert len(titles) == 3 and titles[-1] == "Vse"
    gas_title = next(t for t in titles if g in t)
    base = {"auth_token": oto.token, "requested_slot": "notice_end_choice"}
    events, _ = run(ValidateNoticeEndForm(), tracker(oto.conversation, base, message(gas_title),
                                                     {"notice_end_choice": gas_title}, loop="notice_end_form"))
    choice = slot_events(events)["notice_end_choice"]
    assert choice == str(next(s["id"] for s in active(oto) if s["metering_point"] == g))
    _, dispatcher = run(ActionEndNotice(), tracker(oto.conversation, {"auth_token": oto.token, "notice_end_choice": choice}))
    assert g in said(dispatcher, "utter_notices_ended")["lines"]
    assert [s["metering_point"] for s in active(oto)] == [e]
    # "vse" ends the rest
    subscribe(oto, g, channel="email")
    events, _ = run(ValidateNoticeEndForm(), tracker(oto.conversation, base, message("vse"), {"notice_end_choice": "vse"},
                                                     loop="notice_end_form"))
    assert slot_events(events)["notice_end_choice"] == "all"
    _, dispatcher = run(ActionEndNotice(), tracker(oto.conversation, {"auth_token": oto.token, "notice_end_choice": "all"}))
    assert len(said(dispatcher, "utter_notices_ended")["lines"].splitlines()) == 2 and active(oto) == []


def test_a_reminder_grant_is_no_verification_for_anything_else() -> None:
    grant = {"token": "rg.abc", "metering_point": "SI-G-100002", "value": "12 345"}
    from rasa_sdk.executor import CollectingDispatcher

    dispatcher = CollectingDispatcher()
    events = reminder_reply(dispatcher, grant)
    got = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert got["auth_token"] == "rg.abc" and got["reading_point"] == "SI-G-100002" and got["reading_value"] == "12345"
    assert FollowupAction("reading_form") in events
    # any other personal request asks for the code
    t = tracker("conv-grant", {"auth_token": "rg.abc"}, message("moji računi", intent="invoices"))
    events, dispatcher = run(ActionPersonalRequest(), t)
    assert responses(dispatcher) == ["utter_reminder_reply_only_reading"]
    assert FollowupAction("verify_form") in events and slot_events(events)["auth_token"] is None
    # after the reading (stored or not) the grant is forgotten
    t = tracker("conv-grant", {"auth_token": "rg.abc", "flow_stopped": True})
    events, _ = run(ActionSubmitReading(), t)
    assert slot_events(events)["auth_token"] is None


def test_the_chat_follows_the_backends_pinned_day(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    from actions.shared import today

    monkeypatch.setenv("BACKEND_FAKE_TODAY", "2026-11-26")
    assert today() == date(2026, 11, 26)
    monkeypatch.setenv("BACKEND_FAKE_TODAY", "ni datum")  # a typo falls back to the real day
    assert today() != date(2026, 11, 26) or date.today() == date(2026, 11, 26)
