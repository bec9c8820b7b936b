"""The local store sink: upsert by external ID (unchanged is a no-op), delete, ownership by connector."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from breadbox.db.session import Database
from breadbox.stores.sink import LocalStoreSink, SinkDocument
from tests.plugins.api import ApiServer
from tests.stores.conftest import make_store


def test_sink_lifecycle(store_server: ApiServer, client: httpx.Client) -> None:
    store = make_store(client, "sunk")

    async def org_of(database: Database) -> uuid.UUID:
        from breadbox.stores.models import Store

        async with database.session() as session:
            row = await session.get(Store, uuid.UUID(str(store["id"])))
            assert row is not None
            return row.organization_id

    org = store_server.run(org_of)

    def with_sink(connector: str, fn: Any) -> Any:
        async def work(database: Database) -> Any:
            async with database.session() as session:
                sink = await LocalStoreSink.open(session, org, "sunk", connector, chunk_size=400)
                return await fn(sink)

        return store_server.run(work)

    doc = SinkDocument("page-1", "# Page one\n\nwombat burrows", "Page one.md", {"source": "notion"})
    assert with_sink("c1", lambda s: s.upsert(doc)) == "created"
    assert with_sink("c1", lambda s: s.upsert(doc)) == "unchanged"
    changed = SinkDocument("page-1", "# Page one\n\nwombat tunnels", "Page one.md", {"source": "notion"})
    assert with_sink("c1", lambda s: s.upsert(changed)) == "updated"
    retagged = SinkDocument(
        "page-1", "# Page one\n\nwombat tunnels", "Page one.md", {"source": "notion", "v": 2}
    )
    assert with_sink("c1", lambda s: s.upsert(retagged)) == "updated"
    other = SinkDocument("page-2", "# Two\n\nnumbat", "Two.md")
    assert with_sink("c1", lambda s: s.upsert(other)) == "created"
    assert with_sink("c2", lambda s: s.upsert(SinkDocument("issue-1", "# I\n\nbilby", "I.md"))) == "created"

    assert with_sink("c1", lambda s: s.external_ids()) == {"page-1", "page-2"}
    assert with_sink("c2", lambda s: s.external_ids()) == {"issue-1"}
    hits = client.post("/v1/stores/search", json={"store_identifiers": ["sunk"], "query": "wombat"}).json()[
        "data"
    ]
    assert (
        len(hits) == 1
        and "tunnels" in hits[0]["text"]
        and hits[0]["metadata"] == {"source": "notion", "v": 2}
    )
    # one file object per live document: replaced versions were removed with their store files
    files = client.get("/v1/files", params={"limit": 100}).json()["data"]
    assert len(files) == 3

    assert with_sink("c1", lambda s: s.delete("page-2")) is True
    assert with_sink("c1", lambda s: s.delete("page-2")) is False
    assert with_sink("c2", lambda s: s.delete_all()) == 1
    assert with_sink("c2", lambda s: s.external_ids()) == set()
    counts = client.get("/v1/stores/sunk").json()["file_counts"]
    assert counts["total"] == 1 and counts["completed"] == 1
    assert len(client.get("/v1/files").json()["data"]) == 1
