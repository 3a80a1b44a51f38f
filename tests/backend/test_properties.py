"""Property-based tests: no input to any endpoint of the OpenAPI schema yields a 500."""

from __future__ import annotations

import string
from typing import Any
from urllib.parse import quote

import pytest
from apihelpers import H, login
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.core.errors import DomainError
from backend.main import app
from backend.services.readings import MAX_READING, parse_value

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

json_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
)
json_value = st.recursive(
    json_scalar,
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=8), c, max_size=3),
    max_leaves=8,
)
nasty_text = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        [
            "12,5",
            "-3",
            "abc",
            "1" * 13,
            "' OR 1=1 --",
            '/intent{"x":1}',
            "🙂",
            "\x00",
            "../../etc",
            "%00",
            "ana.novak@example.com",
            "1000001",
            "SI-E-100001",
            "2026-11-22",
        ]
    ),
)


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    ops = []
    for path, item in app.openapi()["paths"].items():
        for method, op in item.items():
            ops.append((path, method.upper(), op))
    return ops


OPS = _operations()


def _body_for(op: dict[str, Any], draw: st.DrawFn) -> Any:
    ref = (
        op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
    )
    if not ref:
        return None
    schema = app.openapi()["components"]["schemas"][ref.rsplit("/", 1)[1]]
    if draw(st.booleans()):
        return {
            name: draw(st.one_of(json_value, nasty_text))
            for name in schema.get("properties", {})
            if draw(st.booleans()) or name in schema.get("required", [])
        }
    return draw(json_value)


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, str, dict[str, Any], Any]:
    path, method, op = draw(st.sampled_from(OPS))
    url = path
    query: dict[str, Any] = {}
    for p in op.get("parameters", []):
        if p["in"] == "path":
            url = url.replace("{" + p["name"] + "}", quote(draw(nasty_text.filter(bool)), safe="") or "x")
        elif p["in"] == "query" and draw(st.booleans()):
            query[p["name"]] = draw(st.one_of(nasty_text, st.integers(-5, 10**7).map(str)))
    return method, url, query, _body_for(op, draw)


def _call(client: TestClient, headers: dict[str, str], req: tuple[str, str, dict[str, Any], Any]) -> None:
    method, url, query, body = req
    kwargs: dict[str, Any] = {"headers": headers, "params": query}
    if body is not None and method in ("POST", "PATCH", "PUT"):
        kwargs["json"] = body
    r = client.request(method, url, **kwargs)
    assert r.status_code < 500, (method, url, query, body, r.text[:300])
    if r.status_code >= 400 and r.headers.get("content-type", "").startswith("application/json"):
        detail = r.json()["detail"]
        assert isinstance(detail["code"], str) and isinstance(detail["message"], str)


def test_fuzz_without_credentials(client: TestClient) -> None:
    @FUZZ
    @given(req=requests())
    def run(req: tuple[str, str, dict[str, Any], Any]) -> None:
        _call(client, {}, req)

    run()


def test_fuzz_with_api_key(client: TestClient) -> None:
    @FUZZ
    @given(req=requests())
    def run(req: tuple[str, str, dict[str, Any], Any]) -> None:
        _call(client, H, req)

    run()


def test_fuzz_verified(client: TestClient) -> None:
    headers = login(client, "ana.novak@example.com")

    @settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(req=requests())
    def run(req: tuple[str, str, dict[str, Any], Any]) -> None:
        _call(client, headers, req)

    run()


def test_fuzz_reading_values(client: TestClient) -> None:
    headers = login(client, "ana.novak@example.com")

    @FUZZ
    @given(
        value=st.one_of(json_value, nasty_text, st.text(alphabet=string.digits + " ,.-+", max_size=20)),
        key=st.one_of(st.none(), st.text(min_size=1, max_size=20)),
        confirm=st.booleans(),
    )
    def run(value: Any, key: str | None, confirm: bool) -> None:
        r = client.post(
            "/api/v1/me/metering-points/SI-E-100001/readings",
            headers=headers,
            json={"value": value, "idempotency_key": key, "confirm_high": confirm},
        )
        assert r.status_code in (200, 201, 409, 422), r.text

    run()


@given(st.one_of(json_value, nasty_text))
def test_parse_value_total(raw: Any) -> None:
    try:
        v = parse_value(raw)
    except DomainError as e:
        assert e.status == 422 and e.code.startswith("reading_")
    else:
        assert isinstance(v, int) and 0 <= v <= MAX_READING


@pytest.mark.parametrize("text", ["0", "007", " 123 ", "+5"])
def test_parse_value_accepts(text: str) -> None:
    assert parse_value(text) == int(text)
