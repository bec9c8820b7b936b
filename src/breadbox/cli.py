"""The `breadbox` command line: serve, migrate, keys, simulate (and, later, worker, sync, demo).

Every command calls the same services as the HTTP API (one service layer for every entry point).
"""

from __future__ import annotations

import asyncio
import logging
import sys
import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from breadbox import __version__
from breadbox.config import Settings

if TYPE_CHECKING:
    from breadbox.db.session import Database

app = typer.Typer(help="Breadbox: a self-hosted Mixedbread Data Sources API.", no_args_is_help=True)
keys_app = typer.Typer(help="Manage API keys.", no_args_is_help=True)
simulate_app = typer.Typer(help="Run a local Notion or Linear simulator.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
app.add_typer(simulate_app, name="simulate")

err = Console(stderr=True)
T = TypeVar("T")


def _settings() -> Settings:
    return Settings()


def _ensure_migrated(settings: Settings) -> None:
    from breadbox.db import migrate as migrations

    url = settings.resolved_database_url
    if not migrations.is_up_to_date(url):
        migrations.upgrade(url)


def _with_database(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    from breadbox.db.session import Database

    async def runner() -> T:
        database = Database(settings.resolved_database_url)
        try:
            return await work(database)
        finally:
            await database.dispose()

    return asyncio.run(runner())


@app.command()
def version() -> None:
    """Print the Breadbox version."""
    typer.echo(__version__)


@app.command()
def migrate() -> None:
    """Apply database migrations, and Procrastinate's schema on PostgreSQL (idempotent)."""
    from breadbox.db import migrate as migrations

    settings = _settings()
    migrations.upgrade(settings.resolved_database_url)
    if not settings.is_sqlite:
        from breadbox.sync.runners.procrastinate import ensure_schema

        if asyncio.run(ensure_schema(settings.resolved_database_url)):
            err.print("Applied the Procrastinate job queue schema.")
    err.print("[green]Database is up to date.[/green]")


def _require_migrated(settings: Settings) -> None:
    """SQLite is migrated on the spot (embedded mode); PostgreSQL must be migrated explicitly."""
    from breadbox.db import migrate as migrations

    if settings.is_sqlite:
        _ensure_migrated(settings)
    elif not migrations.is_up_to_date(settings.resolved_database_url):
        err.print("[red]The database is not migrated: run `breadbox migrate` first.[/red]")
        raise typer.Exit(1)


def _configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Listen address (env BREADBOX_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Listen port (env BREADBOX_PORT).")] = None,
    no_worker: Annotated[
        bool,
        typer.Option("--no-worker", help="An API replica only: syncs run in `breadbox worker` processes."),
    ] = False,
) -> None:
    """Serve the API, with a sync worker inside unless --no-worker (migrations are applied first
    on SQLite)."""
    import uvicorn

    from breadbox.app import create_app

    settings = _settings()
    _require_migrated(settings)
    if no_worker and settings.resolved_queue == "inprocess":
        err.print(
            "[yellow]--no-worker with the in-process queue: no process will run syncs "
            "(set BREADBOX_QUEUE=procrastinate and run `breadbox worker`).[/yellow]"
        )
    _configure_logging(settings)
    uvicorn.run(
        create_app(settings, worker=not no_worker),
        host=host or settings.host,
        port=port or settings.port,
        log_level=settings.log_level,
        access_log=False,
    )


@app.command()
def worker(
    concurrency: Annotated[
        int | None, typer.Option(help="Syncs run at once (env BREADBOX_SYNC_CONCURRENCY).", min=1)
    ] = None,
) -> None:
    """Run sync jobs until SIGTERM or Ctrl-C (Procrastinate queue; any number of these, anywhere).

    On SIGTERM a running sync stops after the batch it is writing, checkpointed, and is queued for
    another worker to resume; a second signal stops at once."""
    from breadbox.sync.worker_process import run_worker

    settings = _settings()
    _require_migrated(settings)
    if settings.resolved_queue != "procrastinate":
        err.print(
            "[red]`breadbox worker` needs the Procrastinate queue (PostgreSQL, BREADBOX_QUEUE=procrastinate); "
            "in embedded mode `breadbox serve` runs the syncs.[/red]"
        )
        raise typer.Exit(2)
    _configure_logging(settings)
    raise typer.Exit(asyncio.run(run_worker(settings, concurrency)))


@app.command()
def workers() -> None:
    """List the sync workers Procrastinate knows of: heartbeat, and the jobs each is running."""
    from breadbox.sync.runners.procrastinate import list_workers

    settings = _settings()
    if settings.is_sqlite:
        err.print("Embedded mode: syncs run inside `breadbox serve`; there are no separate workers.")
        return

    async def work(database: Database) -> list[Any]:
        async with database.session() as session:
            return await list_workers(session, settings.stale_after_seconds)

    table = Table("id", "last heartbeat", "state", "running")
    rows = _with_database(settings, work)
    for row in rows:
        table.add_row(
            str(row.id),
            row.last_heartbeat.isoformat(timespec="seconds"),
            "live" if row.alive else "stale",
            ", ".join(row.jobs) or "-",
        )
    Console().print(table)
    err.print(f"{sum(1 for r in rows if r.alive)} live of {len(rows)}.")


@keys_app.command("create")
def keys_create(
    name: Annotated[str, typer.Option(help="A name for the key.")],
    organization: Annotated[str, typer.Option(help="Organization (created if new).")] = "default",
) -> None:
    """Create an API key; its value is printed alone on the last line, once."""
    from breadbox.auth.service import ApiKeyService

    settings = _settings()
    _ensure_migrated(settings)

    async def work(database: Database) -> tuple[Any, Any, str]:
        async with database.session() as session:
            return await ApiKeyService(session).create_for_organization(organization, name)

    org, row, value = _with_database(settings, work)
    err.print(f"Created API key [bold]{row.name}[/bold] ({row.id}) for organization {org.name}.")
    err.print("Store it now: it will not be shown again.")
    typer.echo(value)


@keys_app.command("bootstrap")
def keys_bootstrap() -> None:
    """Create and print a first API key, only if no active key exists yet."""
    from breadbox.auth.service import DEFAULT_ORGANIZATION, ApiKeyService

    settings = _settings()
    _ensure_migrated(settings)

    async def work(database: Database) -> str | None:
        async with database.session() as session:
            service = ApiKeyService(session)
            if await service.any_active():
                return None
            _, _, value = await service.create_for_organization(DEFAULT_ORGANIZATION, "first key")
            return value

    value = _with_database(settings, work)
    if value is None:
        err.print("An API key already exists (list them with `breadbox keys list`).")
        return
    err.print("[bold green]Your first API key[/bold green] (shown once; keep it):")
    typer.echo(value)


@keys_app.command("list")
def keys_list() -> None:
    """List API keys of every organization (values are never shown)."""
    from breadbox.auth.schemas import ApiKey
    from breadbox.auth.service import ApiKeyService

    settings = _settings()
    _ensure_migrated(settings)

    async def work(database: Database) -> list[tuple[ApiKey, bool]]:
        async with database.session() as session:
            rows, _ = await ApiKeyService(session).list(None, 1000, 0)
            return [(ApiKey.of(r), r.revoked_at is not None) for r in rows]

    table = Table("id", "name", "key", "created", "last active", "state")
    for key, revoked in _with_database(settings, work):
        table.add_row(
            key.id,
            key.name,
            key.redacted_value,
            key.created_at.isoformat(timespec="seconds"),
            key.last_active_at.isoformat(timespec="seconds") if key.last_active_at else "-",
            "revoked" if revoked else "active",
        )
    Console().print(table)


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(help="The key's ID.")]) -> None:
    """Revoke an API key: it stops working at once."""
    from breadbox.auth.service import ApiKeyService
    from breadbox.errors import NotFoundError

    try:
        parsed = uuid.UUID(key_id)
    except ValueError:
        err.print(f"[red]Not a key ID: {key_id!r}[/red]")
        raise typer.Exit(2) from None
    settings = _settings()
    _ensure_migrated(settings)

    async def work(database: Database) -> None:
        async with database.session() as session:
            await ApiKeyService(session).revoke(None, parsed)

    try:
        _with_database(settings, work)
    except NotFoundError as exc:
        err.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from None
    err.print(f"Revoked {parsed}.")


