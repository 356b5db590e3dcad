"""The store on PostgreSQL: run when FORCEPACK_TEST_POSTGRES_URL names a database to use (skipped otherwise).

Each test worker gets a schema of its own in that database, emptied and migrated for each test.
Example: `FORCEPACK_TEST_POSTGRES_URL=postgresql+psycopg://forcepack:forcepack@127.0.0.1/forcepack`.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from forcepack.api.app import create_app
from forcepack.api.auth import Role
from forcepack.api.db import Database, current_revision, downgrade, heads, upgrade
from forcepack.api.settings import Settings
from forcepack.api.setup import load_examples
from forcepack.api.tables import Base
from tests.api.conftest import EXAMPLES, Service

BASE_URL = os.environ.get("FORCEPACK_TEST_POSTGRES_URL", "")
pytestmark = pytest.mark.skipif(not BASE_URL, reason="FORCEPACK_TEST_POSTGRES_URL is not set")


@pytest.fixture
def url(worker_id: str) -> Iterator[str]:
    """A database URL whose search path is an empty schema of this test worker's own."""
    schema = f"forcepack_test_{worker_id}"
    admin = create_engine(BASE_URL)
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    admin.dispose()
    separator = "&" if "?" in BASE_URL else "?"
    yield f"{BASE_URL}{separator}options=-csearch_path%3D{schema}"


def test_postgres_migrations_upgrade_from_empty_and_back(url: str) -> None:
    """From an empty schema to the one head, matching the declared tables; down to empty and up again."""
    database = Database(url)
    assert current_revision(database) is None
    upgrade(database)
    assert current_revision(database) == heads(database)[0]
    with database.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    downgrade(database, "base")
    upgrade(database)
    database.dispose()


@pytest.fixture
def service(url: str) -> Iterator[Service]:
    """The service on PostgreSQL, examples loaded."""
    app = create_app(Settings(database_url=url, max_concurrent_solves=2))
    with TestClient(app) as client:
        service = Service(app, client)
        load_examples(service.database, EXAMPLES)
        yield service


@pytest.mark.parametrize(
    "statement", ["UPDATE offer_versions SET written_by = 'x'", "DELETE FROM offer_versions", "TRUNCATE offer_versions"]
)
def test_postgres_history_refuses_rewrites(service: Service, statement: str) -> None:
    """PostgreSQL refuses UPDATE, DELETE and TRUNCATE on the offer history."""
    with pytest.raises(DBAPIError, match="append-only"), service.database.write() as session:
        session.execute(text(statement))


def test_postgres_same_etag_exactly_one_wins(service: Service) -> None:
    """Without SQLite's write lock, the unique version still lets exactly one of two writers win."""
    current = service.client.get("/v1/scenarios/tutorial/offers/IDN", headers=service.coordinator)
    etag, offer = current.headers["ETag"], current.json()["offer"]
    barrier, statuses = threading.Barrier(2), []
    headers = service.auth(Role.DELEGATE, "IDN", If_Match=etag)

    def put() -> None:
        client = TestClient(service.app)
        barrier.wait()
        statuses.append(client.put("/v1/scenarios/tutorial/offers/IDN", json=offer, headers=headers).status_code)

    threads = [threading.Thread(target=put) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 412]


def test_postgres_idempotency_key_under_concurrency(service: Service) -> None:
    """Five requests at once with one key make one job."""
    ids: list[str] = []
    headers = service.auth(Role.COORDINATOR, Idempotency_Key="pg-1")

    def post() -> None:
        response = TestClient(service.app).post("/v1/scenarios/tutorial/solves", json={"seed": 1}, headers=headers)
        assert response.status_code == 202
        ids.append(response.json()["id"])

    threads = [threading.Thread(target=post) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(ids)) == 1
    assert service.wait_job(f"/v1/jobs/{ids[0]}")["status"] == "done"


def test_postgres_migration_0003_fills_sizes_and_nations(url: str) -> None:
    """Revision 0003 fills the sizes and nations of rows stored before it, with the history's triggers
    set aside for that alone (the same check as on SQLite)."""
    from tests.api.test_migrations import check_0003_backfill

    database = Database(url)
    check_0003_backfill(database)
    database.dispose()


def test_postgres_offer_history_pages_and_quota(url: str) -> None:
    """The history's pages and the quota's 409 on PostgreSQL, where writers take no lock up front."""
    app = create_app(Settings(database_url=url, max_concurrent_solves=2, max_offer_history_bytes=2048))
    with TestClient(app) as client:
        service = Service(app, client)
        load_examples(service.database, EXAMPLES)
        headers = service.auth(Role.DELEGATE, "IDN")
        offer = {"units": [{"id": "idn-eng", "capability": "engineer", "count": 1, "personnel": 150}]}
        statuses = []
        for _ in range(30):
            etag = client.get("/v1/scenarios/tutorial/offers/IDN", headers=headers).headers["ETag"]
            put = client.put("/v1/scenarios/tutorial/offers/IDN", json=offer, headers={**headers, "If-Match": etag})
            statuses.append(put.status_code)
        assert statuses[0] == 200 and statuses[-1] == 409 and sorted(set(statuses)) == [200, 409]
        page = client.get("/v1/scenarios/tutorial/offers/IDN/history?limit=2&offset=1", headers=headers).json()
        assert [v["version"] for v in page["items"]] == [2, 3]
        assert page["total"] == 1 + statuses.count(200)


def test_postgres_migration_0004_archive(url: str) -> None:
    """Revision 0004 on PostgreSQL: stored scenarios stay active, and down to 0003 none is lost."""
    from tests.api.test_migrations import check_0004_archive

    database = Database(url)
    check_0004_archive(database)
    database.dispose()


def test_postgres_archive_and_restore(url: str) -> None:
    """Archiving and restoring on PostgreSQL: hidden from a delegate, jobs refused, then back as it was."""
    app = create_app(Settings(database_url=url, max_concurrent_solves=2))
    with TestClient(app) as client:
        service = Service(app, client)
        load_examples(service.database, EXAMPLES)
        etag = client.get("/v1/scenarios/tutorial", headers=service.coordinator).headers["ETag"]
        archived = client.delete("/v1/scenarios/tutorial", headers=service.auth_coordinator_with(If_Match=etag))
        assert archived.status_code == 200 and archived.json()["archived_at"] is not None
        assert client.get("/v1/scenarios/tutorial", headers=service.auth(Role.DELEGATE, "IDN")).status_code == 404
        assert client.post("/v1/scenarios/tutorial/solves", headers=service.coordinator).status_code == 409
        listed = client.get("/v1/scenarios?archived=true", headers=service.coordinator).json()
        assert [item["id"] for item in listed["items"]] == ["tutorial"]
        restored = client.post("/v1/scenarios/tutorial/restore", headers=service.auth_coordinator_with(If_Match=etag))
        assert restored.status_code == 200 and restored.json()["archived_at"] is None
        assert client.get("/v1/scenarios/tutorial", headers=service.auth(Role.DELEGATE, "IDN")).status_code == 200
