"""Showing the demo: live sync progress, the search results, and what to paste into a client."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from breadbox.demo.model import (
    ENDED,
    MARKUP,
    POLL_SECONDS,
    QUERIES,
    Deadline,
    DemoError,
    DemoResult,
    SearchRow,
)
from breadbox.demo.world import DemoApi


def _describe(run: dict[str, Any] | None) -> tuple[str, str]:
    if run is None:
        return "queued", ""
    c = run.get("counters") or {}
    counters = (
        f"{c.get('fetched', 0)} fetched, {c.get('created', 0)} created, {c.get('updated', 0)} updated, "
        f"{c.get('unchanged', 0)} unchanged, {c.get('deleted', 0)} deleted, {c.get('failed', 0)} failed, "
        f"{c.get('provider_requests', 0)} requests"
    )
    return str(run["status"]), counters


def wait_for_first_syncs(
    api: DemoApi, connectors: dict[str, dict[str, Any]], deadline: Deadline, out: Console
) -> dict[str, dict[str, Any]]:
    columns = (
        SpinnerColumn(finished_text="[green]✓[/green]"),
        TextColumn("[bold]{task.fields[source]:<7}[/bold]"),
        BarColumn(bar_width=12),
        TextColumn("{task.fields[status]:<11} {task.fields[counters]}"),
        TimeElapsedColumn(),
    )
    done: dict[str, dict[str, Any]] = {}
    out.print("First sync of each connector:")
    with Progress(*columns, console=out, transient=False) as progress:
        tasks: dict[str, TaskID] = {
            source: progress.add_task(source, total=None, source=source, status="queued", counters="")
            for source in connectors
        }
        while len(done) < len(connectors):
            for source, c in connectors.items():
                if source in done:
                    continue
                path = f"/v1/data_sources/{c['data_source_id']}/connectors/{c['id']}/syncs"
                history = api.get(path)["data"]
                run = history[0] if history else None
                status, counters = _describe(run)
                progress.update(tasks[source], status=status, counters=counters)
                if run is not None and status in ENDED:
                    done[source] = run
                    progress.update(tasks[source], total=1, completed=1)
            if len(done) < len(connectors):
                if deadline.left() <= 0:
                    waiting = ", ".join(s for s in connectors if s not in done)
                    raise DemoError(
                        f"the first sync of {waiting} did not finish within {deadline.seconds:g}s"
                    )
                time.sleep(POLL_SECONDS)
    for source, run in done.items():
        if run["status"] != "completed":
            error = run.get("error") or {}
            raise DemoError(
                f"the {source} sync ended {run['status']}: {error.get('type', '?')}: {error.get('message', '')}"
            )
    return done


# --- searches ------------------------------------------------------------------------------------


def snippet(text: str, query: str, width: int = 90) -> str:
    """A one-line excerpt of `text` around the first word of `query` it contains."""
    flat = " ".join(MARKUP.sub(" ", text).split())
    lowered = flat.lower()
    spots = [lowered.find(w) for w in re.findall(r"\w+", query.lower()) if w in lowered]
    at = min(spots) if spots else 0
    start = max(0, at - width // 3)
    end = min(len(flat), start + width)
    return ("…" if start > 0 else "") + flat[start:end] + ("…" if end < len(flat) else "")


def search_store(api: DemoApi, store_id: str, deadline: Deadline) -> list[SearchRow]:
    rows: list[SearchRow] = []
    for query in QUERIES:
        deadline.check(f"searching for {query!r}")
        body = {"query": query, "store_identifiers": [store_id], "top_k": 4}
        hits = api.post("/v1/stores/search", body)["data"]
        if not hits:
            raise DemoError(f"searching the store for {query!r} found nothing")
        for hit in hits:
            metadata = hit.get("metadata") or {}
            rows.append(
                SearchRow(
                    query=query,
                    title=str(metadata.get("title") or hit.get("filename", "")),
                    source=str(metadata.get("source", "?")),
                    score=float(hit["score"]),
                    snippet=snippet(str(hit.get("text", "")), query),
                )
            )
    missing = {"notion", "linear"} - {row.source for row in rows}
    if missing:
        raise DemoError(f"no search result came from {', '.join(sorted(missing))}")
    return rows


def print_results(out: Console, rows: Sequence[SearchRow]) -> None:
    table = Table(title="Search results", show_lines=False, expand=False)
    table.add_column("query", style="bold")
    table.add_column("title")
    table.add_column("source")
    table.add_column("score", justify="right")
    table.add_column("snippet", overflow="fold")
    previous = None
    for row in rows:
        if previous is not None and row.query != previous:
            table.add_section()
        table.add_row(
            escape(row.query) if row.query != previous else "",
            escape(row.title),
            row.source,
            f"{row.score:.3f}",
            escape(row.snippet),
        )
        previous = row.query
    out.print(table)


# --- --serve -------------------------------------------------------------------------------------


def sdk_snippet(result: DemoResult, query: str = QUERIES[0]) -> str:
    """Ready-to-paste Python searching the demo's store with the official `mixedbread` SDK."""
    return (
        "from mixedbread import Mixedbread\n"
        "\n"
        "client = Mixedbread(\n"
        f'    api_key="{result.api_key}",\n'
        f'    base_url="{result.api_url}",\n'
        ")\n"
        "results = client.stores.search(\n"
        f'    store_identifiers=["{result.store_id}"],\n'
        f'    query="{query}",\n'
        "    top_k=5,\n"
        ")\n"
        "for chunk in results.data:\n"
        '    print(round(chunk.score, 3), chunk.metadata["source"], chunk.filename)\n'
    )


def print_serve_info(out: Console, result: DemoResult) -> None:
    lines = [
        f"Breadbox API      {result.api_url}   (OpenAPI docs: {result.api_url}/docs)",
        f"Notion simulator  {result.notion_url}",
        f"Linear simulator  {result.linear_url}",
        f"API key           {result.api_key}",
        f"Store ID          {result.store_id}",
        f"Data directory    {result.data_dir}",
    ]
    out.print(Panel("\n".join(escape(line) for line in lines), title="Breadbox demo is running"))
    out.print("Search it with the official SDK (pip install mixedbread):")
    # Plain and never wrapped by rich: what is copied is exactly the code.
    out.print(sdk_snippet(result), markup=False, highlight=False, soft_wrap=True)
    out.print("Press Ctrl-C to stop everything.")
