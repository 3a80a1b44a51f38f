"""Telegram channel (python-telegram-bot): long polling as its own process, or webhook mode in the gateway.

Both modes run the same handlers: `/start` greets, text goes through the gateway (neutralised like
every channel), inline-keyboard presses arrive as callback_data = the button's payload. Agent replies
during a handoff are sent with the Bot API from whichever process the agent console runs in.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from bot.clientref import client_ref
from bot.config import Settings
from bot.handoff import Gateway, OutMessage, conversation_key
from bot.notices import is_opt_out, opt_out
from bot.store import Conversation

log = logging.getLogger("bot.telegram")
CHANNEL = "telegram"
GREETING = (
    "Pozdravljeni! Sem virtualni pomočnik portalov Moj GEN-I in Moj Butan plin. Pomagam vam pri "
    "registraciji, prijavi, geslu, povezovanju pogodb, oddaji števčnega stanja in akcijah. Kaj vas zanima?"
)
ONLY_TEXT = "Žal razumem samo besedilna sporočila. Napišite, prosim, svoje vprašanje."
MAX_CALLBACK_BYTES = 64


def keyboard(buttons: list[dict[str, str]]) -> InlineKeyboardMarkup | None:
    """One button per row; payloads too long for callback_data travel as an index into last_buttons."""
    if not buttons:
        return None
    rows = []
    for i, b in enumerate(buttons):
        data = b["payload"] if len(b["payload"].encode()) <= MAX_CALLBACK_BYTES else f"#btn{i}"
        rows.append([InlineKeyboardButton(b["title"][:64] or "…", callback_data=data)])
    return InlineKeyboardMarkup(rows)


class TelegramBridge:
    """Handlers and the deliverer, bound to one Gateway."""

    def __init__(self, gateway: Gateway, application: Application) -> None:  # type: ignore[type-arg]
        self.gateway = gateway
        self.application = application

    def ref(self, chat_id: str) -> str:
        return client_ref(self.gateway.settings.client_ref_secret, CHANNEL, chat_id)

    async def send(self, chat_id: str | int, messages: list[OutMessage]) -> None:
        for m in messages:
            await self.application.bot.send_message(chat_id=chat_id, text=m.text, reply_markup=keyboard(m.buttons))

    async def deliver(self, conv: Conversation, msg: OutMessage) -> None:
        """Deliverer for agent replies and the hand-back notice."""
        await self.send(conv.address, [msg])

    async def on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_chat is None:
            return
        chat_id = str(update.effective_chat.id)
        conv_id = conversation_key(CHANNEL, chat_id)
        self.gateway.store.ensure_conversation(conv_id, CHANNEL, chat_id)
        if await self.gateway.handed_off(conv_id):
            return
        await self.send(chat_id, [OutMessage(GREETING)])

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None or update.effective_chat is None:
            return
        chat_id = str(update.effective_chat.id)
        if message.text is None:
            await self.send(chat_id, [OutMessage(ONLY_TEXT, role="system")])
            return
        conv_id = conversation_key(CHANNEL, chat_id)
        if is_opt_out(message.text):  # STOP / ODJAVA: this chat's subscriptions end, Rasa never sees it
            await self.send(chat_id, await opt_out(self.gateway, CHANNEL, conv_id, chat_id, message.text))
            return
        replies = await self.gateway.handle(
            CHANNEL, conv_id, chat_id, text=message.text, client_ref=self.ref(chat_id),
            metadata={"telegram_chat_id": chat_id}, reminder_reply=True,
        )
        await self.send(chat_id, replies)

    async def on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None or update.effective_chat is None:
            return
        await query.answer()
        chat_id = str(update.effective_chat.id)
        conv_id = conversation_key(CHANNEL, chat_id)
        data = str(query.data or "")
        conv = self.gateway.store.conversation(conv_id)
        title = None
        buttons = conv.last_buttons if conv else []
        if data.startswith("#btn") and data[4:].isdigit() and int(data[4:]) < len(buttons):
            data = buttons[int(data[4:])]["payload"]
        for b in buttons:
            if b["payload"] == data:
                title = b["title"]
        replies = await self.gateway.handle(
            CHANNEL, conv_id, chat_id, payload=data, title=title, client_ref=self.ref(chat_id),
            metadata={"telegram_chat_id": chat_id},
        )
        await self.send(chat_id, replies)


def build_application(settings: Settings, gateway: Gateway, polling: bool) -> TelegramBridge:
    """The PTB application with our handlers; `polling=False` for webhook mode (no updater)."""
    builder = Application.builder().token(settings.telegram_token).base_url(settings.telegram_api_base)
    if not polling:
        builder = builder.updater(None)
    application = builder.build()
    bridge = TelegramBridge(gateway, application)
    application.add_handler(CommandHandler("start", bridge.on_start))
    application.add_handler(CallbackQueryHandler(bridge.on_callback))
    application.add_handler(MessageHandler(filters.ALL, bridge.on_message))
    gateway.deliverers[CHANNEL] = bridge.deliver
    return bridge


async def run_polling(settings: Settings, stop: asyncio.Event, poll_interval: float = 0.0) -> None:
    """Long polling until `stop` is set (used by the Procfile process and by the tests)."""
    from bot.main import build_gateway

    gateway = build_gateway(settings)
    bridge = build_application(settings, gateway, polling=True)
    app = bridge.application
    try:
        async with app:
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=poll_interval, timeout=1)
            log.info("telegram long polling started")
            await stop.wait()
            await app.updater.stop()
            await app.stop()
    finally:
        await gateway.rasa.aclose()
        await gateway.backend.aclose()
        gateway.store.close()
        gateway.tracker.close()
        await gateway.dedup.aclose()
        log.info("telegram long polling stopped")


async def _main() -> None:
    settings = Settings()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    if not settings.telegram_token:
        # Idle instead of exiting: the supervisor would otherwise restart it again and again.
        log.info("TELEGRAM_TOKEN is not set: Telegram is off; this process idles until stopped")
        await stop.wait()
        return
    await run_polling(settings, stop)


def main(argv: Any = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs full request URLs, which contain the bot token: keep them out of the log.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    asyncio.run(_main())


if __name__ == "__main__":
    main()
