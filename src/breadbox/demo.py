"""`breadbox demo`: the whole product, offline, in one command.

Starts the Notion and Linear simulators, a Breadbox server (embedded SQLite in a temporary data
directory, its sync runner inside) on loopback ports, creates an API key, a store, a Notion data
source (the simulator's integration token) and a Linear one (OAuth through the simulator, no
browser), one connector each, shows their first sync live, then searches the store and prints what
it found. `--serve` keeps everything up afterwards and prints what a client needs instead.

Everything here goes through the public HTTP API, exactly as a user's client would; only the first
API key is made in-process (there is no key yet to ask the API with).
"""

from __future__ import annotations

import asyncio
import re
import signal
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Annotated, Any
from urllib.parse import urlsplit

import httpx
import typer
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from breadbox.config import Settings

ENDED = ("completed", "failed", "cancelled")
POLL_SECONDS = 0.25
MARKUP = re.compile(r"^#+ |\*\*|^- |`", re.MULTILINE)  # Markdown marks that clutter a one-line snippet

# Content planted in both workspaces before the first sync, so the searches below are known to
# find something in each source (the generated text is random-looking on purpose).
NOTION_PAGE = {
    "title": "Kiln launch plan",
    "paragraphs": [
        "Kiln is the codename of the spring launch: offline search ships to every customer on day one.",
        "Launch checklist: pricing page, onboarding email, press kit and the public status page.",
        "The onboarding email belongs to the growth team; Linear tracks its rendering bug.",
    ],
}
LINEAR_ISSUE = {
    "title": "Kiln launch blocker: onboarding email renders twice",
    "description": (
        "During the kiln launch rehearsal the onboarding email was sent, and rendered, twice for "
        "every new customer. It is the last open item of the launch checklist."
    ),
}
LINEAR_COMMENT = (
    "Root cause: the retry queue re-sent the onboarding email. The fix ships before the kiln launch."
)
QUERIES = ("kiln launch", "onboarding email", "launch checklist")


class DemoError(Exception):
    """Something the demo needed did not happen; the message says what."""


@dataclass
class SearchRow:
    query: str
    title: str
    source: str
    score: float
    snippet: str


@dataclass
class DemoResult:
    """What the demo built and found (returned for tests and embedding; printed for people)."""

    api_url: str
    api_key: str
    store_id: str
    notion_url: str
    linear_url: str
    data_dir: Path
    runs: dict[str, dict[str, Any]] = field(default_factory=dict)  # source -> its first sync run
    rows: list[SearchRow] = field(default_factory=list)


class Deadline:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def left(self) -> float:
        return self.at - time.monotonic()

    def check(self, doing: str) -> None:
        if self.left() <= 0:
            raise DemoError(f"the demo's {self.seconds:g}s deadline passed while {doing}")


def run_demo(
    serve: bool = False,
    *,
    data_dir: Path | None = None,
    database_url: str | None = None,
    timeout: float = 120.0,
    notion_pages: int = 40,
    linear_issues: int = 40,
    console: Console | None = None,
    stop: threading.Event | None = None,
    on_ready: Callable[[DemoResult], None] | None = None,
) -> DemoResult:
    """Run the demo; raise `DemoError` if any step fails or `timeout` seconds pass first.

    With `serve`, block after the first sync (until Ctrl-C, SIGTERM or `stop` is set) with
    everything still running; `on_ready` is called with the result just before that wait."""
    out = console or Console()
    deadline = Deadline(timeout)
    with ExitStack() as stack:
        if data_dir is None:
            data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="breadbox-demo-")))
        data_dir.mkdir(parents=True, exist_ok=True)
        out.print(f"[bold]Breadbox demo[/bold]: data in {data_dir}")
        notion, linear = _start_simulators(stack, notion_pages, linear_issues)
        out.print(f"  Notion simulator  {notion.url}  ({notion_pages} generated pages)")
        out.print(f"  Linear simulator  {linear.url}  ({linear_issues} generated issues)")
        _plant_known_content(notion, linear)

        settings, api_url = _settings(data_dir, database_url, notion, linear)
        api_key = _prepare_database(settings)
        _start_server(stack, settings, api_url)
        out.print(f"  Breadbox API      {api_url}")
        deadline.check("starting the servers")

        client = stack.enter_context(
            httpx.Client(base_url=api_url, headers={"Authorization": f"Bearer {api_key}"}, timeout=30)
        )
        api = _Api(client)
        store = api.post("/v1/stores", {"name": "demo", "description": "Notion and Linear, offline"})
        notion_ds = api.post(
            "/v1/data_sources/",
            {
                "type": "notion",
                "name": "Notion (simulated)",
                "auth_params": {"type": "api_key", "api_key": notion.token},
            },
        )
        linear_ds = _connect_linear_by_oauth(api, api_url)
        connectors = {
            source: api.post(
                f"/v1/data_sources/{ds['id']}/connectors",
                {"store_id": store["id"], "name": f"{source} -> demo", "polling_interval": "1h"},
            )
            for source, ds in (("notion", notion_ds), ("linear", linear_ds))
        }
        result = DemoResult(
            api_url=api_url,
            api_key=api_key,
            store_id=store["id"],
            notion_url=notion.url,
            linear_url=linear.url,
            data_dir=data_dir,
        )
        result.runs = _wait_for_first_syncs(api, connectors, deadline, out)
        result.rows = _search(api, store["id"], deadline)
        _print_results(out, result.rows)
        if serve:
            _print_serve_info(out, result)
            if on_ready is not None:
                on_ready(result)
            _wait_for_stop(stop, out)
        elif on_ready is not None:
            on_ready(result)
        out.print("Stopping the servers...")
    out.print("[green]Done.[/green]")
    return result


