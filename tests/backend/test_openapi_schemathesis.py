"""schemathesis over the backend's own OpenAPI schema: for every operation, generated requests
(valid and invalid) get no 5xx, and every response conforms to the schema the API declares
(status code, content type, headers, body - e.g. RFC 3339 date-times with an offset).

Requests go to the real app (ASGI) on the test's private database, with the service key and a
verified token of a demo customer, so the personal endpoints are exercised beyond the 401.
Bounded and reproducible: a fixed number of examples per operation, derandomized (fixed seed).
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from apihelpers import login
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from backend.main import app

schema = schemathesis.openapi.from_asgi("/openapi.json", app)
# The API refuses NUL characters on purpose (422 invalid_characters, stated in its description).
schema.config.generation.update(allow_x00=False)


@pytest.fixture
def verified(client: TestClient) -> dict[str, str]:
    """Service key + a token bound to its conversation (the operation's database is fresh)."""
    return login(client, "ana.novak@example.com", conv="schemathesis")


@schema.parametrize()
@settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_backend_conforms_to_its_openapi(case: Any, verified: dict[str, str]) -> None:
    case.call_and_validate(headers=verified)
