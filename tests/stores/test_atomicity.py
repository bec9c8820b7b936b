"""Overwriting a document by external ID never shows searchers neither or both versions."""

from __future__ import annotations

import threading

import httpx

from tests.plugins.api import ApiServer
from tests.stores.conftest import make_store, upload


def test_overwrite_is_atomic_under_concurrent_search(
    store_server: ApiServer, client: httpx.Client, key: str
) -> None:
    make_store(client, "atomic")
    assert (
        upload(client, "atomic", "doc.md", "# Doc\n\nquokka version 0", external_id="doc").status_code == 201
    )
    stop = threading.Event()
    seen: list[int] = []
    errors: list[str] = []

    def reader() -> None:
        with store_server.client(key) as c:
            while not stop.is_set():
                r = c.post("/v1/stores/search", json={"store_identifiers": ["atomic"], "query": "quokka"})
                if r.status_code != 200:
                    errors.append(r.text)
                    continue
                seen.append(len(r.json()["data"]))

    readers = [threading.Thread(target=reader) for _ in range(3)]
    for t in readers:
        t.start()
    try:
        for version in range(1, 26):
            r = upload(client, "atomic", "doc.md", f"# Doc\n\nquokka version {version}", external_id="doc")
            assert r.status_code == 201, r.text
    finally:
        stop.set()
        for t in readers:
            t.join()
    assert not errors
    assert len(seen) > 25
    assert set(seen) == {1}, f"searches saw {sorted(set(seen))} copies of the document"
    final = client.post("/v1/stores/search", json={"store_identifiers": ["atomic"], "query": "quokka"}).json()
    assert final["data"][0]["text"].endswith("version 25")
    assert client.get("/v1/stores/atomic").json()["file_counts"]["total"] == 1
