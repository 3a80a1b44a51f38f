"""Starts the project's real servers on free loopback ports, for e2e tests and benchmarks.

Each process runs in its own session so that stopping it also stops its children.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, List, Optional

ROOT = Path(__file__).resolve().parents[1]
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rasa_env(**extra: str) -> Dict[str, str]:
    """Environment for Rasa processes: repo on the path, no telemetry, no backend unless given, and a
    fresh ACTION_SERVER_TOKEN (unless given) that the action server demands and Rasa sends."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false"}
    env.pop("BACKEND_URL", None)
    env["ACTION_SERVER_TOKEN"] = secrets.token_hex(16)
    env.update(extra)
    return env


def _status(url: str) -> int:
    """HTTP status of a GET (0 = no answer); stdlib only, so both virtual environments can use it."""
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except (urllib.error.URLError, OSError):
        return 0


class Server:
    """One started process, its log file and the URL that answers when it is ready."""

    def __init__(self, args: List[str], log: Path, ready_url: str, env: Dict[str, str]) -> None:
        self.log = log
        self.ready_url = ready_url
        self.proc = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, seconds: float = 240) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.ready_url} exited early:\n{self.log.read_text()[-3000:]}")
            if _status(self.ready_url) in range(200, 500):
                return
            time.sleep(1)
        raise RuntimeError(f"{self.ready_url} not up in {seconds} s:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def start_actions(tmp: Path, env: Dict[str, str], port: Optional[int] = None) -> tuple[Server, int]:
    """The action server as the Procfile runs it (loopback, token from env["ACTION_SERVER_TOKEN"]);
    `port` to restart it where Rasa expects it."""
    port = port or free_port()
    server = Server(
        [str(RASA_PYTHON), "-m", "actions.server", "--actions", "actions", "--host", "127.0.0.1", "--port", str(port)],
        tmp / "actions.log", f"http://127.0.0.1:{port}/health", env,
    )
    return server, port


def start_rasa(
    tmp: Path, model: Path, env: Dict[str, str], action_port: Optional[int], token: str, name: str = "rasa"
) -> tuple[Server, str]:
    port = free_port()
    endpoints = tmp / f"{name}-endpoints.yml"
    text = f'tracker_store:\n  type: SQL\n  dialect: "sqlite"\n  db: "{tmp / (name + "-tracker.db")}"\n'
    if action_port:  # the token comes from env, expanded by Rasa as in endpoints.yml
        text += (
            f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n'
            '  headers:\n    X-Action-Server-Token: ${ACTION_SERVER_TOKEN}\n'
        )
    endpoints.write_text(text)
    url = f"http://127.0.0.1:{port}"
    server = Server(
        [str(RASA), "run", "--model", str(model), "--endpoints", str(endpoints),
         "--credentials", str(ROOT / "credentials.yml"), "--interface", "127.0.0.1",
         "--port", str(port), "--enable-api", "--auth-token", token],
        tmp / f"{name}.log", url + "/", env,
    )
    return server, url


APP_PYTHON = ROOT / ".venv" / "bin" / "python"


@contextmanager
def backend(tmp: Path, api_key: str, **env_extra: str) -> Iterator[str]:
    """The real backend on a fresh SQLite file, migrated and seeded; yields its base URL."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BACKEND_API_KEY": api_key,
           "DATABASE_URL": f"sqlite:///{tmp / 'backend.db'}", "DEV_OUTBOX_ENABLED": "1", **env_extra}
    subprocess.run([str(APP_PYTHON), "-m", "backend.prestart"], cwd=ROOT, env=env, check=True,
                   stdout=(tmp / "prestart.log").open("w"), stderr=subprocess.STDOUT)
    server = Server(
        [str(APP_PYTHON), "-m", "uvicorn", "backend.main:app", "--host", "127.0.0.1", "--port", str(port)],
        tmp / "backend.log", f"http://127.0.0.1:{port}/health", env,
    )
    try:
        server.wait_ready(60)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@contextmanager
def assistant(tmp: Path, model: Path, token: str, **env_extra: str) -> Iterator[str]:
    """The action server and Rasa with `model`; yields Rasa's base URL."""
    env = rasa_env(**env_extra)
    actions, action_port = start_actions(tmp, env)
    rasa, url = start_rasa(tmp, model, env, action_port, token)
    try:
        actions.wait_ready()
        rasa.wait_ready()
        yield url
    finally:
        rasa.stop()
        actions.stop()


@contextmanager
def gateway(tmp: Path, rasa_url: str, backend_url: str, api_key: str, rasa_token: str, **env_extra: str) -> Iterator[str]:
    """The real channel gateway (uvicorn) in front of `rasa_url`; yields its base URL."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RASA_URL": rasa_url, "RASA_TOKEN": rasa_token,
           "BACKEND_URL": backend_url, "BACKEND_API_KEY": api_key,
           "GATEWAY_DATABASE_URL": f"sqlite:///{tmp / 'gateway.db'}", "GATEWAY_SESSION_SECRET": "e2e-session-secret",
           "GATEWAY_CLIENT_REF_SECRET": "e2e-client-ref-secret", "GATEWAY_RATE_LIMIT": "200/minute",
           "GATEWAY_SESSION_RATE_LIMIT": "600/minute", **env_extra}
    subprocess.run([str(APP_PYTHON), "-m", "bot.prestart"], cwd=ROOT, env=env, check=True,
                   stdout=(tmp / "gateway-prestart.log").open("w"), stderr=subprocess.STDOUT)
    server = Server(
        [str(APP_PYTHON), "-m", "uvicorn", "bot.main:app", "--host", "127.0.0.1", "--port", str(port)],
        tmp / "gateway.log", f"http://127.0.0.1:{port}/health", env,
    )
    try:
        server.wait_ready(60)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()
SUPERVISORCTL = ROOT / ".venv" / "bin" / "supervisorctl"
AGENT_PASSWORD = "geslo-za-sklad-1"
# A Tuesday at 10:00: within support hours, so a handoff is queued.
SUPPORT_OPEN = "2026-11-24T10:00:00"


def stack_secrets() -> Dict[str, str]:
    """Fresh secrets for one test/bench stack, agent `ana` with AGENT_PASSWORD, the demo clock."""
    import uuid

    from bot.agent_console import hash_password

    return {
        "RASA_TOKEN": uuid.uuid4().hex, "BACKEND_API_KEY": uuid.uuid4().hex, "OTP_SECRET": uuid.uuid4().hex,
        "GATEWAY_SESSION_SECRET": uuid.uuid4().hex, "GATEWAY_CLIENT_REF_SECRET": uuid.uuid4().hex,
        "ACTION_SERVER_TOKEN": uuid.uuid4().hex, "PDF_LINK_SECRET": uuid.uuid4().hex,
        "AGENT_USERS": f"ana:{hash_password(AGENT_PASSWORD)}", "DEV_OUTBOX_ENABLED": "1",
        "HANDOFF_FAKE_NOW": SUPPORT_OPEN, "TELEGRAM_TOKEN": "",
    }


def free_port_block(size: int) -> int:
    """A base port such that base+1 … base+size are all free right now."""
    import random

    for _ in range(200):
        base = random.randrange(20000, 60000 - size)
        taken = False
        for p in range(base + 1, base + size + 1):
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", p))
                except OSError:
                    taken = True
                    break
        if not taken:
            return base
    raise RuntimeError("no free port block")


class Stack:
    """The whole stack exactly as `make run` / `make run-scaled` start it (scripts/stack.py under
    supervisord), on free ports with its state in `tmp`; for tests and benchmarks.

    In scaled mode it runs under scripts/with_postgres.sh (PostgreSQL + Redis on loopback).
    `replicas` sets SCALED_<KIND>_REPLICAS (e.g. {"rasa": 1}); env_extra goes to every process.
    """

    def __init__(self, mode: str, tmp: Path, replicas: Optional[Dict[str, int]] = None, **env_extra: str) -> None:
        self.mode = mode
        self.tmp = tmp
        self.ports = {k: free_port() for k in ("gateway", "rasa", "actions", "backend")}
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "GATEWAY_", "REDIS_"))}
        for key in ("BACKEND_URL", "RASA_URL", "ACTION_SERVER_URL", "RASA_TRACKER_DB", "RASA_ENDPOINTS"):
            env.pop(key, None)
        env.update({
            "PYTHONPATH": str(ROOT), "STACK_DIR": str(tmp),
            "GATEWAY_PORT": str(self.ports["gateway"]), "RASA_PORT": str(self.ports["rasa"]),
            "ACTIONS_PORT": str(self.ports["actions"]), "BACKEND_PORT": str(self.ports["backend"]),
            "DATABASE_URL": f"sqlite:///{tmp / 'backend.db'}",
            "GATEWAY_DATABASE_URL": f"sqlite:///{tmp / 'gateway.db'}",
            "RASA_TRACKER_DB": str(tmp / "rasa_tracker.db"),
        })
        if mode == "scaled":
            self.port_base = free_port_block(40)
            env.update({"SCALED_PORT_BASE": str(self.port_base), "WITH_REDIS": "1", "WITH_HAPROXY": "1",
                        "PG_DATABASES": "backend rasa gateway"})
            for kind, n in (replicas or {}).items():
                env[f"SCALED_{kind.upper()}_REPLICAS"] = str(n)
        env.update(env_extra)
        self.env = env
        args = [str(APP_PYTHON), str(ROOT / "scripts" / "stack.py"), mode]
        if mode == "scaled":
            args = [str(ROOT / "scripts" / "with_postgres.sh"), *args]
        self.log = tmp / "stack.log"
        self.proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=self.log.open("w"), stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.conf = tmp / "supervisord.conf"

    @property
    def url(self) -> str:
        """The gateway (embedded) or the load balancer in front of the gateways (scaled)."""
        return f"http://127.0.0.1:{self.ports['gateway']}"

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['rasa']}"

    @property
    def backend_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['backend']}"

    def replica_url(self, kind: str, index: int) -> str:
        """Scaled only: replica `index` (1-based) of a kind, bypassing the load balancer."""
        offset = {"rasa": 0, "actions": 10, "backend": 20, "gateway": 30}[kind]
        return f"http://127.0.0.1:{self.port_base + offset + index}"

    def ctl(self, *args: str) -> str:
        out = subprocess.run([str(SUPERVISORCTL), "-c", str(self.conf), *args], capture_output=True, text=True,
                             timeout=30)
        return out.stdout.strip()

    def pid(self, name: str) -> int:
        return int(self.ctl("pid", name))

    def kill9(self, name: str) -> int:
        """kill -9 a program's whole process group (Rasa's Sanic workers too), as a crash would."""
        pid = self.pid(name)
        os.killpg(pid, signal.SIGKILL)
        return pid

    def wait_ready(self, seconds: float = 400) -> None:
        """Until the gateway answers /health and Rasa answers through whatever is in front of it."""
        deadline = time.monotonic() + seconds
        urls = [self.url + "/health", self.rasa_url + "/", self.backend_url + "/health"]
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"stack exited early:\n{self.log.read_text()[-4000:]}")
            if all(_status(u) == 200 for u in urls):
                return
            time.sleep(2)
        raise RuntimeError(f"stack not up in {seconds} s:\n{self.log.read_text()[-4000:]}\n{self.ctl('status')}")

    def stop(self, seconds: float = 90) -> int:
        """As Ctrl-C would: supervisord stops every program; with_postgres.sh then stops PostgreSQL/Redis."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout=seconds)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        return int(self.proc.returncode)
