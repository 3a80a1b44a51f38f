"""Campaign questions and joining, answered from the backend's campaign records.

The records carry the terms as amended and a status the backend computes from today's date,
so "can I still join?" is right on any day. Which campaign and which aspect (price, fee,
conditions …) the user means is read from the message text; every sentence is a response of
the domain, filled with the record's data.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Mapping, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import backend_client
from actions.backend_types import Campaign, MeteringPoint, Reason
from actions.forms import FormValidation
from actions.shared import (
    FLOW_SLOTS,
    Wording,
    clear,
    find_campaign,
    fold,
    form_slots,
    match_points,
    point_buttons,
    reverify,
    sl_date,
    start_verification,
    text_of,
    yes_no,
)

ASPECTS = {
    "price": r"\bcen[aeiou]?\b|\bcene\b|\bstan[ea]\b|stal\b|kwh|sm3|€|\beur",
    "fee": r"nadomestil|mesecn",
    "eco": r"\beko\b|popust",
    "conditions": r"pogoj|potrebuj|dokument|\bszp\b|soglasj|izjav|pogodb",
    "source": r"\bvir\b|\bviri?\w*\b|jedrsk|sonc|obnovljiv",
    "who": r"\bkdo\b|sodeluje|gospodinj",
    "period": r"kdaj|konca|traja|\brok|pristop|velja|pridruz",
    "amendments": r"sprememb|podaljs",
}


def is_source_item(row: Mapping[str, Any]) -> bool:
    """The energy-source add-on row of a price list ("Dodatek za izbiro vira energije – …")."""
    return bool(re.search(r"vir\w* energij", fold(str(row["item"]))))


def aspects_of(text: str, campaign: Optional[Mapping[str, Any]] = None) -> List[str]:
    """Which facts the text asks for; the campaign's own name ("… nižja cena …") is not a question."""
    folded = fold(text)
    if campaign:
        folded = folded.replace(fold(str(campaign["name"])), " ")
    return [name for name, pattern in ASPECTS.items() if re.search(pattern, folded)]


class CampaignText:
    """A campaign record in the domain's words."""

    def __init__(self, c: Campaign, wording: Wording) -> None:
        self.c, self.w = c, wording

    def status(self) -> str:
        c = self.c
        name = {"open": "utter_line_campaign_open", "upcoming": "utter_line_campaign_upcoming"}.get(
            c["status"], "utter_line_campaign_closed")
        return self.w.render(name, join_from=sl_date(c["join_from"]), join_to=sl_date(c["join_to"]))

    def items(self, rows: List[Dict[str, Any]]) -> str:
        parts = []
        for r in rows:
            net = self.w.render("utter_line_campaign_item_net", net=r["net"]) if r.get("net") else ""
            parts.append(self.w.render("utter_line_campaign_item", item=r["item"], gross=r.get("gross", ""),
                                       unit=r.get("unit", ""), net=net))
        return "; ".join(parts)

    def aspect(self, aspect: str) -> Optional[str]:
        """One fact group of the campaign, from its record; None when the record has nothing."""
        c, w = self.c, self.w
        if aspect == "overview":
            return c["description"]
        if aspect == "price":
            prices = [p for p in c["prices"] if not is_source_item(p)]
            return w.render("utter_line_campaign_prices", items=self.items(prices)) if prices else None
        if aspect == "fee":
            return w.render("utter_line_campaign_fees", items=self.items(c["fees"])) if c["fees"] else \
                w.render("utter_line_campaign_no_fee")
        if aspect == "eco":
            return "; ".join(
                w.render("utter_line_campaign_discount", item=d["item"], gross=d.get("gross", ""), unit=d.get("unit", ""),
                         condition=f" – {d['condition']}" if d.get("condition") else "")
                for d in c["discounts"]
            ) + "." if c["discounts"] else None
        if aspect == "conditions":
            head = w.render("utter_line_campaign_household") if c["household_only"] else ""
            docs = "; ".join(str(d) for d in c["required_documents"])
            tail = w.render("utter_line_campaign_documents", documents=docs) if docs else \
                " ".join(str(x) for x in c["conditions"][:3])
            return f"{head} {tail}".strip() or None
        if aspect == "source":
            sources = [p for p in c["prices"] if is_source_item(p)]
            if not sources:
                return w.render("utter_line_campaign_no_source")
            return w.render("utter_line_campaign_source", items="; ".join(
                w.render("utter_line_campaign_source_item", source=str(p["item"]).split("–")[-1].strip(),
                         gross=p.get("gross", ""), unit=p.get("unit", ""))
                for p in sources))
        if aspect == "who":
            name = "utter_line_campaign_who" if c["household_only"] else "utter_line_campaign_who_all"
            return w.render(name, energy=w.label("energy", c["energy"]), brand=w.label("brand", c["brand"]))
        if aspect == "period":
            if c.get("prices_valid_note"):
                return c["prices_valid_note"]
            if c.get("prices_valid_from"):
                return w.render("utter_line_campaign_valid", start=sl_date(c["prices_valid_from"]),
                                end=sl_date(c["prices_valid_to"]))
            return None
        if aspect == "amendments":
            if not c["amendments"]:
                return w.render("utter_line_campaign_not_amended")
            return " ".join(
                w.render("utter_line_campaign_amendment", number=a["number"],
                         adopted=w.render("utter_line_campaign_adopted", date=sl_date(a["adopted_on"]))
                         if a.get("adopted_on") else "",
                         changes=" ".join(str(x) for x in a["changes"][:2]))
                for a in c["amendments"]
            )
        return None

    def describe(self, aspects: List[str]) -> str:
        """Name, status for today and the asked-for facts (an overview when nothing specific)."""
        c = self.c
        lines = [self.w.render("utter_line_campaign_head", name=c["name"], brand=self.w.label("brand", c["brand"]),
                               status=self.status())]
        wanted = [a for a in aspects if a != "period"] or ["overview"]
        if aspects == ["period"]:
            wanted = ["period"]
        for aspect in wanted:
            text = self.aspect(aspect)
            if text and text not in lines:
                lines.append(text)
        return "\n".join(lines)


