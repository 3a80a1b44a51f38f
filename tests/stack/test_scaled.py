"""The scaled stack as `make run-scaled` starts it (PostgreSQL, Redis, HAProxy, supervisord), with
two gateway replicas and one Rasa running two Sanic workers on the Redis lock store (one Rasa
replica keeps CI within its time; the run-scaled default is two of each).

- a web user on replica A is handed off, the agent answers through replica B, the reply (and the
  hand-back notice) arrive on A's WebSocket (Redis pub/sub);
- the per-sender rate limit holds across both replicas (limits on Redis);
- two messages of one conversation sent at once keep their order in Rasa (RedisLockStore).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from websockets.sync.client import connect

from bot.channels.web import web_conversation_id
from bot.handoff import HANDBACK_NOTICE, RATE_LIMITED
from devtools.servers import Stack
from tests.stack.conftest import MODEL, Agent, WebUser, stack_env

pytestmark = pytest.mark.skipif(not MODEL.exists(), reason="no trained model (make model)")
RATE = 5


def next_message(ws: Any) -> dict[str, Any]:
    """The next message frame pushed to a widget socket (state frames come at any moment)."""
    for _ in range(20):
        frame = json.loads(ws.recv(timeout=10))
        if frame.get("type") == "message":
            return dict(frame)
    raise AssertionError("no message frame")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    env = {**stack_env(), "GATEWAY_RATE_LIMIT": f"{RATE}/minute", "SANIC_WORKERS": "2"}
    s = Stack("scaled", tmp_path_factory.mktemp("scaled"), replicas={"rasa": 1, "actions": 1, "backend": 1,
                                                                     "gateway": 2}, **env)
    try:
        s.wait_ready(600)
        yield s
    finally:
        s.stop()


def ws_url(base: str) -> str:
    return base.replace("http://", "ws://") + "/api/web/ws"


def test_both_gateways_are_behind_the_load_balancer(stack: Stack) -> None:
    served = {httpx.get(stack.url + "/health").headers["x-served-by"] for _ in range(4)}
    assert served == {"gateway1", "gateway2"}


def test_agent_reply_through_b_reaches_the_websocket_on_a(stack: Stack) -> None:
    a, b = stack.replica_url("gateway", 1), stack.replica_url("gateway", 2)
    user = WebUser(a)
    conv = web_conversation_id(user.session)
    assert user.say("želim govoriti s svetovalcem")["handoff"] is True
    with connect(ws_url(a), open_timeout=10) as ws:
        ws.send(json.dumps({"session_id": user.session}))
        assert json.loads(ws.recv(timeout=10))["type"] == "ready"
        # While an agent has it, the user's messages (on either replica) go to the agents.
        assert user.say("ali je kdo tam?", base=b)["messages"] == []
        agent = Agent(b)
        queue = agent.http.get("/agent/api/inbox").json()["queue"]
        assert conv in [c["id"] for c in queue]
        assert agent.post(conv, "reply", text="Pozdravljeni, tu Ana z replike B.").status_code == 303
        # the first reply claims it: the claim notice comes first, then the reply (state frames skipped)
        notice = next_message(ws)
        assert notice["message"]["role"] == "system" and "Ana" in notice["message"]["text"]
        pushed = next_message(ws)
        got = pushed["message"]  # the widget's frame also carries id, created_at and author
        assert (got["role"], got["text"], got["buttons"], got["author"]) == (
            "agent", "Pozdravljeni, tu Ana z replike B.", [], "Ana")
        assert agent.post(conv, "handback").headers["location"] == "/agent"
        assert next_message(ws)["message"]["text"] == HANDBACK_NOTICE
    transcript = agent.http.get(f"/agent/api/c/{conv}/transcript").json()
    assert ("user", "ali je kdo tam?") in [(i["role"], i["text"]) for i in transcript["items"]]
    assert transcript["handoff"] is False
    # Rasa has it again, whichever replica the next message reaches.
    assert "Pozabil sem geslo" in user.text("pozabu sm geslo", base=b)


def test_rate_limit_holds_across_replicas(stack: Stack) -> None:
    a, b = stack.replica_url("gateway", 1), stack.replica_url("gateway", 2)
    user = WebUser(a)
    replies = [user.text(f"koliko stane kwh {i}", base=(a, b)[i % 2]) for i in range(RATE + 2)]
    assert all(RATE_LIMITED not in r for r in replies[:RATE])
    assert replies[RATE] == RATE_LIMITED and replies[RATE + 1] == RATE_LIMITED


def test_two_messages_of_one_conversation_stay_in_order(stack: Stack) -> None:
    """Sent at once to Rasa (two Sanic workers): the lock store lets one finish before the other."""
    sender = "order-" + str(time.time_ns())
    first, second = "pozabu sm geslo", "kako oddam stanje števca"
    answers: dict[str, Any] = {}

    def send(text: str) -> None:
        r = httpx.post(f"{stack.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                       timeout=120)
        answers[text] = r.json()

    threads = [threading.Thread(target=send, args=(t,)) for t in (first, second)]
    threads[0].start()
    time.sleep(0.05)
    threads[1].start()
    for t in threads:
        t.join(timeout=150)
    assert answers[first] and answers[second]
    token = stack.env["RASA_TOKEN"]
    events = httpx.get(f"{stack.rasa_url}/conversations/{sender}/tracker", params={"token": token},
                       timeout=30).json()["events"]
    seq = [(e["event"], e.get("text")) for e in events if e["event"] in ("user", "bot")]
    users = [t for kind, t in seq if kind == "user"]
    assert users == [first, second]
    i_second = seq.index(("user", second))
    before, after = seq[:i_second], seq[i_second + 1:]
    # every reply to the first message is stored before the second message, none after
    first_replies = [m["text"] for m in answers[first] if m.get("text")]
    assert all(("bot", t) in before for t in first_replies)
    assert not any(("bot", t) in after for t in first_replies if t not in [m.get("text") for m in answers[second]])
