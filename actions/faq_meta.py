"""What the assistant knows about its FAQ topics, read from the domain Rasa sends.

Each FAQ topic file (data/faq_sl/<topic>.yml) gives its answer variation a
`metadata.title`: a short Slovene name of the topic, used for "Ste mislili …?"
buttons. Reading it from the domain keeps the action server free of file I/O and
lets an editor add a topic without touching code.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

FAQ_PREFIX = "faq/"

# Titles for the non-FAQ intents a "Ste mislili …?" question may offer.
INTENT_TITLES: Dict[str, str] = {
    "human_handoff": "Pogovor s svetovalcem",
    "greet": "Pozdrav",
    "goodbye": "Zaključek pogovora",
    "thanks": "Zahvala",
    "bot_challenge": "Ali sem robot?",
    # self-service in the chat: a question like "kako oddam števčno stanje" can mean the
    # portal's steps (an FAQ topic) or doing it here, so both must be on offer
    "submit_reading": "Oddaja stanja števca tukaj v klepetu",
    "list_readings": "Pregled oddanih stanj",
    "invoices": "Moji računi",
    "invoice_pdf": "Račun v PDF",
    "consumption": "Moja poraba",
    "verify": "Preverjanje identitete",
    "complaint": "Pritožba",
    "campaign_list": "Aktualne akcije",
}


def topic_of(latest_message: Dict[str, Any]) -> Optional[str]:
    """The FAQ topic ("register") the response selector chose for a message, if any."""
    selector = (latest_message.get("response_selector") or {}).get("faq") or {}
    key = (selector.get("response") or {}).get("intent_response_key") or ""
    return key[len(FAQ_PREFIX):] if key.startswith(FAQ_PREFIX) else None


def topic_title(domain: Dict[str, Any], topic: str) -> Optional[str]:
    """The editor-given title of an FAQ topic, from the domain's response metadata."""
    for variation in (domain.get("responses") or {}).get(f"utter_{FAQ_PREFIX}{topic}", []):
        title = (variation.get("metadata") or {}).get("title")
        if title:
            return str(title)
    return None


def ranked_topics(latest_message: Dict[str, Any], limit: int) -> List[str]:
    """The response selector's best FAQ topics for a message, best first."""
    selector = (latest_message.get("response_selector") or {}).get("faq") or {}
    topics = []
    for entry in selector.get("ranking") or []:
        key = entry.get("intent_response_key") or ""
        if key.startswith(FAQ_PREFIX):
            topics.append(key[len(FAQ_PREFIX):])
    return topics[:limit]
