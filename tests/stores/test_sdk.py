"""The official SDK, strict, drives the embedded store as it would a hosted one."""

from __future__ import annotations

import mixedbread
import pytest

from tests.plugins.api import ApiServer

GUIDE = """# Deployment guide

## Certificates

Renew the TLS certificate with certbot before it expires.

## Backups

Nightly snapshots go to the cold storage bucket.
"""


def test_sdk_upload_and_search(store_server: ApiServer, key: str) -> None:
    client = mixedbread.Mixedbread(api_key=key, base_url=store_server.url, _strict_response_validation=True)
    store = client.stores.create(name="sdk-docs", description="SDK test", metadata={"team": "ops"})
    assert store.name == "sdk-docs" and store.file_counts is not None

    sf = client.stores.files.upload(
        store_identifier="sdk-docs",
        file=("guide.md", GUIDE.encode(), "text/markdown"),
        metadata={"team": "ops", "year": 2024},
        external_id="guide",
    )
    assert sf.status == "completed"
    polled = client.stores.files.poll(sf.id, store_identifier="sdk-docs")
    assert polled.status == "completed" and polled.external_id == "guide"
    other = client.stores.files.upload(
        store_identifier="sdk-docs", file=("notes.md", b"# Notes\n\ncertificate renewal is manual", "text/markdown"),
        metadata={"team": "dev", "year": 2023},
    )  # fmt: skip

    res = client.stores.search(store_identifiers=["sdk-docs"], query="renew certificate", top_k=5)
    assert res.data and {d.file_id for d in res.data} == {sf.id, other.id}
    filtered = client.stores.search(
        store_identifiers=[store.id],
        query="renew certificate",
        filters={
            "all": [
                {"key": "team", "operator": "eq", "value": "ops"},
                {"key": "year", "operator": "gte", "value": 2024},
            ]
        },
        search_options={"return_metadata": True},
    )
    assert [d.file_id for d in filtered.data] == [sf.id]
    hit = filtered.data[0]
    assert hit.type == "text" and hit.metadata == {"team": "ops", "year": 2024}
    assert hit.generated_metadata is not None and hit.generated_metadata.type == "markdown"

    listed = client.stores.files.list(
        "sdk-docs", metadata_filter={"key": "team", "operator": "eq", "value": "dev"}
    )
    assert [f.id for f in listed.data] == [other.id]
    detail = client.stores.files.retrieve(sf.id, store_identifier="sdk-docs", return_chunks=True)
    assert detail.chunks and detail.chunks[0].offset == 0
    page = client.stores.list(limit=10)
    assert "sdk-docs" in [s.name for s in page.data]
    updated = client.stores.update("sdk-docs", description="changed")
    assert updated.description == "changed"
    assert client.stores.retrieve("sdk-docs").file_counts.completed == 2  # type: ignore[union-attr]
    files = client.files.list()
    assert {f.id for f in files.data} >= {sf.id, other.id}
    assert client.files.content(sf.id).read() == GUIDE.encode()
    assert client.stores.files.delete(other.id, store_identifier="sdk-docs").deleted is True
    with pytest.raises(mixedbread.NotFoundError):
        client.stores.files.retrieve(other.id, store_identifier="sdk-docs")
    assert client.stores.delete("sdk-docs").deleted is True
