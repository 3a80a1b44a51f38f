"""The widget in a real browser (Playwright for Python driving Debian's Chromium), at phone width:
FAQ question, button click, reload keeps history, ask for a person, agent replies from the console."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest

from bot.config import Settings
from bot.main import create_app
from devtools.servers import ROOT
from tests.bot.conftest import AGENT_PASSWORD
from tests.bot.fakes import HANDOFF_TEXT, ThreadServer

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def chromium() -> str:
    """Installs Debian's chromium if missing (idempotent script); skips only when apt is impossible."""
    proc = subprocess.run([str(ROOT / "scripts" / "ensure_chromium.sh")], capture_output=True, text=True,
                          timeout=900)
    if proc.returncode == 3:
        pytest.skip(f"chromium cannot be installed here: {proc.stderr.strip()}")
    assert proc.returncode == 0, proc.stderr
    return CHROMIUM


@pytest.fixture
def gateway_url(settings: Settings) -> Iterator[str]:
    server = ThreadServer(create_app(settings)).start()
    yield server.url
    server.stop()


def test_widget_end_to_end(chromium: str, gateway_url: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        try:
            user = browser.new_context(viewport={"width": 390, "height": 844}, locale="sl-SI")
            page = user.new_page()
            page.goto(gateway_url + "/")
            expect(page.get_by_role("heading", name="Moj GEN-I – vse o vaši oskrbi z energijo na enem mestu")
                   ).to_be_visible()
            page.get_by_role("button", name="Klepet z virtualnim pomočnikom").click()
            box = page.get_by_label("Vaše sporočilo")
            expect(box).to_be_focused()
            box.fill("pozabu sm geslo")
            box.press("Enter")
            log = page.get_by_role("log")
            expect(log).to_contain_text("Pozabil sem geslo")
            expect(log.get_by_role("link", name="https://moj.gen-i.si")).to_have_attribute(
                "href", "https://moj.gen-i.si")
            panel_width = page.locator(".chat-panel").bounding_box()["width"]  # type: ignore[index]
            assert panel_width <= 390

            page.get_by_role("button", name="Da").click()
            expect(log).to_contain_text("Hvala za oceno")

            page.reload()
            expect(page.locator(".chat-panel")).to_be_visible()
            expect(page.get_by_role("log")).to_contain_text("pozabu sm geslo")
            expect(page.get_by_role("log")).to_contain_text("Hvala za oceno")

            box = page.get_by_label("Vaše sporočilo")
            box.fill("želim govoriti s svetovalcem")
            box.press("Enter")
            expect(page.get_by_role("log")).to_contain_text(HANDOFF_TEXT)

            agent = browser.new_context().new_page()
            agent.goto(gateway_url + "/agent")
            agent.get_by_label("Uporabniško ime").fill("ana")
            agent.get_by_label("Geslo").fill(AGENT_PASSWORD)
            agent.get_by_role("button", name="Prijava").click()
            expect(agent.get_by_role("heading", name="Pogovori za svetovalce")).to_be_visible()
            agent.locator("table a").first.click()
            expect(agent.locator("#transcript")).to_contain_text("želim govoriti s svetovalcem")
            agent.get_by_label("Odgovor uporabniku").fill("Pozdravljeni, tu svetovalka Ana.")
            agent.get_by_role("button", name="Pošlji odgovor").click()

            expect(page.locator(".chat-msg.agent")).to_contain_text("Pozdravljeni, tu svetovalka Ana.")
        finally:
            browser.close()
