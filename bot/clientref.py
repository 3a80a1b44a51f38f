"""Who the client is, without saying who: the address a request came from, and its keyed hash.

The backend limits one-time-code sends per client, but must never see (or log) an address or a
phone number, so the gateway passes `client_ref` = HMAC-SHA256(GATEWAY_CLIENT_REF_SECRET,
channel:address) in the Rasa message metadata. X-Forwarded-For is honoured only when the peer is
one of GATEWAY_TRUSTED_PROXIES (the load balancer); otherwise anyone could choose their address.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Iterable, Mapping

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(items: Iterable[str]) -> list[Network]:
    """"127.0.0.1, 10.0.0.0/8" entries -> networks; malformed entries are ignored."""
    nets: list[Network] = []
    for item in items:
        try:
            nets.append(ipaddress.ip_network(item.strip(), strict=False))
        except ValueError:
            continue
    return nets


def _trusted(addr: str, proxies: list[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return False
    return any(ip in net for net in proxies)


def client_address(peer: str | None, headers: Mapping[str, str], proxies: list[Network]) -> str:
    """The peer's address, or, behind trusted proxies, the right-most X-Forwarded-For entry that
    is not itself a trusted proxy (entries further left are client-supplied and not believed)."""
    addr = peer or "unknown"
    if not proxies or not _trusted(addr, proxies):
        return addr
    forwarded = [p.strip() for p in headers.get("x-forwarded-for", "").split(",") if p.strip()]
    for hop in reversed(forwarded):
        if not _trusted(hop, proxies):
            return hop
        addr = hop
    return addr


def client_ref(secret: str, channel: str, address: str) -> str:
    """Opaque, stable per (channel, address), not reversible without the secret."""
    return hmac.new(secret.encode(), f"{channel}:{address}".encode(), hashlib.sha256).hexdigest()[:32]
