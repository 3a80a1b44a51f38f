"""The NLU training data keeps clean labels, and the held-out bench set stays held out.

The tokenizer folds case and diacritics, so "Števčno stanje" and "stevcno stanje" are one
example to the model: the checks compare folded text (lower case, no diacritics, no
punctuation). An example under two intents teaches both labels at once; a held-out case
(bench/data/long_questions.yml) copied into data/ would make the bench measure memory
instead of generalisation.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Set

import yaml

ROOT = Path(__file__).resolve().parents[2]
HELD_OUT = ROOT / "bench" / "data" / "long_questions.yml"


def fold(text: str) -> str:
    """Lower case, no diacritics, punctuation as spaces, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w\s]", " ", bare).split())


def training_examples() -> Dict[str, Set[str]]:
    """Folded example -> the intents (faq/<topic> for FAQ topics) it is written under."""
    labels: Dict[str, Set[str]] = defaultdict(set)
    for path in sorted((ROOT / "data").rglob("*.yml")):
        for block in yaml.safe_load(path.read_text()).get("nlu") or []:
            if "intent" not in block:
                continue
            for line in block["examples"].splitlines():
                if line.strip().startswith("- "):
                    labels[fold(line.strip()[2:])].add(block["intent"])
    return labels


def held_out_cases() -> List[Dict[str, str]]:
    return list(yaml.safe_load(HELD_OUT.read_text())["cases"])


def test_no_example_is_written_under_two_intents() -> None:
    clashes = {text: sorted(intents) for text, intents in training_examples().items() if len(intents) > 1}
    assert clashes == {}


def test_no_held_out_case_is_in_the_training_data() -> None:
    examples = training_examples()
    copied = [case["text"] for case in held_out_cases() if fold(case["text"]) in examples]
    assert copied == []


def test_held_out_labels_exist_and_every_length_is_covered() -> None:
    known = {intent for intents in training_examples().values() for intent in intents}
    cases = held_out_cases()
    assert [c["expect"] for c in cases if c["expect"] not in known] == []
    words = [len(c["text"].split()) for c in cases]
    assert sum(n >= 10 for n in words) >= 120
    assert sum(6 <= n < 10 for n in words) >= 35
    assert sum(n < 6 for n in words) >= 35
    assert max(words) <= 40
    faq_topics = {intent for intent in known if intent.startswith("faq/")}
    long_topics = {c["expect"] for c, n in zip(cases, words, strict=True) if n >= 10}
    assert faq_topics - long_topics == set()  # every FAQ topic has long questions
