"""Fallback that also listens to the FAQ response selector.

DIET is confidently sure that a vague message ("portal", "števc") is *some* FAQ
question, while the response selector is not sure *which* one. A wrong but
confident answer is worse than asking "Ste mislili …?", so when the intent is the
retrieval intent and the best FAQ topic's confidence is below `faq_threshold`
(or the two best topics are too close), the message becomes `nlu_fallback`.
"""

from __future__ import annotations

from typing import Any, Dict

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY
from rasa.shared.nlu.training_data.message import Message

RETRIEVAL_INTENT = "faq"


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
