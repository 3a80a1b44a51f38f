"""The console report (issue 14): a date range, rates consistent with the counts shown and defined
in words, Slovene number format, topics by their Slovene titles, waiting time and satisfaction
from the backend's tickets, CSV export, Chart.js served by the gateway (no CDN)."""

from __future__ import annotations

import subprocess
from datetime import date

import httpx
import pytest
from fastapi.testclient import TestClient

from bot import report
from bot.channels.web import web_conversation_id
from devtools.servers import ROOT
from tests.bot.conftest import API_KEY, login, new_session, say, tickets


def test_number_format_and_period() -> None:
    assert report.pct(0.1712) == "17,1\u00a0%" and report.pct(None) == "–" and report.pct(1.0) == "100,0\u00a0%"
    assert report.num(2.25, 2) == "2,25" and report.minutes(90) == "1,5 min"
    today = date(2026, 12, 3)
    assert report.period(None, None, today) == (date(2026, 11, 4), today, None)
    assert report.period("2026-11-01", "2026-11-30", today) == (date(2026, 11, 1), date(2026, 11, 30), None)
    for bad in (("včeraj", "2026-11-30"), ("2026-11-30", "2026-11-01")):
        first, last, error = report.period(*bad, today=today)
        assert (first, last) == (date(2026, 11, 4), today) and error and "prikazanih je zadnjih 30 dni" in error
    first, last, error = report.period("2020-01-01", "2026-12-01", today)
    assert (last - first).days == report.MAX_DAYS - 1 and error


def test_rates_match_the_counts() -> None:
    days = {"2026-11-02": {"conversations": 3, "active": 2, "forwarded": 7, "fallbacks": 2, "handed": 1}}
    r = report.build(date(2026, 11, 1), date(2026, 11, 3), days, None, None)
    assert [row["day"] for row in r["rows"]] == ["2026-11-01", "2026-11-02", "2026-11-03"]
    assert r["fallback_rate"] == 2 / 7 and r["handoff_rate"] == 1 / 2
    assert r["rows"][1]["fallback_rate"] == 2 / 7 and r["rows"][0]["fallback_rate"] is None
    charts = report.chart_data(r)
    assert charts["fallback_rate"] == [None, 28.6, None] and charts["conversations"] == [0, 3, 0]


def test_report_page_with_range_titles_waiting_time_and_csv(client: TestClient, backend_url: str) -> None:
    h = {"X-API-Key": API_KEY}
    for rating in ("Da", "Da", "Ne"):
        httpx.post(f"{backend_url}/api/v1/feedback", headers=h,
                   json={"conversation_id": "rep", "topic": "register", "rating": rating})
    sid = new_session(client)
    conv = web_conversation_id(sid)
    say(client, sid, text="želim govoriti s svetovalcem")
    csrf = login(client)
    client.post(f"/agent/c/{conv}/reply", data={"csrf": csrf, "text": "Dober dan."})
    client.post(f"/agent/c/{conv}/handback", data={"csrf": csrf})
    [ticket] = tickets(backend_url, conv)
    question = [m for m in client.get("/api/web/history", headers={"X-Session-Id": sid}).json()["messages"]
                if m["buttons"] and m["buttons"][0]["payload"].startswith("ocena-svetovalca:")][-1]
    say(client, sid, payload=question["buttons"][4]["payload"], title="5")

    day = ticket["created_at"][:10]  # the backend under test runs on a fixed date
    page = client.get("/agent/report", params={"od": day, "do": day})
    assert page.status_code == 200
    text = page.text
    assert f'value="{day}"' in text and "Izvozi CSV" in text
    assert "<td>Registracija na portal</td>" in text  # the FAQ title (metadata.title), not the topic key
    assert "66,7\u00a0%" in text  # 2 of 3 ratings helpful
    assert "Delež nerazumljenih = nerazumljena sporočila ÷ vsa sporočila" in text
    assert 'id="chart-topics"' in text and "/agent/vendor/chart.umd.min.js" in text and "cdn" not in text.lower()
    # the page shows the backend's own figures for the period (other tests share the backend)
    start, end = report.bounds(date.fromisoformat(day), date.fromisoformat(day))
    figures = httpx.get(f"{backend_url}/api/v1/reports/handoffs", headers=h,
                        params={"since": start.isoformat(), "until": end.isoformat()}).json()
    assert figures["satisfaction"]["5"] >= 1
    assert f"{figures['rated']}, povprečje {report.num(figures['satisfaction_mean'])}" in text
    wait = text.split('id="wait-median">')[1].split("<")[0]
    assert wait.endswith(" min")

    bad = client.get("/agent/report", params={"od": "nekoč", "do": day})
    assert bad.status_code == 200 and "LLLL-MM-DD" in bad.text

    csv = client.get("/agent/report.csv", params={"od": day, "do": day})
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert f"porocilo-{day}-{day}.csv" in csv.headers["content-disposition"]
    lines = csv.text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("datum;pogovori;") and lines[1].startswith(day)
    assert any(line.startswith("register;") and line.endswith(";66,7") for line in lines)
    client.cookies.clear()
    assert client.get("/agent/report.csv").status_code == 401


def test_chart_library_served_from_node_modules(client: TestClient) -> None:
    """Installed from package-lock.json by the same idempotent script as axe-core (no CDN)."""
    proc = subprocess.run([str(ROOT / "scripts" / "ensure_node_modules.sh")], capture_output=True, text=True,
                          timeout=900)
    if proc.returncode == 3:
        pytest.skip(f"npm packages cannot be installed here: {proc.stderr.strip()}")
    assert proc.returncode == 0, proc.stderr
    r = client.get("/agent/vendor/chart.umd.min.js")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/javascript") and "Chart" in r.text
