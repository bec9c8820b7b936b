"""`/openapi.json` against the contract: operations, parameters, bodies, responses and the schemas they reach.

Both documents are normalised the same way before comparing: `$ref`s are resolved inline, prose
(titles, descriptions, examples) is dropped, unordered lists (`required`, `enum`, `anyOf`/`oneOf`
branches) are sorted, and `default: null` / `additionalProperties: true` (the JSON Schema defaults)
are dropped. Everything else must be equal. Each failure lists every difference as
`where: expected <spec> / actual <ours>`.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.contract.spec import API_KEYS_SPEC, DATA_SOURCES_SPEC

# Keys that carry no contract meaning for a client.
PROSE = frozenset({"title", "description", "examples", "example", "summary", "deprecated"})

# String-length limits the server adds on request fields the contract leaves unbounded (e.g. a data
# source `name` of 1..500 characters). They only tighten validation and are allowed; nothing else is.
ALLOWED_SERVER_TIGHTENING = frozenset({"minLength", "maxLength"})

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "options", "head", "trace")
MISSING = "<missing>"


# --------------------------------------------------------------------------------------- normalising


def _load_spec(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text())


def _ref_name(ref: str) -> str:
    assert ref.startswith("#/components/schemas/"), ref
    return ref.rsplit("/", 1)[1]


def _number(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _sort_key(value: Any) -> str:
    if isinstance(value, dict):  # branches sort the same with or without the allowed length limits
        value = {k: v for k, v in value.items() if k not in ALLOWED_SERVER_TIGHTENING}
    return json.dumps(value, sort_keys=True, default=str)


def canon(schema: Any, doc: dict[str, Any], stack: tuple[str, ...] = ()) -> Any:
    """The structure of `schema` with `$ref`s resolved against `doc` and prose removed."""
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        # Siblings of a $ref in these documents are descriptions only.
        name = _ref_name(schema["$ref"])
        if name in stack:  # recursion guard (no schema of the contract is recursive today)
            return {"$recursive": name}
        target = doc.get("components", {}).get("schemas", {}).get(name)
        if target is None:
            return {"$unresolved": name}
        return canon(target, doc, (*stack, name))
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in PROSE:
            continue
        if key == "properties":
            out[key] = {name: canon(sub, doc, stack) for name, sub in value.items()}
        elif key in ("items", "not", "additionalProperties") and isinstance(value, dict):
            out[key] = canon(value, doc, stack)
        elif key in ("anyOf", "oneOf", "allOf"):
            out[key] = sorted((canon(branch, doc, stack) for branch in value), key=_sort_key)
        elif key == "discriminator":
            out[key] = {
                "propertyName": value["propertyName"],
                "mapping": {tag: _ref_name(ref) for tag, ref in value.get("mapping", {}).items()},
            }
        elif key in ("required", "enum"):
            out[key] = sorted(value, key=_sort_key)
        elif (key == "additionalProperties" and value is True) or (key == "default" and value is None):
            continue
        else:
            out[key] = _number(value)
    return out


def diff(expected: Any, actual: Any, where: str, out: list[str], *, allow_tightening: bool = False) -> None:
    """Append one line per difference between two canonical schemas."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in sorted(set(expected) | set(actual)):
            here = f"{where}/{key}"
            if key not in actual:
                out.append(f"{here}: expected {_show(expected[key])} / actual {MISSING}")
            elif key not in expected:
                if allow_tightening and key in ALLOWED_SERVER_TIGHTENING:
                    continue
                out.append(f"{here}: expected {MISSING} / actual {_show(actual[key])}")
            else:
                diff(expected[key], actual[key], here, out, allow_tightening=allow_tightening)
    elif isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        if _sort_key(expected) == _sort_key(actual):
            return
        if all(isinstance(e, dict) for e in expected + actual):
            for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
                diff(e, a, f"{where}/{i}", out, allow_tightening=allow_tightening)
        else:
            out.append(f"{where}: expected {_show(expected)} / actual {_show(actual)}")
    elif expected != actual or type(expected) is not type(actual):
        out.append(f"{where}: expected {_show(expected)} / actual {_show(actual)}")


