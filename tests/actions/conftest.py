"""Action tests: a real Tracker, the real domain, and the real backend over HTTP.

The backend runs once per session (devtools.servers: migrated, seeded SQLite on a free port);
each test verifies a demo customer through the backend's own API and hands the token to the
action in a Tracker, as Rasa would. Nothing about the backend is imitated.
"""

from __future__ import annotations

import asyncio
import json
import re
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest
import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import backend_client
from devtools.servers import ROOT, backend

API_KEY = "actions-test-api-key"
DOMAIN: Dict[str, Any] = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
# the FAQ answers (and their titles) live in the topic files, as Rasa merges them into the domain
for topic_file in sorted((ROOT / "data" / "faq_sl").glob("*.yml")):
    DOMAIN["responses"].update(yaml.safe_load(topic_file.read_text(encoding="utf-8")).get("responses") or {})


@pytest.fixture(scope="session")
def backend_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with backend(Path(tmp_path_factory.mktemp("backend")), API_KEY, OTP_MAX_SENDS="100") as url:
        yield url


@pytest.fixture(autouse=True)
def use_backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests marked `offline` run with no backend at all (BACKEND_URL unset)."""
    if request.node.get_closest_marker("offline"):
        monkeypatch.delenv("BACKEND_URL", raising=False)
        return
    url = request.getfixturevalue("backend_url")
    monkeypatch.setenv("BACKEND_URL", url)
    monkeypatch.setenv("BACKEND_API_KEY", API_KEY)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "offline: the test needs no backend")


def _call(method: str, url: str, body: Optional[Dict[str, Any]] = None, headers: Optional[Dict[str, str]] = None) -> Any:
    req = urllib.request.Request(url, data=None if body is None else json.dumps(body).encode(), method=method,
                                 headers={"Content-Type": "application/json", "X-API-Key": API_KEY, **(headers or {})})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read() or b"null")


class Customer:
    """A demo customer verified in one conversation, as the chat would be."""

    def __init__(self, base: str, email: str) -> None:
        self.base = base + "/api/v1"
        self.email = email
        self.conversation = "act-" + uuid.uuid4().hex[:16]
        _call("POST", f"{self.base}/verification/start", {"identifier": email, "conversation_id": self.conversation})
        outbox = _call("GET", f"{self.base}/dev/outbox?limit=1&recipient={urllib.request.quote(email)}")
        code = re.search(r"\b(\d{6})\b", outbox[0]["body"]).group(1)  # type: ignore[union-attr]
        answer = _call("POST", f"{self.base}/verification/confirm", {"code": code, "conversation_id": self.conversation})
        self.token: str = answer["token"]

    def get(self, path: str) -> Any:
        return _call("GET", self.base + path,
                     headers={"Authorization": f"Bearer {self.token}", "X-Conversation-Id": self.conversation})


@pytest.fixture
def customer(backend_url: str):  # type: ignore[no-untyped-def]
    """customer("ana.novak@example.com") -> a verified Customer."""
    return lambda email: Customer(backend_url, email)


def message(text: str, intent: str = "inform", confidence: float = 1.0, faq: Optional[str] = None,
            faq_confidence: float = 0.9) -> Dict[str, Any]:
    """A parsed user message as Rasa puts it in `latest_message`."""
    parsed: Dict[str, Any] = {"text": text, "intent": {"name": intent, "confidence": confidence},
                              "intent_ranking": [{"name": intent, "confidence": confidence}], "entities": []}
    if faq:
        parsed["response_selector"] = {"faq": {
            "response": {"intent_response_key": f"faq/{faq}"},
            "ranking": [{"intent_response_key": f"faq/{faq}", "confidence": faq_confidence}]}}
    return parsed


def tracker(
    sender: str = "conv-test",
    slots: Optional[Dict[str, Any]] = None,
    latest: Optional[Dict[str, Any]] = None,
    new_slots: Optional[Dict[str, Any]] = None,
    loop: Optional[str] = None,
    latest_action: str = "action_listen",
) -> Tracker:
    """A tracker; `new_slots` are the slots set since the user spoke (what a form validates)."""
    all_slots = {**(slots or {}), **(new_slots or {})}
    events: List[Dict[str, Any]] = [{"event": "user", "text": (latest or {}).get("text", "")}]
    events += [{"event": "slot", "name": k, "value": v} for k, v in (new_slots or {}).items()]
    return Tracker(sender, all_slots, latest or message(""), events, False, None,
                   {"name": loop} if loop else {}, latest_action)


def run(action: Action, t: Tracker) -> tuple[List[Dict[str, Any]], CollectingDispatcher]:
    """Runs an action as the action server would (a fresh loop, the shared session closed after)."""
    dispatcher = CollectingDispatcher()

    async def go() -> List[Dict[str, Any]]:
        try:
            return list(await action.run(dispatcher, t, DOMAIN))
        finally:
            await backend_client.close()

    return asyncio.run(go()), dispatcher


def responses(dispatcher: CollectingDispatcher) -> List[str]:
    return [m.get("response") or "" for m in dispatcher.messages]


def slot_events(events: List[Dict[str, Any]]) -> Dict[str, Any]:
    """The slots the events set (the last value wins)."""
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def said(dispatcher: CollectingDispatcher, response: str) -> Dict[str, Any]:
    """The message that uttered `response` (with its variables); fails when there is none."""
    for m in dispatcher.messages:
        if m.get("response") == response:
            return dict(m)
    raise AssertionError(f"{response} not said; said: {responses(dispatcher)}")
