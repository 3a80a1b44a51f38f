"""Which portal the user means: GEN-I (Moj GEN-I) or Butan plin (Moj Butan plin).

A fixed pattern list, not a learned extractor: brand names are a closed set and
must be caught even in a one-word message, with or without diacritics or dashes.
The entity value is canonical ("geni" / "butan") so that the `brand` slot and the
conditional response variations can compare it directly.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.slovene import fold

BRAND_PATTERNS: Dict[str, re.Pattern[str]] = {
    "butan": re.compile(r"\bbutan\w*(\s*-?\s*plin\w*)?"),
    "geni": re.compile(r"\bgen\s?-?\s?i\b"),
}


def find_brands(text: str) -> List[Dict[str, Any]]:
    """Brand mentions in `text` as Rasa entity dicts (offsets into the original text)."""
    folded = fold(text)
    found = []
    for value, pattern in BRAND_PATTERNS.items():
        for match in pattern.finditer(folded):
            found.append(
                {
                    "entity": "brand",
                    "start": match.start(),
                    "end": match.end(),
                    "value": value,
                    "confidence_entity": 1.0,
                }
            )
    return sorted(found, key=lambda e: e["start"])


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class BrandEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Adds a `brand` entity for every brand name in the user's message."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """No options: the pattern list is the configuration."""
        return {}

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> BrandEntityExtractor:
        """Stateless: nothing to load."""
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        """Appends brand entities to whatever other extractors found."""
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str):
                continue
            entities = self.add_extractor_name(find_brands(text))
            message.set(ENTITIES, message.get(ENTITIES, []) + entities, add_to_output=True)
        return messages
