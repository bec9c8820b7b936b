"""Relevance sanity: the expected document is in the top 3 for at least 90% of the corpus queries."""

from __future__ import annotations

import httpx

from tests.stores.conftest import make_store, upload
from tests.stores.corpus import documents, queries


def test_expected_document_in_top_3(client: httpx.Client) -> None:
    make_store(client, "corpus")
    docs = documents()
    assert len(docs) >= 50
    for filename, text in docs:
        assert upload(client, "corpus", filename, text).status_code == 201
    misses = []
    for query, expected in queries():
        r = client.post(
            "/v1/stores/search", json={"store_identifiers": ["corpus"], "query": query, "top_k": 3}
        )
        top = [h["filename"] for h in r.json()["data"]]
        if expected not in top:
            misses.append((query, expected, top))
    hit_rate = 1 - len(misses) / len(queries())
    print(f"relevance hit rate {hit_rate:.2f}; misses: {misses}")
    assert hit_rate >= 0.9, f"hit rate {hit_rate:.2f}; misses: {misses}"
