"""Stores: create, list, retrieve, update, delete; names; organization scoping; the connector guard."""

from __future__ import annotations

import uuid

import httpx

from tests.plugins.api import ApiServer
from tests.stores.conftest import make_store, upload


def test_create_retrieve_by_id_and_name(client: httpx.Client) -> None:
    store = make_store(
        client, "kb.v1-main", description="Docs", metadata={"team": "a"}, expires_after={"days": 7}
    )
    assert store["object"] == "store" and store["name"] == "kb.v1-main"
    assert store["file_counts"]["total"] == 0 and store["usage_bytes"] == 0
    assert store["expires_at"] is not None
    by_id = client.get(f"/v1/stores/{store['id']}").json()
    by_name = client.get("/v1/stores/kb.v1-main").json()
    assert by_id == by_name
    assert by_id["metadata"] == {"team": "a"}


def test_name_rules(client: httpx.Client) -> None:
    for bad in ["Upper", "has space", "under_score", "x" * 129, str(uuid.uuid4())]:
        r = client.post("/v1/stores", json={"name": bad})
        assert r.status_code == 422, (bad, r.text)
        assert r.json()["detail"][0]["loc"][:2] == ["body", "name"]
    generated = make_store(client)
    assert generated["name"].startswith("store-")
    make_store(client, "taken")
    r = client.post("/v1/stores", json={"name": "taken"})
    assert r.status_code == 409 and r.json()["error"]["code"] == 409


def test_update_and_rename_conflict(client: httpx.Client) -> None:
    make_store(client, "one")
    make_store(client, "two")
    r = client.put("/v1/stores/one", json={"description": "new", "metadata": {"k": 1}})
    assert r.status_code == 200 and r.json()["description"] == "new" and r.json()["metadata"] == {"k": 1}
    assert r.json()["updated_at"] > r.json()["created_at"]
    assert client.put("/v1/stores/one", json={"name": "two"}).status_code == 409
    r = client.put("/v1/stores/one", json={"name": "uno"})
    assert r.status_code == 200 and r.json()["name"] == "uno"
    assert client.get("/v1/stores/one").status_code == 404
    assert client.get("/v1/stores/uno").json()["description"] == "new"


def test_list_pagination_and_q(client: httpx.Client) -> None:
    names = [f"page-{i}" for i in range(5)]
    for n in names:
        make_store(client, n, description="findme" if n == "page-3" else None)
    first = client.get("/v1/stores", params={"limit": 2, "include_total": True}).json()
    assert [s["name"] for s in first["data"]] == ["page-4", "page-3"]
    assert first["pagination"]["has_more"] is True and first["pagination"]["total"] == 5
    second = client.get("/v1/stores", params={"limit": 2, "after": first["pagination"]["last_cursor"]}).json()
    assert [s["name"] for s in second["data"]] == ["page-2", "page-1"]
    back = client.get(
        "/v1/stores", params={"limit": 2, "before": second["pagination"]["first_cursor"]}
    ).json()
    assert [s["name"] for s in back["data"]] == ["page-4", "page-3"]
    found = client.get("/v1/stores", params={"q": "findme"}).json()["data"]
    assert [s["name"] for s in found] == ["page-3"]
    assert client.get("/v1/stores", params={"limit": 0}).status_code == 422


def test_other_organization_sees_404(store_server: ApiServer, client: httpx.Client) -> None:
    store = make_store(client, "private")
    with store_server.client(store_server.new_key()) as other:
        for path in (f"/v1/stores/{store['id']}", "/v1/stores/private"):
            r = other.get(path)
            assert r.status_code == 404 and r.json()["error"]["type"] == "store_not_found"
        assert other.delete(f"/v1/stores/{store['id']}").status_code == 404
        r = other.post("/v1/stores/search", json={"store_identifiers": ["private"], "query": "x"})
        assert r.status_code == 404
        # the same name is free in another organization
        assert other.post("/v1/stores", json={"name": "private"}).status_code == 201


def test_delete_cascades_files_from_store(client: httpx.Client) -> None:
    make_store(client, "gone")
    f = upload(client, "gone", "a.md", "# A\n\nalpha words").json()
    r = client.delete("/v1/stores/gone")
    assert r.status_code == 200 and r.json() == {"id": f["store_id"], "deleted": True, "object": "store"}
    assert client.get("/v1/stores/gone").status_code == 404
    # the uploaded file object stays; it just is no longer in a store
    assert client.get(f"/v1/files/{f['id']}").status_code == 200


def test_delete_refused_while_connectors_point_at_store(
    store_server: ApiServer, client: httpx.Client
) -> None:
    store = make_store(client, "synced")

    async def add_connector(database):  # type: ignore[no-untyped-def]
        from breadbox.connectors.models import Connector
        from breadbox.data_sources.models import DataSource
        from breadbox.stores.models import Store

        async with database.session() as session:
            row = await session.get(Store, uuid.UUID(str(store["id"])))
            ds = DataSource(organization_id=row.organization_id, type="notion", name="n")
            session.add(ds)
            await session.flush()
            connector = Connector(
                organization_id=row.organization_id,
                data_source_id=ds.id,
                store_id="synced",
                name="c",
                polling_interval=3600,
            )
            session.add(connector)
            await session.flush()
            return connector.id

    connector_id = store_server.run(add_connector)
    r = client.delete("/v1/stores/synced")
    assert r.status_code == 409 and "connector" in r.json()["error"]["message"]
    assert client.put("/v1/stores/synced", json={"name": "renamed"}).status_code == 409
    assert client.get("/v1/stores/synced").status_code == 200

    async def drop_connector(database):  # type: ignore[no-untyped-def]
        from breadbox.connectors.models import Connector

        async with database.session() as session:
            await session.delete(await session.get(Connector, connector_id))

    store_server.run(drop_connector)
    assert client.delete(f"/v1/stores/{store['id']}").status_code == 200
