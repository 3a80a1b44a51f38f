"""What the assistant knows about its FAQ topics, read from the message and the domain Rasa sends.

Each FAQ topic file (data/faq_sl/<topic>.yml) gives its answer variation a `metadata.title`:
a short Slovene name of the topic, used for "Ste mislili …?" buttons. Titles of the other
intents are in the domain's `utter_labels` (intent_title). Reading both from the domain keeps
the wording in one place and lets an editor add a topic without touching code.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional

FAQ_PREFIX = "faq/"
# the response selector must be at least this sure before an FAQ answer is given inside a form
# (the same bar as the NLU gate's faq_threshold in config.yml)
ANSWER_CONFIDENCE = 0.5


def _ranking(latest_message: Mapping[str, Any]) -> List[Dict[str, Any]]:
    selector = (latest_message.get("response_selector") or {}).get("faq") or {}
    return list(selector.get("ranking") or [])


def topic_of(latest_message: Mapping[str, Any]) -> Optional[str]:
    """The FAQ topic ("register") the response selector chose for a message, if any."""
    selector = (latest_message.get("response_selector") or {}).get("faq") or {}
    key = (selector.get("response") or {}).get("intent_response_key") or ""
    return key[len(FAQ_PREFIX):] if key.startswith(FAQ_PREFIX) else None


def answerable_topic(latest_message: Mapping[str, Any]) -> Optional[str]:
    """The best FAQ topic when the selector is sure enough to answer with it."""
    ranking = _ranking(latest_message)
    if not ranking or float(ranking[0].get("confidence") or 0.0) < ANSWER_CONFIDENCE:
        return None
    key = str(ranking[0].get("intent_response_key") or "")
    return key[len(FAQ_PREFIX):] if key.startswith(FAQ_PREFIX) else None


def topic_title(domain: Mapping[str, Any], topic: str) -> Optional[str]:
    """The editor-given title of an FAQ topic, from the domain's response metadata."""
    for variation in (domain.get("responses") or {}).get(f"utter_{FAQ_PREFIX}{topic}", []):
        title = (variation.get("metadata") or {}).get("title")
        if title:
            return str(title)
    return None


def intent_titles(domain: Mapping[str, Any]) -> Dict[str, str]:
    """Slovene button titles of the non-FAQ intents a "Ste mislili …?" question may offer."""
    for variation in (domain.get("responses") or {}).get("utter_labels", []):
        titles = (variation.get("custom") or {}).get("intent_title")
        if titles:
            return {str(k): str(v) for k, v in titles.items()}
    return {}


def ranked_topics(latest_message: Mapping[str, Any], limit: int) -> List[str]:
    """The response selector's best FAQ topics for a message, best first."""
    topics = []
    for entry in _ranking(latest_message):
        key = entry.get("intent_response_key") or ""
        if key.startswith(FAQ_PREFIX):
            topics.append(key[len(FAQ_PREFIX):])
    return topics[:limit]
