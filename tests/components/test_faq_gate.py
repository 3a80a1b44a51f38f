"""A greeting in front of a request does not hide the request; a plain greeting stays a greeting;
a vague FAQ question still becomes nlu_fallback."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message

from components.faq_gate import FaqAwareFallbackClassifier, request_after_greeting


def gate(tmp_path: Path) -> FaqAwareFallbackClassifier:
    config = {**FaqAwareFallbackClassifier.get_default_config(), "threshold": 0.4, "ambiguity_threshold": 0.05}
    return FaqAwareFallbackClassifier.create(
        config, LocalModelStorage(tmp_path), Resource("gate"), ExecutionContext(GraphSchema({}), "t")
    )


def parsed(text: str, ranking: List[tuple], faq: float = 0.9) -> Message:  # type: ignore[type-arg]
    intents: List[Dict[str, Any]] = [{"name": n, "confidence": c} for n, c in ranking]
    return Message(data={
        "text": text, "intent": dict(intents[0]), "intent_ranking": intents,
        "response_selector": {"faq": {"ranking": [{"intent_response_key": "faq/register", "confidence": faq},
                                                  {"intent_response_key": "faq/login", "confidence": 0.05}]}},
    })


@pytest.mark.parametrize(("text", "request_"), [
    ("Pozdravljeni, rada bi pogledala račune za butan plin", True), ("dober dan, oddal bi stanje", True),
    ("Živjo! Pozabil sem geslo za portal", True), ("dober dan", False), ("pozdravljeni, hvala", False),
    ("lep pozdrav vsem skupaj", False), ("rad bi pogledal račune", False),
])
def test_what_counts_as_a_request_after_a_greeting(text: str, request_: bool) -> None:
    assert request_after_greeting(text) is request_


def test_the_request_behind_a_greeting_wins(tmp_path: Path) -> None:
    m = parsed("pozdravljeni, rada bi pogledala račune za butan plin",
               [("greet", 0.49), ("invoices", 0.4), ("faq", 0.11)])
    gate(tmp_path).process([m])
    assert m.get("intent")["name"] == "invoices"
    assert abs(sum(r["confidence"] for r in m.get("intent_ranking")) - 1.0) < 1e-9
    assert "greet" not in [r["name"] for r in m.get("intent_ranking")]


def test_an_unclear_request_behind_a_greeting_is_asked_about(tmp_path: Path) -> None:
    m = parsed("dober dan, nekaj bi vas vprašal glede tega", [("greet", 0.5), ("invoices", 0.2), ("faq", 0.2),
                                                               ("need_help", 0.1)])
    gate(tmp_path).process([m])
    assert m.get("intent")["name"] == "nlu_fallback"  # "Ste mislili …?" rather than a guess or a greeting


def test_a_plain_greeting_stays(tmp_path: Path) -> None:
    m = parsed("dober dan", [("greet", 0.97), ("goodbye", 0.03)])
    gate(tmp_path).process([m])
    assert m.get("intent")["name"] == "greet"


def test_a_vague_faq_question_falls_back(tmp_path: Path) -> None:
    m = parsed("portal", [("faq", 0.9), ("greet", 0.1)], faq=0.3)
    gate(tmp_path).process([m])
    assert m.get("intent")["name"] == "nlu_fallback"
