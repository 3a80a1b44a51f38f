"""The FAQ topics a rating may name, read from the assistant's own topic files.

Each data/faq_sl/<topic>.yml defines the intent `faq/<topic>` and the answer `utter_faq/<topic>`
whose `metadata.title` is the topic's Slovene title. Reading the same files Rasa is trained on
keeps one list: a new topic file is a valid rating topic with no code change, and anything else
("0", a forged name) is refused, so the report only ever shows real topics.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

import yaml

log = logging.getLogger("backend.topics")
FAQ_PREFIX = "faq/"


def _topics_of(path: Path) -> dict[str, str]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        log.warning("FAQ topic file %s unreadable: %s", path.name, type(exc).__name__)
        return {}
    if not isinstance(data, dict):
        return {}
    topics: dict[str, str] = {}
    for item in data.get("nlu") or []:
        intent = item.get("intent") if isinstance(item, dict) else None
        if isinstance(intent, str) and intent.startswith(FAQ_PREFIX):
            topics[intent[len(FAQ_PREFIX):]] = intent[len(FAQ_PREFIX):]
    responses = data.get("responses") or {}
    for topic in list(topics):
        for variation in responses.get(f"utter_{FAQ_PREFIX}{topic}") or []:
            title = (variation.get("metadata") or {}).get("title") if isinstance(variation, dict) else None
            if isinstance(title, str) and title.strip():
                topics[topic] = title.strip()
                break
    return topics


@lru_cache(maxsize=4)
def faq_topics(directory: str) -> dict[str, str]:
    """topic -> Slovene title, for every FAQ topic file in `directory` (read once per process)."""
    folder = Path(directory)
    topics: dict[str, str] = {}
    for path in sorted(folder.glob("*.yml")):
        topics.update(_topics_of(path))
    if not topics:
        log.error("no FAQ topics found in %s: every rating will be refused (FAQ_TOPICS_DIR)", folder)
    return topics
