"""Campaign questions, answered from the backend's campaign records.

The records carry the terms as amended and a status the backend computes from
today's date, so "can I still join?" is right on any day. Which campaign and which
aspect (price, fee, conditions …) the user means is read from the message text.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import backend_client
from actions.formatting import fold, sl_date
from actions.readings import point_label
from actions.verification import reverify

BRANDS = {"gen-i": "GEN-I", "butan": "Butan plin", "butan-plin": "Butan plin"}
ENERGIES = {"elektrika": "elektrika", "zemeljski_plin": "zemeljski plin", "unp": "utekočinjeni naftni plin"}

# Extra names people use for the seed campaigns (matched on folded text).
ALIASES = {
    "99-99-nizja-cena-elektrike-do-samooskrbe": r"99\s*[,.]?\s*99|samooskrb",
    "poceni-plin-jesen-2016-2": r"poceni\s*plin|jesen\s*2016|2016",
}

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


def is_source_item(row: Dict[str, Any]) -> bool:
    """The energy-source add-on row of a price list ("Dodatek za izbiro vira energije – …")."""
    return bool(re.search(r"vir\w* energij", fold(row["item"])))


def find_campaign(text: str, campaigns: List[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """The campaign the text names: seed aliases first, then most name words matched."""
    folded = fold(text)
    for campaign in campaigns:
        alias = ALIASES.get(campaign["code"])
        if alias and re.search(alias, folded):
            return campaign
    words = set(re.findall(r"\w+", folded))
    best, best_score = None, 0.0
    for campaign in campaigns:
        name_words = [w for w in re.findall(r"[a-z]+", fold(campaign["name"])) if len(w) >= 4]
        if not name_words:
            continue
        hits = sum(1 for w in name_words if any(x.startswith(w[:5]) for x in words))
        score = hits / len(name_words)
        if hits and score > best_score:
            best, best_score = campaign, score
    return best if best_score >= 0.5 else None


def aspects_of(text: str, campaign: Optional[Dict[str, Any]] = None) -> List[str]:
    """Which facts the text asks for; the campaign's own name ("… nižja cena …") is not a question."""
    folded = fold(text)
    if campaign:
        folded = folded.replace(fold(campaign["name"]), " ")
    return [name for name, pattern in ASPECTS.items() if re.search(pattern, folded)]


def status_line(c: Dict[str, Any]) -> str:
    period = f"od {sl_date(c['join_from'])} do {sl_date(c['join_to'])}"
    if c["status"] == "open":
        return f"K akciji lahko pristopite do vključno {sl_date(c['join_to'])}."
    if c["status"] == "upcoming":
        return f"Pristop bo mogoč {period}."
    return f"Pristop je bil mogoč {period}, zato danes k akciji ni več mogoče pristopiti."


def _items(rows: List[Dict[str, Any]]) -> str:
    parts = []
    for r in rows:
        gross = f"{r['gross']} {r['unit']} z DDV" if r.get("gross") else ""
        net = f" ({r['net']} brez DDV)" if r.get("net") else ""
        parts.append(f"{r['item']}: {gross}{net}".strip())
    return "; ".join(parts)


def aspect_text(c: Dict[str, Any], aspect: str) -> Optional[str]:
    """One fact group of a campaign, from its record; None when the record has nothing."""
    if aspect == "price":
        prices = [p for p in c["prices"] if not is_source_item(p)]
        return f"Akcijske cene: {_items(prices)}." if prices else None
    if aspect == "fee":
        return f"Nadomestila: {_items(c['fees'])}." if c["fees"] else "Akcija mesečnega nadomestila ne določa."
    if aspect == "eco":
        if not c["discounts"]:
            return None
        return "; ".join(
            f"{d['item']}: {d['gross']} {d['unit']} – {d.get('condition', '')}".rstrip(" –") for d in c["discounts"]
        ) + "."
    if aspect == "conditions":
        docs = "; ".join(c["required_documents"])
        head = "Le za gospodinjske odjemalce. " if c["household_only"] else ""
        return f"{head}Potrebni dokumenti: {docs}." if docs else head + " ".join(c["conditions"][:3])
    if aspect == "source":
        sources = [p for p in c["prices"] if is_source_item(p)]
        if not sources:
            return "Pogoji te akcije vira energije ne določajo."
        return "Vir energije: " + "; ".join(
            f"{p['item'].split('–')[-1].strip()} (dodatek {p['gross']} {p['unit']})" for p in sources
        ) + "."
    if aspect == "who":
        who = "Sodelujejo lahko le gospodinjski odjemalci" if c["household_only"] else "Sodelujejo lahko kupci"
        return f"{who} ({ENERGIES.get(c['energy'], c['energy'])}, {BRANDS.get(c['brand'], c['brand'])})."
    if aspect == "period":
        note = c.get("prices_valid_note")
        return note or (
            f"Akcijske cene veljajo od {sl_date(c['prices_valid_from'])} do {sl_date(c['prices_valid_to'])}."
            if c.get("prices_valid_from") else None
        )
    if aspect == "amendments":
        if not c["amendments"]:
            return "Pogoji akcije niso bili spremenjeni."
        return " ".join(
            f"Sprememba št. {a['number']}"
            + (f" ({sl_date(a['adopted_on'])})" if a.get("adopted_on") else "")
            + ": " + " ".join(a["changes"][:2])
            for a in c["amendments"]
        )
    return None


