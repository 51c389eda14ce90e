"""A server per store whose clock the tests move, and clients that sign at its time
(SigV4 refuses 15 minutes of skew, and periodic rules need hours to pass)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import botocore.auth
import pytest

from configledger.clock import FrozenClock
from tests.conftest import (
    LiveServer,
    config_client,
    drop_postgres_schema,
    fresh_postgres_url,
    postgres_available,
    start_server,
)

T0 = 1_700_000_000_000


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def clocked_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LiveServer, FrozenClock]]:
    if request.param == "postgresql":
        if not postgres_available():
            if os.environ.get("CONFIGLEDGER_REQUIRE_POSTGRES") == "1":
                pytest.fail("PostgreSQL is required but not reachable")
            pytest.skip("PostgreSQL not reachable")
        url = fresh_postgres_url()
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('rules') / 'rules.db'}"
    clock = FrozenClock(T0)
    server = start_server(url, clock=clock)
    yield server, clock
    server.stop()
    if request.param == "postgresql":
        drop_postgres_schema(url)


@pytest.fixture
def clocked(
    clocked_server: tuple[LiveServer, FrozenClock], account: str, monkeypatch: pytest.MonkeyPatch
) -> tuple[Any, FrozenClock, LiveServer, str]:
    """(Config client of a fresh account signing at the server's time, clock, server,
    account id)."""
    server, clock = clocked_server

    def server_time(remove_tzinfo: bool = True) -> datetime:
        moment = datetime.fromtimestamp(clock.now_ms() / 1000, tz=UTC)
        return moment.replace(tzinfo=None) if remove_tzinfo else moment

    monkeypatch.setattr(botocore.auth, "get_current_datetime", server_time)
    return config_client(server, account), clock, server, account
