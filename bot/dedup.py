"""Provider deliveries processed once: a Twilio MessageSid or a Telegram update_id seen before is
answered but not processed again (a replayed request, or the provider retrying after a timeout).

Seen ids are kept for GATEWAY_DEDUP_TTL_SECONDS: in Redis (SET NX EX, shared by replicas) when
REDIS_URL is set, else in the gateway DB (table seen_delivery; expired rows are purged by
bot.retention). An id is claimed before processing, so two concurrent deliveries of the same id
cannot both run; if processing fails the claim is released, so the provider's retry is not lost.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from bot.store import Store

log = logging.getLogger("bot.dedup")
PREFIX = "gateway:seen:"
# MessageSid "SM" + 32 hex, update_id an integer: anything else is not a provider id and not deduplicated
DELIVERY_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


class Deduplicator:
    """Claims delivery ids; Redis when given, else the gateway DB (also when Redis fails)."""

    def __init__(self, store: Store, ttl_seconds: float, redis_url: str = "") -> None:
        self.store = store
        self.ttl = max(1, int(ttl_seconds))
        self.redis: Any = None
        if redis_url:
            import redis.asyncio as aioredis

            self.redis = aioredis.from_url(redis_url, socket_timeout=3, socket_connect_timeout=3)

    async def claim(self, key: str) -> bool:
        """True the first time `key` is seen within the TTL, False for a replay."""
        if self.redis is not None:
            try:
                return bool(await self.redis.set(PREFIX + key, "1", nx=True, ex=self.ttl))
            except Exception as exc:  # Redis down: the DB still deduplicates (this replica's view)
                log.warning("dedup in Redis unavailable (%s): gateway DB used", type(exc).__name__)
        now = time.time()
        return self.store.claim_delivery(key, now, now + self.ttl)

    async def release(self, key: str) -> None:
        if self.redis is not None:
            try:
                await self.redis.delete(PREFIX + key)
            except Exception as exc:
                log.warning("dedup release in Redis failed: %s", type(exc).__name__)
        self.store.release_delivery(key)

    @asynccontextmanager
    async def once(self, provider: str, delivery_id: object) -> AsyncIterator[bool]:
        """`async with dedup.once("sms", sid) as first:` process only if `first`; an exception in
        the block releases the claim. An id that is missing or malformed is always processed."""
        text = str(delivery_id) if delivery_id is not None else ""
        if not DELIVERY_ID.fullmatch(text):
            yield True
            return
        key = f"{provider}:{text}"
        first = await self.claim(key)
        if not first:
            log.info("%s delivery seen before: not processed again", provider)
        try:
            yield first
        except BaseException:
            if first:
                await self.release(key)
            raise

    async def aclose(self) -> None:
        if self.redis is not None:
            await self.redis.aclose()
