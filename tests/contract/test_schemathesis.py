"""schemathesis against the contract (`data-sources.openapi.yml` minus the OAuth2 operations).

Generated requests, valid and invalid, go to the real server with an API key: no 5xx, every
response conforms to the contract's status codes, content types and schemas, and invalid input is
rejected. A fixed, derandomised example budget keeps the run short and repeatable.
"""

from __future__ import annotations

import copy
import uuid
import zlib
from typing import Any

import httpx
import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS, load_all_checks

from tests.contract.spec import DATA_SOURCES_SPEC

EXAMPLES_PER_OPERATION = 25

load_all_checks()
# `positive_data_acceptance` is left out on purpose: the contract cannot express the rules it leaves
# to prose (polling interval range 15 s..30 days, Linear takes only OAuth2, a PUT cannot change the
# type, name/store_id length limits), so schema-valid requests are legitimately answered 422.
CHECKS_RUN = [
    CHECKS.get_one(name)
    for name in (
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "negative_data_rejection",
    )
]


def _contract_with_documented_errors() -> dict[str, Any]:
    """The contract, plus the error responses it leaves undocumented but the envelope it defines.

    The contract lists only the success and 422 responses; the server also answers 401 (no or bad
    key), 404 (unknown ID) and, on operations with a body, 400 (a body that is not even text:
    FastAPI's stock "There was an error parsing the body") in the contract's own `ErrorResponse`
    envelope. Declaring them lets schemathesis validate those bodies instead of flagging the codes."""
    spec = copy.deepcopy(yaml.safe_load(DATA_SOURCES_SPEC.read_text()))
    envelope = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}}
    for path, item in spec["paths"].items():
        for op in item.values():
            op["responses"].setdefault("401", {"description": "Invalid or missing API key", **envelope})
            if "{" in path:
                op["responses"].setdefault("404", {"description": "Not found", **envelope})
            if "requestBody" in op:
                op["responses"].setdefault("400", {"description": "Undecodable body", **envelope})
            if op.get("operationId") == "authorize_data_source":
                # auth_type_not_supported / oauth2_not_configured, as /openapi.json documents.
                op["responses"].setdefault("400", {"description": "Cannot authorize", **envelope})
    return spec


schema = schemathesis.openapi.from_dict(_contract_with_documented_errors())
# No invented query parameters or headers: the contract does not forbid unknown ones, and the server
# (like any FastAPI service) ignores them, so they are not "invalid input".
schema.config.generation.update(
    max_examples=EXAMPLES_PER_OPERATION, deterministic=True, allow_extra_parameters=False
)


class Existing:
    """Real objects for positive cases, so those reach the 2xx branches (a random UUID only ever
    meets a 404). Recreated on demand, since DELETE cases remove them."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        self.data_source: str | None = None
        self.connector: str | None = None
        created = client.post("/v1/stores", json={"name": f"fuzz-{uuid.uuid4().hex[:8]}"})
        assert created.status_code == 201, created.text
        self.store: str = created.json()["id"]

    def ids(self, need_connector: bool) -> dict[str, str]:
        if (
            self.data_source is None
            or self.client.get(f"/v1/data_sources/{self.data_source}").status_code != 200
        ):
            created = self.client.post("/v1/data_sources/", json={"type": "notion", "name": "fuzz target"})
            assert created.status_code == 201, created.text
            self.data_source, self.connector = created.json()["id"], None
        ids = {"data_source_id": self.data_source}
        if need_connector:
            base = f"/v1/data_sources/{self.data_source}/connectors"
            if self.connector is None or self.client.get(f"{base}/{self.connector}").status_code != 200:
                created = self.client.post(base, json={"store_id": self.store, "trigger_sync": False})
                assert created.status_code == 201, created.text
                self.connector = created.json()["id"]
            ids["connector_id"] = self.connector
        return ids


@pytest.fixture
def existing(contract_api: httpx.Client) -> Existing:
    return Existing(contract_api)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_contract(case: Any, contract_server: Any, contract_api: httpx.Client, existing: Existing) -> None:
    positive = case.meta is None or case.meta.generation.mode.is_positive
    # Half of the valid cases address objects that exist (a stable choice: the runs are derandomised).
    if positive and zlib.crc32(repr((case.path_parameters, case.query, case.body)).encode()) % 2 == 0:
        if case.path_parameters:
            case.path_parameters = {
                **case.path_parameters,
                **existing.ids("connector_id" in case.path_parameters),
            }
        if isinstance(case.body, dict) and "store_id" in case.body:
            case.body = {**case.body, "store_id": existing.store}
    headers = {"Authorization": contract_api.headers["Authorization"]}
    case.call_and_validate(base_url=contract_server.url, headers=headers, checks=CHECKS_RUN)


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/json"])
@pytest.mark.parametrize("path", ["/v1/data_sources/", "/v1/data_sources/{id}/connectors"])
def test_undecodable_body_is_a_client_error(
    contract_api: httpx.Client, existing: Existing, content_type: str | None, path: str
) -> None:
    """Bytes that are not UTF-8 are the client's fault: a 4xx, never a 500 (found by schemathesis)."""
    url = path.format(id=existing.ids(need_connector=False)["data_source_id"])
    headers = {"content-type": content_type} if content_type else {}
    response = contract_api.post(url, content=b"\xff\xfeR", headers=headers)
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