def describe(c: Dict[str, Any], aspects: List[str]) -> str:
    """Name, status for today and the asked-for facts (an overview when nothing specific)."""
    lines = [f"Akcija »{c['name']}« ({BRANDS.get(c['brand'], c['brand'])}): {status_line(c)}"]
    wanted = [a for a in aspects if a != "period"] or ["overview"]
    if "period" in aspects and len(aspects) == 1:
        wanted = ["period"]
    for aspect in wanted:
        text = c["description"] if aspect == "overview" else aspect_text(c, aspect)
        if text and text not in lines:
            lines.append(text)
    return "\n".join(lines)


def campaign_button(c: Dict[str, Any]) -> Dict[str, str]:
    return {"title": c["name"], "payload": f"Akcija {c['name']}"}


class ActionCampaignInfo(Action):
    """Answers a question about one campaign; asks which one when the text does not say."""

    def name(self) -> str:
        return "action_campaign_info"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        result = await backend_client.campaigns()
        if not result.ok:
            dispatcher.utter_message(response="utter_backend_unavailable")
            return []
        campaigns: List[Dict[str, Any]] = result.data
        text = tracker.latest_message.get("text") or ""
        campaign = find_campaign(text, campaigns)
        if campaign is None and tracker.get_slot("campaign"):
            campaign = next((c for c in campaigns if c["code"] == tracker.get_slot("campaign")), None)
        if campaign is None:
            dispatcher.utter_message(
                response="utter_which_campaign", buttons=[campaign_button(c) for c in campaigns[:6]]
            )
            return []
        dispatcher.utter_message(text=describe(campaign, aspects_of(text, campaign)))
        return [SlotSet("campaign", campaign["code"])]


class ActionCampaignList(Action):
    """Lists the campaigns open today (public data, no verification needed)."""

    def name(self) -> str:
        return "action_campaign_list"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        result = await backend_client.campaigns()
        if not result.ok:
            dispatcher.utter_message(response="utter_backend_unavailable")
            return []
        open_now = [c for c in result.data if c["status"] == "open"]
        brand = tracker.get_slot("brand")
        if brand == "butan":
            open_now = [c for c in open_now if c["brand"].startswith("butan")] or open_now
        if not open_now:
            dispatcher.utter_message(text="Trenutno ni odprtih akcij. Preverite znova čez nekaj časa.")
            return []
        lines = ["Trenutno odprte akcije:"] + [
            f"• {c['name']} ({ENERGIES.get(c['energy'], c['energy'])}), pristop do {sl_date(c['join_to'])}"
            for c in open_now
        ]
        dispatcher.utter_message(text="\n".join(lines), buttons=[campaign_button(c) for c in open_now[:5]])
        return []


class ActionAskJoinPoint(Action):
    """Which metering point joins (buttons); the campaign comes from the conversation."""

    def name(self) -> str:
        return "action_ask_join_point"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        result = await backend_client.metering_points(tracker.get_slot("auth_token"), tracker.sender_id)
        if result.auth_failed:
            return reverify(dispatcher, "campaign_join_form")
        if not result.ok:
            dispatcher.utter_message(response="utter_backend_unavailable")
            return [ActiveLoop(None), SlotSet("requested_slot", None)]
        if not result.data:
            dispatcher.utter_message(text="Na vaš račun ni povezano nobeno merilno mesto.")
            return [ActiveLoop(None), SlotSet("requested_slot", None)]
        dispatcher.utter_message(
            text="S katerim merilnim mestom želite pristopiti k akciji?",
            buttons=[{"title": point_label(p), "payload": p["number"]} for p in result.data],
        )
        return []


