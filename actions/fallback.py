""""Ste mislili …?": the first stage of the two-stage fallback, in Slovene.

Rasa's default asks "Did you mean 'faq'?". This one offers the best FAQ topics by
their readable titles. Each button's payload is the title itself, so a click is a
normal message that the model classifies again, never a typed `/intent` command.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.faq_meta import INTENT_TITLES, ranked_topics, topic_title

MAX_SUGGESTIONS = 3


class ActionDefaultAskAffirmation(Action):
    """Asks which topic the user meant, with up to three buttons and "Nič od tega"."""

    def name(self) -> str:
        return "action_default_ask_affirmation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        message = tracker.latest_message or {}
        titles: List[str] = []
        for intent in message.get("intent_ranking") or []:
            name = intent.get("name")
            if name == "faq":
                for topic in ranked_topics(message, MAX_SUGGESTIONS):
                    title = topic_title(domain, topic)
                    if title and title not in titles:
                        titles.append(title)
            elif name in INTENT_TITLES and INTENT_TITLES[name] not in titles:
                titles.append(INTENT_TITLES[name])
            if len(titles) >= MAX_SUGGESTIONS:
                break
        if not titles:
            dispatcher.utter_message(response="utter_ask_rephrase")
            return []
        buttons = [{"title": t, "payload": t} for t in titles[:MAX_SUGGESTIONS]]
        # Rasa's two-stage fallback reads out_of_scope as "none of these": it then asks to rephrase
        buttons.append({"title": "Nič od tega", "payload": "/out_of_scope"})
        dispatcher.utter_message(response="utter_did_you_mean", buttons=buttons)
        return []
