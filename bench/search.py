"""Embedded-store search against tantivy: same corpus, same queries, same top_k, one run.

    python -m bench search [--quick] [--docs 10000 --queries 1000 --batch 500 --top-k 10]
                           [--backends sqlite,postgres]

What is measured (ratios are breadbox / tantivy, taken in the same run):

- corpus: `--docs` Markdown documents (~500 bytes: a title heading, two sections, a list) written
  from real English words with their real frequencies (the docstrings of this Python's standard
  library); queries are 2-3 words of a random document, skipping stopwords and the 100 commonest
  words. The same documents and queries go to every engine.
- ingest docs/s: tantivy's writer committing every `--batch` documents, then waiting for its
  segment merges; breadbox through `LocalStoreSink.upsert_many` (what the sync engine calls: file
  rows, store files, Markdown chunking, chunk rows and their full-text index), one transaction per
  `--batch` documents, then `optimize()` (FTS5 segment merge; a no-op on PostgreSQL).
- query p50/p95: tantivy's searcher (parse, top_k, load the stored body of each hit); breadbox
  through `StoreService.search` on one session (query parsing, store resolution and scope check,
  ranking, hit rows): the code path of `POST /v1/stores/search` minus HTTP and JSON.
- fts5/raw: the floor of SQLite's engine on this corpus: FTS5 (same tokenizer, bm25 weights)
  through the stdlib `sqlite3` module, no Python layers, committing per batch, then `optimize`;
  queries fetch the text of the top_k hits. Breadbox/sqlite cannot beat this row.

Targets (issue 3): on SQLite, query p50 within 3x of tantivy and ingest within 5x. PostgreSQL is
reported; a missed target prints FAIL (the exit status is for crashes). The PostgreSQL database is created
and dropped by the run (`BREADBOX_BENCH_PG` is the admin DSN); it is skipped when unreachable.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import random
import re
import sqlite3
import sysconfig
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine

from bench.common import percentile, postgres_reachable, print_table, throwaway_postgres

QUICK = {"docs": 2_000, "queries": 300}
TARGET_QUERY_X = 3.0
TARGET_INGEST_X = 5.0

Doc = tuple[str, str, str]  # external_id, filename (title), Markdown body


@dataclass
class Result:
    engine: str
    ingest_docs_per_s: float
    p50_ms: float
    p95_ms: float
    note: str = ""


# --- corpus -----------------------------------------------------------------------------------


def english_vocabulary() -> list[tuple[str, int]]:
    """Words of the standard library's docstrings with their counts, commonest first."""
    root = Path(sysconfig.get_paths()["stdlib"])
    counts: Counter[str] = Counter()
    word = re.compile(r"[a-z]{2,}")
    for path in sorted(root.glob("*.py")) + sorted(root.glob("*/*.py")):
        if {"test", "tests", "idlelib", "lib2to3", "site-packages"} & set(path.relative_to(root).parts):
            continue
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                doc = ast.get_docstring(node)
                if doc:
                    counts.update(word.findall(doc.lower()))
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def corpus(n_docs: int, seed: int = 7) -> tuple[list[Doc], list[str]]:
    """`n_docs` Markdown documents drawn from real English word frequencies, and the words by rank."""
    rng = random.Random(seed)
    ranked = english_vocabulary()
    vocab = [w for w, _ in ranked]
    weights = [c for _, c in ranked]

    def words(k: int) -> str:
        return " ".join(rng.choices(vocab, weights=weights, k=k))

    docs = []
    for i in range(n_docs):
        title = words(3).title()
        body = (
            f"# {title}\n\n{words(32).capitalize()}.\n\n## {words(2).title()}\n\n"
            f"{words(28).capitalize()}.\n\n- {words(7)}\n- {words(7)}\n"
        )
        docs.append((f"doc-{i}", f"{title}.md", body))
    return docs, vocab


def make_queries(docs: list[Doc], vocab: list[str], n: int, seed: int = 11) -> list[str]:
    """2-3 words of a random document, skipping stopwords and the 100 commonest words."""
    from breadbox.stores.search.query import STOPWORDS

    rng = random.Random(seed)
    skip = set(vocab[:100]) | STOPWORDS
    out: list[str] = []
    while len(out) < n:
        body = docs[rng.randrange(len(docs))][2]
        candidates = sorted({w.strip(".-#").lower() for w in body.split()} - skip - {""})
        if len(candidates) >= 3:
            out.append(" ".join(rng.sample(candidates, rng.randint(2, 3))))
    return out


