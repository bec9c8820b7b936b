"""The Procrastinate adapter of the queue port, in process against PostgreSQL: a job is deferred in
the same transaction as the request that caused it, duplicates collapse, a cancel aborts it."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text

from breadbox.app import create_app
from breadbox.config import Settings
from breadbox.connectors.models import Connector
from breadbox.db.session import Database
from breadbox.servers import ServerThread
from breadbox.sync.queue import attach
from breadbox.sync.runners.procrastinate import ProcrastinateQueue, ensure_schema
from breadbox.sync.service import SyncRequests
from tests.plugins.api import ApiServer, make_database


class Boom(Exception):
    pass


def test_request_enqueues_in_the_callers_transaction(tmp_path: Path) -> None:
    db = make_database("postgres", tmp_path)
    try:
        settings = Settings(data_dir=tmp_path, database_url=db.url, notion_api_url="http://127.0.0.1:9")
        assert settings.resolved_queue == "procrastinate"
        thread = ServerThread(create_app(settings, worker=False)).start()  # an API replica
        try:
            server = ApiServer(backend="postgres", url=thread.url, settings=settings)
            with server.client(server.new_key()) as api:
                assert api.get("/readyz").json()["queue"] == "procrastinate: ok"
                store = api.post("/v1/stores", json={"name": "q"}).json()
                ds = api.post(
                    "/v1/data_sources/",
                    json={
                        "type": "notion",
                        "name": "n",
                        "auth_params": {"type": "api_key", "api_key": "ntn_x"},
                    },
                ).json()
                c = api.post(f"/v1/data_sources/{ds['id']}/connectors", json={"store_id": store["id"]}).json()
                metrics = api.get("/metrics").text
                assert 'breadbox_queue_depth{queue="procrastinate",state="todo"} 1.0' in metrics
                assert "breadbox_http_request_duration_seconds_bucket" in metrics
        finally:
            thread.stop()
        asyncio.run(_exercise(db.url, uuid.UUID(c["id"])))
    finally:
        db.drop()


async def _exercise(url: str, connector_id: uuid.UUID) -> None:
    assert not await ensure_schema(url), "already applied: a second call changes nothing"
    database = Database(url)
    attach(database, ProcrastinateQueue())
    lock = f"connector:{connector_id}"

    async def jobs(status: str = "todo") -> int:
        async with database.session() as session:
            value = await session.scalar(
                text(
                    "SELECT count(*) FROM procrastinate_jobs WHERE lock = :l AND status = CAST(:s AS procrastinate_job_status)"
                ),
                {"l": lock, "s": status},
            )
            return int(value or 0)

    async def request(fail: bool) -> None:
        async with database.session() as session:
            connector = await session.get(Connector, connector_id)
            assert connector is not None
            await SyncRequests(session).request(connector, "manual")
            if fail:
                raise Boom()

    try:
        assert await jobs() == 1, "creating the connector queued its first sync"
        async with database.session() as session:
            await session.execute(text("DELETE FROM procrastinate_jobs"))
            await session.execute(text("DELETE FROM sync_runs"))
        with pytest.raises(Boom):
            await request(fail=True)
        assert await jobs() == 0, "a rolled-back request enqueues nothing"
        await request(fail=False)
        await request(fail=False)
        await asyncio.gather(request(fail=False), request(fail=False))
        assert await jobs() == 1, "duplicate triggers collapse into one waiting job"
        async with database.session() as session:
            connector = await session.get(Connector, connector_id)
            assert connector is not None
            assert await SyncRequests(session).cancel(connector) == 1
        assert await jobs() == 0 and await jobs("cancelled") == 1, "cancelling drops the queued job"
    finally:
        await database.dispose()
