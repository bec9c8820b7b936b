"""`breadbox simulate linear`: the simulator as a standalone server (registered by the main CLI)."""

from __future__ import annotations

import typer

from .config import LinearSimConfig


def simulate_linear(
    port: int = typer.Option(8002, "--port", help="Port to listen on."),
    issues: int = typer.Option(50, "--issues", help="Number of generated issues."),
    seed: int = typer.Option(1, "--seed", help="Seed of the generated workspace."),
    token: str = typer.Option(LinearSimConfig.token, "--token", help="The lin_api_ key the server accepts."),
    client_id: str = typer.Option(LinearSimConfig.client_id, "--client-id", help="Accepted OAuth client id."),
    client_secret: str = typer.Option(
        LinearSimConfig.client_secret, "--client-secret", help="Accepted OAuth client secret."
    ),
    comments_per_issue: int = typer.Option(3, "--comments-per-issue", help="Comments on each issue."),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to bind (keep it on loopback)."),
) -> None:
    """Serve a simulated Linear workspace: GraphQL at /graphql, OAuth at /oauth/*, admin at /_sim/."""
    import uvicorn

    from .app import create_app

    config = LinearSimConfig(
        issues=issues,
        seed=seed,
        token=token,
        client_id=client_id,
        client_secret=client_secret,
        comments_per_issue=comments_per_issue,
    )
    app = create_app(config)
    base = f"http://{host}:{port}"
    typer.echo(f"Linear simulator at {base} (GraphQL: {base}/graphql)")
    typer.echo(f"API key (send as 'Authorization: <key>'): {config.token}")
    typer.echo(f"OAuth client: id={config.client_id} secret={config.client_secret}")
    typer.echo(f"  authorize: {base}/oauth/authorize   token: {base}/oauth/token")
    uvicorn.run(app, host=host, port=port, log_level="warning")
