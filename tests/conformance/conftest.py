"""A server per store whose conformance packs wait ``DELAY`` seconds of its frozen clock
before they are deployed (setting ``conformance_pack_deployment_delay``), so the tests
see every *_IN_PROGRESS state and move on by moving the clock; clients sign at the
server's time."""

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
DELAY = 30  # seconds a pack request waits before the worker carries it out


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def paced_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LiveServer, FrozenClock]]:
    clock = FrozenClock(T0)
    with own_server(
        request.param,
        tmp_path_factory.mktemp("packs"),
        clock,
        conformance_pack_deployment_delay=DELAY,
    ) as server:
        yield server, clock


def sign_at(monkeypatch: pytest.MonkeyPatch, clock: FrozenClock) -> None:
    """Make every boto3 client of this process sign at ``clock``'s time."""

    def server_time(remove_tzinfo: bool = True) -> datetime:
        moment = datetime.fromtimestamp(clock.now_ms() / 1000, tz=UTC)
        return moment.replace(tzinfo=None) if remove_tzinfo else moment

    monkeypatch.setattr(botocore.auth, "get_current_datetime", server_time)


@pytest.fixture
def paced(
    paced_server: tuple[LiveServer, FrozenClock], account: str, monkeypatch: pytest.MonkeyPatch
) -> tuple[Any, FrozenClock, LiveServer, str]:
    """(Config client of a fresh account, the server's clock, the server, account id)."""
    server, clock = paced_server
    sign_at(monkeypatch, clock)
    return config_client(server, account), clock, server, account
