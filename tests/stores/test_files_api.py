"""Files and store files: upload, formats, limits, statuses, external IDs, overwrite, listing, chunks."""

from __future__ import annotations

import json

import httpx

from tests.stores.conftest import make_store, upload

MD = "# Title\n\nFirst paragraph about otters.\n\n## Habitat\n\nRivers and coasts.\n"


def test_files_crud_and_content(client: httpx.Client) -> None:
    r = client.post("/v1/files", files={"file": ("notes.txt", b"hello files", "text/plain; charset=utf-8")})
    assert r.status_code == 201, r.text
    f = r.json()
    assert f["bytes"] == 11 and f["mime_type"] == "text/plain" and f["version"] == 1
    assert client.get(f"/v1/files/{f['id']}").json() == f
    content = client.get(f"/v1/files/{f['id']}/content")
    assert content.status_code == 200 and content.content == b"hello files"
    listed = client.get("/v1/files", params={"q": "notes"}).json()
    assert [x["id"] for x in listed["data"]] == [f["id"]]
    assert client.delete(f"/v1/files/{f['id']}").json() == {"id": f["id"], "deleted": True, "object": "file"}
    assert client.get(f"/v1/files/{f['id']}").status_code == 404
    assert client.get("/v1/files/not-a-uuid").status_code == 422


def test_size_limit_and_empty(client: httpx.Client, store_server) -> None:  # type: ignore[no-untyped-def]
    limit = store_server.settings.max_file_bytes
    r = client.post("/v1/files", files={"file": ("big.txt", b"x" * (limit + 1), "text/plain")})
    assert r.status_code == 413 and r.json()["error"]["code"] == 413
    make_store(client, "lim")
    assert upload(client, "lim", "big.md", "y" * (limit + 1)).status_code == 413
    assert client.post("/v1/files", files={"file": ("e.txt", b"", "text/plain")}).status_code == 400
    assert client.get("/v1/stores/lim").json()["file_counts"]["total"] == 0


def test_formats(client: httpx.Client) -> None:
    make_store(client, "fmt")
    html = "<html><body><h1>Heron</h1><p>Wading <b>bird</b>.</p><script>evil()</script></body></html>"
    r = upload(client, "fmt", "page.html", html, "text/html")
    assert r.status_code == 201 and r.json()["status"] == "completed"
    chunks = client.get(f"/v1/stores/fmt/files/{r.json()['id']}", params={"return_chunks": "true"}).json()[
        "chunks"
    ]
    assert chunks[0]["text"].startswith("# Heron") and "evil" not in chunks[0]["text"]
    assert chunks[0]["generated_metadata"]["type"] == "markdown"
    r = upload(client, "fmt", "data.json", json.dumps({"species": "kingfisher"}), "application/json")
    assert r.json()["status"] == "completed"
    r = upload(client, "fmt", "plain.txt", "just text\n\nsecond", "text/plain")
    assert r.json()["status"] == "completed"
    r = upload(client, "fmt", "image.png", b"\x89PNG\r\n", "image/png")
    assert r.status_code == 415
    message = r.json()["error"]["message"]
    assert "Markdown" in message and "JSON" in message and "HTML" in message
    broken = upload(client, "fmt", "broken.json", "{not json", "application/json").json()
    assert broken["status"] == "failed" and "JSON" in broken["last_error"]["message"]
    latin = upload(client, "fmt", "latin.txt", "caf\xe9".encode("latin-1"), "text/plain").json()
    assert latin["status"] == "failed" and "UTF-8" in latin["last_error"]["message"]
    counts = client.get("/v1/stores/fmt").json()["file_counts"]
    assert counts == {"pending": 0, "in_progress": 0, "cancelled": 0, "completed": 3, "failed": 2, "total": 5}


def test_create_store_file_from_file_id_and_external_ids(client: httpx.Client) -> None:
    store = make_store(client, "ext")
    f = client.post("/v1/files", files={"file": ("a.md", MD.encode(), "text/markdown")}).json()
    r = client.post(
        "/v1/stores/ext/files", json={"file_id": f["id"], "external_id": "doc-1", "metadata": {"k": 1}}
    )
    assert r.status_code == 201, r.text
    sf = r.json()
    assert sf["id"] == f["id"] and sf["store_id"] == store["id"] and sf["external_id"] == "doc-1"
    assert sf["content_url"].endswith(f"/v1/files/{f['id']}/content")
    # retrievable by file ID and by external ID
    assert client.get(f"/v1/stores/ext/files/{f['id']}").json()["id"] == f["id"]
    assert client.get("/v1/stores/ext/files/doc-1").json()["id"] == f["id"]
    # same external_id without overwrite: 409; with overwrite: replaced
    g = client.post("/v1/files", files={"file": ("b.md", b"# B\n\nbeavers", "text/markdown")}).json()
    r = client.post(
        "/v1/stores/ext/files", json={"file_id": g["id"], "external_id": "doc-1", "overwrite": False}
    )
    assert r.status_code == 409
    r = client.post("/v1/stores/ext/files", json={"file_id": g["id"], "external_id": "doc-1"})
    assert r.status_code == 201 and r.json()["id"] == g["id"]
    assert client.get("/v1/stores/ext/files/doc-1").json()["id"] == g["id"]
    assert client.get(f"/v1/stores/ext/files/{f['id']}").status_code == 404
    got = client.get("/v1/stores/ext").json()
    assert got["file_counts"]["total"] == 1 and got["usage_bytes"] == g["bytes"]
    # the same file twice without overwrite is a conflict
    r = client.post("/v1/stores/ext/files", json={"file_id": g["id"], "overwrite": False})
    assert r.status_code == 409
    # an unknown or foreign file is a 404
    r = client.post("/v1/stores/ext/files", json={"file_id": "00000000-0000-0000-0000-000000000000"})
    assert r.status_code == 404


