"""Embedded-store search against tantivy, same corpus and queries, side by side in one run.

    .venv/bin/python bench/search.py [--docs 10000 --queries 1000 --backends sqlite,postgres]

Breadbox ingests through the sink the sync engine uses (`LocalStoreSink.upsert`: file row, store
file, Markdown chunking, chunk rows and their full-text index), committing every `--batch`
documents; queries go through `StoreService.search` (query parsing, store resolution, ranking,
hit rows) on one session. Tantivy indexes title and body of the same documents and answers the
same queries, fetching the stored text of its top 10 hits. The PostgreSQL database is created and
dropped by the script (`--pg` is the admin DSN).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg
from sqlalchemy import create_engine

import breadbox.db.models  # noqa: F401 - the tables the store tables refer to
from breadbox.auth.models import Organization
from breadbox.auth.scopes import Principal
from breadbox.db.base import Base
from breadbox.db.migrate import sync_url, upgrade
from breadbox.db.session import Database
from breadbox.files.models import File
from breadbox.stores.models import Store, StoreChunk, StoreFile
from breadbox.stores.schemas import StoreChunkSearchParams, StoreCreateParams
from breadbox.stores.search import ddl
from breadbox.stores.service import StoreService
from breadbox.stores.sink import LocalStoreSink, SinkDocument

SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ne",
    "ru",
    "ta",
    "vo",
    "zen",
    "pri",
    "dal",
    "sor",
    "qui",
    "bel",
    "tor",
    "an",
    "ex",
]


@dataclass
class Result:
    engine: str
    ingest_docs_per_s: float
    p50_ms: float
    p95_ms: float


def corpus(n_docs: int, seed: int = 7) -> tuple[list[tuple[str, str, str]], list[str]]:
    """`n_docs` Markdown documents (~500 bytes) over a Zipfian vocabulary, and the vocabulary by rank."""
    rng = random.Random(seed)
    vocab: list[str] = []
    seen: set[str] = set()
    while len(vocab) < 20_000:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            vocab.append(word)
    weights = [1.0 / (rank + 1) for rank in range(len(vocab))]

    def words(k: int) -> str:
        return " ".join(rng.choices(vocab, weights=weights, k=k))

    docs = []
    for i in range(n_docs):
        title = words(3).title()
        body = f"# {title}\n\n{words(24)}.\n\n## {words(2).title()}\n\n{words(20)}.\n\n- {words(5)}\n- {words(5)}\n"
        docs.append((f"doc-{i}", f"{title}.md", body))
    return docs, vocab


def make_queries(docs: list[tuple[str, str, str]], vocab: list[str], n: int, seed: int = 11) -> list[str]:
    """2-3 words of a random document, skipping the 100 most common words (they carry no signal)."""
    rng = random.Random(seed)
    common = set(vocab[:100])
    out = []
    while len(out) < n:
        body = docs[rng.randrange(len(docs))][2]
        candidates = sorted({w.strip(".-#").lower() for w in body.split()} - common - {""})
        if len(candidates) >= 3:
            out.append(" ".join(rng.sample(candidates, rng.randint(2, 3))))
    return out


def percentiles(latencies: list[float]) -> tuple[float, float]:
    ordered = sorted(latencies)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95) - 1] * 1000


def bench_tantivy(docs: list[tuple[str, str, str]], queries: list[str]) -> Result:
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("title", stored=True)
    builder.add_text_field("body", stored=True)
    builder.add_text_field("external_id", stored=True)
    index = tantivy.Index(builder.build())
    start = time.perf_counter()
    writer = index.writer()
    for external_id, title, body in docs:
        writer.add_document(tantivy.Document(title=title, body=body, external_id=external_id))
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    ingest = len(docs) / (time.perf_counter() - start)
    searcher = index.searcher()
    latencies = []
    for q in queries:
        t = time.perf_counter()
        hits = searcher.search(index.parse_query(q, ["title", "body"]), 10).hits
        _ = [searcher.doc(address)["body"] for _, address in hits]
        latencies.append(time.perf_counter() - t)
    return Result("tantivy", ingest, *percentiles(latencies))


def create_database(backend: str, admin_dsn: str, tmp: Path) -> tuple[str, str | None]:
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{tmp / 'bench.db'}", None
    name = f"breadbox_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = admin_dsn.rsplit("/", 1)[0].split("://", 1)[1]
    return f"postgresql+psycopg://{base}/{name}", name


def drop_database(admin_dsn: str, name: str | None) -> None:
    if name:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def install_schema(url: str) -> None:
    upgrade(url)
    engine = create_engine(sync_url(url))
    with engine.begin() as conn:
        tables = [File.__table__, Store.__table__, StoreFile.__table__, StoreChunk.__table__]
        Base.metadata.create_all(conn, tables=tables, checkfirst=True)  # type: ignore[arg-type]
        ddl.install(conn)
    engine.dispose()


async def bench_breadbox(
    url: str, backend: str, docs: list[tuple[str, str, str]], queries: list[str], batch: int
) -> Result:
    database = Database(url)
    try:
        async with database.session() as session:
            org = Organization(name=f"bench-{uuid.uuid4().hex[:8]}")
            session.add(org)
            await session.flush()
            principal = Principal(organization_id=org.id, api_key_id=None, scope=None)
            store = await StoreService(session).create(principal, StoreCreateParams(name="bench"))
            store_id = store.id
        start = time.perf_counter()
        for i in range(0, len(docs), batch):
            async with database.session() as session:
                sink = await LocalStoreSink.open(session, org.id, str(store_id), "bench")
                for external_id, title, body in docs[i : i + batch]:
                    await sink.upsert(SinkDocument(external_id, body, title))
        ingest = len(docs) / (time.perf_counter() - start)
        latencies = []
        async with database.session() as session:
            service = StoreService(session)
            for q in queries:
                params = StoreChunkSearchParams(store_identifiers=["bench"], query=q, top_k=10)
                t = time.perf_counter()
                await service.search(principal, params)
                latencies.append(time.perf_counter() - t)
        return Result(f"breadbox/{backend}", ingest, *percentiles(latencies))
    finally:
        await database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=1_000)
    parser.add_argument("--batch", type=int, default=500, help="documents per transaction")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres", help="admin DSN")
    args = parser.parse_args()

    docs, vocab = corpus(args.docs)
    queries = make_queries(docs, vocab, args.queries)
    size_mb = sum(len(d[2].encode()) for d in docs) / 1e6
    print(f"corpus: {len(docs)} Markdown documents, {size_mb:.1f} MB; {len(queries)} queries")
    reference = bench_tantivy(docs, queries)
    results = [reference]
    with tempfile.TemporaryDirectory() as tmp:
        for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
            url, pg_name = create_database(backend, args.pg, Path(tmp))
            try:
                install_schema(url)
                results.append(asyncio.run(bench_breadbox(url, backend, docs, queries, args.batch)))
            finally:
                drop_database(args.pg, pg_name)

    header = f"{'engine':<20}{'ingest docs/s':>15}{'query p50 ms':>14}{'query p95 ms':>14}"
    print(header + f"{'ingest x':>11}{'p50 x':>9}{'p95 x':>9}")
    for r in results:
        slower_ingest = reference.ingest_docs_per_s / r.ingest_docs_per_s
        print(
            f"{r.engine:<20}{r.ingest_docs_per_s:>15.0f}{r.p50_ms:>14.3f}{r.p95_ms:>14.3f}"
            f"{slower_ingest:>11.1f}{r.p50_ms / reference.p50_ms:>9.1f}{r.p95_ms / reference.p95_ms:>9.1f}"
        )
    print(
        "ratios are breadbox / tantivy (ingest: how many times slower); targets on SQLite: p50 <= 3x, ingest <= 5x"
    )


if __name__ == "__main__":
    main()
