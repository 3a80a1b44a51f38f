"""Rate limits of the gateway (messages per sender, new web sessions and console logins per client)
and the growing delay after failed console logins per user name.

One `limits` storage for all three: in process memory by default, Redis when REDIS_URL is set, so
every replica counts against the same window. If Redis is unreachable the limit fails open (logged):
a limiter outage must not take the chat down with it.
"""

from __future__ import annotations

import logging
import math
import time

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


class FailureDelay:
    """A growing delay after repeated failures of one key (console logins per user name).

    The per-address limit alone lets a botnet try one password per address: counting failures per
    user name, whatever the address, stops that. The first `free` failures cost nothing (typos);
    after that each failure locks the key for `base` seconds, doubling up to `cap`. The counter
    lives `window` seconds from the first failure; a success clears it. Same storage as Limiter
    (Redis with replicas), and it fails open like the limiter.
    """

    def __init__(self, storage: Storage, free: int = 5, base: float = 2.0, cap: float = 900.0,
                 window: int = 3600) -> None:
        self.storage = storage
        self.free = free
        self.base = base
        self.cap = cap
        self.window = window

    def _count_key(self, namespace: str, key: str) -> str:
        return f"fail/{namespace}/{key}"

    def wait_seconds(self, namespace: str, key: str) -> float:
        """Seconds until the next attempt is allowed (0 = now)."""
        try:
            failures = self.storage.get(self._count_key(namespace, key))
            if failures <= self.free:
                return 0.0
            lock = f"lock/{namespace}/{key}/{failures}"
            if self.storage.get(lock) <= 0:
                return 0.0
            return max(0.0, self.storage.get_expiry(lock) - time.time())
        except Exception as exc:
            log.warning("failure-delay storage unavailable (%s): allowing", type(exc).__name__)
            return 0.0

    def failed(self, namespace: str, key: str) -> float:
        """Count one failure; the delay it imposes (0 while within the free attempts)."""
        try:
            failures = self.storage.incr(self._count_key(namespace, key), self.window)
            if failures <= self.free:
                return 0.0
            delay = min(self.cap, self.base * 2 ** (failures - self.free - 1))
            self.storage.incr(f"lock/{namespace}/{key}/{failures}", max(1, math.ceil(delay)))
            return delay
        except Exception as exc:
            log.warning("failure-delay storage unavailable (%s): not counted", type(exc).__name__)
            return 0.0

    def succeeded(self, namespace: str, key: str) -> None:
        try:
            self.storage.clear(self._count_key(namespace, key))
        except Exception as exc:
            log.warning("failure-delay storage unavailable (%s)", type(exc).__name__)
