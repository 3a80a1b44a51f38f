"""What every action module shares: text folding, Slovene dates and amounts, yes/no answers,
picking a metering point or a campaign from what the user typed, and the wording from the
domain. A leaf module: no I/O and no imports from other action modules, so nothing can cycle.
"""

from __future__ import annotations

import os
import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, TypeVar, Union
from zoneinfo import ZoneInfo

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

TZ = ZoneInfo("Europe/Ljubljana")
VERIFY_SLOTS = ["verify_identifier", "verify_code"]
AUTH_SLOTS = ["auth_token", "customer_masked"]
# Slots that steer a flow but are no form question: cleared whenever a flow starts afresh.
FLOW_SLOTS = ["flow_stopped", "reading_outside_window", "reading_high"]


# --- text -----------------------------------------------------------------------------------
def fold(text: str) -> str:
    """Lower-case without diacritics, for matching what people type (č -> c, š -> s, ž -> z)."""
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c))


def words(text: str) -> List[str]:
    return re.findall(r"\w+", fold(text))


# --- dates and amounts ------------------------------------------------------------------------
def today() -> date:
    """The local calendar date (Ljubljana), which is what the user means by "danes".

    BACKEND_FAKE_TODAY (demos, e2e tests) pins it to the backend's pinned day, so the chat and
    the backend agree on "today" (the reading window, a reply to a reminder).
    """
    fake = os.getenv("BACKEND_FAKE_TODAY", "").strip()
    if fake:
        try:
            return date.fromisoformat(fake)
        except ValueError:
            pass
    return datetime.now(TZ).date()


def sl_date(value: Union[str, date, None]) -> str:
    """2026-06-30 -> "30. 6. 2026" (Slovene style)."""
    if value is None:
        return "—"
    d = date.fromisoformat(str(value)[:10]) if not isinstance(value, date) else value
    return f"{d.day}. {d.month}. {d.year}"


def sl_amount(value: Union[str, float, int, Decimal, None]) -> str:
    """12.5 -> "12,50 €"; 1234.5 -> "1.234,50 €"."""
    if value is None:
        return "—"
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return f"{number:,.2f} €".replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")


def parse_date(text: str, base: Optional[date] = None) -> Optional[date]:
    """ "danes", "včeraj", "predvčerajšnjim", "20. 11.", "20.11.2026", "2026-11-20" -> date."""
    base = base or today()
    t = fold(text).strip().rstrip(".")
    t = re.sub(r"\s+(zjutraj|dopoldne|popoldne|zvecer|ponoci)$", "", t)
    if t in ("danes", "today", "zdaj", "sedaj", "ravnokar", "pravkar"):
        return base
    if t in ("vceraj", "vcer"):
        return base - timedelta(days=1)
    if t in ("predvcerajsnjim", "predvceraj"):
        return base - timedelta(days=2)
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", t)
    if m:
        y, mo, d = map(int, m.groups())
    else:
        m = re.fullmatch(r"(\d{1,2})\s*\.\s*(\d{1,2})\s*\.?\s*(\d{4})?", t)
        if not m:
            return None
        d, mo = int(m.group(1)), int(m.group(2))
        y = int(m.group(3)) if m.group(3) else base.year
    try:
        return date(y, mo, d)
    except ValueError:
        return None


# --- what the user just said --------------------------------------------------------------------
def intent_of(tracker: Tracker) -> str:
    return str((tracker.latest_message.get("intent") or {}).get("name") or "")


def confidence_of(tracker: Tracker) -> float:
    return float((tracker.latest_message.get("intent") or {}).get("confidence") or 0.0)


def text_of(tracker: Tracker) -> str:
    return str(tracker.latest_message.get("text") or "")


YES_WORDS = {"da", "ja", "jap", "ok", "okej", "okay", "seveda", "vsekakor", "lahko", "prav", "velja",
             "potrjujem", "potrdi", "potrdim", "drzi", "tocno", "pravilno", "posli", "poslji", "shrani",
             "shranite", "posljite", "pristopam", "pristopi", "yes", "jasno", "itak", "sure"}
NO_WORDS = {"ne", "nee", "nikar", "nikakor", "ni", "nocem", "no", "napacno", "narobe", "popravil",
            "popravila", "popravim", "preklici", "stop"}


def yes_no(tracker: Tracker) -> Optional[bool]:
    """The answer to a yes/no question: a clicked Da/Ne, or the first word ("ja, kot lastno
    evidenco prosim", "ne, popravil bom"); None when it is neither."""
    intent = intent_of(tracker)
    text = text_of(tracker).strip()
    if text.startswith("/"):  # a button payload
        return {"affirm": True, "deny": False}.get(intent)
    tokens = words(text)
    if tokens:
        if tokens[0] in YES_WORDS and len(tokens) > 1 and tokens[1] in NO_WORDS:
            return None  # "ja ne": asked again rather than guessed
        if tokens[0] in YES_WORDS:
            return True
        if tokens[0] in NO_WORDS:
            return False
    if intent in ("affirm", "deny") and confidence_of(tracker) >= 0.6:
        return intent == "affirm"
    return None


def asked_before(tracker: Tracker, slot: str, form: str) -> bool:
    """Whether `form` already asked for `slot` before the user's latest message (then a short re-ask).

    The form runs its ask actions itself, so they leave no action event: what remains is the
    `requested_slot` the form set when it asked.
    """
    spoke = False
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            spoke = True
        elif spoke and kind == "slot" and event.get("name") == "requested_slot" and event.get("value") == slot:
            return True
        elif kind == "active_loop" and event.get("name") == form:
            return False
    return False