def _show(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 300 else text[:297] + "..."


def operations(doc: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """operationId -> (path, method, operation)."""
    found: dict[str, tuple[str, str, dict[str, Any]]] = {}
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method in HTTP_METHODS:
                found[op["operationId"]] = (path, method, op)
    return found


def _success(op: dict[str, Any]) -> tuple[str, ...]:
    return tuple(sorted(code for code in op["responses"] if str(code).startswith("2")))


def _json_schema(response: dict[str, Any]) -> Any:
    return response.get("content", {}).get("application/json", {}).get("schema", MISSING)


def _reached_schemas(doc: dict[str, Any], roots: Any) -> set[str]:
    """Names of the component schemas reachable from `roots` (any JSON value holding $refs)."""
    seen: set[str] = set()
    todo = [roots]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                name = _ref_name(ref)
                if name not in seen:
                    seen.add(name)
                    todo.append(doc["components"]["schemas"][name])
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    return seen


def compare_operation(spec: dict[str, Any], ours: dict[str, Any], operation_id: str) -> list[str]:
    """Every difference between the contract's operation and ours, one line each."""
    path, method, expected = operations(spec)[operation_id]
    found = ours["paths"].get(path, {}).get(method)
    where = f"{method.upper()} {path}"
    if found is None:
        return [f"{where}: operation {operation_id} missing from /openapi.json"]
    problems: list[str] = []
    if found.get("operationId") != operation_id:
        problems.append(f"{where} operationId: expected {operation_id} / actual {found.get('operationId')}")

    # Security requirement (the SDK sends the bearer token because of it).
    if found.get("security") != expected.get("security"):
        problems.append(
            f"{where} security: expected {_show(expected.get('security'))} / actual {_show(found.get('security'))}"
        )

    # Parameters: same set, same location, same requiredness, same schema structure.
    exp_params = {(p["name"], p["in"]): p for p in expected.get("parameters", [])}
    act_params = {(p["name"], p["in"]): p for p in found.get("parameters", [])}
    for key in sorted(set(exp_params) | set(act_params)):
        label = f"{where} parameter {key[1]}:{key[0]}"
        if key not in act_params:
            problems.append(f"{label}: expected present / actual {MISSING}")
            continue
        if key not in exp_params:
            problems.append(f"{label}: expected {MISSING} / actual present")
            continue
        e, a = exp_params[key], act_params[key]
        if bool(e.get("required")) != bool(a.get("required")):
            problems.append(f"{label} required: expected {e.get('required')} / actual {a.get('required')}")
        diff(canon(e.get("schema"), spec), canon(a.get("schema"), ours), f"{label} schema", problems)

    # Request body.
    exp_body, act_body = expected.get("requestBody"), found.get("requestBody")
    if (exp_body is None) != (act_body is None):
        problems.append(f"{where} requestBody: expected {_show(exp_body)} / actual {_show(act_body)}")
    elif exp_body is not None and act_body is not None:
        if bool(exp_body.get("required")) != bool(act_body.get("required")):
            problems.append(
                f"{where} requestBody required: expected {exp_body.get('required')} / "
                f"actual {act_body.get('required')}"
            )
        exp_types, act_types = sorted(exp_body["content"]), sorted(act_body["content"])
        if exp_types != act_types:
            problems.append(f"{where} requestBody content types: expected {exp_types} / actual {act_types}")
        diff(
            canon(_json_schema(exp_body), spec),
            canon(_json_schema(act_body), ours),
            f"{where} requestBody",
            problems,
            allow_tightening=True,
        )

    # Success status code(s) and schema, and the validation error response.
    if _success(expected) != _success(found):
        problems.append(f"{where} success status: expected {_success(expected)} / actual {_success(found)}")
    for code in (*_success(expected), "422"):
        if code not in expected["responses"]:
            continue
        exp_resp, act_resp = expected["responses"][code], found["responses"].get(code)
        if act_resp is None:
            problems.append(f"{where} response {code}: expected documented / actual {MISSING}")
            continue
        diff(
            canon(_json_schema(exp_resp), spec),
            canon(_json_schema(act_resp), ours),
            f"{where} response {code}",
            problems,
        )
    return problems


def _fail_with(problems: list[str]) -> None:
    if problems:
        pytest.fail(f"{len(problems)} contract difference(s):\n" + "\n".join(problems), pytrace=False)


# ------------------------------------------------------------------------------------------ fixtures


DS_SPEC = _load_spec(DATA_SOURCES_SPEC)
KEYS_SPEC = _load_spec(API_KEYS_SPEC)
DS_OPERATIONS = sorted(operations(DS_SPEC))
KEYS_OPERATIONS = sorted(operations(KEYS_SPEC))
# The OAuth2 callback is authenticated by its `state`, never by an API key: it cannot answer 401.
DS_OPERATIONS_WITH_KEY = [op for op in DS_OPERATIONS if op != "oauth2_callback"]
# Operations addressing one object by ID: they answer 404 for an unknown or foreign ID.
DS_OPERATIONS_WITH_ID = sorted(
    op
    for op in DS_OPERATIONS
    if any(p["in"] == "path" for p in operations(DS_SPEC)[op][2].get("parameters", []))
)


@pytest.fixture(scope="module")
def ours(contract_server: Any) -> dict[str, Any]:
    """Our document, from the running server (it does not depend on the backend)."""
    response = httpx.get(f"{contract_server.url}/openapi.json", timeout=30)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    document = response.json()
    assert str(document["openapi"]).startswith("3.1")
    return document


# ----------------------------------------------------------------------------------------------- tests


def test_every_contract_operation_is_checked() -> None:
    """All twelve operations of the contract are compared, the two OAuth2 ones included."""
    assert len(DS_OPERATIONS) == 12
    assert {"authorize_data_source", "oauth2_callback"} <= set(DS_OPERATIONS)


def test_every_contract_path_and_method_is_served(ours: dict[str, Any]) -> None:
    problems = []
    ours_ops = {(path, method) for path, item in ours["paths"].items() for method in item}
    for operation_id in (*DS_OPERATIONS, *KEYS_OPERATIONS):
        spec = DS_SPEC if operation_id in DS_OPERATIONS else KEYS_SPEC
        path, method, _ = operations(spec)[operation_id]
        if (path, method) not in ours_ops:
            problems.append(f"{method.upper()} {path} ({operation_id}): expected present / actual {MISSING}")
    _fail_with(problems)


@pytest.mark.parametrize("operation_id", DS_OPERATIONS)
def test_data_source_operation_matches_contract(ours: dict[str, Any], operation_id: str) -> None:
    _fail_with(compare_operation(DS_SPEC, ours, operation_id))


@pytest.mark.parametrize("operation_id", KEYS_OPERATIONS)
def test_api_key_operation_matches_contract(ours: dict[str, Any], operation_id: str) -> None:
    _fail_with(compare_operation(KEYS_SPEC, ours, operation_id))


def _components_reached(spec: dict[str, Any], operation_ids: list[str]) -> list[str]:
    ops = operations(spec)
    names = _reached_schemas(spec, [ops[op][2] for op in operation_ids])
    # The error envelope is reached through the 401/404 responses the server must document.
    names |= _reached_schemas(spec, {"$ref": "#/components/schemas/ErrorResponse"})
    return sorted(names)


@pytest.mark.parametrize(
    ("spec_name", "schema_name"),
    [("data-sources", n) for n in _components_reached(DS_SPEC, DS_OPERATIONS)]
    + [("api-keys", n) for n in _components_reached(KEYS_SPEC, KEYS_OPERATIONS)],
)
def test_component_schema_matches_contract(ours: dict[str, Any], spec_name: str, schema_name: str) -> None:
    """Same name, same structure (properties, required, types, formats, consts, enums, defaults)."""
    spec = DS_SPEC if spec_name == "data-sources" else KEYS_SPEC
    ours_schemas = ours.get("components", {}).get("schemas", {})
    if schema_name not in ours_schemas:
        pytest.fail(f"components/schemas/{schema_name}: expected present / actual {MISSING}", pytrace=False)
    problems: list[str] = []
    is_request = "Params" in schema_name
    diff(
        canon({"$ref": f"#/components/schemas/{schema_name}"}, spec),
        canon({"$ref": f"#/components/schemas/{schema_name}"}, ours),
        f"components/schemas/{schema_name}",
        problems,
        allow_tightening=is_request,
    )
    _fail_with(problems)


def test_security_scheme_is_bearer(ours: dict[str, Any]) -> None:
    scheme = ours["components"]["securitySchemes"]["ApiKeyAuth"]
    assert scheme["type"] == "http"
    assert scheme["scheme"].lower() == "bearer"


@pytest.mark.parametrize("operation_id", DS_OPERATIONS_WITH_KEY)
def test_documents_401_with_error_envelope(ours: dict[str, Any], operation_id: str) -> None:
    path, method, _ = operations(DS_SPEC)[operation_id]
    response = ours["paths"][path][method]["responses"].get("401")
    assert response is not None, f"{method.upper()} {path}: 401 not documented"
    assert canon(_json_schema(response), ours) == canon(
        {"$ref": "#/components/schemas/ErrorResponse"}, DS_SPEC
    )


@pytest.mark.parametrize("operation_id", DS_OPERATIONS_WITH_ID)
def test_documents_404_with_error_envelope(ours: dict[str, Any], operation_id: str) -> None:
    path, method, _ = operations(DS_SPEC)[operation_id]
    response = ours["paths"][path][method]["responses"].get("404")
    assert response is not None, f"{method.upper()} {path}: 404 not documented"
    assert canon(_json_schema(response), ours) == canon(
        {"$ref": "#/components/schemas/ErrorResponse"}, DS_SPEC
    )


# ---------------------------------------------------------- what is documented is what the server does

_BODIES = {
    "create_data_source": {"type": "notion", "name": "contract"},
    "update_data_source": {"type": "notion", "name": "contract"},
    "create_connector": {"store_id": "store-contract"},
    "update_connector": {"name": "contract"},
}


def _request(client: httpx.Client, operation_id: str, ids: dict[str, str]) -> httpx.Response:
    path, method, _ = operations(DS_SPEC)[operation_id]
    return client.request(method.upper(), path.format(**ids), json=_BODIES.get(operation_id))


def _assert_envelope(response: httpx.Response, status: int) -> None:
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "type"}, body
    assert body["error"]["code"] == status
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["type"], str) and body["error"]["type"]


