"""The widget in a real browser (Playwright for Python driving Debian's Chromium) against the real gateway
over HTTP (Rasa and Telegram stand-ins, the real backend): the end-to-end chat with an agent, isolation
from a hostile host page at phone width, unread badge and title notice, used quick replies after a
reload, timestamps and speaker labels, queue place, and an axe-core audit (a local npm copy, no CDN)."""

from __future__ import annotations

import re
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.config import Settings
from tests.bot.conftest import AGENT_PASSWORD, csrf_of
from tests.bot.fakes import HANDOFF_TEXT

PHONE = {"width": 390, "height": 844}
LAUNCHER = "Klepet z virtualnim pomočnikom"
DEMO_TITLE = "Moj GEN-I – portal za stranke"


class Agent:
    """The agent console driven over HTTP (login form, CSRF), like a second browser would."""

    def __init__(self, base: str) -> None:
        self.http = httpx.Client(base_url=base, follow_redirects=True)
        page = self.http.get("/agent/login")
        r = self.http.post("/agent/login", data={"username": "ana", "password": AGENT_PASSWORD,
                                                 "csrf": csrf_of(page.text)})
        assert r.status_code == 200 and "Pogovori za svetovalce" in r.text, r.text[:300]
        self.csrf = csrf_of(r.text)

    def queue(self) -> list[str]:
        return [c["id"] for c in self.http.get("/agent/api/inbox").json()["queue"]]

    def claim(self, conv: str) -> None:
        assert self.http.post(f"/agent/c/{conv}/claim", data={"csrf": self.csrf}).status_code == 200

    def reply(self, conv: str, text: str) -> None:
        assert self.http.post(f"/agent/c/{conv}/reply", data={"csrf": self.csrf, "text": text}).status_code == 200


def csp_violations(page: Any) -> list[str]:
    """Collects the page's Content-Security-Policy refusals (Chromium logs each as a console error):
    the widget and the console must work under the gateway's strict CSP with none."""
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    return refused


def open_chat(page: Any) -> Any:
    from playwright.sync_api import expect

    page.get_by_role("button", name=LAUNCHER).click()
    box = page.get_by_label("Vaše sporočilo")
    expect(box).to_be_focused()
    return box


def ask(page: Any, text: str, expect_text: str) -> None:
    from playwright.sync_api import expect

    box = page.get_by_label("Vaše sporočilo")
    box.fill(text)
    box.press("Enter")
    expect(page.get_by_role("log")).to_contain_text(expect_text)


def inside_viewport(page: Any, locator: Any) -> dict[str, float]:
    box = locator.bounding_box()
    assert box is not None, "not rendered"
    vw, vh = page.viewport_size["width"], page.viewport_size["height"]
    assert box["x"] >= 0 and box["y"] >= 0, box
    assert box["x"] + box["width"] <= vw and box["y"] + box["height"] <= vh, (box, vw, vh)
    return dict(box)


def test_widget_end_to_end(browser: Any, gateway_url: str) -> None:
    from playwright.sync_api import expect

    user = browser.new_context(viewport=PHONE, locale="sl-SI")
    try:
        page = user.new_page()
        refused = csp_violations(page)
        page.goto(gateway_url + "/")
        expect(page.get_by_role("heading", name="Moj GEN-I – vse o vaši oskrbi z energijo na enem mestu")
               ).to_be_visible()
        box = open_chat(page)
        box.fill("pozabu sm geslo")
        box.press("Enter")
        log = page.get_by_role("log")
        expect(log).to_contain_text("Pozabil sem geslo")
        expect(log.get_by_role("link", name="https://moj.gen-i.si")).to_have_attribute(
            "href", "https://moj.gen-i.si")
        inside_viewport(page, page.get_by_role("dialog"))

        page.get_by_role("button", name="Da", exact=True).click()
        expect(log).to_contain_text("Hvala za oceno")

        page.reload()
        expect(page.get_by_role("dialog")).to_be_visible()
        expect(page.get_by_role("log")).to_contain_text("pozabu sm geslo")
        expect(page.get_by_role("log")).to_contain_text("Hvala za oceno")

        ask(page, "želim govoriti s svetovalcem", HANDOFF_TEXT)

        agent = user.browser.new_context().new_page()
        refused += csp_violations(agent)
        agent.goto(gateway_url + "/agent")
        agent.get_by_label("Uporabniško ime").fill("ana")
        agent.get_by_label("Geslo").fill(AGENT_PASSWORD)
        agent.get_by_role("button", name="Prijava").click()
        expect(agent.get_by_role("heading", name="Pogovori za svetovalce")).to_be_visible()
        agent.locator("table a").first.click()
        expect(agent.locator("#transcript")).to_contain_text("želim govoriti s svetovalcem")
        agent.get_by_label("Odgovor uporabniku").fill("Pozdravljeni, tu svetovalka Ana.")
        agent.get_by_role("button", name="Pošlji odgovor").click()

        expect(page.locator(".msg.agent")).to_contain_text("Pozdravljeni, tu svetovalka Ana.")
        expect(page.locator(".msg.agent .who")).to_have_text("Ana:")
        expect(page.get_by_role("status")).to_have_text("Z vami se pogovarja Ana.")
        assert refused == []  # the widget (WebSocket included) and the console's live parts
    finally:
        user.close()