def campaign_button(c: Mapping[str, Any]) -> Dict[str, str]:
    return {"title": str(c["name"]), "payload": f"Akcija {c['name']}"}


def describe(c: Campaign, aspects: List[str], domain: DomainDict, tracker: Optional[Tracker] = None) -> str:
    return CampaignText(c, Wording(domain, tracker)).describe(aspects)


class ActionCampaignInfo(Action):
    """Answers a question about one campaign; asks which one when the text does not say."""

    def name(self) -> str:
        return "action_campaign_info"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        result = await backend_client.campaigns()
        if not result.ok:
            dispatcher.utter_message(response="utter_backend_unavailable")
            return []
        campaigns = list(result.data)
        text = text_of(tracker)
        campaign = find_campaign(text, campaigns)
        if campaign is None and tracker.get_slot("campaign"):
            campaign = next((c for c in campaigns if c["code"] == tracker.get_slot("campaign")), None)
        if campaign is None:
            dispatcher.utter_message(response="utter_which_campaign", buttons=[campaign_button(c) for c in campaigns[:6]])
            return []
        answer = describe(campaign, aspects_of(text, campaign), domain, tracker)
        dispatcher.utter_message(response="utter_campaign", text=answer)
        return [SlotSet("campaign", campaign["code"])]


def open_for_brand(campaigns: List[Campaign], brand: Optional[str]) -> List[Campaign]:
    open_now = [c for c in campaigns if c["status"] == "open"]
    if brand == "butan":
        return [c for c in open_now if c["brand"].startswith("butan")] or open_now
    return open_now


class ActionCampaignList(Action):
    """Lists the campaigns open today (public data, no verification needed)."""

    def name(self) -> str:
        return "action_campaign_list"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        result = await backend_client.campaigns()
        if not result.ok:
            dispatcher.utter_message(response="utter_backend_unavailable")
            return []
        open_now = open_for_brand(list(result.data), tracker.get_slot("brand"))
        if not open_now:
            dispatcher.utter_message(response="utter_campaigns_none_open")
            return []
        w = Wording(domain, tracker)
        lines = "\n".join(
            w.render("utter_line_campaign_listed", name=c["name"], energy=w.label("energy", c["energy"]),
                     join_to=sl_date(c["join_to"]))
            for c in open_now
        )
        dispatcher.utter_message(response="utter_campaigns_open", lines=lines,
                                 buttons=[campaign_button(c) for c in open_now[:5]])
        return []


def reasons_text(reasons: List[Reason], wording: Wording) -> str:
    lines = []
    for r in reasons:
        code = r.get("code", "unknown")
        piece = wording.render(f"utter_line_reason_{code}", join_to=sl_date(r.get("join_to")),
                               join_from=sl_date(r.get("join_from")), other_campaign=r.get("other_campaign", ""))
        lines.append(wording.render("utter_line_reason", reason=piece or wording.render("utter_line_reason_unknown")))
    return "\n".join(lines)