# --- setup ---------------------------------------------------------------------------------------


def _start_simulators(stack: ExitStack, pages: int, issues: int) -> tuple[Any, Any]:
    try:
        return _simulators(stack, pages, issues)
    except FileNotFoundError as exc:  # the Linear simulator serves Linear's own GraphQL schema
        raise DemoError(f"a simulator could not start: {exc}") from exc


def _simulators(stack: ExitStack, pages: int, issues: int) -> tuple[Any, Any]:
    from breadbox.simulators import linear as linear_sim
    from breadbox.simulators import notion as notion_sim

    # Notion's documented average is 3 requests/s; the demo allows a little more so it stays short,
    # and the Breadbox side paces itself just under it (so a 429 is possible but rare).
    notion = stack.enter_context(
        notion_sim.start(notion_sim.NotionSimConfig(pages=pages, rate_limit_rps=10.0, burst=10))
    )
    # Linear's hourly budgets (the simulator's defaults are Linear's own figures) apply as they are.
    linear = stack.enter_context(
        linear_sim.start(linear_sim.LinearSimConfig(issues=issues, comments_per_issue=2))
    )
    return notion, linear


def _plant_known_content(notion: Any, linear: Any) -> None:
    """One Notion page and one Linear issue (with a comment) that the searches will find."""
    try:
        notion.admin("POST", "/_sim/pages", NOTION_PAGE).raise_for_status()
        with httpx.Client(base_url=linear.url, timeout=10) as sim:
            issue = sim.post("/_sim/issues", json=LINEAR_ISSUE)
            issue.raise_for_status()
            sim.post(
                f"/_sim/issues/{issue.json()['id']}/comments", json={"body": LINEAR_COMMENT}
            ).raise_for_status()
    except httpx.HTTPError as exc:
        raise DemoError(f"could not add the demo's page and issue to the simulators: {exc}") from exc


def _settings(data_dir: Path, database_url: str | None, notion: Any, linear: Any) -> tuple[Settings, str]:
    from breadbox.servers import free_port

    api_url = f"http://127.0.0.1:{free_port()}"
    settings = Settings(
        host="127.0.0.1",
        data_dir=data_dir,
        database_url=database_url,
        public_url=api_url,
        log_level="warning",
        notion_api_url=notion.url,
        notion_client_id=notion.client_id,
        notion_client_secret=notion.client_secret,
        notion_rate_limit=8.0,
        notion_rate_burst=8.0,
        linear_api_url=linear.url,
        linear_authorize_url=f"{linear.url}/oauth/authorize",
        linear_client_id=linear.client_id,
        linear_client_secret=linear.client_secret,
        sync_tick_seconds=0.2,
    )
    return settings, api_url


def _prepare_database(settings: Settings) -> str:
    """Migrate, then make the demo's API key (in an organization of its own, so a reused data
    directory never clashes with an earlier run's store)."""
    from breadbox.auth.service import ApiKeyService
    from breadbox.db.migrate import upgrade
    from breadbox.db.session import Database

    upgrade(settings.resolved_database_url)

    async def work() -> str:
        database = Database(settings.resolved_database_url)
        try:
            async with database.session() as session:
                service = ApiKeyService(session)
                _, _, value = await service.create_for_organization(f"demo-{uuid.uuid4().hex[:8]}", "demo")
                return value
        finally:
            await database.dispose()

    return asyncio.run(work())


