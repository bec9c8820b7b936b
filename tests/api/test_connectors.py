"""Connector operations: defaults, polling intervals, sync requests, partial updates."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from breadbox.db.session import Database
from breadbox.sync.models import SyncRun


@pytest.fixture
def ds(api):
    return api.post("/v1/data_sources/", json={"name": "Docs"}).json()


@pytest.fixture
def create(api, store):
    def create(api, ds, **body):
        body.setdefault("store_id", store["id"])
        return api.post(f"/v1/data_sources/{ds['id']}/connectors", json=body)

    return create


def runs(api_server, connector_id: str) -> list[SyncRun]:
    async def work(database: Database) -> list[SyncRun]:
        async with database.session() as session:
            stmt = select(SyncRun).where(SyncRun.connector_id == uuid.UUID(connector_id))
            return list((await session.scalars(stmt)).all())

    return api_server.run(work)


def test_create_defaults_and_sync_request(api, api_server, ds, create):
    r = create(api, ds)
    assert r.status_code == 201
    c = r.json()
    assert c["object"] == "data_source.connector"
    assert c["name"] == "New Connector" and c["polling_interval"] == "PT30M"
    assert c["status"] == "pending" and c["data_source_id"] == ds["id"]
    assert (
        c["started_at"] is None
        and c["finished_at"] is None
        and c["last_synced_at"] is None
        and c["error"] is None
    )
    recorded = runs(api_server, c["id"])
    assert [(run.status, run.trigger) for run in recorded] == [("pending", "create")]


def test_create_without_trigger_is_idle_and_requests_nothing(api, api_server, ds, create):
    c = create(api, ds, trigger_sync=False, name="Quiet", metadata={"k": "v"}).json()
    assert c["status"] == "idle" and c["name"] == "Quiet" and c["metadata"] == {"k": "v"}
    assert runs(api_server, c["id"]) == []


@pytest.mark.parametrize(
    ("given", "answered"),
    [
        (15, "PT15S"),
        (1800, "PT30M"),
        ("30s", "PT30S"),
        ("30m", "PT30M"),
        ("1h", "PT1H"),
        ("2d", "P2D"),
        ("PT30M", "PT30M"),
        ("P1D", "P1D"),
        ("P30D", "P30D"),
        (2592000, "P30D"),
        ("90", "PT1M30S"),
    ],
)
def test_polling_interval_forms(api, ds, given, answered, create):
    r = create(api, ds, polling_interval=given, trigger_sync=False)
    assert r.status_code == 201, r.text
    assert r.json()["polling_interval"] == answered


@pytest.mark.parametrize("given", [14, 0, -5, 2592001, "P31D", "10s", "soon", "", "P1M", "1.5h", True, [30]])
def test_polling_interval_out_of_range_or_malformed(api, ds, given, create):
    r = create(api, ds, polling_interval=given)
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"][:2] == ["body", "polling_interval"]


def test_update_is_partial(api, api_server, ds, create):
    c = create(api, ds, trigger_sync=False, name="A", metadata={"x": 1}, polling_interval="1h").json()
    r = api.put(f"/v1/data_sources/{ds['id']}/connectors/{c['id']}", json={"name": "B"})
    assert r.status_code == 200
    u = r.json()
    assert u["name"] == "B" and u["metadata"] == {"x": 1} and u["polling_interval"] == "PT1H"
    assert u["status"] == "idle" and u["updated_at"] > c["updated_at"]
    u = api.put(f"/v1/data_sources/{ds['id']}/connectors/{c['id']}", json={"polling_interval": "2d"}).json()
    assert u["name"] == "B" and u["polling_interval"] == "P2D"
    u = api.put(f"/v1/data_sources/{ds['id']}/connectors/{c['id']}", json={"trigger_sync": False}).json()
    assert u["status"] == "idle" and runs(api_server, c["id"]) == []
    bad = api.put(f"/v1/data_sources/{ds['id']}/connectors/{c['id']}", json={"polling_interval": 5})
    assert bad.status_code == 422
    assert api.get(f"/v1/data_sources/{ds['id']}/connectors/{c['id']}").json()["polling_interval"] == "P2D"


def test_update_trigger_sync_requests_one_sync(api, api_server, ds, create):
    c = create(api, ds, trigger_sync=False).json()
    url = f"/v1/data_sources/{ds['id']}/connectors/{c['id']}"
    assert api.put(url, json={"trigger_sync": True}).json()["status"] == "pending"
    assert api.put(url, json={"trigger_sync": True}).json()["status"] == "pending"
    pending = [run for run in runs(api_server, c["id"]) if run.status == "pending"]
    assert len(pending) == 1, "a second trigger collapses into the pending request"


def test_delete_connector(api, ds, create):
    c = create(api, ds).json()
    url = f"/v1/data_sources/{ds['id']}/connectors/{c['id']}"
    r = api.delete(url)
    assert r.status_code == 200
    assert r.json() == {"id": c["id"], "deleted": True, "object": "data_source.connector"}
    assert api.get(url).status_code == 404
    assert api.delete(url).status_code == 404


def test_connector_of_another_data_source_is_404(api, ds, create):
    other = api.post("/v1/data_sources/", json={"name": "Other"}).json()
    c = create(api, ds).json()
    assert api.get(f"/v1/data_sources/{other['id']}/connectors/{c['id']}").status_code == 404
    assert api.get(f"/v1/data_sources/{uuid.uuid4()}/connectors").status_code == 404
    assert create(api, {"id": str(uuid.uuid4())}).status_code == 404
    assert api.get(f"/v1/data_sources/{ds['id']}/connectors/nope").status_code == 422


def test_store_id_is_required(api, ds):
    r = api.post(f"/v1/data_sources/{ds['id']}/connectors", json={"name": "x"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "store_id"]


def test_store_is_resolved_by_name_and_must_be_the_organizations(api, api_server, ds, store, create):
    by_name = create(api, ds, store_id=store["name"], trigger_sync=False)
    assert by_name.status_code == 201 and by_name.json()["store_id"] == store["id"]
    missing = create(api, ds, store_id="no-such-store")
    assert missing.status_code == 404 and "no-such-store" in missing.json()["error"]["message"]
    with api_server.client(api_server.new_key()) as stranger:
        theirs = stranger.post("/v1/data_sources/", json={"name": "x"}).json()
        r = stranger.post(f"/v1/data_sources/{theirs['id']}/connectors", json={"store_id": store["id"]})
        assert r.status_code == 404


def test_connector_reads_check_their_data_source_first(api, api_server, ds, create):
    c = create(api, ds, trigger_sync=False).json()
    unknown = uuid.uuid4()
    # An unknown data source is a 404 even when the cursor is malformed too.
    r = api.get(f"/v1/data_sources/{unknown}/connectors", params={"after": "garbage"})
    assert r.status_code == 404 and r.json()["error"]["type"] == "data_source_not_found"
    r = api.get(f"/v1/data_sources/{ds['id']}/connectors", params={"after": "garbage"})
    assert r.status_code == 422
    # Another organization sees neither the data source nor its connector.
    with api_server.client(api_server.new_key()) as stranger:
        r = stranger.get(f"/v1/data_sources/{ds['id']}/connectors/{c['id']}")
        assert r.status_code == 404 and r.json()["error"]["type"] == "data_source_not_found"
        assert stranger.get(f"/v1/data_sources/{ds['id']}/connectors").status_code == 404
    r = api.get(f"/v1/data_sources/{ds['id']}/connectors/{uuid.uuid4()}")
    assert r.status_code == 404 and r.json()["error"]["type"] == "connector_not_found"
    # An empty page of an existing data source is a page, not a 404.
    other = api.post("/v1/data_sources/", json={"name": "empty"}).json()
    empty = api.get(f"/v1/data_sources/{other['id']}/connectors")
    assert empty.status_code == 200 and empty.json()["data"] == []
