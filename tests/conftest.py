"""The test harness: real ConfigLedger servers on free ports, driven by boto3 over HTTP.

One server per store backend (SQLite file, PostgreSQL schema) is started for the whole
session; tests stay independent by each acting as a fresh AWS account (the sandbox
credentials accept any 12-digit access key id with secret ``test``). Tests that take the
``backend`` fixture run against both stores; PostgreSQL is the machine's server on
127.0.0.1:5432 (database ``test``), and its tests skip when it is not reachable, unless
``CONFIGLEDGER_REQUIRE_POSTGRES=1`` (set by CI) makes that a failure.
"""

from __future__ import annotations

import itertools
import os
import random
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
import uvicorn
from botocore.config import Config as BotoConfig
from sqlalchemy import create_engine, text

from configledger.api.app import ConfigApi
from configledger.clock import Clock
from configledger.server import KEEP_ALIVE_SECONDS, build_runtime
from configledger.settings import Settings

PG_ADMIN_URL = os.environ.get(
    "CONFIGLEDGER_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REGION = "us-east-1"
_accounts = itertools.count(random.randint(100_000_000_000, 800_000_000_000))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    """A ConfigLedger running in this process on its own port and store."""

    url: str
    db_url: str
    app: ConfigApi
    _server: uvicorn.Server
    _thread: threading.Thread

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


def start_server(db_url: str, clock: Clock | None = None, **settings: object) -> LiveServer:
    """Start a server; ``clock`` (e.g. a FrozenClock) replaces wall time inside it."""
    port = free_port()
    # Most tests name buckets that do not exist; delivery tests switch the checks on.
    settings.setdefault("delivery_channel_checks", False)
    config = Settings(host="127.0.0.1", port=port, db_url=db_url, **settings)  # type: ignore[arg-type]
    app = ConfigApi(build_runtime(config, clock))
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="on",
            timeout_keep_alive=KEEP_ALIVE_SECONDS,
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("ConfigLedger test server did not start")
        time.sleep(0.02)
    return LiveServer(f"http://127.0.0.1:{port}", db_url, app, server, thread)


def postgres_available() -> bool:
    try:
        with create_engine(PG_ADMIN_URL).connect() as conn:
            conn.execute(text("select 1"))
        return True
    except Exception:
        return False


def fresh_postgres_url() -> str:
    """A new schema in the test database, so each run starts from an empty store."""
    schema = f"cl_test_{uuid.uuid4().hex[:12]}"
    engine = create_engine(PG_ADMIN_URL)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return f"{PG_ADMIN_URL}?options=-csearch_path%3D{schema}"


def drop_postgres_schema(url: str) -> None:
    schema = url.rsplit("%3D", 1)[1]
    engine = create_engine(PG_ADMIN_URL)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


def require_postgres() -> None:
    """Skip the test when PostgreSQL is unreachable; fail it when CI requires PostgreSQL."""
    if not postgres_available():
        if os.environ.get("CONFIGLEDGER_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required but not reachable at {PG_ADMIN_URL}")
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}")


@contextmanager
def store_url(backend: str, folder: Path) -> Iterator[str]:
    """The URL of a new, empty store: a SQLite file in ``folder``, or a PostgreSQL schema
    of its own that is dropped afterwards."""
    if backend != "postgresql":
        yield f"sqlite:///{folder / 'store.db'}"
        return
    require_postgres()
    url = fresh_postgres_url()
    try:
        yield url
    finally:
        drop_postgres_schema(url)


