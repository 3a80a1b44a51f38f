"""The embedded default under its supervisor: kill -9 each process, the stack answers again and the
conversation goes on; Ctrl-C (SIGINT) stops every process.

Bounds (stated, generous for a loaded 2-core CI box): the backend, the gateway, the action server
and the Telegram process are back within 60 s; Rasa, which loads its model first, within 240 s.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from devtools.servers import Stack
from tests.stack.conftest import MODEL, WebUser, stack_env

pytestmark = pytest.mark.skipif(not MODEL.exists(), reason="no trained model (make model)")
PROGRAMS = ("backend", "actions", "rasa", "gateway", "telegram", "scheduler")
BACK_WITHIN = {"backend": 60.0, "actions": 60.0, "gateway": 60.0, "telegram": 60.0, "scheduler": 60.0, "rasa": 240.0}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    s = Stack("embedded", tmp_path_factory.mktemp("embedded"), **stack_env())
    try:
        s.wait_ready()
        yield s
    finally:
        s.stop()


def answers_faq(user: WebUser) -> bool:
    try:
        return "Pozabil sem geslo" in user.text("pozabu sm geslo")
    except httpx.HTTPError:
        return False


def healthy(stack: Stack, name: str) -> bool:
    """The restarted program itself answers (Telegram and the scheduler have no port: their pid is checked)."""
    url = {"backend": stack.backend_url + "/health", "actions": f"http://127.0.0.1:{stack.ports['actions']}/health",
           "rasa": stack.rasa_url + "/", "gateway": stack.url + "/health"}.get(name)
    if url is None:
        return True
    try:
        return httpx.get(url, timeout=3).status_code == 200
    except httpx.HTTPError:
        return False


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_every_process_comes_back_and_the_conversation_continues(stack: Stack) -> None:
    user = WebUser(stack.url)
    assert answers_faq(user)
    for name in PROGRAMS:
        old = stack.kill9(name)
        killed_at = time.monotonic()
        deadline = killed_at + BACK_WITHIN[name]
        while True:
            try:
                new = stack.pid(name)
            except ValueError:
                new = 0
            if new and new != old and healthy(stack, name) and answers_faq(user):
                break
            assert time.monotonic() < deadline, f"{name} not back within {BACK_WITHIN[name]} s:\n{stack.ctl('status')}"
            time.sleep(1)
        print(f"{name}: answering again {time.monotonic() - killed_at:.1f} s after kill -9")
        assert not alive(old)
    # the same session, with its whole history, across all the restarts
    history = httpx.get(f"{stack.url}/api/web/history", headers={"X-Session-Id": user.session}).json()["messages"]
    assert [m["text"] for m in history if m["role"] == "user"].count("pozabu sm geslo") >= len(PROGRAMS) + 1
    assert "RUNNING" in stack.ctl("status") and "FATAL" not in stack.ctl("status")


def test_ctrl_c_stops_every_process(tmp_path: Path, stack: Stack) -> None:
    pids = [stack.pid(name) for name in PROGRAMS]
    assert all(alive(p) for p in pids)
    assert stack.stop() == 0
    deadline = time.monotonic() + 10
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not [p for p in pids if alive(p)]
    with pytest.raises(httpx.HTTPError):
        httpx.get(stack.url + "/health", timeout=2)
