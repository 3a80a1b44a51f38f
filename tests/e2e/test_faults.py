"""Faults: with the backend unreachable the bot apologises and claims nothing as saved."""

from __future__ import annotations

import uuid
from typing import Iterator

import pytest

from devtools.servers import assistant, free_port
from tests.e2e.conftest import MODEL, Chat


@pytest.fixture(scope="module")
def rasa_without_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens here
    with assistant(tmp_path_factory.mktemp("nobackend"), MODEL, uuid.uuid4().hex,
                   BACKEND_URL=dead, BACKEND_TIMEOUT_SECONDS="2") as url:
        yield url


def test_backend_down_during_verification(rasa_without_backend: str) -> None:
    chat = Chat(rasa_without_backend)
    assert "e-naslov" in chat.text("oddal bi stanje števca")
    reply = chat.text("ana.novak@example.com")
    assert "nedosegljiv" in reply and "nisem shranil" in reply
    assert "shranjen" not in reply.replace("nisem shranil", "")


def test_backend_down_for_campaigns(rasa_without_backend: str) -> None:
    reply = Chat(rasa_without_backend).text("koliko stane kWh v akciji 99,99 %")
    assert "nedosegljiv" in reply
