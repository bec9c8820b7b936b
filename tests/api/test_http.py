"""HTTP edges: error envelopes, request ids, health probes, and logs that keep secrets out."""

from __future__ import annotations

import logging

import pytest

SECRET = "ntn_SuperSecretValue0123456789abcdefXYZ9"


def test_unknown_route_and_method_use_the_envelope(api):
    r = api.get("/v1/nothing-here")
    assert r.status_code == 404 and r.json()["error"] == {
        "code": 404,
        "message": "Not Found",
        "type": "not_found",
    }
    r = api.patch("/v1/data_sources/")
    assert r.status_code == 405 and r.json()["error"]["type"] == "method_not_allowed"


def test_request_id_on_every_response(api):
    ok = api.get("/v1/data_sources/")
    missing = api.get("/v1/data_sources/00000000-0000-0000-0000-000000000000")
    invalid = api.post("/v1/data_sources/", json={})
    ids = {r.headers["x-request-id"] for r in (ok, missing, invalid)}
    assert len(ids) == 3 and all(len(i) >= 16 for i in ids)
    echoed = api.get("/v1/data_sources/", headers={"X-Request-Id": "trace-123"})
    assert echoed.headers["x-request-id"] == "trace-123"
    unsafe = api.get("/v1/data_sources/", headers={"X-Request-Id": "evil\tvalue"})
    assert unsafe.headers["x-request-id"] != "evil\tvalue"


def test_health_probes(api_server):
    with api_server.client() as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        ready = client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["database"] == "ok"


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        (
            "POST",
            "/v1/data_sources/",
            {"content": b"\xff\xfe", "headers": {"Content-Type": "application/json"}},
        ),
        ("POST", "/v1/data_sources/", {"json": {"name": "x" * 10_000}}),
        ("POST", "/v1/data_sources/", {"json": {"name": "x", "metadata": {"deep": [[[[[[1]]]]]]}}}),
        ("GET", "/v1/data_sources/", {"params": {"after": "\u0000"}}),
        ("GET", "/v1/data_sources/", {"params": {"include_total": "maybe"}}),
        ("PUT", "/v1/data_sources/00000000-0000-0000-0000-000000000000", {"json": {"name": None}}),
        ("POST", "/v1/api-keys", {"json": {"expires_at": "not a date"}}),
    ],
)
def test_client_mistakes_are_never_5xx(api, method, path, kwargs):
    r = api.request(method, path, **kwargs)
    assert r.status_code < 500, r.text


def test_logs_never_contain_credentials_or_keys(api, api_key, caplog):
    caplog.set_level(logging.DEBUG)
    api.post("/v1/data_sources/", json={"name": "s", "auth_params": {"type": "api_key", "api_key": SECRET}})
    api.post(
        "/v1/data_sources/",
        json={"type": "linear", "name": "s", "auth_params": {"type": "api_key", "api_key": SECRET}},
    )
    api.get("/v1/data_sources/", params={"after": SECRET})
    # Everything the server side logged (the test's own HTTP client logs are not the server's).
    server_records = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    text = "\n".join(f"{record.getMessage()} {record.args!r}" for record in server_records)
    assert "/v1/data_sources/" in text, "the access log did record the requests"
    assert SECRET not in text and api_key not in text


def test_validation_errors_do_not_echo_credentials(api):
    r = api.post(
        "/v1/data_sources/",
        json={"type": "linear", "name": "s", "auth_params": {"type": "api_key", "api_key": SECRET}},
    )
    assert r.status_code == 422
    assert SECRET not in r.text and "ntn_…XYZ9" in r.text
