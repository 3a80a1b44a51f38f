"""Slovene tokens and lemmas for the Rasa pipeline.

People type Slovene without č/š/ž, with typos and in many inflected forms. The
tokenizer therefore gives every token two normalised views that the standard
CountVectorsFeaturizers consume:

* ``token.text``  - lower-cased and folded (č→c, š→s, ž→z), same length as the
  original so that character offsets stay valid; char n-grams are built on it.
* ``token.lemma`` - lemmagen3's Slovene lemma of the word, folded the same way;
  word features are built on it, so "računa", "računov" and "racun" meet.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any, Dict, List, Optional

import lemmagen3
import spacy
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message


def fold_char(char: str) -> str:
    """One character without its diacritic; keeps length 1 so offsets stay valid."""
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    return base if len(base) == 1 else char


def fold(text: str) -> str:
    """Lower-case and strip diacritics: "Števčno" -> "stevcno", same length."""
    return "".join(fold_char(c) for c in text.lower())


@lru_cache(maxsize=1)
def _lemmatizer() -> lemmagen3.Lemmatizer:
    # The Slovene model ships inside the lemmagen3 wheel: nothing is downloaded.
    return lemmagen3.Lemmatizer("sl")


@lru_cache(maxsize=50_000)
def lemma(word: str) -> str:
    """Folded lemma of one word; numbers and punctuation are returned as they are."""
    lowered = word.lower()
    if not any(c.isalpha() for c in lowered):
        return lowered
    return fold(_lemmatizer().lemmatize(lowered))


@lru_cache(maxsize=1)
def _spacy_sl() -> Any:
    # A blank pipeline: only spaCy's Slovene tokenizer rules, no model to load.
    return spacy.blank("sl")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class SloveneTokenizer(Tokenizer):
    """spaCy's Slovene tokenizer rules plus lemmagen3 lemmas, diacritics folded."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """Same options as every Rasa tokenizer."""
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
        }

    @staticmethod
    def supported_languages() -> Optional[List[str]]:
        """Built for Slovene only."""
        return ["sl"]

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SloveneTokenizer:
        """Stateless: nothing to load."""
        return cls(config)

    def tokenize(self, message: Message, attribute: str) -> List[Token]:
        """Splits into words; punctuation-only and whitespace tokens are dropped."""
        text = message.get(attribute) or ""
        tokens = [
            Token(fold(t.text), t.idx, lemma=lemma(t.text))
            for t in _spacy_sl()(text)
            if not t.is_space and any(c.isalnum() for c in t.text)
        ]
        if not tokens:
            # Emoji-only or punctuation-only text still needs one token downstream.
            stripped = text.strip() or "_"
            tokens = [Token(fold(stripped), max(text.find(stripped), 0), lemma="_empty_")]
        return self._apply_token_pattern(tokens)
