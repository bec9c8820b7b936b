"""Process level: `breadbox serve` as a subprocess, driven by the official `mixedbread` SDK with strict
response validation, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import mixedbread
import pytest
from mixedbread import Mixedbread

from breadbox.auth.service import ApiKeyService
from breadbox.config import Settings
from breadbox.db.session import Database
from tests.plugins.processes import ServeProcess, ThrowawayPostgres, cli_env, last_line, run_cli

NOTION_KEY = "ntn_5e2b7c9d1f3a4b6c8d0e2f4a6b8c0d1e3f5a7b9c"


@dataclass
class Served:
    backend: str
    url: str
    key: str
    env: dict[str, str]

    def sdk(self, key: str | None = None) -> Mixedbread:
        return Mixedbread(
            api_key=key or self.key,
            base_url=self.url,
            _strict_response_validation=True,
            max_retries=0,
            timeout=30,
        )

    def new_key(self, organization: str) -> str:
        """A key for another organization, through the same service the CLI uses (in-process: a CLI
        start costs seconds; `keys create` itself is covered by the fixture and test_cli.py)."""
        settings = Settings(
            data_dir=Path(self.env["BREADBOX_DATA_DIR"]), database_url=self.env.get("BREADBOX_DATABASE_URL")
        )

        async def work() -> str:
            database = Database(settings.resolved_database_url)
            try:
                async with database.session() as session:
                    _, _, value = await ApiKeyService(session).create_for_organization(organization, "sdk")
                    return value
            finally:
                await database.dispose()

        return asyncio.run(work())


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp: Path = tmp_path_factory.mktemp(f"sdk-{request.param}")
    postgres = ThrowawayPostgres() if request.param == "postgres" else None
    env = cli_env(tmp, postgres.create() if postgres else None)
    server: ServeProcess | None = None
    try:
        if postgres:
            run_cli(env, "migrate")
        key = last_line(run_cli(env, "keys", "create", "--name", "sdk").stdout)
        assert key.startswith("bb_")
        server = ServeProcess(env, tmp).start()
        yield Served(request.param, server.url, key, env)
    finally:
        if server is not None:
            code = server.stop()
            assert code is not None  # the process is gone
        if postgres:
            postgres.drop()


@pytest.fixture
def client(served: Served) -> Iterator[Mixedbread]:
    """An SDK client for a fresh organization (so counts and orders are this test's own)."""
    with served.sdk(served.new_key(f"sdk-{uuid.uuid4().hex[:8]}")) as sdk:
        yield sdk


def test_notion_api_key_data_source_lifecycle(served: Served) -> None:
    with served.sdk() as sdk:
        created = sdk.data_sources.create(
            type="notion",
            name="Team wiki",
            metadata={"team": "docs", "tier": 2},
            auth_params={"type": "api_key", "api_key": NOTION_KEY},
        )
        assert created.object == "data_source"
        assert created.type == "notion"
        assert created.name == "Team wiki"
        assert created.metadata == {"team": "docs", "tier": 2}
        assert isinstance(created.created_at, datetime) and created.created_at.tzinfo is not None
        assert created.created_at == created.updated_at
        uuid.UUID(created.id)
        auth = created.auth_params
        assert auth is not None and auth.type == "api_key"
        assert auth.api_key != NOTION_KEY and NOTION_KEY[4:-4] not in auth.api_key
        assert auth.api_key.startswith("ntn_") and auth.api_key.endswith(NOTION_KEY[-4:])

        fetched = sdk.data_sources.retrieve(created.id)
        assert fetched.to_dict() == created.to_dict()

        updated = sdk.data_sources.update(created.id, name="Renamed wiki", metadata={"team": "eng"})
        assert updated.id == created.id
        assert updated.name == "Renamed wiki"
        assert updated.metadata == {"team": "eng"}
        assert updated.type == "notion"  # omitted type keeps the current one
        assert updated.auth_params is not None  # omitted auth_params keep the credentials
        assert updated.auth_params.to_dict() == auth.to_dict()
        assert updated.created_at == created.created_at
        assert updated.updated_at >= created.updated_at
        assert sdk.data_sources.retrieve(created.id).name == "Renamed wiki"

        switched = sdk.data_sources.update(
            created.id, type="notion", name="OAuth wiki", auth_params={"type": "oauth2"}
        )
        assert switched.auth_params is not None and switched.auth_params.type == "oauth2"

        deleted = sdk.data_sources.delete(created.id)
        assert deleted.id == created.id
        assert deleted.deleted is True
        assert deleted.object == "data_source"
        with pytest.raises(mixedbread.NotFoundError) as excinfo:
            sdk.data_sources.retrieve(created.id)
        assert excinfo.value.status_code == 404
        assert isinstance(excinfo.value.body, dict) and excinfo.value.body["error"]["code"] == 404


@pytest.mark.parametrize("kind", ["notion", "linear"])
def test_oauth2_data_sources(served: Served, kind: str) -> None:
    with served.sdk() as sdk:
        created = sdk.data_sources.create(type=kind, name=f"{kind} oauth", auth_params={"type": "oauth2"})  # type: ignore[call-overload]
        assert created.type == kind
        assert created.metadata is None
        assert created.auth_params is not None and created.auth_params.type == "oauth2"
        assert sdk.data_sources.retrieve(created.id).auth_params.type == "oauth2"  # type: ignore[union-attr]
        renamed = sdk.data_sources.update(created.id, name=f"{kind} renamed")  # type: ignore[call-overload]
        assert renamed.type == kind and renamed.name == f"{kind} renamed"
        assert renamed.auth_params is not None and renamed.auth_params.type == "oauth2"
        cleared = sdk.data_sources.update(created.id, name=f"{kind} plain", auth_params=None)  # type: ignore[call-overload]
        assert cleared.type == kind and cleared.auth_params is None
        assert sdk.data_sources.delete(created.id).deleted is True


def test_data_source_validation_errors_are_422(served: Served) -> None:
    with served.sdk() as sdk:
        with pytest.raises(mixedbread.UnprocessableEntityError) as excinfo:
            sdk.data_sources.create(
                type="linear",
                name="Linear with a key",
                auth_params={"type": "api_key", "api_key": "lin_api_x"},  # type: ignore[arg-type]
            )
        assert excinfo.value.status_code == 422
        assert isinstance(excinfo.value.body, dict) and excinfo.value.body["detail"]
        assert "lin_api_x" not in excinfo.value.response.text  # secrets are not echoed back

        notion = sdk.data_sources.create(type="notion", name="Typed")
        with pytest.raises(mixedbread.UnprocessableEntityError):
            sdk.data_sources.update(notion.id, type="linear", name="Other type")
        assert sdk.data_sources.retrieve(notion.id).type == "notion"

        with pytest.raises(mixedbread.UnprocessableEntityError):
            sdk.data_sources.list(limit=0)
        with pytest.raises(mixedbread.UnprocessableEntityError):
            sdk.data_sources.list(after="not-a-cursor")


def test_not_found_and_unauthorized(served: Served) -> None:
    missing = str(uuid.uuid4())
    with served.sdk() as sdk:
        for call in (
            lambda: sdk.data_sources.retrieve(missing),
            lambda: sdk.data_sources.update(missing, name="x"),
            lambda: sdk.data_sources.delete(missing),
            lambda: sdk.data_sources.connectors.create(missing, store_id="no-such-store"),
            lambda: sdk.data_sources.connectors.retrieve(missing, data_source_id=missing),
        ):
            with pytest.raises(mixedbread.NotFoundError) as excinfo:
                call()
            assert excinfo.value.status_code == 404
            assert excinfo.value.body["error"]["type"]  # type: ignore[index]
    with served.sdk("bb_" + "x" * 40) as stranger, pytest.raises(mixedbread.AuthenticationError) as excinfo:
        stranger.data_sources.list()
    assert excinfo.value.status_code == 401


def test_another_organizations_objects_are_404(served: Served, client: Mixedbread) -> None:
    with served.sdk() as owner:
        theirs = owner.data_sources.create(type="notion", name="Not yours")
    with pytest.raises(mixedbread.NotFoundError):
        client.data_sources.retrieve(theirs.id)
    with pytest.raises(mixedbread.NotFoundError):
        client.data_sources.delete(theirs.id)
    assert theirs.id not in {ds.id for ds in client.data_sources.list()}


def test_connector_lifecycle(served: Served) -> None:
    with served.sdk() as sdk:
        store_one = sdk.stores.create(name=f"one-{uuid.uuid4().hex[:8]}")
        store_two = sdk.stores.create(name=f"two-{uuid.uuid4().hex[:8]}")
        source = sdk.data_sources.create(type="notion", name="With connectors")
        connector = sdk.data_sources.connectors.create(
            source.id, store_id=store_one.id, polling_interval="1h"
        )
        assert connector.object == "data_source.connector"
        assert connector.data_source_id == source.id
        assert connector.store_id == store_one.id
        assert connector.name == "New Connector"
        assert connector.polling_interval == "PT1H"
        assert connector.status == "pending"  # trigger_sync defaults to true
        assert connector.metadata is None and connector.error is None
        assert (
            connector.started_at is None
            and connector.finished_at is None
            and connector.last_synced_at is None
        )

        idle = sdk.data_sources.connectors.create(
            source.id, store_id=store_two.name, name="Quiet", trigger_sync=False, metadata={"k": "v"}
        )
        assert idle.status == "idle"
        assert idle.polling_interval == "PT30M"  # default
        assert idle.name == "Quiet" and idle.metadata == {"k": "v"}
        two_days = sdk.data_sources.connectors.create(
            source.id, store_id=store_one.id, trigger_sync=False, polling_interval=172800
        )
        assert two_days.polling_interval == "P2D"

        fetched = sdk.data_sources.connectors.retrieve(idle.id, data_source_id=source.id)
        assert fetched.to_dict() == idle.to_dict()

        updated = sdk.data_sources.connectors.update(
            idle.id, data_source_id=source.id, name="Renamed", polling_interval="2d"
        )
        assert updated.name == "Renamed"
        assert updated.polling_interval == "P2D"
        assert updated.metadata == {"k": "v"}  # partial update: untouched
        assert updated.status == "idle"  # no trigger_sync given
        assert updated.store_id == store_two.id  # a store given by name is kept by ID
        triggered = sdk.data_sources.connectors.update(idle.id, data_source_id=source.id, trigger_sync=True)
        assert triggered.status == "pending" and triggered.name == "Renamed"

        with pytest.raises(mixedbread.UnprocessableEntityError):
            sdk.data_sources.connectors.create(source.id, store_id=store_one.id, polling_interval=5)
        with pytest.raises(mixedbread.UnprocessableEntityError):
            sdk.data_sources.connectors.update(idle.id, data_source_id=source.id, polling_interval="31d")
        assert (
            sdk.data_sources.connectors.retrieve(idle.id, data_source_id=source.id).polling_interval == "P2D"
        )

        deleted = sdk.data_sources.connectors.delete(idle.id, data_source_id=source.id)
        assert deleted.id == idle.id and deleted.deleted is True and deleted.object == "data_source.connector"
        with pytest.raises(mixedbread.NotFoundError):
            sdk.data_sources.connectors.retrieve(idle.id, data_source_id=source.id)

        # Deleting the data source deletes its connectors.
        sdk.data_sources.delete(source.id)
        with pytest.raises(mixedbread.NotFoundError):
            sdk.data_sources.connectors.retrieve(connector.id, data_source_id=source.id)


def test_auto_pagination_over_data_sources(client: Mixedbread) -> None:
    created = [client.data_sources.create(type="notion", name=f"ds-{i:02d}").id for i in range(47)]
    newest_first = created[::-1]

    pager = client.data_sources.list(limit=10)
    seen = [ds.id for ds in pager]
    assert seen == newest_first  # every ID exactly once, newest first

    pages = list(client.data_sources.list(limit=10).iter_pages())
    assert [len(page.data) for page in pages] == [10, 10, 10, 10, 7]
    assert [page.pagination.has_more for page in pages] == [True, True, True, True, False]  # type: ignore[union-attr]

    first = client.data_sources.list(limit=5, include_total=True)
    assert first.pagination is not None and first.pagination.total == 47
    assert client.data_sources.list(limit=5).pagination.total is None  # type: ignore[union-attr]

    # Backwards from the oldest page: the pager follows `before` and reaches every newer item once.
    oldest_page = pages[-1]
    assert oldest_page.pagination is not None and oldest_page.pagination.first_cursor
    newer = [ds.id for ds in client.data_sources.list(limit=10, before=oldest_page.pagination.first_cursor)]
    assert len(newer) == len(set(newer)) == 40
    assert set(newer) == set(newest_first[:40])


def test_auto_pagination_over_connectors(client: Mixedbread) -> None:
    store = client.stores.create(name="paged").id
    source = client.data_sources.create(type="linear", name="Many connectors", auth_params={"type": "oauth2"})
    other = client.data_sources.create(type="notion", name="Other")
    client.data_sources.connectors.create(other.id, store_id=store, trigger_sync=False)
    created = [
        client.data_sources.connectors.create(source.id, store_id=store, trigger_sync=False).id
        for _ in range(26)
    ]
    seen = [c.id for c in client.data_sources.connectors.list(source.id, limit=7)]
    assert seen == created[::-1]
    pages = list(client.data_sources.connectors.list(source.id, limit=7).iter_pages())
    assert [len(p.data) for p in pages] == [7, 7, 7, 5]
    totals = client.data_sources.connectors.list(source.id, include_total=True)
    assert totals.pagination is not None and totals.pagination.total == 26
    assert all(c.data_source_id == source.id for c in totals.data)
