"""The brand of a conversation when the channel says it (a Butan plin website's widget, a Butan plin
SMS number): the gateway passes `brand` in the message metadata. A brand the user names is an
entity and wins (the slot's from_entity mapping); this only fills an empty slot."""

from __future__ import annotations

import re
from typing import Any, Dict

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction
from rasa_sdk.types import DomainDict

BRANDS = ("geni", "butan")


class ValidateSlotMappings(ValidationAction):
    """Rasa runs it after every user message for the custom slot mappings of the domain."""

    def name(self) -> str:
        return "action_validate_slot_mappings"

    async def extract_brand(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[str, Any]:
        if tracker.get_slot("brand"):
            return {}
        metadata = tracker.latest_message.get("metadata") or {}
        brand = metadata.get("brand") if isinstance(metadata, dict) else None
        return {"brand": brand} if brand in BRANDS else {}

    async def extract_telegram_chat_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """The Telegram chat this conversation runs in (only the gateway knows it: conversation ids
        are hashes); "na Telegram" subscribes this chat (actions/notices.py)."""
        metadata = tracker.latest_message.get("metadata") or {}
        chat = metadata.get("telegram_chat_id") if isinstance(metadata, dict) else None
        if chat is None or not re.fullmatch(r"-?\d{1,20}", str(chat)) or str(chat) == tracker.get_slot("telegram_chat_id"):
            return {}
        return {"telegram_chat_id": str(chat)}
