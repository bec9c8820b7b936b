"""`LocalStoreSink.upsert_many`: outcomes per document, duplicates, refusals all-or-nothing, bookkeeping."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from breadbox.db.session import Database
from breadbox.errors import BreadboxError, UnsupportedMediaTypeError
from breadbox.stores.sink import LocalStoreSink, SinkDocument
from tests.plugins.api import ApiServer
from tests.stores.conftest import make_store


def _sink_runner(store_server: ApiServer, client: httpx.Client, name: str) -> Any:
    store = make_store(client, name)

    async def org_of(database: Database) -> uuid.UUID:
        from breadbox.stores.models import Store

        async with database.session() as session:
            row = await session.get(Store, uuid.UUID(str(store["id"])))
            assert row is not None
            return row.organization_id

    org = store_server.run(org_of)

    def with_sink(fn: Any, connector: str = "c1") -> Any:
        async def work(database: Database) -> Any:
            async with database.session() as session:
                sink = await LocalStoreSink.open(session, org, name, connector, chunk_size=400)
                return await fn(sink)

        return store_server.run(work)

    return with_sink


def _search(client: httpx.Client, store: str, query: str) -> list[dict[str, Any]]:
    r = client.post("/v1/stores/search", json={"store_identifiers": [store], "query": query, "top_k": 50})
    assert r.status_code == 200, r.text
    return r.json()["data"]  # type: ignore[no-any-return]


def doc(external_id: str, text: str, **kw: Any) -> SinkDocument:
    return SinkDocument(external_id, f"# {external_id}\n\n{text}", f"{external_id}.md", **kw)


def test_batch_mixes_created_updated_unchanged(store_server: ApiServer, client: httpx.Client) -> None:
    with_sink = _sink_runner(store_server, client, "batchmix")
    first = [doc(f"d{i}", f"kangaroo number {i}") for i in range(5)]
    assert with_sink(lambda s: s.upsert_many(first)) == ["created"] * 5
    second = [
        first[0],  # unchanged
        doc("d1", "kangaroo changed"),  # updated
        first[2],  # unchanged
        doc("d3", "kangaroo number 3", metadata={"tag": "x"}),  # metadata change: updated
        doc("d9", "kangaroo newcomer"),  # created
    ]
    assert with_sink(lambda s: s.upsert_many(second)) == [
        "unchanged",
        "updated",
        "unchanged",
        "updated",
        "created",
    ]
    assert with_sink(lambda s: s.upsert_many(second)) == ["unchanged"] * 5
    assert with_sink(lambda s: s.upsert_many([])) == []

    hits = _search(client, "batchmix", "kangaroo")
    assert sorted(h["external_id"] for h in hits) == ["d0", "d1", "d2", "d3", "d4", "d9"]
    assert next(h for h in hits if h["external_id"] == "d1")["text"].endswith("kangaroo changed")
    info = client.get("/v1/stores/batchmix").json()
    assert info["file_counts"]["total"] == 6 and info["file_counts"]["completed"] == 6
    # replaced versions took their file objects with them
    assert len(client.get("/v1/files", params={"limit": 100}).json()["data"]) == 6
    usage = info["usage_bytes"]
    listed = client.get("/v1/stores/batchmix/files", params={"limit": 100}).json()["data"]
    assert usage == sum(f["usage_bytes"] for f in listed) > 0
    assert with_sink(lambda s: s.external_ids()) == {"d0", "d1", "d2", "d3", "d4", "d9"}


def test_duplicate_external_ids_last_one_wins(store_server: ApiServer, client: httpx.Client) -> None:
    with_sink = _sink_runner(store_server, client, "batchdup")
    batch = [doc("p", "wallaby first"), doc("q", "wallaby other"), doc("p", "wallaby second")]
    assert with_sink(lambda s: s.upsert_many(batch)) == ["created", "created", "updated"]
    hits = _search(client, "batchdup", "wallaby")
    assert sorted(h["external_id"] for h in hits) == ["p", "q"]
    assert next(h for h in hits if h["external_id"] == "p")["text"].endswith("wallaby second")
    # same content twice in one batch: the second is a no-op on top of the first
    again = [doc("p", "wallaby third"), doc("p", "wallaby third")]
    assert with_sink(lambda s: s.upsert_many(again)) == ["updated", "unchanged"]
    assert client.get("/v1/stores/batchdup").json()["file_counts"]["total"] == 2
    assert len(client.get("/v1/files", params={"limit": 100}).json()["data"]) == 2


def test_a_refused_document_writes_nothing_of_the_batch(
    store_server: ApiServer, client: httpx.Client
) -> None:
    with_sink = _sink_runner(store_server, client, "batchatomic")
    assert with_sink(lambda s: s.upsert_many([doc("keep", "platypus original")])) == ["created"]
    bad = SinkDocument("bad", "binary", "image.png", mime_type="image/png")
    batch = [doc("keep", "platypus replaced"), doc("new", "platypus new"), bad]
    with pytest.raises(UnsupportedMediaTypeError) as caught:
        with_sink(lambda s: s.upsert_many(batch))
    assert any("document 2" in note and "'bad'" in note for note in getattr(caught.value, "__notes__", []))
    hits = _search(client, "batchatomic", "platypus")
    assert [h["external_id"] for h in hits] == ["keep"] and hits[0]["text"].endswith("platypus original")

    # `check` lets the caller set refused documents aside first
    def checked(sink: LocalStoreSink) -> Any:
        kept = []
        for d in batch:
            try:
                sink.check(d)
            except BreadboxError:
                continue
            kept.append(d)
        return sink.upsert_many(kept)

    assert with_sink(checked) == ["updated", "created"]
    assert sorted(h["external_id"] for h in _search(client, "batchatomic", "platypus")) == ["keep", "new"]


def test_unreadable_content_is_a_failed_file_not_a_failed_batch(
    store_server: ApiServer, client: httpx.Client
) -> None:
    with_sink = _sink_runner(store_server, client, "batchfail")
    batch = [
        SinkDocument("j", "{not json", "j.json", mime_type="application/json"),
        doc("ok", "echidna fine"),
    ]
    assert with_sink(lambda s: s.upsert_many(batch)) == ["created", "created"]
    counts = client.get("/v1/stores/batchfail").json()["file_counts"]
    assert counts["failed"] == 1 and counts["completed"] == 1
    # a failed version is retried even with the same content hash
    assert with_sink(lambda s: s.upsert_many(batch)) == ["updated", "unchanged"]


def test_a_database_error_mid_batch_leaves_nothing(store_server: ApiServer, client: httpx.Client) -> None:
    with_sink = _sink_runner(store_server, client, "batchrollback")

    async def failing(sink: LocalStoreSink) -> None:
        original = sink.service.add_files

        async def boom(*args: Any, **kwargs: Any) -> Any:
            await original(*args, **kwargs)
            raise RuntimeError("database went away")

        sink.service.add_files = boom  # type: ignore[method-assign]
        await sink.upsert_many([doc("x", "dingo"), doc("y", "dingo")])

    with pytest.raises(RuntimeError):
        with_sink(failing)
    assert _search(client, "batchrollback", "dingo") == []
    assert client.get("/v1/stores/batchrollback").json()["file_counts"]["total"] == 0
    assert client.get("/v1/files").json()["data"] == []
