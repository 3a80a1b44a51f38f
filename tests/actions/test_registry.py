"""The action server registers every action the domain lists, and nothing abstract."""

from __future__ import annotations

from pathlib import Path

import yaml
from rasa_sdk.executor import ActionExecutor

ROOT = Path(__file__).resolve().parents[2]


def test_every_domain_action_is_registered() -> None:
    executor = ActionExecutor()
    executor.register_package("actions")  # raises for an action without a name
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    custom = [a for a in domain["actions"] if not a.startswith("utter_")]
    assert set(custom) <= set(executor.actions), set(custom) - set(executor.actions)
