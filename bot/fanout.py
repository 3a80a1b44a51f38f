"""Redis pub/sub between gateway replicas: a message for a widget reaches whichever replica holds
its WebSocket. Each replica publishes deliveries and subscribes to the one channel; a replica with
no socket for that conversation simply ignores it. Without REDIS_URL, delivery stays in-process.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger("bot.fanout")
CHANNEL = "gateway:web-deliveries"
Handler = Callable[[dict[str, Any]], Awaitable[None]]


class Fanout:
    """Publish and a resilient subscriber loop (reconnects with back-off when Redis restarts)."""

    def __init__(self, redis_url: str, channel: str = CHANNEL) -> None:
        import redis.asyncio as aioredis

        self.channel = channel
        self.redis = aioredis.from_url(redis_url, socket_timeout=5, socket_connect_timeout=3,
                                       health_check_interval=15)
        self._task: asyncio.Task[None] | None = None
        self.subscribed = asyncio.Event()

    async def publish(self, payload: dict[str, Any]) -> bool:
        try:
            await self.redis.publish(self.channel, json.dumps(payload, ensure_ascii=False))
        except Exception as exc:
            log.warning("publish failed: %s", type(exc).__name__)
            return False
        return True

    def start(self, handler: Handler) -> None:
        self._task = asyncio.create_task(self._listen(handler))

    async def _listen(self, handler: Handler) -> None:
        delay = 0.5
        while True:
            pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self.channel)
                self.subscribed.set()
                delay = 0.5
                while True:
                    msg = await pubsub.get_message(timeout=5.0)
                    if msg is None or msg.get("type") != "message":
                        continue
                    try:
                        payload = json.loads(msg["data"])
                    except (ValueError, TypeError):
                        continue
                    if isinstance(payload, dict):
                        await handler(payload)
            except asyncio.CancelledError:
                await pubsub.aclose()
                raise
            except Exception as exc:
                self.subscribed.clear()
                log.warning("subscriber lost Redis (%s); retrying in %.1f s", type(exc).__name__, delay)
                try:
                    await pubsub.aclose()
                except Exception:
                    pass
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass
        await self.redis.aclose()
