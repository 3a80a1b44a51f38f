"""The DIET + logistic-regression blend: trained on real Slovene features, persisted, loaded."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Optional

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.intent_blend import LinearIntentBlend
from components.slovene import SloveneTokenizer

EXAMPLES = {
    "greet": ["živjo", "dober dan", "pozdravljeni", "zdravo", "dobro jutro", "lep pozdrav"],
    "faq": [
        "pozabil sem geslo",
        "kako ponastavim geslo",
        "ne vem gesla za portal",
        "kje zamenjam geslo",
        "geslo ne dela",
        "pozabila sem geslo za moj gen-i",
    ],
    "goodbye": ["adijo", "nasvidenje", "lep dan še naprej", "lp in adijo", "čao", "se slišimo"],
}
CONTEXT = ExecutionContext(GraphSchema({}), "test")


class Pipeline:
    """Tokenizer, the two CountVectors featurizers of config.yml, and the blend under test."""

    def __init__(self, storage_dir: Path, diet_weight: Optional[float] = None) -> None:
        self.storage = LocalModelStorage(storage_dir)
        self.tokenizer = SloveneTokenizer(SloveneTokenizer.get_default_config())
        self.featurizers = [
            CountVectorsFeaturizer.create(
                {**CountVectorsFeaturizer.get_default_config(), **cfg},
                self.storage,
                Resource(f"cvf{i}"),
                CONTEXT,
            )
            for i, cfg in enumerate(
                [{"use_lemma": True}, {"analyzer": "char_wb", "min_ngram": 2, "max_ngram": 5, "use_lemma": False}]
            )
        ]
        self.config = {} if diet_weight is None else {"diet_weight": diet_weight}
        self.resource = Resource("blend")
        self.blend = LinearIntentBlend.create(self.config, self.storage, self.resource, CONTEXT)

    def train(self) -> None:
        data = TrainingData(
            [Message(data={TEXT: t, INTENT: intent}) for intent, texts in EXAMPLES.items() for t in texts]
        )
        self.tokenizer.process_training_data(data)
        for featurizer in self.featurizers:
            featurizer.train(data)
            featurizer.process_training_data(data)
        self.blend.train(data)

    def message(self, text: str, diet: Dict[str, float]) -> Message:
        """A featurized message carrying `diet` as DIET's ranking."""
        message = Message(data={TEXT: text})
        self.tokenizer.process([message])
        for featurizer in self.featurizers:
            featurizer.process([message])
        ranking = [{"name": n, "confidence": c} for n, c in sorted(diet.items(), key=lambda kv: -kv[1])]
        message.set(INTENT, dict(ranking[0]))
        message.set(INTENT_RANKING_KEY, ranking)
        return message


def names(message: Message) -> List[str]:
    return [r["name"] for r in message.get(INTENT_RANKING_KEY)]


@pytest.fixture
def trained(tmp_path: Path) -> Pipeline:
    pipeline = Pipeline(tmp_path)
    pipeline.train()
    return pipeline


def test_clear_words_outvote_an_unsure_diet(trained: Pipeline) -> None:
    message = trained.message("pozabu sm geslo", {"greet": 0.4, "faq": 0.35, "goodbye": 0.25})
    trained.blend.process([message])
    assert message.get(INTENT)["name"] == "faq"
    assert names(message)[0] == "faq"


def test_blended_ranking_is_a_distribution_sorted_best_first(trained: Pipeline) -> None:
    message = trained.message("dober dan", {"greet": 0.9, "faq": 0.05, "goodbye": 0.05})
    trained.blend.process([message])
    confidences = [r["confidence"] for r in message.get(INTENT_RANKING_KEY)]
    assert confidences == sorted(confidences, reverse=True)
    assert sum(confidences) == pytest.approx(1.0)
    assert message.get(INTENT) == message.get(INTENT_RANKING_KEY)[0]
    # DIET and the words agree: the blend stays confident
    assert message.get(INTENT)["name"] == "greet" and confidences[0] > 0.6


def test_diet_weight_one_keeps_diets_order(tmp_path: Path) -> None:
    pipeline = Pipeline(tmp_path, diet_weight=1.0)
    pipeline.train()
    diet = {"goodbye": 0.5, "greet": 0.3, "faq": 0.2}
    message = pipeline.message("pozabil sem geslo", diet)
    pipeline.blend.process([message])
    assert names(message) == ["goodbye", "greet", "faq"]
    assert message.get(INTENT)["confidence"] == pytest.approx(0.5)


def test_loaded_blend_ranks_like_the_trained_one(trained: Pipeline) -> None:
    loaded = LinearIntentBlend.load(trained.config, trained.storage, trained.resource, CONTEXT)
    diet = {"greet": 0.4, "faq": 0.35, "goodbye": 0.25}
    a, b = trained.message("kje zamenjam geslo", diet), trained.message("kje zamenjam geslo", diet)
    trained.blend.process([a])
    loaded.process([b])
    assert a.get(INTENT_RANKING_KEY) == b.get(INTENT_RANKING_KEY)


def test_without_a_trained_model_diets_ranking_passes_through(trained: Pipeline, tmp_path: Path) -> None:
    empty = LinearIntentBlend.load({}, LocalModelStorage(tmp_path / "empty"), Resource("blend"), CONTEXT)
    message = trained.message("pozabil sem geslo", {"greet": 0.6, "faq": 0.4})
    empty.process([message])
    assert names(message) == ["greet", "faq"]


def test_message_without_features_is_left_alone(trained: Pipeline) -> None:
    message = Message(data={TEXT: "pozabil sem geslo"})
    message.set(INTENT_RANKING_KEY, [{"name": "greet", "confidence": 1.0}])
    message.set(INTENT, {"name": "greet", "confidence": 1.0})
    trained.blend.process([message])
    assert message.get(INTENT)["name"] == "greet"


@pytest.mark.parametrize("text", ["", "🙂🙂", "\x00\x01", "a" * 100_000])
def test_odd_input_gets_a_ranking_and_no_error(trained: Pipeline, text: str) -> None:
    message = trained.message(text, {"greet": 0.5, "faq": 0.3, "goodbye": 0.2})
    trained.blend.process([message])
    assert message.get(INTENT)["name"] in EXAMPLES
