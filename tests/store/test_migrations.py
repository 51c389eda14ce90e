"""The Alembic migrations build exactly the tables schema.py declares, on both stores."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from configledger.store.database import open_database
from configledger.store.schema import metadata
from tests.conftest import drop_postgres_schema, fresh_postgres_url, postgres_available


def _diff(url: str) -> list[object]:
    database = open_database(url)
    try:
        with database.engine.connect() as conn:
            return list(compare_metadata(MigrationContext.configure(conn), metadata))
    finally:
        database.dispose()


def test_sqlite_migrations_match_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    assert _diff(url) == []
    assert _diff(url) == []  # a second upgrade is a no-op


def test_postgresql_migrations_match_schema() -> None:
    if not postgres_available():
        pytest.skip("PostgreSQL not reachable")
    url = fresh_postgres_url()
    try:
        assert _diff(url) == []
    finally:
        drop_postgres_schema(url)
