"""The channel gateway: every user channel enters here (web widget, Telegram webhook, SMS webhook),
with handoff routing and the agent console. Run: uvicorn bot.main:app --host 127.0.0.1 --port 8080.
"""

from __future__ import annotations

import hmac
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from bot import agent_console, bounded, security
from bot.backend_client import BackendClient, BackendError
from bot.channels import sms, web
from bot.config import Settings, get_settings
from bot.fanout import Fanout
from bot.handoff import Gateway
from bot.rasa_client import RasaClient
from bot.ratelimit import Limiter
from bot.store import Store

log = logging.getLogger("bot")
# httpx would log full URLs at INFO, and those carry the Rasa token and the Telegram bot token.
logging.getLogger("httpx").setLevel(logging.WARNING)
STATIC = Path(__file__).with_name("static")
PDF_LINK_GONE = (
    "<!doctype html><html lang=sl><meta charset=utf-8><title>Povezava ni veljavna</title>"
    "<p>Povezava do računa ni veljavna ali je potekla. V klepetu napišite »račun v PDF«, pa dobite novo.</p>"
)
PDF_LINK_DOWN = (
    "<!doctype html><html lang=sl><meta charset=utf-8><title>Račun ni dosegljiv</title>"
    "<p>Računa ta hip ne moremo prikazati. Poskusite, prosim, znova čez nekaj minut.</p>"
)


def build_gateway(settings: Settings) -> Gateway:
    """Store + clients + core; used by the web app and by the Telegram polling process."""
    store = Store(settings.resolved_database_url())
    rasa = RasaClient(settings.rasa_url, settings.rasa_token, settings.rasa_timeout)
    backend = BackendClient(settings.backend_url, settings.backend_api_key, settings.backend_timeout)
    return Gateway(settings, store, rasa, backend, Limiter(settings.redis_url))


def create_app(settings: Settings | None = None) -> FastAPI:
    """The FastAPI app; tests pass their own settings. The schema must be migrated (bot.prestart)."""
    settings = settings or get_settings()
    settings.require_shared_secrets()
    gateway = build_gateway(settings)
    hub = web.WebHub(Fanout(settings.redis_url) if settings.redis_url else None)
    gateway.deliverers["web"] = hub.push
    gateway.deliverers["sms"] = sms.SmsSender(settings, gateway)
    telegram_bridge = None
    if settings.telegram_token:
        from bot.channels.telegram import build_application

        # Webhook mode inside the gateway; also what sends agent replies to Telegram users.
        telegram_bridge = build_application(settings, gateway, polling=False)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        hub.start()
        if telegram_bridge is not None:
            try:
                await telegram_bridge.application.initialize()
            except Exception as exc:  # Telegram down must not stop the web channel
                log.warning("telegram init failed: %s", type(exc).__name__)
        yield
        if telegram_bridge is not None and telegram_bridge.application._initialized:
            await telegram_bridge.application.shutdown()
        if hub.fanout is not None:
            await hub.fanout.aclose()
        await gateway.rasa.aclose()
        await gateway.backend.aclose()
        gateway.store.close()
        gateway.tracker.close()
        await gateway.dedup.aclose()

    # The schema only in development (GATEWAY_ENVIRONMENT): in production it maps the attack surface.
    # No Swagger/ReDoc UI at all: they load scripts from a CDN, which the CSP rightly refuses.
    app = FastAPI(title="Kanalni prehod – virtualni pomočnik", lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url="/openapi.json" if settings.api_docs else None)
    app.state.gateway = gateway
    app.state.hub = hub
    app.state.settings = settings
    app.include_router(web.build_router(gateway, hub))
    app.include_router(sms.build_router(settings, gateway))
    app.include_router(agent_console.build_router(settings, gateway))
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    @app.get("/", include_in_schema=False)
    async def demo_page() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html")

    @app.get("/racun/{token}", include_in_schema=False)
    async def invoice_pdf(token: str) -> Response:
        """Opens an invoice PDF from a signed, short-lived link the chat gave (the backend checks it)."""
        if len(token) > 512 or not re.fullmatch(r"[A-Za-z0-9_\-.]+", token):
            return HTMLResponse(PDF_LINK_GONE, 404)
        try:
            pdf = await gateway.backend.invoice_pdf(token)
        except BackendError:
            return HTMLResponse(PDF_LINK_DOWN, 503)
        if pdf is None:
            return HTMLResponse(PDF_LINK_GONE, 404)
        return Response(pdf, media_type="application/pdf", headers={
            "Content-Disposition": 'inline; filename="racun.pdf"', "Cache-Control": "no-store",
            "X-Robots-Tag": "noindex"})

    @app.get("/health", include_in_schema=False)
    async def health() -> dict[str, str]:
        return {"status": "ok", "replica": settings.replica or "single"}

    @app.post("/telegram/webhook")
    async def telegram_webhook(request: Request) -> Response:
        """Telegram webhook mode: the secret token header must match (403 otherwise)."""
        secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        expected = settings.telegram_webhook_secret
        if not expected or not hmac.compare_digest(secret.encode(), expected.encode()):
            return JSONResponse({"detail": "forbidden"}, 403)
        if telegram_bridge is None:
            return JSONResponse({"detail": "Telegram ni nastavljen."}, 503)
        from telegram import Update

        app_ = telegram_bridge.application
        if not app_._initialized:
            await app_.initialize()
        try:
            data = bounded.loads(await request.body(), settings.max_json_depth)
            update = Update.de_json(data, app_.bot)
        except Exception:
            return JSONResponse({"ok": True})  # malformed updates are dropped, Telegram must not retry
        if update is not None:
            async with gateway.dedup.once("telegram", update.update_id) as first:  # a resent update: once
                if first:
                    await app_.process_update(update)
        return JSONResponse({"ok": True})

    @app.exception_handler(bounded.BodyTooLarge)
    async def body_too_large(_: Request, __: Exception) -> Response:
        return bounded.too_large_response()

    # Inside the headers middleware below, so a 413 carries the same headers as every response.
    app.add_middleware(bounded.BodyLimit, limit=settings.max_body_bytes)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        """CSP and friends on every response (bot/security.py); the console's templates read the
        nonce from request.state.csp_nonce."""
        request.state.csp_nonce = security.new_nonce()
        try:
            resp = await call_next(request)
        except Exception as exc:
            log.error("unexpected error: %s", type(exc).__name__)
            resp = JSONResponse(
                {"detail": "Prišlo je do napake. Poskusite, prosim, znova čez nekaj trenutkov."}, 500
            )
        security.apply_headers(request, resp, settings.frame_ancestors)
        return resp

    return app


def __getattr__(name: str) -> FastAPI:
    """`bot.main:app` is built on first access, so importing bot.main (tests, tools) reads no env."""
    if name == "app":
        application = create_app()
        globals()["app"] = application
        return application
    raise AttributeError(name)