@app.command()
def sync(
    connector_id: Annotated[str, typer.Argument(help="The connector's ID.")],
    full: Annotated[bool, typer.Option("--full", help="Reload everything and reconcile deletions.")] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Confirm a deletion pass the safety valve blocked.")
    ] = False,
) -> None:
    """Run one sync of a connector in the foreground, with progress."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from breadbox.crypto import SecretBox, load_secret_key
    from breadbox.errors import NotFoundError
    from breadbox.sync.foreground import sync_in_foreground

    try:
        parsed = uuid.UUID(connector_id)
    except ValueError:
        err.print(f"[red]Not a connector ID: {connector_id!r}[/red]")
        raise typer.Exit(2) from None
    settings = _settings()
    _ensure_migrated(settings)
    logging.basicConfig(level=logging.WARNING)
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=False) as progress:
        task = progress.add_task("queued", total=None)

        def show(status: str, counters: dict[str, Any]) -> None:
            progress.update(
                task,
                description=(
                    f"{status}: {counters.get('fetched', 0)} fetched, {counters.get('created', 0)} created, "
                    f"{counters.get('updated', 0)} updated, {counters.get('unchanged', 0)} unchanged, "
                    f"{counters.get('deleted', 0)} deleted, {counters.get('failed', 0)} failed, "
                    f"{counters.get('provider_requests', 0)} requests"
                ),
            )

        try:
            result = asyncio.run(
                sync_in_foreground(
                    settings,
                    SecretBox(load_secret_key(settings)),
                    parsed,
                    full=full,
                    force=force,
                    on_progress=show,
                )
            )
        except NotFoundError as exc:
            err.print(f"[red]{exc.message}[/red]")
            raise typer.Exit(1) from None
    if not result.ran_here:
        err.print("(the server's worker ran this sync; progress above is what it reported)")
    if result.status != "completed":
        detail = f": {result.error['type']}: {result.error['message']}" if result.error else ""
        err.print(f"[red]Sync {result.status}{detail}[/red]")
        raise typer.Exit(1)
    err.print("[green]Sync completed.[/green]")


def _register_simulator_commands() -> None:
    """`simulate` and `demo` pull in graphql-core, the simulators and the app: they are loaded
    only when one of them is asked for (or for help), so every other command starts fast."""
    wanted = sys.argv[1] if len(sys.argv) > 1 else "--help"
    if wanted in ("simulate", "--help"):
        from breadbox.simulators.linear.cli import simulate_linear
        from breadbox.simulators.notion.cli import simulate_notion

        simulate_app.command("notion")(simulate_notion)
        simulate_app.command("linear")(simulate_linear)
    if wanted in ("demo", "--help"):
        from breadbox.demo import demo as demo_command

        app.command("demo")(demo_command)


_register_simulator_commands()