def timed(queries: list[str], run: Callable[[str], object]) -> tuple[float, float]:
    latencies = []
    for q in queries:
        t = time.perf_counter()
        run(q)
        latencies.append(time.perf_counter() - t)
    return percentile(latencies, 50) * 1000, percentile(latencies, 95) * 1000


# --- tantivy and raw FTS5 ---------------------------------------------------------------------


def bench_tantivy(docs: list[Doc], queries: list[str], batch: int, top_k: int, tmp: Path) -> Result:
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("title", stored=True)
    builder.add_text_field("body", stored=True)
    builder.add_text_field("external_id", stored=True)
    path = tmp / "tantivy"
    path.mkdir()
    index = tantivy.Index(builder.build(), path=str(path))
    start = time.perf_counter()
    writer = index.writer()
    for i in range(0, len(docs), batch):
        for external_id, title, body in docs[i : i + batch]:
            writer.add_document(tantivy.Document(title=title, body=body, external_id=external_id))
        writer.commit()
    writer.wait_merging_threads()
    index.reload()
    ingest = len(docs) / (time.perf_counter() - start)
    searcher = index.searcher()

    def run(q: str) -> object:
        hits = searcher.search(index.parse_query(q, ["title", "body"]), top_k).hits
        return [searcher.doc(address)["body"] for _, address in hits]

    return Result("tantivy", ingest, *timed(queries, run), note="reference")


def bench_fts5(docs: list[Doc], queries: list[str], batch: int, top_k: int, tmp: Path) -> Result:
    from breadbox.stores.search.query import fts5_match, terms

    db = sqlite3.connect(tmp / "fts5.db")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute(
        "CREATE VIRTUAL TABLE f USING fts5(text, context, tokenize='porter unicode61 remove_diacritics 2')"
    )
    start = time.perf_counter()
    for i in range(0, len(docs), batch):
        with db:
            db.executemany(
                "INSERT INTO f(text, context) VALUES (?, ?)", [(b, t) for _, t, b in docs[i : i + batch]]
            )
    with db:
        db.execute("INSERT INTO f(f) VALUES ('optimize')")
    ingest = len(docs) / (time.perf_counter() - start)
    sql = "SELECT rowid, text, rank FROM f WHERE f MATCH ? AND rank MATCH 'bm25(1.0, 0.5)' ORDER BY rank LIMIT ?"
    result = Result(
        "fts5/raw (floor)",
        ingest,
        *timed(queries, lambda q: db.execute(sql, (fts5_match(terms(q)), top_k)).fetchall()),
    )
    db.close()
    result.note = "stdlib sqlite3, no breadbox"
    return result


# --- breadbox ---------------------------------------------------------------------------------


def install_schema(url: str) -> None:
    import breadbox.db.models  # noqa: F401 - the tables the store tables refer to
    from breadbox.db.base import Base
    from breadbox.db.migrate import sync_url, upgrade
    from breadbox.files.models import File
    from breadbox.stores.models import Store, StoreChunk, StoreFile
    from breadbox.stores.search import ddl

    upgrade(url)
    engine = create_engine(sync_url(url))
    with engine.begin() as conn:
        tables = [File.__table__, Store.__table__, StoreFile.__table__, StoreChunk.__table__]
        Base.metadata.create_all(conn, tables=tables, checkfirst=True)  # type: ignore[arg-type]
        ddl.install(conn)
    engine.dispose()


async def bench_breadbox(
    url: str, backend: str, docs: list[Doc], queries: list[str], batch: int, top_k: int
) -> Result:
    from breadbox.auth.models import Organization
    from breadbox.auth.scopes import Principal
    from breadbox.db.session import Database
    from breadbox.stores.schemas import StoreChunkSearchParams, StoreCreateParams
    from breadbox.stores.service import StoreService
    from breadbox.stores.sink import LocalStoreSink, SinkDocument

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
                outcomes = await sink.upsert_many(
                    [SinkDocument(e, body, title) for e, title, body in docs[i : i + batch]]
                )
                assert all(o == "created" for o in outcomes)
        async with database.session() as session:
            await (await LocalStoreSink.open(session, org.id, str(store_id), "bench")).optimize()
        ingest = len(docs) / (time.perf_counter() - start)
        latencies = []
        async with database.session() as session:
            service = StoreService(session)
            for q in queries:
                params = StoreChunkSearchParams(store_identifiers=["bench"], query=q, top_k=top_k)
                t = time.perf_counter()
                await service.search(principal, params)
                latencies.append(time.perf_counter() - t)
        p50, p95 = percentile(latencies, 50) * 1000, percentile(latencies, 95) * 1000
        return Result(f"breadbox/{backend}", ingest, p50, p95, note="sink.upsert_many / StoreService.search")
    finally:
        await database.dispose()


