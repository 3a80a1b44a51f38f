"""Fallback that also listens to the FAQ response selector, and does not let a greeting in front
of a request hide the request.

DIET is confidently sure that a vague message ("portal", "števc") is *some* FAQ
question, while the response selector is not sure *which* one. A wrong but
confident answer is worse than asking "Ste mislili …?", so when the intent is the
retrieval intent and the best FAQ topic's confidence is below `faq_threshold`
(or the two best topics are too close), the message becomes `nlu_fallback`.

"Pozdravljeni, rada bi pogledala račune za butan plin" can score highest as `greet`, because
the greeting is the clearest part of it. A greeting followed by a request of three or more words
is the request: `greet` leaves the ranking, the rest is renormalised, and the usual thresholds
decide (the request, or "Ste mislili …?" when it is unclear).
"""

from __future__ import annotations

import re
from typing import Any, Dict, List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.slovene import fold

RETRIEVAL_INTENT = "faq"
GREETING = re.compile(
    r"^\W*(dober\s+(dan|vecer|jutro)|lep\s+(pozdrav|dan)|pozdravljen\w*|pozdrav\w*|zdravo|zivjo|zivijo|hej|"
    r"hojla|halo|hello|hi|o+j+)\b[\s,.!;:-]*"
)


def request_after_greeting(text: str) -> bool:
    """A greeting and then at least three more words: the words are the message."""
    folded = fold(text)
    match = GREETING.match(folded)
    return match is not None and len(re.findall(r"\w+", folded[match.end():])) >= 3


def without_greet(message: Message) -> None:
    """Drop `greet` from the intent ranking and renormalise what is left."""
    ranking = [dict(r) for r in message.get("intent_ranking") or [] if r.get(INTENT_NAME_KEY) != "greet"]
    total = sum(float(r.get(PREDICTED_CONFIDENCE_KEY) or 0.0) for r in ranking)
    if not ranking or total <= 0:
        return
    for r in ranking:
        r[PREDICTED_CONFIDENCE_KEY] = float(r.get(PREDICTED_CONFIDENCE_KEY) or 0.0) / total
    message.set("intent_ranking", ranking, add_to_output=True)
    message.set(INTENT, dict(ranking[0]), add_to_output=True)


def best_two_faq_confidences(message: Message) -> tuple[float, float]:
    """Confidences of the two best FAQ topics (0.0 where missing)."""
    selector = (message.get("response_selector") or {}).get(RETRIEVAL_INTENT) or {}
    ranking = [float(r.get("confidence", 0.0)) for r in selector.get("ranking") or []]
    ranking += [0.0, 0.0]
    return ranking[0], ranking[1]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class FaqAwareFallbackClassifier(FallbackClassifier):
    """Rasa's FallbackClassifier plus a threshold on the FAQ topic confidence."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """Adds `faq_threshold` and `faq_ambiguity_threshold` to Rasa's options."""
        return {
            **FallbackClassifier.get_default_config(),
            "faq_threshold": 0.5,
            "faq_ambiguity_threshold": 0.1,
        }

    def process(self, messages: List[Message]) -> List[Message]:
        """A greeting in front of a request steps aside before the fallback thresholds apply."""
        for message in messages:
            intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            if intent == "greet" and request_after_greeting(str(message.get(TEXT) or "")):
                without_greet(message)
        return super().process(messages)

    def _should_fallback(self, message: Message) -> bool:
        if super()._should_fallback(message):
            return True
        if (message.get(INTENT) or {}).get(INTENT_NAME_KEY) != RETRIEVAL_INTENT:
            return False
        first, second = best_two_faq_confidences(message)
        return (
            first < self.component_config["faq_threshold"]
            or first - second < self.component_config["faq_ambiguity_threshold"]
        )
