"""Soak and fault test: the scaled stack (make run-scaled: 2× Rasa, actions, backend, gateway behind
HAProxy, PostgreSQL, Redis) and the embedded default (make run), the same workload on both.

    .venv/bin/python bench/bench_soak.py                       # 200 conversations × ~20 turns, 16 at once
    .venv/bin/python bench/bench_soak.py --conversations 40 --stacks scaled

Each stack is started exactly as its make target starts it (scripts/stack.py under supervisord),
on free loopback ports with its state in a temp folder, and stopped at the end. A conversation
is a web widget user over HTTP through the load balancer: FAQ questions (and "Da" on the rating),
verified reading submissions (e-mail, the one-time code from the dev outbox, metering point,
value, "danes", confirm) followed by the invoices, or a handoff: the widget's WebSocket is open on
whichever gateway replica HAProxy chose (X-Served-By), the agent replies and hands back through
the *other* replica, and the reply must arrive on that WebSocket.

During the scaled run one replica of each kind is killed with SIGKILL (its whole process group:
Rasa's Sanic workers too) and restarted by supervisord; a kill window lasts from the kill until the
replica answers its health check again, plus 5 s for HAProxy to route to it. Turns that fail are
counted by kind, inside and outside those windows. The embedded run has no kills (one process of a
kind: killing it is an outage, which tests/stack/test_supervisor.py measures).

Readings: every reply that said "Odčitek N … je shranjen" is compared with the rows the backend
stored during the run (read from its database): claimed but not stored, stored twice, stored
without a "shranjen" reply (a reply lost in a kill window). Bounded: --conversations, --turns and
--max-seconds per stack; all traffic goes to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, select  # noqa: E402
from websockets.asyncio.client import connect as ws_connect  # noqa: E402

from backend.models import MeteringPoint, MeterReading  # noqa: E402
from bot.handoff import HANDBACK_NOTICE, RASA_DOWN, RATE_LIMITED, STATE_UNKNOWN  # noqa: E402
from devtools.servers import AGENT_PASSWORD, Stack, free_port, stack_secrets  # noqa: E402

# Accounts with an electricity point accepting readings on any day (okno 1.–31.), invoices visible.
CUSTOMERS = [
    ("ana.novak@example.com", "SI-E-100001"), ("bojan.kos@example.com", "SI-E-100003"),
    ("dejan.horvat@example.com", "SI-E-100005"), ("natasa.jerman@example.com", "SI-E-100017"),
    ("jana.zorko@example.com", "SI-E-100013"), ("oto.bergant@example.com", "SI-E-100018"),
    ("eva.krajnc@example.com", "SI-E-100007"),
]
FAQ = [
    "pozabu sm geslo za moj gen-i", "kako se registriram na portal", "nisem dobil aktivacijskega maila",
    "kako spremenim geslo", "ali lahko zamenjam uporabnisko ime", "ali imate mobilno aplikacijo",
    "kaj lahko dela pooblasceni uporabnik", "kako povezem pogodbo", "kako oddam stanje na portalu",
    "kdaj sprejemate odcitke", "kako pristopim k akciji v portalu", "kaksna je vasa telefonska stevilka",
    "kdaj ste dosegljivi", "kaj ponuja moj butan plin", "kako se prijavim v moj butan plin",
    "kako povezem odjemno mesto butan plin", "kako narocim plinsko jeklenko", "kaj vse lahko naredim na portalu",
    "koliko stane kWh v akciji 99,99 %", "zakaj moram potrditi prijavo po mailu",
]
SAVED = re.compile(r"Odčitek (\d+) z dne .{1,40}? je shranjen")
KILL_ORDER = ("gateway1", "backend1", "actions1", "rasa1")
GRACE = 5.0
HEALTH = {"gateway": "/health", "backend": "/health", "actions": "/health", "rasa": "/"}


@dataclass
class Turn:
    kind: str
    start: float
    end: float
    failure: str | None = None


@dataclass
class Results:
    name: str
    turns: list[Turn] = field(default_factory=list)
    windows: list[tuple[str, float, float]] = field(default_factory=list)
    claimed: Counter[tuple[str, int]] = field(default_factory=Counter)
    stored: Counter[tuple[str, int]] = field(default_factory=Counter)
    conversations: int = 0
    wall: float = 0.0
    kills_skipped: list[str] = field(default_factory=list)
    origin: float = 0.0
    bot_handoffs: int = 0
    samples: dict[str, str] = field(default_factory=dict)  # first example of each unexpected reply


class StepFailed(Exception):
    """A turn that failed: the rest of this flow is skipped (the conversation goes on with FAQ)."""


class Soak:
    """One workload against one stack."""

    def __init__(self, stack: Stack, results: Results, gateways: list[str], api_key: str) -> None:
        self.stack = stack
        self.r = results
        self.gateways = gateways  # direct replica URLs (one in the embedded stack)
        self.api = httpx.AsyncClient(base_url=stack.backend_url + "/api/v1", headers={"X-API-Key": api_key},
                                     timeout=30)
        self.http = httpx.AsyncClient(base_url=stack.url, timeout=90)
        self.locks = {email: asyncio.Lock() for email, _ in CUSTOMERS}
        self.next_value: dict[str, int] = {}
        self.agents: dict[str, httpx.AsyncClient] = {}

    # --- one user turn ----------------------------------------------------------------
    async def say(self, session: str, kind: str, text: str | None = None, payload: str | None = None,
                  title: str | None = None) -> dict[str, Any]:
        body = {"text": text} if payload is None else {"payload": payload, "title": title or payload}
        t0 = time.monotonic()
        try:
            resp = await self.http.post("/api/web/message", headers={"X-Session-Id": session}, json=body)
        except httpx.HTTPError as exc:
            self.r.turns.append(Turn(kind, t0, time.monotonic(), f"http:{type(exc).__name__}"))
            raise StepFailed from exc
        t1 = time.monotonic()
        if resp.status_code != 200:
            self.r.turns.append(Turn(kind, t0, t1, f"http:{resp.status_code}"))
            raise StepFailed
        data = resp.json()
        texts = [m["text"] for m in data.get("messages", [])]
        for notice, label in ((RASA_DOWN, "rasa_down"), (STATE_UNKNOWN, "backend_state"),
                              (RATE_LIMITED, "rate_limited")):
            if notice in texts:
                self.r.turns.append(Turn(kind, t0, t1, label))
                raise StepFailed
        if "nedosegljiv" in " ".join(texts) or "ne odgovarja" in " ".join(texts):
            self.r.turns.append(Turn(kind, t0, t1, "backend_down_reply"))
            raise StepFailed
        self.r.turns.append(Turn(kind, t0, t1))
        return dict(data)

    def expect(self, data: dict[str, Any], needle: str, kind: str) -> str:
        text = "\n".join(m["text"] for m in data.get("messages", []))
        if needle.lower() not in text.lower():
            self.r.turns[-1].failure = f"unexpected:{kind}"
            self.r.samples.setdefault(f"unexpected:{kind}", f"wanted {needle!r}, got {text[:300]!r}")
            raise StepFailed
        return text

    @staticmethod
    def button(data: dict[str, Any], match: str) -> dict[str, str] | None:
        for m in reversed(data.get("messages", [])):
            for b in m.get("buttons") or []:
                if match.lower() in (b.get("title", "") + " " + b.get("payload", "")).lower():
                    return dict(b)
        return None

    # --- flows ----------------------------------------------------------------------
    async def faq(self, session: str, i: int) -> int:
        data = await self.say(session, "faq", FAQ[i % len(FAQ)])
        if data.get("handoff"):
            # The bot itself handed over (two misunderstandings in a row): an agent hands back.
            self.r.bot_handoffs += 1
            await self.release(session)
            return 1
        if not any(m["role"] == "bot" and m["text"] for m in data.get("messages", [])):
            self.r.turns[-1].failure = "unexpected:faq"
            self.r.samples.setdefault("unexpected:faq", f"{FAQ[i % len(FAQ)]!r} -> {data}")
            return 1
        da = self.button(data, "/affirm") if i % 3 == 0 else None
        if da is not None:
            await self.say(session, "feedback", payload=da["payload"], title=da["title"])
            return 2
        return 1

    async def code_for(self, email: str) -> str:
        rows = (await self.api.get("/dev/outbox", params={"recipient": email, "limit": 1})).json()
        return re.search(r"\b(\d{6})\b", rows[0]["body"]).group(1)  # type: ignore[union-attr]

    async def reading(self, session: str, n: int) -> int:
        email, point = CUSTOMERS[n % len(CUSTOMERS)]
        turns = 0
        async with self.locks[email]:  # one code in flight per account; readings on a point in order
            value = self.next_value[point]
            self.next_value[point] += 1
            try:
                turns += 1
                self.expect(await self.say(session, "reading", "oddal bi stanje števca"), "e-naslov", "reading")
                turns += 1
                self.expect(await self.say(session, "verify", email), "Poslal sem vam kodo", "verify")
                turns += 1
                data = await self.say(session, "verify", await self.code_for(email))
                pick = self.button(data, point)
                if pick is not None:
                    turns += 1
                    data = await self.say(session, "reading", payload=pick["payload"], title=pick["title"])
                self.expect(data, "stanj", "reading")
                turns += 1
                self.expect(await self.say(session, "reading", str(value)), "Na kateri dan", "reading")
                turns += 1
                summary = await self.say(session, "reading", "danes")
                self.expect(summary, "Povzetek", "reading")
                confirm = self.button(summary, "/affirm") or self.button(summary, "Da")
                if confirm is None:
                    self.r.turns[-1].failure = "unexpected:reading"
                    raise StepFailed
                turns += 1
                saved = await self.say(session, "reading", payload=confirm["payload"], title=confirm["title"])
                text = "\n".join(m["text"] for m in saved["messages"])
                m = SAVED.search(text)
                if m:
                    self.r.claimed[(point, int(m.group(1)))] += 1
                else:
                    self.r.turns[-1].failure = "unexpected:reading_not_saved"
                turns += 1
                self.expect(await self.say(session, "invoices", "pokaži moje račune"), "račun", "invoices")
            except StepFailed:
                try:  # leave no form half-way; nothing is stored by "prekliči"
                    turns += 1
                    await self.say(session, "cancel", "prekliči")
                except StepFailed:
                    pass
        return turns

    async def agent(self, base: str) -> httpx.AsyncClient:
        if base not in self.agents:
            c = httpx.AsyncClient(base_url=base, timeout=30, follow_redirects=False)
            page = await c.get("/agent/login")
            csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
            await c.post("/agent/login", data={"username": "ana", "password": AGENT_PASSWORD, "csrf": csrf})
            inbox = await c.get("/agent")
            c.headers["X-Bench-Csrf"] = re.search(  # type: ignore[union-attr]
                r'name="csrf" value="([^"]+)"', inbox.text).group(1)
            self.agents[base] = c
        return self.agents[base]

    async def agent_action(self, base: str, conv: str, what: str, **data: str) -> httpx.Response:
        t0 = time.monotonic()
        try:
            c = await self.agent(base)
            resp = await c.post(f"/agent/c/{conv}/{what}", data={"csrf": c.headers["X-Bench-Csrf"], **data})
        except (httpx.HTTPError, AttributeError) as exc:
            self.agents.pop(base, None)
            self.r.turns.append(Turn("agent", t0, time.monotonic(), f"http:{type(exc).__name__}"))
            raise StepFailed from exc
        self.r.turns.append(Turn("agent", t0, time.monotonic(), None if resp.status_code == 303 else
                                 f"http:{resp.status_code}"))
        if resp.status_code != 303:
            raise StepFailed
        return resp

    async def handoff(self, session: str) -> int:
        from bot.channels.web import web_conversation_id

        conv = web_conversation_id(session)
        ws_base = self.stack.url.replace("http://", "ws://")
        turns = 0
        try:
            async with ws_connect(ws_base + "/api/web/ws", open_timeout=10) as ws:
                await ws.send(json.dumps({"session_id": session}))
                await asyncio.wait_for(ws.recv(), 10)
                served = ws.response.headers.get("X-Served-By", "") if ws.response else ""
                others = [g for i, g in enumerate(self.gateways, 1) if f"gateway{i}" != served] or self.gateways
                turns += 1
                data = await self.say(session, "handoff", "želim govoriti s svetovalcem")
                if not data.get("handoff"):
                    self.r.turns[-1].failure = "unexpected:handoff"
                    raise StepFailed
                t0 = time.monotonic()
                turns += 1
                await self.agent_action(others[0], conv, "reply", text="Pozdravljeni, tu svetovalka Ana.")
                if not await self.wait_for(ws, "Pozdravljeni, tu svetovalka Ana."):
                    self.r.turns.append(Turn("handoff_delivery", t0, time.monotonic(), "agent_reply_not_delivered"))
                    raise StepFailed
                turns += 1
                back = await self.agent_action(others[0], conv, "handback")
                if back.headers.get("location") != "/agent" or not await self.wait_for(ws, HANDBACK_NOTICE):
                    self.r.turns[-1].failure = "handback_not_done"
                    raise StepFailed
        except (OSError, asyncio.TimeoutError, StepFailed) as exc:
            if not isinstance(exc, StepFailed):
                now = time.monotonic()
                self.r.turns.append(Turn("handoff_ws", now, now, f"ws:{type(exc).__name__}"))
            await self.release(session)  # never leave the conversation with an agent
        return turns

    async def release(self, session: str) -> None:
        """Hand the conversation back to the bot through any replica that answers."""
        from bot.channels.web import web_conversation_id

        for g in self.gateways:
            try:
                await self.agent_action(g, web_conversation_id(session), "handback")
                return
            except StepFailed:
                continue

    @staticmethod
    async def wait_for(ws: Any, text: str, seconds: float = 20) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                frame = json.loads(await asyncio.wait_for(ws.recv(), deadline - time.monotonic()))
            except (asyncio.TimeoutError, ValueError):
                return False
            if (frame.get("message") or {}).get("text") == text:
                return True
        return False

    async def conversation(self, n: int, turns: int) -> None:
        t0 = time.monotonic()
        try:
            resp = await self.http.post("/api/web/session")
            session = str(resp.json()["session_id"])
        except (httpx.HTTPError, ValueError, KeyError):
            self.r.turns.append(Turn("session", t0, time.monotonic(), "http:session"))
            return
        self.r.conversations += 1
        done = 0
        try:
            if n % 20 == 5:
                done += await self.handoff(session)
            elif n % 5 in (0, 2):
                done += await self.reading(session, n)
        except StepFailed:
            pass
        i = n
        while done < turns:
            try:
                done += await self.faq(session, i)
            except StepFailed:
                done += 1
            i += 1

    async def run(self, conversations: int, turns: int, concurrency: int, max_seconds: float) -> None:
        sem = asyncio.Semaphore(concurrency)

        async def one(n: int) -> None:
            async with sem:
                await self.conversation(n, turns)

        t0 = time.monotonic()
        tasks = [asyncio.create_task(one(n)) for n in range(conversations)]
        done, pending = await asyncio.wait(tasks, timeout=max_seconds)
        for t in pending:
            t.cancel()
        self.r.wall = time.monotonic() - t0
        if pending:
            print(f"   ({len(pending)} conversations cancelled at the {max_seconds:.0f} s bound)")
        await self.http.aclose()
        await self.api.aclose()
        for c in self.agents.values():
            await c.aclose()


def kill_loop(stack: Stack, results: Results, stop: threading.Event, start_after: float, gap: float) -> None:
    """kill -9 one replica of each kind in turn; the window ends when it answers again (+ GRACE)."""
    if stop.wait(start_after):
        results.kills_skipped = list(KILL_ORDER)
        return
    for i, name in enumerate(KILL_ORDER):
        if stop.is_set():
            results.kills_skipped = list(KILL_ORDER[i:])
            return
        kind, index = name[:-1], int(name[-1])
        url = stack.replica_url(kind, index) + HEALTH[kind]
        old = stack.kill9(name)
        t0 = time.monotonic()
        print(f"   kill -9 {name} (pid {old}) at +{t0 - results.origin:.0f} s", flush=True)
        while time.monotonic() - t0 < 600:
            try:
                if stack.pid(name) != old and httpx.get(url, timeout=3).status_code == 200:
                    break
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(0.5)
        t1 = time.monotonic()
        print(f"   {name} back after {t1 - t0:.1f} s", flush=True)
        results.windows.append((name, t0, t1 + GRACE))
        stop.wait(gap)


def readings_snapshot(db_url: str) -> int:
    eng = create_engine(db_url)
    with eng.connect() as c:
        top = c.execute(select(func.max(MeterReading.id))).scalar() or 0
    eng.dispose()
    return int(top)


def readings_since(db_url: str, after_id: int) -> Counter[tuple[str, int]]:
    eng = create_engine(db_url)
    stmt = (select(MeteringPoint.number, MeterReading.value)
            .join(MeteringPoint, MeteringPoint.id == MeterReading.metering_point_id)
            .where(MeterReading.id > after_id))
    with eng.connect() as c:
        rows = Counter((str(n), int(v)) for n, v in c.execute(stmt))
    eng.dispose()
    return rows


def last_values(db_url: str) -> dict[str, int]:
    eng = create_engine(db_url)
    stmt = (select(MeteringPoint.number, func.max(MeterReading.value))
            .join(MeteringPoint, MeteringPoint.id == MeterReading.metering_point_id)
            .group_by(MeteringPoint.number))
    with eng.connect() as c:
        out = {str(n): int(v) for n, v in c.execute(stmt)}
    eng.dispose()
    return out


def run_stack(mode: str, args: argparse.Namespace) -> Results:
    results = Results(mode)
    secrets = stack_secrets()
    env = {**secrets, "OTP_MAX_SENDS": "100000", "GATEWAY_RATE_LIMIT": "1000/minute",
           "GATEWAY_SESSION_RATE_LIMIT": "100000/minute", "GATEWAY_LOGIN_RATE_LIMIT": "1000/minute"}
    with tempfile.TemporaryDirectory(prefix=f"soak-{mode}-") as tmp:
        if mode == "scaled":
            pg_port = free_port()
            env.update(PG_PORT=str(pg_port), SANIC_WORKERS=str(args.sanic_workers))
            db_url = f"postgresql+psycopg://postgres@127.0.0.1:{pg_port}/backend"
        else:
            db_url = f"sqlite:///{Path(tmp) / 'backend.db'}"
        t_start = time.monotonic()
        stack = Stack(mode, Path(tmp), **env)
        try:
            stack.wait_ready(900)
            print(f"== {mode}: up in {time.monotonic() - t_start:.0f} s; {args.conversations} conversations "
                  f"× ~{args.turns} turns, {args.concurrency} at once", flush=True)
            gateways = ([stack.replica_url("gateway", i) for i in (1, 2)] if mode == "scaled" else [stack.url])
            soak = Soak(stack, results, gateways, secrets["BACKEND_API_KEY"])
            last = last_values(db_url)
            soak.next_value = {p: last.get(p, 0) + 1 for _, p in CUSTOMERS}
            before = readings_snapshot(db_url)
            stop = threading.Event()
            results.origin = time.monotonic()
            killer = None
            if mode == "scaled" and not args.no_kill:
                killer = threading.Thread(target=kill_loop, args=(stack, results, stop, args.kill_after, args.kill_gap),
                                          daemon=True)
                killer.start()
            asyncio.run(soak.run(args.conversations, args.turns, args.concurrency, args.max_seconds))
            stop.set()
            if killer is not None:
                killer.join(timeout=700)
            results.stored = readings_since(db_url, before)
        finally:
            stack.stop()
            if args.keep_logs:
                import shutil

                shutil.copytree(Path(tmp) / "logs", Path(args.keep_logs) / mode, dirs_exist_ok=True)
    return results


def inside(turn: Turn, windows: list[tuple[str, float, float]]) -> bool:
    return any(turn.start <= w_end and turn.end >= w_start for _, w_start, w_end in windows)


def report(r: Results) -> dict[str, Any]:
    ok = [t for t in r.turns if t.failure is None]
    failed = [t for t in r.turns if t.failure is not None]
    lat = sorted((t.end - t.start) * 1000 for t in r.turns if t.kind not in ("handoff_delivery", "handoff_ws"))
    p50 = statistics.median(lat) if lat else 0.0
    p95 = lat[int(0.95 * (len(lat) - 1))] if lat else 0.0
    claimed, stored = sum(r.claimed.values()), sum(r.stored.values())
    dup = sum(c - 1 for c in r.stored.values() if c > 1)
    claimed_not_stored = sum((r.claimed - r.stored).values())
    stored_not_claimed = sum((r.stored - r.claimed).values())
    by_kind: Counter[str] = Counter(f"{t.kind}/{t.failure}" for t in failed)
    in_window = sum(1 for t in failed if inside(t, r.windows))
    print(f"\n== {r.name}")
    print(f"conversations: {r.conversations}   turns: {len(r.turns)} ({len(ok)} ok, {len(failed)} failed: "
          f"{in_window} inside kill windows, {len(failed) - in_window} outside)")
    for k, n in sorted(by_kind.items()):
        print(f"   failed {k}: {n}")
    for name, a, b in r.windows:
        print(f"   kill window {name}: {b - a:.1f} s")
    for k, sample in r.samples.items():
        print(f"   e.g. {k}: {sample[:400]}")
    if r.kills_skipped:
        print(f"   kills not done (workload finished first): {', '.join(r.kills_skipped)}")
    print(f"readings: {claimed} replies said 'shranjen', {stored} stored in the database; "
          f"claimed but not stored: {claimed_not_stored}; stored twice: {dup}; "
          f"stored without a 'shranjen' reply: {stored_not_claimed}")
    print(f"handoffs the bot started itself (fallback), handed back by the agent: {r.bot_handoffs}")
    print(f"latency per turn: p50 {p50:.0f} ms, p95 {p95:.0f} ms; throughput {len(ok) / r.wall:.1f} turns/s "
          f"over {r.wall:.0f} s")
    return {"turns": len(r.turns), "failed": len(failed), "outside": len(failed) - in_window, "p50": p50,
            "p95": p95, "tps": len(ok) / r.wall if r.wall else 0.0, "claimed": claimed, "stored": stored, "dup": dup}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--conversations", type=int, default=200)
    ap.add_argument("--turns", type=int, default=20)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--max-seconds", type=float, default=1200, help="bound of one stack's workload")
    ap.add_argument("--stacks", default="scaled,embedded")
    ap.add_argument("--sanic-workers", type=int, default=2)
    ap.add_argument("--kill-after", type=float, default=20, help="first kill, seconds into the scaled run")
    ap.add_argument("--kill-gap", type=float, default=15, help="pause after a killed replica is back")
    ap.add_argument("--no-kill", action="store_true")
    ap.add_argument("--keep-logs", default="", help="copy every process's log here")
    args = ap.parse_args()
    figures = {}
    for mode in [m.strip() for m in args.stacks.split(",") if m.strip()]:
        figures[mode] = report(run_stack(mode, args))
    if len(figures) > 1:
        print("\n== side by side")
        print(f"{'stack':<10}{'turns':>7}{'failed':>8}{'outside':>9}{'p50 ms':>9}{'p95 ms':>9}{'turns/s':>9}"
              f"{'saved':>7}{'stored':>8}{'dup':>5}")
        for mode, f in figures.items():
            print(f"{mode:<10}{f['turns']:>7}{f['failed']:>8}{f['outside']:>9}{f['p50']:>9.0f}{f['p95']:>9.0f}"
                  f"{f['tps']:>9.1f}{f['claimed']:>7}{f['stored']:>8}{f['dup']:>5}")


if __name__ == "__main__":
    main()
