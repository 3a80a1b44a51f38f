"""Brand mentions become a canonical `brand` entity."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.brand import BrandEntityExtractor, find_brands


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Butan plin: ali vpišem številko plačnika?", "butan"),
        ("moj butanplin ne dela", "butan"),
        ("v Butanu imam odjemno mesto", "butan"),
        ("Moj GEN-I geslo", "geni"),
        ("portal geni", "geni"),
        ("gen i registracija", "geni"),
    ],
)
def test_brand_found(text: str, value: str) -> None:
    assert [e["value"] for e in find_brands(text)] == [value]


@pytest.mark.parametrize("text", ["generalno vprašanje", "kako oddam stanje", "genij"])
def test_no_brand(text: str) -> None:
    assert find_brands(text) == []


def test_entity_offsets_cover_the_mention() -> None:
    text = "Pomoč za Moj Butan plin"
    (entity,) = find_brands(text)
    assert text[entity["start"] : entity["end"]] == "Butan plin"


def test_extractor_appends_to_existing_entities() -> None:
    message = Message(data={TEXT: "butan plin", ENTITIES: [{"entity": "x", "value": "y"}]})
    BrandEntityExtractor().process([message])
    entities = message.get(ENTITIES)
    assert entities[0]["entity"] == "x"
    assert entities[1]["value"] == "butan"
    assert entities[1]["extractor"] == "BrandEntityExtractor"
