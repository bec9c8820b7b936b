"""Liveness, readiness and metrics (no authentication, not part of the contract: expose them to
the load balancer and the monitoring network, not to the internet)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text

from breadbox import metrics
from breadbox.api.deps import DatabaseDep, SettingsDep

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up and serving."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request, database: DatabaseDep) -> JSONResponse:
    """The database answers, and so does the sync queue (Procrastinate's jobs table, or the
    embedded runner's loop); a load balancer should route traffic here only then."""
    body: dict[str, str] = {"status": "ok", "database": "ok"}
    try:
        async with database.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as exc:  # any failure means "not ready", with the reason's class only
        return JSONResponse({"status": "unavailable", "database": type(exc).__name__}, status_code=503)
    queue = getattr(request.app.state, "queue", None)
    runner = getattr(request.app.state, "runner", None)
    if queue == "procrastinate":
        try:
            async with database.engine.connect() as connection:
                await connection.execute(text("SELECT 1 FROM procrastinate_jobs LIMIT 1"))
        except Exception as exc:
            return JSONResponse(
                {**body, "status": "unavailable", "queue": type(exc).__name__}, status_code=503
            )
    if runner is not None and not runner.healthy():
        return JSONResponse({**body, "status": "unavailable", "queue": "runner stopped"}, status_code=503)
    if queue is not None:
        body["queue"] = f"{queue}: ok"
    return JSONResponse(body)


@router.get("/metrics")
async def prometheus_metrics(request: Request, database: DatabaseDep, settings: SettingsDep) -> Response:
    """Prometheus text format: this process's series, plus queue gauges read from the database."""
    from breadbox.sync.stats import live_workers, run_counts

    queue = getattr(request.app.state, "queue", None) or settings.resolved_queue
    try:
        async with database.session() as session:
            runs = await run_counts(session)
            metrics.queue_depth.labels("runs", "pending").set(runs["pending"])
            metrics.syncs_running.set(runs["in_progress"])
            if queue == "procrastinate":
                from breadbox.sync.runners.procrastinate import queue_depth

                jobs = await queue_depth(session)
                metrics.queue_depth.labels("procrastinate", "todo").set(jobs.get("todo", 0))
                metrics.queue_depth.labels("procrastinate", "doing").set(jobs.get("doing", 0))
                metrics.workers_live.set(await live_workers(session, settings.stale_after_seconds))
    except Exception:  # the process's own series are still worth serving
        pass
    body, content_type = metrics.render()
    return Response(body, media_type=content_type)
