"""Rasa's REST channel with its request body checked first.

Why: the stock channel calls `request.json.get(...)` on whatever arrived, so an empty body or a JSON
list was a 500 with a stack trace. Here anything but an object with a text `sender` and a text (or
absent) `message` is a 400 with a short message; the URL stays /webhooks/rest/webhook.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from rasa.core.channels.rest import RestInput
from sanic.exceptions import InvalidUsage as BadRequest  # 400 (Sanic 21)
from sanic.request import Request


def _body(request: Request) -> Dict[str, Any]:
    """The request's JSON object, or a 400."""
    try:
        body = request.json
    except Exception as error:  # Sanic's own JSON errors are BadRequest already; anything else too
        raise BadRequest("The body must be a JSON object.") from error
    if not isinstance(body, dict):
        raise BadRequest("The body must be a JSON object with 'sender' and 'message'.")
    return body


class CheckedRestInput(RestInput):
    """`rest` with a checked body (same name, same URL, same replies)."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    async def _extract_sender(self, req: Request) -> Optional[str]:
        sender = _body(req).get("sender")
        if not isinstance(sender, str) or not sender.strip() or len(sender) > 200:
            raise BadRequest("'sender' must be a non-empty text of at most 200 characters.")
        return sender

    def _extract_message(self, req: Request) -> Optional[str]:
        message = _body(req).get("message")
        if message is not None and not isinstance(message, str):
            raise BadRequest("'message' must be a text.")
        return message

    def _extract_input_channel(self, req: Request) -> str:
        channel = _body(req).get("input_channel")
        return channel if isinstance(channel, str) and channel else self.name()

    def get_metadata(self, request: Request) -> Optional[Dict[str, Any]]:
        metadata = _body(request).get("metadata")
        if metadata is not None and not isinstance(metadata, dict):
            raise BadRequest("'metadata' must be a JSON object.")
        return metadata