@pytest.mark.parametrize("operation_id", DS_OPERATIONS_WITH_KEY)
def test_really_answers_401_in_the_envelope(
    contract_server: Any, ours: dict[str, Any], operation_id: str
) -> None:
    ids = {"data_source_id": str(uuid.uuid4()), "connector_id": str(uuid.uuid4())}
    with contract_server.client() as anonymous:
        response = _request(anonymous, operation_id, ids)
    assert response.status_code == 401
    assert response.headers.get("www-authenticate", "").lower().startswith("bearer")
    _assert_envelope(response, 401)
    path, method, _ = operations(DS_SPEC)[operation_id]
    assert "401" in ours["paths"][path][method]["responses"]


@pytest.mark.parametrize("operation_id", DS_OPERATIONS_WITH_ID)
def test_really_answers_404_in_the_envelope(
    api: httpx.Client, ours: dict[str, Any], operation_id: str
) -> None:
    """An unknown data source (and, under a real one, an unknown connector) is a documented 404."""
    created = api.post("/v1/data_sources/", json={"type": "notion", "name": "owner"})
    assert created.status_code == 201, created.text
    unknown = {"data_source_id": str(uuid.uuid4()), "connector_id": str(uuid.uuid4())}
    response = _request(api, operation_id, unknown)
    assert response.status_code == 404, response.text
    _assert_envelope(response, 404)
    if "{connector_id}" in operations(DS_SPEC)[operation_id][0]:
        response = _request(api, operation_id, {**unknown, "data_source_id": created.json()["id"]})
        assert response.status_code == 404, response.text
        _assert_envelope(response, 404)
    path, method, _ = operations(DS_SPEC)[operation_id]
    assert "404" in ours["paths"][path][method]["responses"]


