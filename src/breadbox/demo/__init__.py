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

import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from types import FrameType
from typing import Annotated

import httpx
import typer
from rich.console import Console
from rich.markup import escape

from breadbox.demo.model import QUERIES, Deadline, DemoError, DemoResult, SearchRow
from breadbox.demo.report import (
    print_results,
    print_serve_info,
    sdk_snippet,
    search_store,
    snippet,
    wait_for_first_syncs,
)
from breadbox.demo.world import (
    DemoApi,
    connect_linear_by_oauth,
    demo_settings,
    plant_known_content,
    prepare_database,
    start_server,
    start_simulators,
)


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
        notion, linear = start_simulators(stack, notion_pages, linear_issues)
        out.print(f"  Notion simulator  {notion.url}  ({notion_pages} generated pages)")
        out.print(f"  Linear simulator  {linear.url}  ({linear_issues} generated issues)")
        plant_known_content(notion, linear)

        settings, api_url = demo_settings(data_dir, database_url, notion, linear)
        api_key = prepare_database(settings)
        start_server(stack, settings, api_url)
        out.print(f"  Breadbox API      {api_url}")
        deadline.check("starting the servers")

        client = stack.enter_context(
            httpx.Client(base_url=api_url, headers={"Authorization": f"Bearer {api_key}"}, timeout=30)
        )
        api = DemoApi(client)
        store = api.post("/v1/stores", {"name": "demo", "description": "Notion and Linear, offline"})
        notion_ds = api.post(
            "/v1/data_sources/",
            {
                "type": "notion",
                "name": "Notion (simulated)",
                "auth_params": {"type": "api_key", "api_key": notion.token},
            },
        )
        linear_ds = connect_linear_by_oauth(api, api_url)
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
        result.runs = wait_for_first_syncs(api, connectors, deadline, out)
        result.rows = search_store(api, store["id"], deadline)
        print_results(out, result.rows)
        if serve:
            print_serve_info(out, result)
            if on_ready is not None:
                on_ready(result)
            _wait_for_stop(stop, out)
        elif on_ready is not None:
            on_ready(result)
        out.print("Stopping the servers...")
    out.print("[green]Done.[/green]")
    return result


# --- setup ---------------------------------------------------------------------------------------


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

__all__ = [
    "QUERIES",
    "DemoError",
    "DemoResult",
    "SearchRow",
    "demo",
    "main",
    "run_demo",
    "sdk_snippet",
    "snippet",
]
