"""`breadbox simulate notion`: the simulator as a standalone server (registered by the main CLI)."""

from __future__ import annotations

import typer
import uvicorn

from .app import create_app, sim_of
from .config import NotionSimConfig


def simulate_notion(
    port: int = typer.Option(8001, help="Port to listen on."),
    pages: int = typer.Option(50, help="Number of generated pages."),
    seed: int = typer.Option(0, help="Seed of the deterministic workspace."),
    rate_limit: float = typer.Option(
        3.0, "--rate-limit", help="Average requests/s per token; 0 = unlimited."
    ),
    burst: int = typer.Option(3, help="Token-bucket burst size."),
    token: str = typer.Option("", help="Internal integration token to accept (default: derived from seed)."),
    client_id: str = typer.Option("", help="OAuth client id to accept (default: derived from seed)."),
    client_secret: str = typer.Option("", help="OAuth client secret to accept (default: derived from seed)."),
    host: str = typer.Option("127.0.0.1", help="Interface to bind (keep it on loopback)."),
) -> None:
    """Serve a simulated Notion API with a generated workspace."""
    config = NotionSimConfig(
        pages=pages,
        seed=seed,
        rate_limit_rps=rate_limit,
        burst=burst,
        token=token or None,
        client_id=client_id or None,
        client_secret=client_secret or None,
    )
    app = create_app(config)
    sim = sim_of(app)
    typer.echo(f"Notion simulator: http://{host}:{port}  (API under /v1, admin under /_sim)")
    typer.echo(f"  integration token: {sim.token}")
    typer.echo(f"  OAuth client_id:     {sim.oauth.client_id}")
    typer.echo(f"  OAuth client_secret: {sim.oauth.client_secret}")
    typer.echo(f"  workspace: {len(sim.ws.pages)} pages/rows, {len(sim.ws.blocks)} blocks, seed {seed}")
    uvicorn.run(app, host=host, port=port, log_level="warning")
