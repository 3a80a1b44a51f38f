"""The action server restarted in the middle of a form: the conversation goes on from the tracker store."""

from __future__ import annotations

import uuid
from pathlib import Path

from devtools.servers import rasa_env, start_actions, start_rasa
from tests.e2e.conftest import API_KEY, MODEL, Backend, Chat


def test_form_survives_an_action_server_restart(tmp_path: Path, backend_url: str, api: Backend) -> None:
    env = rasa_env(BACKEND_URL=backend_url, BACKEND_API_KEY=API_KEY)
    actions, port = start_actions(tmp_path, env)
    rasa, url = start_rasa(tmp_path, MODEL, env, port, uuid.uuid4().hex)
    try:
        actions.wait_ready()
        rasa.wait_ready()
        chat = Chat(url)
        assert "e-naslov" in chat.text("pokaži moje račune")
        assert "poslal 6-mestno kodo" in chat.text("oto.bergant@example.com")

        actions.stop()  # the form is waiting for the code
        actions, _ = start_actions(tmp_path, env, port=port)
        actions.wait_ready()

        listing = chat.text(api.last_code("oto.bergant@example.com"))
        assert "Vaši zadnji računi" in listing
    finally:
        rasa.stop()
        actions.stop()
