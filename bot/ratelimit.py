"""Rate limits of the gateway (messages per sender, new web sessions and console logins per client).

One `limits` storage for all three: in process memory by default, Redis when REDIS_URL is set, so
every replica counts against the same window. If Redis is unreachable the limit fails open (logged):
a limiter outage must not take the chat down with it.
"""

from __future__ import annotations

import logging

from limits import RateLimitItem, parse
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

log = logging.getLogger("bot.ratelimit")


class Limiter:
    """Moving-window limiter over a shared storage."""

    def __init__(self, redis_url: str = "") -> None:
        storage = storage_from_string(redis_url, key_prefix="gateway") if redis_url else storage_from_string("memory://")
        assert isinstance(storage, Storage), "a synchronous limits storage"
        self.storage: Storage = storage
        self._strategy = MovingWindowRateLimiter(self.storage)
        self._items: dict[str, RateLimitItem] = {}

    def hit(self, limit: str, namespace: str, key: str) -> bool:
        """Count one event; False when `key` is over `limit` ("20/minute") in this namespace."""
        item = self._items.get(limit)
        if item is None:
            item = self._items[limit] = parse(limit)
        try:
            return bool(self._strategy.hit(item, namespace, key))
        except Exception as exc:  # Redis down or timing out
            log.warning("rate limit storage unavailable (%s): allowing", type(exc).__name__)
            return True
