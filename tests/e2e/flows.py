"""Whole conversations through the gateway's web chat API, as a user of the widget has them.

`WebChat.say` checks every turn the way a user would notice it: there is a reply, no person
took over unless the step asks for it (`handoff=True`), and the facts are there (`expect`,
regexes on the reply folded like ../shared/eval: lower case, no č/š/ž). `Agent` works the
agent console over HTTP (login, reply, hand back), and `Audit` reads the backend's state
through its own verification, so a flow can end by checking what was stored.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional

import httpx

from bot.channels.web import web_conversation_id

DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2212"), "-")


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.translate(DASHES))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", text.lower()).strip()


@dataclass
class Turn:
    """What one message got back."""

    messages: List[Dict[str, Any]]
    handoff: bool
    texts: List[str] = field(default_factory=list)
    buttons: List[Dict[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.texts = [str(m.get("text") or "") for m in self.messages]
        self.buttons = [b for m in self.messages for b in (m.get("buttons") or [])]

    @property
    def text(self) -> str:
        return "\n".join(self.texts + [b.get("title", "") for b in self.buttons])

    @property
    def folded(self) -> str:
        return fold(self.text)


class WebChat:
    """One widget session: a new conversation on the gateway."""

    def __init__(self, gateway_url: str) -> None:
        self.http = httpx.Client(base_url=gateway_url, timeout=60)
        r = self.http.post("/api/web/session")
        assert r.status_code == 200, r.text
        self.session = r.json()["session_id"]
        self.conversation_id = web_conversation_id(self.session)
        self.handed_off = False
        self.last: Optional[Turn] = None

    def _send(self, body: Dict[str, Any], handoff: bool, expect: Iterable[str], forbid: Iterable[str],
              silent: bool) -> Turn:
        r = self.http.post("/api/web/message", json=body, headers={"X-Session-Id": self.session})
        assert r.status_code == 200, r.text
        data = r.json()
        turn = Turn(list(data.get("messages") or []), bool(data.get("handoff")))
        shown = body.get("text") or body.get("title")
        if not silent and not (self.handed_off and turn.handoff):
            assert turn.texts and any(turn.texts), f"no reply to {shown!r}"
        if handoff:
            assert turn.handoff, f"expected a person to take over after {shown!r}, got {turn.text[:300]!r}"
        elif not self.handed_off:
            assert not turn.handoff, f"handed to a person after {shown!r}: {turn.text[:300]!r}"
        for rx in expect:
            assert re.search(rx, turn.folded), f"/{rx}/ missing in the reply to {shown!r}: {turn.text[:500]!r}"
        for rx in forbid:
            assert not re.search(rx, turn.folded), f"/{rx}/ in the reply to {shown!r}: {turn.text[:500]!r}"
        assert "{" not in turn.text, f"an unfilled variable in {turn.text[:300]!r}"
        self.handed_off = turn.handoff
        if turn.messages:
            self.last = turn
        return turn

    def say(self, text: str, handoff: bool = False, expect: Iterable[str] = (), forbid: Iterable[str] = (),
            silent: bool = False) -> Turn:
        return self._send({"text": text}, handoff, expect, forbid, silent)

    def click(self, title: str, handoff: bool = False, expect: Iterable[str] = (), forbid: Iterable[str] = ()) -> Turn:
        """Presses the button of the last reply whose title matches `title` (a regex, folded)."""
        assert self.last is not None, "nothing to click"
        button = next((b for b in self.last.buttons if re.search(title, fold(b["title"]))), None)
        assert button is not None, f"no button /{title}/ in {[b['title'] for b in self.last.buttons]}"
        return self._send({"payload": button["payload"], "title": button["title"]}, handoff, expect, forbid, False)

    def history(self) -> Dict[str, Any]:
        return dict(self.http.get("/api/web/history", headers={"X-Session-Id": self.session}).json())


class Agent:
    """A support agent in the console (/agent), over HTTP like the browser's forms."""

    def __init__(self, gateway_url: str, user: str, password: str) -> None:
        self.http = httpx.Client(base_url=gateway_url, timeout=60, follow_redirects=False)
        page = self.http.get("/agent/login")
        r = self.http.post("/agent/login", data={"username": user, "password": password, "csrf": self._csrf(page.text)})
        assert r.status_code == 303, r.text
        self.csrf = self._csrf(self.http.get("/agent").text)

    @staticmethod
    def _csrf(html: str) -> str:
        m = re.search(r'name="csrf" value="([^"]+)"', html)
        assert m, html[:300]
        return m.group(1)

    def queue(self) -> List[str]:
        data = self.http.get("/agent/api/inbox").json()
        return [c["id"] for c in data["queue"] + data["active"]]

    def reply(self, conversation_id: str, text: str) -> None:
        r = self.http.post(f"/agent/c/{conversation_id}/reply", data={"text": text, "csrf": self.csrf})
        assert r.status_code == 303, r.text

    def hand_back(self, conversation_id: str) -> None:
        r = self.http.post(f"/agent/c/{conversation_id}/handback", data={"csrf": self.csrf})
        assert r.status_code == 303, r.text


class Audit:
    """The backend as an auditor sees it: its own verification, then the stored data."""

    def __init__(self, backend_url: str, api_key: str) -> None:
        self.base = backend_url + "/api/v1"
        self.key = {"X-API-Key": api_key}
        self.headers: Dict[str, Dict[str, str]] = {}

    def code_for(self, email: str) -> str:
        rows = httpx.get(f"{self.base}/dev/outbox", params={"recipient": email, "limit": 1}, headers=self.key).json()
        return re.search(r"\b(\d{6})\b", rows[0]["body"]).group(1)  # type: ignore[union-attr]

    def _me(self, email: str) -> Dict[str, str]:
        if email not in self.headers:
            conv = "audit-" + uuid.uuid4().hex
            httpx.post(f"{self.base}/verification/start", json={"identifier": email, "conversation_id": conv},
                       headers=self.key).raise_for_status()
            answer = httpx.post(f"{self.base}/verification/confirm", headers=self.key,
                                json={"code": self.code_for(email), "conversation_id": conv})
            answer.raise_for_status()
            self.headers[email] = {**self.key, "Authorization": f"Bearer {answer.json()['token']}",
                                   "X-Conversation-Id": conv}
        return self.headers[email]

    def get(self, email: str, path: str, **params: Any) -> Any:
        r = httpx.get(self.base + path, params=params, headers=self._me(email))
        r.raise_for_status()
        return r.json()

    def readings(self, email: str, point: str) -> List[Dict[str, Any]]:
        return list(self.get(email, f"/me/metering-points/{point}/readings", limit=20))

    def last_value(self, email: str, point: str) -> int:
        rows = self.readings(email, point)
        return int(rows[0]["value"]) if rows else 0

    def point(self, email: str, number: str) -> Dict[str, Any]:
        return next(p for p in self.get(email, "/me/metering-points") if p["number"] == number)

    def tickets(self, conversation_id: str) -> List[Dict[str, Any]]:
        r = httpx.get(f"{self.base}/handoff-tickets", params={"conversation_id": conversation_id}, headers=self.key)
        r.raise_for_status()
        return list(r.json())

    def new_readings(self, email: str, point: str, before: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        seen = {r["id"] for r in before}
        return [r for r in self.readings(email, point) if r["id"] not in seen]