def _start_server(stack: ExitStack, settings: Settings, api_url: str) -> None:
    from breadbox.app import create_app
    from breadbox.servers import ServerThread

    port = int(urlsplit(api_url).port or 0)
    server = ServerThread(create_app(settings, worker=True), port=port, access_log=False).start()
    stack.callback(server.stop)


class _Api:
    """The few calls the demo makes, failing with a readable message."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client

    def _check(self, response: httpx.Response, expected: tuple[int, ...]) -> Any:
        if response.status_code not in expected:
            raise DemoError(
                f"{response.request.method} {response.request.url.path} answered "
                f"{response.status_code}: {response.text[:500]}"
            )
        return response.json() if response.content else None

    def get(self, path: str) -> Any:
        return self._check(self.client.get(path), (200,))

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self._check(self.client.post(path, json=body), (200, 201))


def _connect_linear_by_oauth(api: _Api, api_url: str) -> dict[str, Any]:
    """The OAuth dance a browser would do; the simulator's consent screen approves at once."""
    ds = api.post(
        "/v1/data_sources/",
        {"type": "linear", "name": "Linear (simulated)", "auth_params": {"type": "oauth2"}},
    )
    url = api.get(f"/v1/data_sources/{ds['id']}/oauth2/authorize")["url"]
    with httpx.Client(timeout=30, follow_redirects=False) as browser:
        consent = browser.get(url)
        location = consent.headers.get("location")
        if consent.status_code not in (302, 303, 307) or not location:
            raise DemoError(f"the Linear simulator did not approve the OAuth request: {consent.text[:300]}")
        parts = urlsplit(location)
        back = browser.get(f"{api_url}{parts.path}?{parts.query}")
        if back.status_code not in (302, 303, 307):
            raise DemoError(f"the OAuth callback failed ({back.status_code}): {back.text[:300]}")
    connected: dict[str, Any] = api.get(f"/v1/data_sources/{ds['id']}")
    if connected.get("auth_params", {}).get("type") != "oauth2" or not connected["auth_params"].get(
        "access_token"
    ):
        raise DemoError(f"the Linear data source has no access token after OAuth: {connected}")
    return connected


# --- first sync ----------------------------------------------------------------------------------


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


def _wait_for_first_syncs(
    api: _Api, connectors: dict[str, dict[str, Any]], deadline: Deadline, out: Console
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


def _search(api: _Api, store_id: str, deadline: Deadline) -> list[SearchRow]:
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


def _print_results(out: Console, rows: Sequence[SearchRow]) -> None:
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


def _print_serve_info(out: Console, result: DemoResult) -> None:
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


@contextmanager
def _sigterm_sets(stop: threading.Event) -> Iterator[None]:
    """SIGTERM stops the demo like Ctrl-C does (only the main thread may set handlers)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _wait_for_stop(stop: threading.Event | None, out: Console) -> None:
    stop = stop or threading.Event()
    with _sigterm_sets(stop):
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            out.print()


# --- command line --------------------------------------------------------------------------------


def demo(
    serve: Annotated[
        bool, typer.Option("--serve", help="Keep everything running after the first sync (Ctrl-C stops).")
    ] = False,
    data_dir: Annotated[
        Path | None,
        typer.Option("--data-dir", help="Keep the demo's data here (default: a temporary directory)."),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option("--database-url", help="Use this database instead of SQLite in the data directory."),
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Fail if setup and the first sync take longer (seconds).")
    ] = 120.0,
) -> None:
    """Run the whole product offline: simulators, server, connectors, first sync, searches."""
    err = Console(stderr=True)
    try:
        run_demo(serve, data_dir=data_dir, database_url=database_url, timeout=timeout)
    except DemoError as exc:
        err.print(f"[red bold]Demo failed:[/red bold] {escape(str(exc))}")
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        err.print("[yellow]Interrupted.[/yellow]")
        raise typer.Exit(130) from None


def main(argv: Sequence[str] | None = None) -> int:
    """`breadbox demo` without the rest of the CLI: `python -m breadbox.demo [--serve]`; the exit code."""
    command = typer.main.get_command(_standalone())
    try:
        args = list(sys.argv[1:] if argv is None else argv)
        command.main(args=args, prog_name="breadbox demo", standalone_mode=True)
    except SystemExit as exc:  # standalone mode always ends this way, usage errors included
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0


def _standalone() -> typer.Typer:
    app = typer.Typer(add_completion=False)
    app.command()(demo)
    return app


if __name__ == "__main__":
    raise SystemExit(main())