# --- events ---------------------------------------------------------------------------------------
def clear(names: Iterable[str]) -> List[EventType]:
    return [SlotSet(name, None) for name in names]


def form_slots(domain: Mapping[str, Any], form: str) -> List[str]:
    """A form's questions, as the domain lists them (one place to add a question)."""
    return list(((domain.get("forms") or {}).get(form) or {}).get("required_slots") or [])


def start_verification(target: str, request_text: str = "") -> List[EventType]:
    """Remember what the user wanted (and how they said it), forget any old token, ask who they are."""
    return [
        SlotSet("pending_request", target),
        SlotSet("request_text", request_text[:300] or None),
        *clear(AUTH_SLOTS + VERIFY_SLOTS + FLOW_SLOTS),
        FollowupAction("verify_form"),
    ]


def reverify(dispatcher: CollectingDispatcher, target: str) -> List[EventType]:
    """The backend no longer accepts the token (expired): verify again, then continue."""
    dispatcher.utter_message(response="utter_verification_expired")
    return start_verification(target)


# --- wording (domain.yml owns every sentence) ------------------------------------------------------
class _Keep(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class Wording:
    """Pieces of sentences from the domain's responses, for the lists an action composes.

    The variation whose conditions match the conversation's slots (brand = butan) wins, as in
    Rasa's own response selection; `utter_labels` holds names (energies, invoice kinds …).
    """

    def __init__(self, domain: Mapping[str, Any], tracker: Optional[Tracker] = None) -> None:
        self.responses: Mapping[str, Any] = domain.get("responses") or {}
        self.slots: Dict[str, Any] = dict(tracker.slots) if tracker is not None else {}

    def _variation(self, name: str) -> Dict[str, Any]:
        variations = self.responses.get(name) or []
        fallback: Dict[str, Any] = {}
        for v in variations:
            conditions = v.get("condition") or []
            if not conditions:
                fallback = fallback or v
            elif all(self.slots.get(c.get("name")) == c.get("value") for c in conditions):
                return dict(v)
        return fallback

    def render(self, response: str, /, **values: Any) -> str:
        """The response's text with the values filled in (missing ones stay visible as {name})."""
        text = str(self._variation(response).get("text") or "")
        return text.format_map(_Keep({k: "" if v is None else v for k, v in values.items()}))

    def label(self, group: str, key: Optional[str] = None) -> str:
        labels = (self._variation("utter_labels").get("custom") or {}).get(group)
        if key is None:
            return str(labels or "")
        return str((labels or {}).get(key, key))


def point_name(p: Mapping[str, Any], wording: Wording) -> str:
    """ "Vikend – SI-E-100010 (elektrika)": what the user recognises a point by."""
    name = f"{p['nickname']} – " if p.get("nickname") else ""
    return f"{name}{p['number']} ({wording.label('energy', p['energy'])})"


def point_buttons(points: Sequence[Mapping[str, Any]], wording: Wording) -> List[Dict[str, str]]:
    return [{"title": point_name(p, wording), "payload": str(p["number"])} for p in points]


# What people call each energy ("plin" is both natural gas and LPG; an account has one of them).
ENERGY_WORDS = {
    "elektrika": r"elektri|\btok\w*|\bvt\b|\bmt\b",
    "zemeljski_plin": r"zemeljsk|\bplin\w*|plinomer",
    "unp": r"\bunp\b|utekocinj|\bplin\w*|plinohram|butan",
}
P = TypeVar("P", bound=Mapping[str, Any])


def match_points(text: str, points: Sequence[P]) -> List[P]:
    """The points the text names: by number (or its last digits), nickname, or energy."""
    folded = fold(text).strip()
    if not folded:
        return []
    compact = re.sub(r"[\s\-]", "", folded)
    by_number = [p for p in points if re.sub(r"-", "", fold(str(p["number"]))) == compact]
    if by_number:
        return by_number
    digits = re.sub(r"\D", "", folded)
    if len(digits) >= 4:
        by_digits = [p for p in points if re.sub(r"\D", "", str(p["number"])).endswith(digits)]
        if by_digits:
            return by_digits
    tokens = set(words(text))
    by_name = [p for p in points if p.get("nickname") and set(words(str(p["nickname"]))) <= tokens]
    if by_name:
        return by_name
    return [p for p in points if re.search(ENERGY_WORDS.get(str(p["energy"]), r"^$"), folded)]


# --- campaigns ----------------------------------------------------------------------------------------
# Extra names people use for the seed campaigns (matched on folded text).
CAMPAIGN_ALIASES = {
    "99-99-nizja-cena-elektrike-do-samooskrbe": r"99\s*[,.]?\s*99|samooskrb",
    "poceni-plin-jesen-2016-2": r"poceni\s*plin|jesen\s*2016|2016",
}
C = TypeVar("C", bound=Mapping[str, Any])


def find_campaign(text: str, campaigns: Sequence[C]) -> Optional[C]:
    """The campaign the text names: seed aliases first, then most name words matched."""
    folded = fold(text)
    for campaign in campaigns:
        alias = CAMPAIGN_ALIASES.get(str(campaign["code"]))
        if alias and re.search(alias, folded):
            return campaign
    typed = set(re.findall(r"\w+", folded))
    best, best_score = None, 0.0
    for campaign in campaigns:
        name_words = [w for w in re.findall(r"[a-z]+", fold(str(campaign["name"]))) if len(w) >= 4]
        if not name_words:
            continue
        hits = sum(1 for w in name_words if any(x.startswith(w[:5]) for x in typed))
        score = hits / len(name_words)
        if hits and score > best_score:
            best, best_score = campaign, score
    return best if best_score >= 0.5 else None
