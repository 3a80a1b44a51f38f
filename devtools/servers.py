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
           "BACKEND_URL": backend_url, "BACKEND_API_KEY": api_key, "GATEWAY_STATE_DB": str(tmp / "gateway.db"),
           "GATEWAY_SESSION_SECRET": "e2e-session-secret", "GATEWAY_RATE_LIMIT": "200/minute",
           "GATEWAY_SESSION_RATE_LIMIT": "600/minute", **env_extra}
    server = Server(
        [str(APP_PYTHON), "-m", "uvicorn", "bot.main:app", "--host", "127.0.0.1", "--port", str(port)],
        tmp / "gateway.log", f"http://127.0.0.1:{port}/health", env,
    )
    try:
        server.wait_ready(60)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()
