"""Shared pieces of the benchmarks: a ConfigLedger server in its own process, PostgreSQL
schemas, boto3 clients and percentiles.

Not a benchmark itself; the scripts next to it import it (``bench/`` is the first entry
of ``sys.path`` when a script there is run as ``python bench/<name>.py``).
"""

from __future__ import annotations

import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from types import TracebackType
from typing import Any

import boto3
from botocore.config import Config as BotoConfig
from sqlalchemy import create_engine, text

PG_ADMIN_URL = os.environ.get(
    "CONFIGLEDGER_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REGION = "us-east-1"
HEALTH_PATH = "/_configledger/health"
_CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerProcess:
    """``configledger serve`` as a child process on a free loopback port.

    Started on ``__enter__`` (returns once ``GET /_configledger/health`` answers 200),
    stopped with SIGTERM (uvicorn's graceful shutdown), then SIGKILL if it lingers.
    """

    def __init__(self, db_url: str, *, workers: int | None = None, start_timeout: float = 60.0):
        self.db_url = db_url
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.start_timeout = start_timeout
        self._log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed in stop()
            prefix="configledger-bench-server-", suffix=".log", delete=False
        )
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self._proc is not None
        return self._proc.pid

    def start(self) -> None:
        command = [
            sys.executable,
            "-m",
            "configledger.cli.main",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--db",
            self.db_url,
            "--log-level",
            "warning",
        ]
        if self.workers is not None:
            command += ["--workers", str(self.workers)]
        self._proc = subprocess.Popen(
            command, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        deadline = time.monotonic() + self.start_timeout
        while True:
            if self._proc.poll() is not None:
                raise RuntimeError(f"the server exited at start-up:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + HEALTH_PATH, timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"the server did not answer its health check:\n{self.log_tail()}"
                )
            time.sleep(0.05)

    def cpu_seconds(self) -> float:
        """User + system CPU time the server process has used so far (Linux /proc)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _CLK_TCK

    def wait_idle(
        self, *, window: float = 0.5, busy_below: float = 0.05, timeout: float = 120.0
    ) -> float:
        """Wait until the server uses less than ``busy_below`` of a core over ``window``
        seconds (background work such as the recorder's sweeps has finished); the seconds
        waited. Gives up quietly after ``timeout``."""
        start = time.perf_counter()
        last = self.cpu_seconds()
        while time.perf_counter() - start < timeout:
            time.sleep(window)
            now = self.cpu_seconds()
            if now - last < busy_below * window:
                break
            last = now
        return time.perf_counter() - start

    def log_tail(self, lines: int = 40) -> str:
        self._log.flush()
        content = Path(self._log.name).read_text(errors="replace").splitlines()
        return "\n".join(content[-lines:])

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.send_signal(signal.SIGTERM)
            try:
                self._proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(timeout=10)
        self._log.close()
        Path(self._log.name).unlink(missing_ok=True)

    def __enter__(self) -> ServerProcess:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


# -- PostgreSQL ---------------------------------------------------------------------------


def postgres_available() -> bool:
    try:
        engine = create_engine(PG_ADMIN_URL)
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return True
    except Exception:
        return False


def fresh_postgres_url(prefix: str = "cl_bench") -> str:
    """A new, empty schema in the benchmark database, as a store URL."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    engine = create_engine(PG_ADMIN_URL)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return f"{PG_ADMIN_URL}?options=-csearch_path%3D{schema}"


def schema_of(url: str) -> str:
    return url.rsplit("%3D", 1)[1]


def drop_postgres_schema(url: str) -> None:
    engine = create_engine(PG_ADMIN_URL)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema_of(url)}" CASCADE'))
    engine.dispose()


# -- clients and figures ------------------------------------------------------------------


def config_client(url: str, account: str) -> Any:
    """A Config client of its own boto3 session (sessions are not thread-safe), acting as
    ``account`` through the sandbox credentials (12-digit key, secret ``test``)."""
    session = boto3.session.Session()
    return session.client(
        "config",
        endpoint_url=url,
        region_name=REGION,
        aws_access_key_id=account,
        aws_secret_access_key="test",
        config=BotoConfig(retries={"max_attempts": 1, "mode": "standard"}, max_pool_connections=4),
    )


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Linear interpolation between closest ranks of an already sorted list."""
    if not sorted_values:
        return float("nan")
    position = (len(sorted_values) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def machine_line() -> str:
    load = os.getloadavg()
    return (
        f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}, load avg {load[0]:.2f} {load[1]:.2f}"
    )


# -- how busy the machine was -------------------------------------------------------------


def _machine_busy_seconds() -> float:
    """CPU seconds spent busy on all cores since boot (user..steal of /proc/stat)."""
    with open("/proc/stat") as fh:
        values = [int(v) for v in fh.readline().split()[1:9]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values) - idle) / _CLK_TCK


def _own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def _postgres_cpu_seconds() -> float:
    """CPU time of the PostgreSQL processes alive now (all of them, not only ours)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            content = stat.read_text()
        except OSError:
            continue  # gone meanwhile
        name, rest = content.split("(", 1)[1].rsplit(")", 1)
        if name == "postgres":
            fields = rest.split()
            total += int(fields[11]) + int(fields[12])
    return total / _CLK_TCK


class CpuWatch:
    """Where the machine's CPU went between ``__init__`` and ``stop``: this process (the
    clients), the server process, and everything else (other users of the machine, and
    PostgreSQL's backends when the store is PostgreSQL)."""

    def __init__(self, server: ServerProcess, *, postgres: bool = False) -> None:
        self.server = server
        self.postgres = postgres
        self._wall = time.perf_counter()
        self._machine = _machine_busy_seconds()
        self._own = _own_cpu_seconds()
        self._server = server.cpu_seconds()
        self._pg = _postgres_cpu_seconds() if postgres else 0.0
        self.other_cores = 0.0

    def stop(self) -> str:
        wall = time.perf_counter() - self._wall
        machine = (_machine_busy_seconds() - self._machine) / wall
        own = (_own_cpu_seconds() - self._own) / wall
        server = (self.server.cpu_seconds() - self._server) / wall
        pg = (_postgres_cpu_seconds() - self._pg) / wall if self.postgres else 0.0
        other = max(0.0, machine - own - server - pg)
        self.other_cores = other
        pg_part = f", PostgreSQL (all its processes) {pg:.2f}" if self.postgres else ""
        line = (
            f"CPU while measuring ({wall:.0f} s, {os.cpu_count()} cores): clients {own:.2f} "
            f"cores, server {server:.2f}{pg_part}, everything else {other:.2f}"
        )
        if other > 0.25 * (os.cpu_count() or 1):
            line += (
                "\nWARNING: other work used the machine while measuring; rates and tail "
                "latencies reflect it. Re-run on a quiet machine before trusting a verdict."
            )
        return line