def test_chunks_and_markdown_metadata(client: httpx.Client) -> None:
    make_store(client, "chunks")
    sections = "\n\n".join(f"## Section {i}\n\n" + f"word{i} " * 60 for i in range(6))
    doc = "# Manual\n\nIntro.\n\n" + sections + "\n"
    sf = upload(client, "chunks", "manual.md", doc).json()
    chunks = client.get(f"/v1/stores/chunks/files/{sf['id']}", params={"return_chunks": "true"}).json()[
        "chunks"
    ]
    assert len(chunks) > 1
    for i, c in enumerate(chunks):
        assert c["chunk_index"] == i
        assert doc[c["offset"] : c["offset"] + len(c["text"])] == c["text"]
        assert len(c["text"]) <= 400
        meta = c["generated_metadata"]
        assert meta["type"] == "markdown" and meta["file_type"] == "text/markdown"
    later = chunks[-1]["generated_metadata"]
    assert later["heading_context"][0] == {"level": 1, "text": "Manual"}
    assert any(h["text"].startswith("Section") for h in later["chunk_headings"])
    picked = client.get(
        f"/v1/stores/chunks/files/{sf['id']}", params=[("return_chunks", "0"), ("return_chunks", "2")]
    ).json()["chunks"]
    assert [c["chunk_index"] for c in picked] == [0, 2]
    assert client.get(f"/v1/stores/chunks/files/{sf['id']}").json()["chunks"] is None


def test_list_store_files_get_and_post(client: httpx.Client) -> None:
    make_store(client, "lst")
    ids = []
    for i in range(4):
        meta = {"n": i, "tag": "even" if i % 2 == 0 else "odd", "nested": {"level": i * 10}}
        ids.append(
            upload(client, "lst", f"doc{i}.md", f"# D{i}\n\ntext", metadata=meta, external_id=f"e{i}").json()[
                "id"
            ]
        )
    upload(client, "lst", "bad.json", "{", "application/json")
    listed = client.get("/v1/stores/lst/files", params={"limit": 2}).json()
    assert len(listed["data"]) == 2 and listed["pagination"]["has_more"] is True
    failed = client.get("/v1/stores/lst/files", params={"statuses": "failed"}).json()["data"]
    assert [f["filename"] for f in failed] == ["bad.json"]
    body = {"metadata_filter": {"key": "tag", "operator": "eq", "value": "even"}}
    evens = client.post("/v1/stores/lst/files/list", json=body).json()["data"]
    assert sorted(f["id"] for f in evens) == sorted([ids[0], ids[2]])
    body = {"metadata_filter": {"all": [{"key": "nested.level", "operator": "gte", "value": 10}]}, "q": "doc"}
    assert len(client.post("/v1/stores/lst/files/list", json=body).json()["data"]) == 3
    body = {"limit": 1, "include_total": True, "statuses": ["completed"]}
    page = client.post("/v1/stores/lst/files/list", json=body).json()
    assert page["pagination"]["total"] == 4 and len(page["data"]) == 1
    nxt = client.post(
        "/v1/stores/lst/files/list", json={"limit": 1, "after": page["pagination"]["last_cursor"]}
    )
    assert nxt.json()["data"][0]["id"] != page["data"][0]["id"]


def test_delete_store_file_updates_counts_and_search(client: httpx.Client) -> None:
    make_store(client, "del")
    sf = upload(client, "del", "x.md", "# X\n\nplatypus facts", external_id="x").json()
    search = {"store_identifiers": ["del"], "query": "platypus"}
    assert len(client.post("/v1/stores/search", json=search).json()["data"]) == 1
    r = client.delete("/v1/stores/del/files/x")
    assert r.json() == {"id": sf["id"], "deleted": True, "object": "store.file"}
    assert client.post("/v1/stores/search", json=search).json()["data"] == []
    s = client.get("/v1/stores/del").json()
    assert s["file_counts"]["total"] == 0 and s["usage_bytes"] == 0
    assert client.delete("/v1/stores/del/files/x").status_code == 404


def test_deleting_file_removes_it_from_stores(client: httpx.Client) -> None:
    make_store(client, "cascade")
    sf = upload(client, "cascade", "k.md", "# K\n\nkoala").json()
    assert client.delete(f"/v1/files/{sf['id']}").status_code == 200
    assert client.get(f"/v1/stores/cascade/files/{sf['id']}").status_code == 404
    hits = client.post("/v1/stores/search", json={"store_identifiers": ["cascade"], "query": "koala"}).json()
    assert hits["data"] == []


def test_upload_params_validation(client: httpx.Client) -> None:
    make_store(client, "params")
    r = client.post(
        "/v1/stores/params/files/upload",
        files={"file": ("a.md", b"# a", "text/markdown")},
        data={"params": "{bad"},
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "params"]