@pytest.mark.parametrize(("path", "brand"), [("/static/hostile.html", "Moj Butan plin"), ("/", "Moj GEN-I")])
def test_header_fully_visible_at_phone_width(browser: Any, gateway_url: str, path: str, brand: str) -> None:
    """The issue's bug: the page's `section{margin-bottom}` pushed the panel's top 24 px out of view."""
    from playwright.sync_api import expect

    ctx = browser.new_context(viewport=PHONE, locale="sl-SI")
    try:
        page = ctx.new_page()
        refused = csp_violations(page)
        page.goto(gateway_url + path)
        if "hostile" in path:  # the hostile rules really are in force on the page's own elements
            assert page.locator("section h2").first.evaluate("e => getComputedStyle(e).fontSize") == "40px"
            expect(page.get_by_role("button", name="Gumb strani")).to_be_hidden()
        launcher = page.get_by_role("button", name=LAUNCHER)
        expect(launcher).to_be_visible()
        inside_viewport(page, launcher)
        open_chat(page)
        widget = page.locator("mojportal-chat")
        heading = widget.get_by_role("heading", name=brand)
        expect(heading).to_be_visible()
        close = page.get_by_role("button", name="Zapri klepet")
        expect(close).to_be_visible()
        head_box = inside_viewport(page, heading)
        close_box = inside_viewport(page, close)
        assert head_box["y"] < 60 and close_box["y"] < 60  # at the top of the screen, not pushed down
        panel = inside_viewport(page, page.get_by_role("dialog"))
        assert panel["width"] == 390 and panel["height"] == 844
        inside_viewport(page, page.get_by_label("Vaše sporočilo"))
        inside_viewport(page, page.get_by_role("button", name="Pošlji sporočilo"))
        # Nothing of the page's typography got in: the widget's own sizes and case.
        assert heading.evaluate("e => getComputedStyle(e).fontSize") == "17px"
        greeting = page.locator(".msg.bot .text").first
        expect(greeting).to_contain_text(f"virtualni pomočnik portala {brand}")
        style = greeting.evaluate("e => [getComputedStyle(e).fontSize, getComputedStyle(e).textTransform]")
        assert style == ["15px", "none"]
        assert page.get_by_label("Vaše sporočilo").evaluate("e => getComputedStyle(e).fontSize") == "16px"
        ask(page, "pozabu sm geslo", "Pozabil sem geslo")
        expect(page.get_by_role("button", name="Da", exact=True)).to_be_visible()
        page.keyboard.press("Escape")
        expect(page.get_by_role("dialog")).to_be_hidden()
        expect(launcher).to_be_focused()
        assert refused == []
    finally:
        ctx.close()


def test_unread_badge_and_title_notice(browser: Any, gateway_url: str) -> None:
    from playwright.sync_api import expect

    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, locale="sl-SI")
    try:
        page = ctx.new_page()
        page.goto(gateway_url + "/")
        open_chat(page)
        ask(page, "želim govoriti s svetovalcem", HANDOFF_TEXT)
        expect(page.get_by_role("status")).to_contain_text("Vaše mesto v čakalni vrsti: 1.")
        page.get_by_role("button", name="Zapri klepet").click()
        launcher = page.get_by_role("button", name=LAUNCHER)
        expect(launcher).to_be_focused()
        badge = page.locator(".badge")
        expect(badge).to_be_hidden()
        assert page.title() == DEMO_TITLE

        agent = Agent(gateway_url)
        [conv] = agent.queue()
        agent.claim(conv)  # reaches the widget through its socket's state check, no reply needed
        expect(badge).to_have_text("1")
        expect(page).to_have_title(f"(1) Novo sporočilo – {DEMO_TITLE}")
        agent.reply(conv, "Dober dan, tu svetovalka Ana. Kako vam lahko pomagam?")
        expect(badge).to_have_text("2")
        expect(badge).to_be_visible()
        expect(page).to_have_title(f"(2) Nova sporočila – {DEMO_TITLE}")
        expect(launcher).to_have_accessible_name(re.compile(rf"^{LAUNCHER}\s*\(2 novi sporočili\)$"))

        launcher.click()
        expect(badge).to_be_hidden()
        expect(page).to_have_title(DEMO_TITLE)
        log = page.get_by_role("log")
        expect(log).to_contain_text("Z vami se zdaj pogovarja Ana iz službe za pomoč strankam.")
        # The gateway's claim notice is the only join line (the widget adds none of its own).
        expect(log.locator(".msg.system", has_text="pogovarja Ana")).to_have_count(1)
        expect(log.locator(".msg.agent")).to_contain_text("Dober dan, tu svetovalka Ana.")
        expect(page.get_by_role("status")).to_have_text("Z vami se pogovarja Ana.")

        # Panel open but the tab in the background: the title still tells. Headless Chromium keeps
        # every tab visible, so the page is told what a browser tells it when the tab is switched.
        page.evaluate(TAB_HIDDEN.replace("HIDDEN", "true"))
        agent.reply(conv, "Ste še tam?")
        expect(page).to_have_title(f"(1) Novo sporočilo – {DEMO_TITLE}")
        page.evaluate(TAB_HIDDEN.replace("HIDDEN", "false"))
        expect(page).to_have_title(DEMO_TITLE)
    finally:
        ctx.close()


