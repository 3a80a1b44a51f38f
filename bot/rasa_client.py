"""HTTP to Rasa: the REST channel for messages, the token-protected HTTP API for transcripts and resume."""

from __future__ import annotations

import logging
from typing import Any

import httpx

log = logging.getLogger("bot.rasa")


class RasaUnavailable(Exception):
    """Rasa did not answer (down, timeout, 5xx): the user gets a polite Slovene notice instead."""


class RasaClient:
    """One shared async HTTP client for Rasa."""

    def __init__(self, base_url: str, token: str, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.http = httpx.AsyncClient(timeout=timeout)

    async def aclose(self) -> None:
        await self.http.aclose()

    def _params(self) -> dict[str, str]:
        return {"token": self.token} if self.token else {}

    async def send(self, sender: str, message: str, metadata: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """POST to the REST channel; returns Rasa's list of bot messages."""
        body = {"sender": sender, "message": message, "metadata": metadata or {}}
        try:
            resp = await self.http.post(f"{self.base_url}/webhooks/rest/webhook", json=body)
        except httpx.HTTPError as exc:
            log.warning("rasa unreachable: %s", type(exc).__name__)
            raise RasaUnavailable from exc
        if resp.status_code >= 400:
            log.warning("rasa answered %s", resp.status_code)
            raise RasaUnavailable
        data = resp.json()
        return [m for m in data if isinstance(m, dict)] if isinstance(data, list) else []

    async def tracker(self, sender: str) -> dict[str, Any]:
        """The full tracker (events with user and bot texts, slots); {} when unavailable."""
        try:
            resp = await self.http.get(
                f"{self.base_url}/conversations/{sender}/tracker", params=self._params()
            )
        except httpx.HTTPError as exc:
            log.warning("rasa tracker unreachable: %s", type(exc).__name__)
            return {}
        if resp.status_code != 200:
            log.warning("rasa tracker answered %s", resp.status_code)
            return {}
        data = resp.json()
        return data if isinstance(data, dict) else {}

    async def paused(self, sender: str) -> bool | None:
        """Whether Rasa has paused this conversation (None: could not tell)."""
        tracker = await self.tracker(sender)
        return bool(tracker.get("paused")) if tracker else None

    async def resume(self, sender: str) -> bool:
        """Append `resume` and `action_listen`, so Rasa answers the conversation again after a handoff.

        Rasa paused right after action_handoff, before predicting action_listen; with only `resume`
        the next user message follows action_handoff directly, no rule matches, and the core
        fallback hands the user straight back to an agent.
        """
        try:
            resp = await self.http.post(
                f"{self.base_url}/conversations/{sender}/tracker/events",
                params=self._params(),
                json=[{"event": "resume"}, {"event": "action", "name": "action_listen"}],
            )
        except httpx.HTTPError as exc:
            log.warning("rasa resume failed: %s", type(exc).__name__)
            return False
        if resp.status_code >= 400:
            log.warning("rasa resume answered %s", resp.status_code)
            return False
        return True