class ValidateCampaignJoinForm(FormValidationAction):
    """Finds the campaign, then asks the backend about eligibility before the user confirms."""

    def name(self) -> str:
        return "validate_campaign_join_form"

    async def validate_join_point(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        if value is None:  # cleared by a previous step, nothing typed yet
            return {"join_point": None}
        listing = await backend_client.campaigns()
        if not listing.ok:
            dispatcher.utter_message(response="utter_backend_unavailable")
            return {"requested_slot": None, "join_point": None, "join_confirm": False}
        code = tracker.get_slot("campaign")
        campaign = next((c for c in listing.data if c["code"] == code), None)
        if campaign is None:
            open_now = [c for c in listing.data if c["status"] == "open"]
            dispatcher.utter_message(
                text="Katero akcijo imate v mislih? Napišite njeno ime.",
                buttons=[campaign_button(c) for c in open_now[:5]],
            )
            return {"requested_slot": None, "join_point": None, "join_confirm": False}
        point = str(value or "").strip()
        result = await backend_client.eligibility(
            tracker.get_slot("auth_token"), tracker.sender_id, campaign["code"], point
        )
        if result.status == 404:
            dispatcher.utter_message(text="Tega merilnega mesta ne najdem med vašimi. Izberite ga z gumbom.")
            return {"join_point": None}
        if not result.ok:
            dispatcher.utter_message(
                text=result.message if result.message else "Oprostite, sistem je trenutno nedosegljiv."
            )
            return {"requested_slot": None, "join_point": None, "join_confirm": False}
        e = result.data
        if not e["eligible"]:
            reasons = "\n".join(f"• {r['message']}" for r in e["reasons"])
            dispatcher.utter_message(text=f"K akciji »{campaign['name']}« žal ne morete pristopiti:\n{reasons}")
            return {"requested_slot": None, "join_point": None, "join_confirm": False, "campaign": campaign["code"]}
        docs = "; ".join(e.get("required_documents") or [])
        start = sl_date(e.get("price_start_date_if_conditions_met_today"))
        dispatcher.utter_message(
            text=f"Izpolnjujete pogoje za akcijo »{campaign['name']}«. Akcijske cene bi veljale od {start}."
            + (f" Potrebni dokumenti: {docs}." if docs else "")
        )
        return {"join_point": point, "campaign": campaign["code"]}


class ActionAskJoinConfirm(Action):
    def name(self) -> str:
        return "action_ask_join_confirm"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        dispatcher.utter_message(
            text=f"Potrdite pristop merilnega mesta {tracker.get_slot('join_point')} k akciji?",
            buttons=[{"title": "Da, pristopam", "payload": "/affirm"}, {"title": "Ne", "payload": "/deny"}],
        )
        return []


class ActionJoinCampaign(Action):
    """Joins after the explicit confirmation; the backend's answer is what the user hears."""

    def name(self) -> str:
        return "action_join_campaign"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        done: List[EventType] = [SlotSet("join_point", None), SlotSet("join_confirm", None)]
        if tracker.get_slot("join_confirm") is not True or not tracker.get_slot("join_point"):
            if tracker.get_slot("join_confirm") is False and tracker.get_slot("join_point"):
                dispatcher.utter_message(response="utter_cancelled")
            return done
        result = await backend_client.join_campaign(
            tracker.get_slot("auth_token"), tracker.sender_id, tracker.get_slot("campaign"),
            tracker.get_slot("join_point"),
        )
        if result.ok:
            e = result.data
            start = f" Akcijske cene veljajo od {sl_date(e['price_start_date'])}." if e.get("price_start_date") else ""
            docs = "; ".join(e.get("required_documents") or [])
            dispatcher.utter_message(
                text=f"{e.get('message') or 'Pristop k akciji je zabeležen.'}{start}"
                + (f" Dostavite še: {docs}." if docs else "")
            )
        elif result.auth_failed:
            return done + reverify(dispatcher, "campaign_join_form")
        elif result.unavailable:
            dispatcher.utter_message(response="utter_backend_unavailable")
        else:
            dispatcher.utter_message(text=f"Pristop ni bil zabeležen: {result.message}")
        return done
