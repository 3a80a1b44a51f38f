"""The agent console in a real browser (Playwright + Debian Chromium, like test_browser.py) against
the real gateway and backend: claim with one notice to the customer, a canned reply, resolve and the
customer's satisfaction answer, the callback list, the report with charts and a date range, and an
axe-core audit of the console pages (no serious or critical findings)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.bot.conftest import AGENT_PASSWORD, API_KEY, tickets, unique
from tests.bot.fakes import HANDOFF_TEXT
from tests.bot.test_browser import ask, csp_violations, open_chat, serious_violations


def agent_page(browser: Any, base: str, bypass_csp: bool = False) -> Any:
    """A second browser context logged in to the console through its form (`bypass_csp` only for
    the axe audit, which injects its engine as an inline script)."""
    from playwright.sync_api import expect

    ctx = browser.new_context(locale="sl-SI", bypass_csp=bypass_csp)
    page = ctx.new_page()
    page.csp_refusals = csp_violations(page)  # checked by each test: the console works under the strict CSP
    page.goto(base + "/agent/login")
    page.get_by_label("Uporabniško ime").fill("ana")
    page.get_by_label("Geslo").fill(AGENT_PASSWORD)
    page.get_by_role("button", name="Prijava").click()
    expect(page.get_by_role("heading", name="Pogovori za svetovalce")).to_be_visible()
    return page


def test_claim_canned_reply_resolve_and_satisfaction(browser: Any, gateway_url: str, backend_url: str) -> None:
    from playwright.sync_api import expect

    user = browser.new_context(locale="sl-SI")
    agent = None
    try:
        page = user.new_page()
        page.goto(gateway_url + "/")
        open_chat(page)
        ask(page, "želim govoriti s svetovalcem", HANDOFF_TEXT)

        agent = agent_page(browser, gateway_url)
        row = agent.locator("tr", has_text="želim govoriti s svetovalcem")
        expect(row).to_contain_text("želi svetovalca")
        row.get_by_role("button", name="Prevzemi").click()
        log = page.get_by_role("log")
        expect(log).to_contain_text("Z vami se zdaj pogovarja Ana iz službe za pomoč strankam.")
        expect(log.locator(".msg.system", has_text="pogovarja Ana")).to_have_count(1)

        # the claim opens the conversation
        transcript = agent.locator("#transcript")
        expect(transcript).to_contain_text("želim govoriti s svetovalcem")
        agent.get_by_label("Pripravljen odgovor").select_option(label="Pozdrav")
        page.get_by_label("Vaše sporočilo").fill("Imam vprašanje o računu.")
        page.get_by_label("Vaše sporočilo").press("Enter")
        expect(transcript).to_contain_text("Imam vprašanje o računu.")  # pushed by the event stream
        expect(agent.get_by_label("Odgovor uporabniku")).to_have_value(
            "Pozdravljeni! Hvala, ker ste počakali. Kako vam lahko pomagam?")
        agent.get_by_role("button", name="Pošlji odgovor").click()
        expect(log.locator(".msg.agent")).to_contain_text("Hvala, ker ste počakali.")
        agent.get_by_label("Nova opomba").fill("Stranka želi obročno plačilo.")
        agent.get_by_role("button", name="Shrani opombo").click()
        expect(agent.locator("#notes")).to_contain_text("Stranka želi obročno plačilo.")

        agent.get_by_role("button", name="Rešeno").click()
        expect(agent.get_by_role("heading", name="Pogovori za svetovalce")).to_be_visible()
        expect(log).to_contain_text("Kako ste zadovoljni s pomočjo svetovalca?")
        page.get_by_role("button", name="4", exact=True).click()
        expect(log).to_contain_text("Hvala za vašo oceno.")
        expect(log).not_to_contain_text("obročno")  # the internal note never reaches the customer
        conv = [t for t in httpx.get(f"{backend_url}/api/v1/handoff-tickets", headers={"X-API-Key": API_KEY},
                                     params={"active": "false", "limit": 200}).json()
                if t["satisfaction"] == 4 and t["resolution"] == "resolved"]
        assert conv, "the answer is stored with the ticket"
        assert agent.csp_refusals == []
    finally:
        user.close()
        if agent is not None:
            agent.context.close()


def test_callback_list(browser: Any, gateway_url: str, backend_url: str) -> None:
    from playwright.sync_api import expect

    conv = f"rest-{unique()}"
    r = httpx.post(f"{backend_url}/api/v1/handoff-tickets", headers={"X-API-Key": API_KEY}, json={
        "conversation_id": conv, "channel": "rest", "reason": "request", "kind": "callback", "brand": "geni",
        "summary": "Pokličite me jutri na 041 555 666.", "contact": "Pokličite me jutri na 041 555 666."})
    assert r.status_code == 201
    agent = agent_page(browser, gateway_url)
    try:
        section = agent.locator("#callbacks")
        row = section.locator("tr", has_text="041 555 666")
        expect(row).to_contain_text("povratni klic")
        row.get_by_role("button", name="Poklical sem").click()
        expect(agent.locator("#callbacks tr", has_text="041 555 666")).to_have_count(0)
        assert tickets(backend_url, conv)[0]["resolution"] == "called"
        assert agent.csp_refusals == []
    finally:
        agent.context.close()


def test_report_charts_and_date_range(browser: Any, gateway_url: str, backend_url: str) -> None:
    from playwright.sync_api import expect

    httpx.post(f"{backend_url}/api/v1/feedback", headers={"X-API-Key": API_KEY},
               json={"conversation_id": "br", "topic": "login", "rating": "Da"})
    agent = agent_page(browser, gateway_url)
    try:
        agent.get_by_role("link", name="Poročilo").click()
        expect(agent.get_by_role("heading", name="Poročilo o pogovorih")).to_be_visible()
        expect(agent.locator("html")).to_have_attribute("data-charts", "5")  # Chart.js drew every chart
        agent.get_by_label("Od", exact=True).fill("2026-11-01")
        agent.get_by_label("Do", exact=True).fill("2026-11-30")
        agent.get_by_role("button", name="Prikaži").click()
        expect(agent.locator(".meta", has_text="Obdobje: 2026-11-01 – 2026-11-30")).to_be_visible()
        expect(agent.locator("#chart-topics")).to_be_visible()
        box = agent.locator("#chart-conversations").bounding_box()
        assert box is not None and box["height"] > 50
        assert agent.get_by_role("link", name="Izvozi CSV").get_attribute("href") == \
            "/agent/report.csv?od=2026-11-01&do=2026-11-30"
        assert agent.csp_refusals == []  # Chart.js draws under the gateway's CSP
    finally:
        agent.context.close()


def test_console_accessibility_axe(browser: Any, gateway_url: str, axe_source: Path) -> None:
    from playwright.sync_api import expect

    user = browser.new_context(locale="sl-SI")
    agent = agent_page(browser, gateway_url, bypass_csp=True)
    try:
        page = user.new_page()
        page.goto(gateway_url + "/")
        open_chat(page)
        ask(page, "želim govoriti s svetovalcem", HANDOFF_TEXT)
        agent.reload()
        assert serious_violations(agent, axe_source) == []  # the inbox with a waiting conversation
        agent.get_by_role("link", name="želim govoriti s svetovalcem").first.click()
        expect(agent.locator("#transcript")).to_be_visible()
        assert serious_violations(agent, axe_source) == []  # conversation: transcript, reply, notes
        for path in ("/agent/canned", "/agent/search?q=svetoval", "/agent/report"):
            agent.goto(gateway_url + path)
            assert serious_violations(agent, axe_source) == [], path
        agent.context.clear_cookies()
        agent.goto(gateway_url + "/agent/login")
        assert serious_violations(agent, axe_source) == []
    finally:
        user.close()
        agent.context.close()