async def campaign_by_code(code: Optional[str]) -> Optional[Campaign]:
    if not code:
        return None
    listing = await backend_client.campaigns()
    return next((c for c in listing.data if c["code"] == code), None) if listing.ok else None


def expired(dispatcher: CollectingDispatcher) -> Dict[str, Any]:
    """The token expired mid-form: end the form; its exit starts the verification again."""
    dispatcher.utter_message(response="utter_verification_expired")
    return {"auth_token": None, "pending_request": "campaign_join_form", **FormValidation.stop()}


class ValidateCampaignJoinForm(FormValidation):
    """Which campaign, which point (eligibility checked by the backend at once), then yes/no."""

    def name(self) -> str:
        return "validate_campaign_join_form"

    async def _candidates(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, campaign: Campaign
    ) -> Optional[List[MeteringPoint]]:
        """The account's points with the campaign's energy; None after saying why there are none."""
        result = await backend_client.metering_points(tracker.get_slot("auth_token"), tracker.sender_id)
        if result.auth_failed:
            return None
        if not result.ok:
            dispatcher.utter_message(response="utter_backend_unavailable")
            return []
        return [p for p in result.data if p["energy"] == campaign["energy"]]

    async def extract_join_campaign(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """On the way in: the campaign the request named ("pristop k akciji Ugodna elektrika")."""
        if tracker.get_slot("join_campaign") or tracker.get_slot("requested_slot") or tracker.get_slot("flow_stopped"):
            return {}
        listing = await backend_client.campaigns()
        if not listing.ok:
            return {}
        found = find_campaign(str(tracker.get_slot("request_text") or ""), list(listing.data))
        if found is None and tracker.get_slot("campaign"):
            found = next((c for c in listing.data if c["code"] == tracker.get_slot("campaign")), None)
        return {"join_campaign": found["code"]} if found else {}

    async def validate_join_campaign(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        listing = await backend_client.campaigns()
        if not listing.ok:
            dispatcher.utter_message(response="utter_backend_unavailable")
            return {"join_campaign": None, **self.stop()}
        campaigns = list(listing.data)
        campaign = next((c for c in campaigns if c["code"] == value), None) or find_campaign(str(value), campaigns)
        if campaign is None:
            return self.not_an_answer("join_campaign", dispatcher, tracker, "utter_campaign_unknown")
        wording = Wording(domain, tracker)
        if campaign["status"] != "open":
            dispatcher.utter_message(response="utter_campaign", text=CampaignText(campaign, wording).describe(["period"]))
            return {"join_campaign": None, "campaign": campaign["code"], **self.stop()}
        return {"join_campaign": campaign["code"], "campaign": campaign["code"]}

    async def extract_join_point(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Before asking: the only point with the campaign's energy is taken (and named)."""
        if (tracker.get_slot("join_point") or tracker.get_slot("requested_slot") == "join_point"
                or not tracker.get_slot("join_campaign") or tracker.get_slot("flow_stopped")):
            return {}
        campaign = await campaign_by_code(tracker.get_slot("join_campaign"))
        if campaign is None:
            return {}
        points = await self._candidates(dispatcher, tracker, campaign)
        if points is None:
            return expired(dispatcher)
        wording = Wording(domain, tracker)
        if not points:
            dispatcher.utter_message(response="utter_join_no_matching_point", campaign=campaign["name"],
                                     energy=wording.label("energy", campaign["energy"]))
            return self.stop()
        if len(points) == 1:
            return {"join_point": points[0]["number"]}
        return {}

    async def validate_join_point(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        campaign = await campaign_by_code(tracker.get_slot("join_campaign"))
        if campaign is None:
            dispatcher.utter_message(response="utter_backend_unavailable")
            return {"join_point": None, **self.stop()}
        points = await self._candidates(dispatcher, tracker, campaign)
        if points is None:
            return {"join_point": None, **expired(dispatcher)}
        found = match_points(str(value), points)
        wording = Wording(domain, tracker)
        if len(found) > 1:
            dispatcher.utter_message(response="utter_point_ambiguous", buttons=point_buttons(found, wording))
            return {"join_point": None}
        if not found:
            return self.not_an_answer("join_point", dispatcher, tracker, "utter_point_unknown")
        point = found[0]
        result = await backend_client.eligibility(
            tracker.get_slot("auth_token"), tracker.sender_id, campaign["code"], point["number"]
        )
        if result.auth_failed:
            return {"join_point": None, **expired(dispatcher)}
        if not result.ok:
            dispatcher.utter_message(response="utter_backend_unavailable")
            return {"join_point": None, **self.stop()}
        e = result.data
        if not e["eligible"]:
            dispatcher.utter_message(response="utter_join_not_eligible", campaign=campaign["name"],
                                     reasons=reasons_text(e["reasons"], wording))
            return {"join_point": None, **self.stop()}
        docs = "; ".join(str(d) for d in e.get("required_documents") or [])
        dispatcher.utter_message(
            response="utter_join_eligible", campaign=campaign["name"],
            start=sl_date(e.get("price_start_date_if_conditions_met_today")),
            documents=wording.render("utter_line_join_documents", documents=docs) if docs else "",
        )
        return {"join_point": point["number"]}

    async def validate_join_confirm(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        answer = yes_no(tracker)
        if answer is None:
            return self.not_an_answer("join_confirm", dispatcher, tracker, "utter_yes_or_no")
        if not answer:
            dispatcher.utter_message(response="utter_join_cancelled")
            return {"join_confirm": False, **self.stop()}
        return {"join_confirm": True}


class ActionAskJoinCampaign(Action):
    """Which campaign: the open ones as buttons."""

    def name(self) -> str:
        return "action_ask_join_campaign"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        listing = await backend_client.campaigns()
        open_now = open_for_brand(list(listing.data), tracker.get_slot("brand")) if listing.ok else []
        dispatcher.utter_message(response="utter_which_join_campaign", buttons=[campaign_button(c) for c in open_now[:5]])
        return []


class ActionAskJoinPoint(Action):
    """Which of the points with the campaign's energy (buttons)."""

    def name(self) -> str:
        return "action_ask_join_point"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        campaign = await campaign_by_code(tracker.get_slot("join_campaign"))
        result = await backend_client.metering_points(tracker.get_slot("auth_token"), tracker.sender_id)
        points = [p for p in result.data if campaign and p["energy"] == campaign["energy"]] if result.ok else []
        dispatcher.utter_message(response="utter_which_join_point", campaign=campaign["name"] if campaign else "",
                                 buttons=point_buttons(points, Wording(domain, tracker)))
        return []


class ActionAskJoinConfirm(Action):
    def name(self) -> str:
        return "action_ask_join_confirm"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        campaign = await campaign_by_code(tracker.get_slot("join_campaign"))
        dispatcher.utter_message(response="utter_join_summary", point=tracker.get_slot("join_point"),
                                 campaign=campaign["name"] if campaign else tracker.get_slot("join_campaign"))
        return []


class ActionJoinCampaign(Action):
    """Joins after the explicit confirmation; the backend's answer is what the user hears."""

    def name(self) -> str:
        return "action_join_campaign"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        done = clear(form_slots(domain, "campaign_join_form") + FLOW_SLOTS)
        if tracker.get_slot("pending_request") and not tracker.get_slot("auth_token"):
            return done + start_verification(str(tracker.get_slot("pending_request")))  # token expired mid-form
        if tracker.get_slot("flow_stopped") or tracker.get_slot("join_confirm") is not True:
            return done
        code, point = str(tracker.get_slot("join_campaign")), str(tracker.get_slot("join_point"))
        campaign = await campaign_by_code(code)
        name = campaign["name"] if campaign else code
        result = await backend_client.join_campaign(tracker.get_slot("auth_token"), tracker.sender_id, code, point)
        wording = Wording(domain, tracker)
        if result.ok:
            e = result.data
            docs = "; ".join(str(d) for d in e.get("required_documents") or [])
            if docs:
                dispatcher.utter_message(response="utter_join_done_documents", point=point, campaign=name, documents=docs)
            else:
                dispatcher.utter_message(response="utter_join_done", point=point, campaign=name,
                                         start=sl_date(e.get("price_start_date")))
        elif result.auth_failed:
            return done + reverify(dispatcher, "campaign_join_form")
        elif result.unavailable:
            dispatcher.utter_message(response="utter_backend_unavailable")
        else:
            reasons = result.extra.get("reasons") or [{"code": result.code or "unknown"}]
            dispatcher.utter_message(response="utter_join_not_saved", reasons=reasons_text(reasons, wording))
        return done
