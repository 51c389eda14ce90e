"""A server per store whose clock the tests move, and clients that sign at its time
(SigV4 refuses 15 minutes of skew, and periodic rules need hours to pass)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import botocore.auth
import pytest

from configledger.clock import FrozenClock
from tests.conftest import (
    LiveServer,
    config_client,
    own_server,
)

T0 = 1_700_000_000_000


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def clocked_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LiveServer, FrozenClock]]:
    clock = FrozenClock(T0)
    with own_server(request.param, tmp_path_factory.mktemp("rules"), clock) as server:
        yield server, clock


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