TAB_HIDDEN = """Object.defineProperty(document, 'hidden', {configurable: true, get: () => HIDDEN});
document.dispatchEvent(new Event('visibilitychange'))"""


def test_used_quick_replies_stay_used_after_reload(browser: Any, gateway_url: str) -> None:
    from playwright.sync_api import expect

    ctx = browser.new_context(viewport=PHONE, locale="sl-SI")
    try:
        page = ctx.new_page()
        page.goto(gateway_url + "/")
        open_chat(page)
        ask(page, "pozabu sm geslo", "Vam je bil odgovor v pomoč?")
        yes = page.get_by_role("button", name=re.compile(r"^Da\b"))
        no = page.get_by_role("button", name="Ne", exact=True)
        expect(yes).to_be_enabled()
        yes.click()
        expect(page.get_by_role("log")).to_contain_text("Hvala za oceno")
        expect(yes).to_be_disabled()
        expect(no).to_be_disabled()

        page.reload()
        expect(page.get_by_role("log")).to_contain_text("Hvala za oceno")
        expect(yes).to_be_disabled()
        expect(no).to_be_disabled()
        expect(yes).to_have_accessible_name("Da (izbrano)")

        # Buttons nobody answered yet stay usable after a reload.
        ask(page, "pozabu sm geslo še enkrat", "Pozabil sem geslo")
        page.reload()
        expect(page.get_by_role("log")).to_contain_text("še enkrat")
        expect(page.get_by_role("button", name="Ne", exact=True).last).to_be_enabled()
        expect(page.get_by_role("button", name="Ne", exact=True).first).to_be_disabled()
    finally:
        ctx.close()


def test_timestamps_and_speaker_labels(browser: Any, gateway_url: str) -> None:
    from playwright.sync_api import expect

    ctx = browser.new_context(viewport=PHONE, locale="sl-SI", timezone_id="Europe/Ljubljana")
    try:
        page = ctx.new_page()
        page.goto(gateway_url + "/")
        open_chat(page)
        ask(page, "pozabu sm geslo", "Vam je bil odgovor v pomoč?")
        ask(page, "želim govoriti s svetovalcem", HANDOFF_TEXT)
        agent = Agent(gateway_url)
        [conv] = agent.queue()
        agent.reply(conv, "Pozdravljeni, tu Ana.")
        expect(page.locator(".msg.agent")).to_contain_text("Pozdravljeni, tu Ana.")
        page.reload()  # times and labels as restored from the history, not just as typed
        expect(page.locator(".msg.agent")).to_contain_text("Pozdravljeni, tu Ana.")

        msgs = page.locator(".msg")
        labels = [m.locator(".sr, .who").first.text_content() for m in msgs.all()]
        # "Obvestilo:" = the claim notice the gateway sends before the first agent reply
        assert labels == ["Vi: ", "Pomočnik: ", "Pomočnik: ", "Vi: ", "Pomočnik: ", "Obvestilo: ", "Ana:"], labels
        times = page.locator(".msg time")
        assert times.count() == msgs.count()
        session = page.evaluate("localStorage.getItem('mojportal.chat.geni.session')")
        history = httpx.get(gateway_url + "/api/web/history", headers={"X-Session-Id": session}).json()["messages"]
        for shown, msg in zip(times.all(), history, strict=True):
            at = datetime.fromisoformat(msg["created_at"])  # Ljubljana time, as the browser's clock
            assert shown.text_content() == f"{at.hour:02d}.{at.minute:02d}"
            assert re.fullmatch(r"\d{2}\.\d{2}", shown.text_content() or "")
    finally:
        ctx.close()