def _contract_validator(schema_name: str) -> Any:
    import jsonschema_rs  # schemathesis' validator: JSON Schema 2020-12, the dialect of OpenAPI 3.1

    root = {"$ref": f"#/components/schemas/{schema_name}", "components": DS_SPEC["components"]}
    return jsonschema_rs.Draft202012Validator(root, validate_formats=True)


def _conformance_errors(schema_name: str, instance: Any, label: str) -> list[str]:
    return [
        f"{label}: {'/'.join(map(str, error.instance_path))}: {error.message} (contract {schema_name})"
        for error in _contract_validator(schema_name).iter_errors(instance)
    ]


def test_live_responses_conform_to_contract_schemas(contract_api: httpx.Client) -> None:
    """Every kind of object the server renders validates against the contract's own schema."""
    api = contract_api
    problems: list[str] = []
    store = api.post("/v1/stores", json={"name": f"contract-{uuid.uuid4().hex[:8]}"})
    assert store.status_code == 201, store.text
    bodies = {
        "notion, no auth": {"type": "notion", "name": "a"},
        "notion, api_key": {
            "type": "notion",
            "name": "b",
            "metadata": {"k": [1, "x"]},
            "auth_params": {"type": "api_key", "api_key": "ntn_0123456789abcdef0123"},
        },
        "notion, oauth2": {"type": "notion", "name": "c", "auth_params": {"type": "oauth2"}},
        "linear, oauth2": {"type": "linear", "name": "d", "auth_params": {"type": "oauth2"}},
    }
    created = {}
    for label, body in bodies.items():
        response = api.post("/v1/data_sources/", json=body)
        assert response.status_code == 201, response.text
        created[label] = response.json()
        problems += _conformance_errors("DataSource", response.json(), f"POST /v1/data_sources/ ({label})")
        got = api.get(f"/v1/data_sources/{response.json()['id']}")
        problems += _conformance_errors("DataSource", got.json(), f"GET /v1/data_sources/{{id}} ({label})")
    listed = api.get("/v1/data_sources/", params={"include_total": True})
    problems += _conformance_errors("DataSourceListResponse", listed.json(), "GET /v1/data_sources/")

    source = created["notion, no auth"]["id"]
    connector = api.post(
        f"/v1/data_sources/{source}/connectors",
        json={"store_id": store.json()["id"], "trigger_sync": False, "polling_interval": "1h"},
    )
    assert connector.status_code == 201, connector.text
    problems += _conformance_errors("DataSourceConnector", connector.json(), "POST .../connectors")
    connectors = api.get(f"/v1/data_sources/{source}/connectors")
    problems += _conformance_errors("ConnectorListResponse", connectors.json(), "GET .../connectors")
    gone = api.delete(f"/v1/data_sources/{source}/connectors/{connector.json()['id']}")
    problems += _conformance_errors("DataSourceConnectorDeleted", gone.json(), "DELETE .../connectors/{id}")
    deleted = api.delete(f"/v1/data_sources/{source}")
    problems += _conformance_errors("DataSourceDeleted", deleted.json(), "DELETE /v1/data_sources/{id}")
    invalid = api.post("/v1/data_sources/", json={"type": "notion"})
    assert invalid.status_code == 422
    problems += _conformance_errors("HTTPValidationError", invalid.json(), "422")
    missing = api.get(f"/v1/data_sources/{uuid.uuid4()}")
    problems += _conformance_errors("ErrorResponse", missing.json(), "404")
    _fail_with(problems)
