"""Whole-stack tests: the processes exactly as `make run` / `make run-scaled` start them, on free ports."""

from __future__ import annotations

import re
from typing import Any

import httpx

from devtools.servers import AGENT_PASSWORD, ROOT, stack_secrets

MODEL = ROOT / "models" / "current.tar.gz"


def stack_env() -> dict[str, str]:
    """Secrets of one test stack (fresh per run) and the demo clock."""
    return stack_secrets()


class WebUser:
    """A widget user over the gateway's HTTP API."""

    def __init__(self, base: str) -> None:
        self.base = base
        r = httpx.post(f"{base}/api/web/session", timeout=30)
        r.raise_for_status()
        self.session = str(r.json()["session_id"])

    def say(self, text: str, base: str | None = None) -> dict[str, Any]:
        r = httpx.post(f"{base or self.base}/api/web/message", headers={"X-Session-Id": self.session},
                       json={"text": text}, timeout=60)
        r.raise_for_status()
        return dict(r.json())

    def text(self, text: str, base: str | None = None) -> str:
        return "\n".join(m["text"] for m in self.say(text, base)["messages"])


class Agent:
    """An agent logged in to the console of one gateway (replica)."""

    def __init__(self, base: str) -> None:
        self.http = httpx.Client(base_url=base, timeout=30, follow_redirects=False)
        page = self.http.get("/agent/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        r = self.http.post("/agent/login", data={"username": "ana", "password": AGENT_PASSWORD, "csrf": csrf})
        assert r.status_code == 303, r.text
        inbox = self.http.get("/agent")
        self.csrf = re.search(r'name="csrf" value="([^"]+)"', inbox.text).group(1)  # type: ignore[union-attr]

    def post(self, conv: str, what: str, **data: str) -> httpx.Response:
        return self.http.post(f"/agent/c/{conv}/{what}", data={"csrf": self.csrf, **data})