@contextmanager
def own_server(
    backend: str, folder: Path, clock: Clock | None = None, **settings: object
) -> Iterator[LiveServer]:
    """A server on a store of its own, for tests that move its clock, change its settings
    or time what a user sees (and so must not queue behind other tests' sweeps)."""
    with store_url(backend, folder) as url:
        server = start_server(url, clock, **settings)
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture(scope="session")
def sqlite_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    path: Path = tmp_path_factory.mktemp("store") / "configledger.db"
    server = start_server(f"sqlite:///{path}")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[LiveServer]:
    require_postgres()
    url = fresh_postgres_url()
    server = start_server(url)
    yield server
    server.stop()
    drop_postgres_schema(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> LiveServer:
    """The server of one backend; tests using it run once per store."""
    name = "sqlite_server" if request.param == "sqlite" else "postgres_server"
    return request.getfixturevalue(name)  # type: ignore[no-any-return]


@pytest.fixture
def server(sqlite_server: LiveServer) -> LiveServer:
    """The SQLite server, for tests that do not touch store behaviour."""
    return sqlite_server


def new_account() -> str:
    return str(next(_accounts))


def config_client(
    server: LiveServer,
    account: str | None = None,
    region: str = REGION,
    *,
    validate: bool = True,
    secret: str = "test",
) -> Any:
    """A boto3 Config client acting as ``account`` (a fresh one by default).

    ``validate=False`` switches off botocore's client-side parameter validation so a test
    can send what a careless client would and see the server's own answer.
    """
    return boto3.client(
        "config",
        endpoint_url=server.url,
        region_name=region,
        aws_access_key_id=account or new_account(),
        aws_secret_access_key=secret,
        config=BotoConfig(
            parameter_validation=validate, retries={"max_attempts": 1, "mode": "standard"}
        ),
    )


@pytest.fixture
def account() -> str:
    return new_account()


@pytest.fixture
def config(backend: LiveServer, account: str) -> Any:
    """A Config client for a fresh account on each backend."""
    return config_client(backend, account)


ROLE_ARN = "arn:aws:iam::123456789012:role/config-role"


def start_recording(client: Any, bucket: str = "config-bucket") -> None:
    """Recorder + channel + start: what PutResourceConfig needs."""
    client.put_configuration_recorder(
        ConfigurationRecorder={"name": "default", "roleARN": ROLE_ARN}
    )
    client.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": bucket})
    client.start_configuration_recorder(ConfigurationRecorderName="default")


def start_custom_recording(client: Any, bucket: str = "config-bucket") -> None:
    """A running recorder for tests of custom resources: recording one cheap AWS type
    only, so the inventory sweep that starting triggers stays out of their way."""
    client.put_configuration_recorder(
        ConfigurationRecorder={
            "name": "default",
            "roleARN": ROLE_ARN,
            "recordingGroup": {"allSupported": False, "resourceTypes": ["AWS::SNS::Topic"]},
        }
    )
    client.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": bucket})
    client.start_configuration_recorder(ConfigurationRecorderName="default")


PACK_TIMEOUT = 60.0
_IN_PROGRESS = ("CREATE_IN_PROGRESS", "UPDATE_IN_PROGRESS", "DELETE_IN_PROGRESS")


def pack_settled(client: Any, name: str, timeout: float = PACK_TIMEOUT) -> dict[str, Any]:
    """The pack's ConformancePackStatusDetail once its deployment has ended (a state that
    is not *_IN_PROGRESS): conformance packs deploy in the background, as in AWS."""
    deadline = time.monotonic() + timeout
    while True:
        found = client.describe_conformance_pack_status(ConformancePackNames=[name])
        details = found["ConformancePackStatusDetails"]
        if details and details[0]["ConformancePackState"] not in _IN_PROGRESS:
            return details[0]  # type: ignore[no-any-return]
        if time.monotonic() > deadline:
            raise AssertionError(f"conformance pack {name} still in progress: {details!r}")
        time.sleep(0.02)


def pack_deleted(client: Any, name: str, timeout: float = PACK_TIMEOUT) -> None:
    """Wait until DeleteConformancePack's background deletion removed the pack."""
    deadline = time.monotonic() + timeout
    while True:
        found = client.describe_conformance_pack_status(ConformancePackNames=[name])
        details = found["ConformancePackStatusDetails"]
        if not details:
            return
        if details[0]["ConformancePackState"] == "DELETE_FAILED":
            raise AssertionError(f"conformance pack {name} was not deleted: {details[0]!r}")
        if time.monotonic() > deadline:
            raise AssertionError(f"conformance pack {name} not deleted yet: {details!r}")
        time.sleep(0.02)
