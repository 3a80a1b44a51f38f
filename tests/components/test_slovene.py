"""The Slovene tokenizer: folding, lemmas, offsets, odd input."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from components.slovene import SloveneTokenizer, fold, lemma


def tokenize(text: str) -> list:
    tokenizer = SloveneTokenizer(SloveneTokenizer.get_default_config())
    return tokenizer.tokenize(Message(data={TEXT: text}), TEXT)


def test_fold_strips_diacritics_and_keeps_length() -> None:
    assert fold("Števčno STANJE, žar") == "stevcno stanje, zar"
    assert len(fold("čšžČŠŽ ﬁ")) == len("čšžČŠŽ ﬁ")


@pytest.mark.parametrize(
    ("a", "b"),
    [("računa", "računov"), ("števca", "števec"), ("pozabil", "pozabiti"), ("plačniku", "plačnik")],
)
def test_inflected_forms_share_a_lemma(a: str, b: str) -> None:
    assert lemma(a) == lemma(b)


def test_typed_with_or_without_diacritics_gives_same_token_text() -> None:
    with_marks = [t.text for t in tokenize("Kako oddam števčno stanje?")]
    without = [t.text for t in tokenize("kako oddam stevcno stanje")]
    assert with_marks == without == ["kako", "oddam", "stevcno", "stanje"]


def test_offsets_point_into_the_original_text() -> None:
    text = "Pozabil sem geslo za Moj GEN-I."
    for token in tokenize(text):
        assert fold(text[token.start : token.end]) == token.text


@pytest.mark.parametrize("text", ["", "😀😀😀", "!!!", "\x00\x01\x02", "a" * 100_000])
def test_odd_input_still_gives_at_least_one_token(text: str) -> None:
    tokens = tokenize(text)
    assert tokens, "downstream featurizers need a token"