def test_queue_place_moves_up_live(browser: Any, gateway_url: str) -> None:
    from playwright.sync_api import expect

    first, second = browser.new_context(locale="sl-SI"), browser.new_context(locale="sl-SI")
    try:
        pages = []
        for ctx in (first, second):
            page = ctx.new_page()
            page.goto(gateway_url + "/")
            open_chat(page)
            ask(page, "želim govoriti s svetovalcem", HANDOFF_TEXT)
            pages.append(page)
        expect(pages[1].get_by_role("status")).to_have_text(
            "Čakate na prvega prostega svetovalca. Vaše mesto v čakalni vrsti: 2.")
        agent = Agent(gateway_url)
        agent.claim(agent.queue()[0])
        expect(pages[1].get_by_role("status")).to_have_text(
            "Čakate na prvega prostega svetovalca. Vaše mesto v čakalni vrsti: 1.")
        expect(pages[0].get_by_role("status")).to_have_text("Z vami se pogovarja Ana.")
        expect(pages[0].get_by_role("log")).to_contain_text("Z vami se zdaj pogovarja Ana")
    finally:
        first.close()
        second.close()


def serious_violations(page: Any, axe: Path, context: str | None = None) -> list[dict[str, Any]]:
    """axe-core run in the page (open shadow roots included); serious and critical findings only."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe))
    result = page.evaluate(
        "ctx => axe.run(ctx ? {include: [[ctx]]} : document, {resultTypes: ['violations']})", context)
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_accessibility_audit_axe(browser: Any, gateway_url: str, axe_source: Path) -> None:
    from playwright.sync_api import expect

    # axe is injected as an inline script, which the gateway's CSP refuses: the audit tool (only it)
    # bypasses the CSP; the other browser tests run under it and check that nothing is refused.
    ctx = browser.new_context(viewport=PHONE, locale="sl-SI", bypass_csp=True)
    try:
        page = ctx.new_page()
        page.goto(gateway_url + "/")
        expect(page.get_by_role("button", name=LAUNCHER)).to_be_visible()
        assert serious_violations(page, axe_source) == []  # closed: the demo page and the launcher

        open_chat(page)
        ask(page, "pozabu sm geslo", "Vam je bil odgovor v pomoč?")  # links and quick replies
        page.get_by_role("button", name="Da", exact=True).click()
        expect(page.get_by_role("log")).to_contain_text("Hvala za oceno")
        ask(page, "želim govoriti s svetovalcem", HANDOFF_TEXT)  # status line
        agent = Agent(gateway_url)
        [conv] = agent.queue()
        agent.reply(conv, "Pozdravljeni, tu Ana.")
        expect(page.locator(".msg.agent")).to_be_visible()
        assert serious_violations(page, axe_source) == []  # open, with every kind of message

        page.get_by_role("button", name="Zapri klepet").click()
        agent.reply(conv, "Ste še tam?")
        expect(page.locator(".badge")).to_be_visible()
        assert serious_violations(page, axe_source) == []  # closed with the unread badge

        page.goto(gateway_url + "/static/hostile.html")  # the Butan plin colours, on a hostile page
        open_chat(page)
        ask(page, "pozabu sm geslo", "Vam je bil odgovor v pomoč?")
        assert serious_violations(page, axe_source, "mojportal-chat") == []
    finally:
        ctx.close()


def test_expired_session_starts_fresh(browser: Any, gateway_url: str, settings: Settings) -> None:
    """The history expired while the tab stayed open: the next message starts a new session, says
    so, gets its answer; after a reload only the new conversation is there."""
    from playwright.sync_api import expect
    from sqlalchemy import update

    from bot.models import Turn, WebSession
    from bot.store import Store

    ctx = browser.new_context(viewport=PHONE, locale="sl-SI")
    store = Store(settings.resolved_database_url())
    try:
        page = ctx.new_page()
        refused = csp_violations(page)
        page.goto(gateway_url + "/")
        open_chat(page)
        ask(page, "pozabu sm geslo", "Pozabil sem geslo")
        then = time.time() - 25 * 3600
        with store.engine.begin() as db:  # a day passes
            db.execute(update(Turn).values(created_at=then))
            db.execute(update(WebSession).values(created_at=then))
        ask(page, "kje oddam stanje", "Odgovor pomočnika na: kje oddam stanje")
        expect(page.get_by_role("log")).to_contain_text("Prejšnji pogovor je potekel")
        page.reload()
        log = page.get_by_role("log")
        expect(log).to_contain_text("Odgovor pomočnika na: kje oddam stanje")
        expect(log).not_to_contain_text("pozabu sm geslo")
        assert refused == []
    finally:
        store.close()
        ctx.close()