def run_breadbox(
    backend: str, docs: list[Doc], queries: list[str], args: argparse.Namespace, tmp: Path
) -> Result | None:
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp / 'breadbox.db'}"
        install_schema(url)
        return asyncio.run(bench_breadbox(url, backend, docs, queries, args.batch, args.top_k))
    if backend == "postgres":
        if not postgres_reachable():
            print("postgres: not reachable, skipped (set BREADBOX_BENCH_PG)")
            return None
        with throwaway_postgres() as url:
            install_schema(url)
            return asyncio.run(bench_breadbox(url, backend, docs, queries, args.batch, args.top_k))
    raise SystemExit(f"unknown backend {backend!r} (sqlite, postgres)")


# --- report -----------------------------------------------------------------------------------


def report(results: list[Result]) -> int:
    ref = results[0]
    rows = []
    for r in results:
        rows.append(
            [
                r.engine,
                round(r.ingest_docs_per_s),
                f"{r.p50_ms:.3f}",
                f"{r.p95_ms:.3f}",
                f"{ref.ingest_docs_per_s / r.ingest_docs_per_s:.2f}",
                f"{r.p50_ms / ref.p50_ms:.1f}",
                f"{r.p95_ms / ref.p95_ms:.1f}",
                r.note,
            ]
        )
    print_table(
        ["engine", "ingest docs/s", "p50 ms", "p95 ms", "ingest x", "p50 x", "p95 x", "what"],
        rows,
        title="\nratios: how many times slower than tantivy (same corpus, queries, top_k, batch size)",
    )
    for r in results:
        if not r.engine.startswith("breadbox/"):
            continue
        ingest_x = ref.ingest_docs_per_s / r.ingest_docs_per_s
        query_x = r.p50_ms / ref.p50_ms
        if r.engine == "breadbox/sqlite":
            ok_i, ok_q = ingest_x <= TARGET_INGEST_X, query_x <= TARGET_QUERY_X
            print(
                f"{r.engine}: ingest {ingest_x:.1f}x (target <= {TARGET_INGEST_X:g}x) {'PASS' if ok_i else 'FAIL'}; "
                f"query p50 {query_x:.1f}x (target <= {TARGET_QUERY_X:g}x) {'PASS' if ok_q else 'FAIL'}"
            )
        else:
            print(f"{r.engine}: ingest {ingest_x:.1f}x, query p50 {query_x:.1f}x (reported, no target)")
    floor = next((r for r in results if r.engine.startswith("fts5/")), None)
    if floor is not None:
        print(
            f"floor: raw FTS5 alone is {floor.p50_ms / ref.p50_ms:.1f}x tantivy's query p50 and "
            f"{ref.ingest_docs_per_s / floor.ingest_docs_per_s:.1f}x its ingest time on this corpus"
        )
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="bench search", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick", action="store_true", help=f"{QUICK['docs']} docs, {QUICK['queries']} queries (~30 s)"
    )
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=1_000)
    parser.add_argument("--batch", type=int, default=500, help="documents per commit, every engine")
    parser.add_argument("--top-k", type=int, default=10)
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args(argv)
    if args.quick:
        args.docs, args.queries = QUICK["docs"], QUICK["queries"]

    docs, vocab = corpus(args.docs)
    queries = make_queries(docs, vocab, args.queries)
    size_mb = sum(len(d[2].encode()) for d in docs) / 1e6
    print(
        f"corpus: {len(docs)} Markdown documents, {size_mb:.1f} MB, {len(vocab)} distinct English words; "
        f"{len(queries)} queries (e.g. {queries[0]!r}); top_k {args.top_k}; batch {args.batch}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="bench-search-") as name:
        tmp = Path(name)
        results = [bench_tantivy(docs, queries, args.batch, args.top_k, tmp)]
        results.append(bench_fts5(docs, queries, args.batch, args.top_k, tmp))
        for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
            result = run_breadbox(backend, docs, queries, args, tmp)
            if result is not None:
                results.append(result)
    return report(results)


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
