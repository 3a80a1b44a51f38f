"""Security headers of every gateway response: a strict Content-Security-Policy and friends.

Everything the gateway serves loads only from itself: the widget is one script plus one stylesheet
in its Shadow DOM, the demo pages link their CSS, the console links console.js and console.css.
So no inline script or style is allowed anywhere, except the console's two small inline calls,
which carry a per-response nonce. Framing: the widget's pages by GATEWAY_FRAME_ANCESTORS (default
'self'), the console and everything else never (clickjacking an agent's reply or hand-back).
"""

from __future__ import annotations

import secrets

from starlette.requests import Request
from starlette.responses import Response

# Pages a website may embed: the demo page and the static files (the widget's pages and assets).
FRAMABLE_PREFIXES = ("/static/",)
FRAMABLE_PATHS = ("/",)


def new_nonce() -> str:
    """128 random bits, fresh per response (a reused nonce would let an injected script run)."""
    return secrets.token_urlsafe(16)


def content_security_policy(frame_ancestors: str, nonce: str | None = None) -> str:
    """'self' only, no inline code (bar a nonce), no plugins, no <base>, forms only to us."""
    script = "'self'" + (f" 'nonce-{nonce}'" if nonce else "")
    return "; ".join([
        "default-src 'none'",
        f"script-src {script}",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        # 'self' covers the widget's WebSocket to the same host (CSP Level 3: ws/wss match 'self')
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        f"frame-ancestors {frame_ancestors}",
    ])


def framable(path: str) -> bool:
    return path in FRAMABLE_PATHS or path.startswith(FRAMABLE_PREFIXES)


def apply_headers(request: Request, response: Response, frame_ancestors: str) -> None:
    """Set the headers on one response; the console's nonce is the one its template used."""
    path = request.url.path
    nonce = getattr(request.state, "csp_nonce", None) if path.startswith("/agent") else None
    ancestors = frame_ancestors if framable(path) else "'none'"
    response.headers["Content-Security-Policy"] = content_security_policy(ancestors, nonce)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if ancestors == "'none'":
        response.headers["X-Frame-Options"] = "DENY"  # for browsers without frame-ancestors
