"""Discovery sweep rate over sandbox resources, against the bare describe calls.

Creates N resources (default 5,000) across ten sandbox resource types in one account,
then, in one run:

1. describe: every registered type's ``fetch`` (the recorder's own boto3 calls, paging
   included) against the server's sandbox, without recording — the floor;
2. sweep: StartConfigurationRecorder, timed until the recorder reports its first sweep
   done (lastStatus leaves PENDING) — describe + transform + diff + store;
3. store path: ``history.reconcile`` alone on synthetic listings of 2 KB items into a
   fresh SQLite file (the describe calls taken out entirely), three times, the median;
   then the same into a fresh PostgreSQL schema, for comparison. After each run the
   advanced-query projection catches up with the new items, timed on its own: a server
   does that in a background loop, off the store path.

Targets (issue 3): recording overhead under 30% of the describe time; store path at
least 20,000 items/s into SQLite.

    .venv/bin/python bench/sweep.py [--resources 5000]
    .venv/bin/python bench/sweep.py --store-only [--store-runs 3] [--store-db sqlite]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
import orjson
from botocore.config import Config as BotoConfig

from _harness import (
    REGION,
    ServerProcess,
    _machine_busy_seconds,
    _own_cpu_seconds,
    config_client,
    drop_postgres_schema,
    fresh_postgres_url,
    machine_line,
    postgres_available,
)
from configledger.history.reconcile import Listed, Listing, reconcile
from configledger.query.projection import QueryProjection
from configledger.recorder.resource_types import REGISTRY
from configledger.recorder.types import Scope
from configledger.store.database import open_database

ACCOUNT = "555555555555"
STORE_TARGET = 20_000  # items/s into SQLite (issue 3)


def _client(url: str, service: str) -> Any:
    return boto3.session.Session().client(
        service,
        endpoint_url=url,
        region_name=REGION,
        aws_access_key_id=ACCOUNT,
        aws_secret_access_key="test",
        config=BotoConfig(retries={"max_attempts": 3}, max_pool_connections=8),
    )


def populate(url: str, total: int) -> dict[str, int]:
    """Create ``total`` resources spread over ten types; counts per type."""
    per = max(1, total // 10)
    ec2 = _client(url, "ec2")
    vpcs = [ec2.create_vpc(CidrBlock=f"10.{i}.0.0/16")["Vpc"]["VpcId"] for i in range(4)]

    local = threading.local()

    def make(kind: str, i: int) -> None:
        service = {"sg": "ec2", "subnet": "ec2", "volume": "ec2"}.get(kind, kind)
        clients = local.__dict__.setdefault("clients", {})
        if service not in clients:  # one client per thread and service: creating is slow
            clients[service] = _client(url, service)
        c = clients[service]
        if kind == "sg":
            c.create_security_group(GroupName=f"g{i}", Description="bench", VpcId=vpcs[i % 4])
        elif kind == "subnet":
            c.create_subnet(
                VpcId=vpcs[i % 4], CidrBlock=f"10.{i % 4}.{i // 4 % 256}.{(i // 1024) * 16}/28"
            )
        elif kind == "volume":
            c.create_volume(Size=1, AvailabilityZone=f"{REGION}a")
        elif kind == "s3":
            c.create_bucket(Bucket=f"bench-bucket-{i}")
        elif kind == "sqs":
            c.create_queue(QueueName=f"bench-queue-{i}")
        elif kind == "sns":
            c.create_topic(Name=f"bench-topic-{i}")
        elif kind == "dynamodb":
            c.create_table(
                TableName=f"bench-table-{i}",
                KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
            )
        elif kind == "secretsmanager":
            c.create_secret(Name=f"bench-secret-{i}", SecretString="x")
        elif kind == "kms":
            c.create_key(Description=f"bench-key-{i}")

    kinds = ["sg", "subnet", "volume", "s3", "sqs", "sns", "dynamodb", "secretsmanager", "kms"]
    counts = {kind: per for kind in kinds}
    counts["sg"] += total - per * len(kinds)  # the rest, so the total is exact
    with ThreadPoolExecutor(8) as pool:
        for kind, n in counts.items():
            list(pool.map(lambda i, k=kind: make(k, i), range(n)))
    return counts


def describe_only(url: str) -> tuple[float, int]:
    scope = Scope(ACCOUNT, REGION)
    clients = {t.service: _client(url, t.service) for t in REGISTRY.values() if not t.global_type}
    start = time.perf_counter()
    listed = 0
    for resource_type in REGISTRY.values():
        if resource_type.global_type:
            continue
        listed += sum(1 for _ in resource_type.fetch(clients[resource_type.service], scope))
    return time.perf_counter() - start, listed


def sweep(url: str) -> float:
    config = config_client(url, ACCOUNT)
    config.put_configuration_recorder(
        ConfigurationRecorder={"name": "default", "roleARN": "arn:aws:iam::1:role/c"}
    )
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "b"})
    start = time.perf_counter()
    config.start_configuration_recorder(ConfigurationRecorderName="default")
    while True:
        status = config.describe_configuration_recorder_status()["ConfigurationRecordersStatus"][0]
        if status["lastStatus"] != "PENDING":
            break
        time.sleep(0.02)
    elapsed = time.perf_counter() - start
    if status["lastStatus"] != "SUCCESS":
        print(f"  sweep reported {status['lastStatus']}: {status.get('lastErrorMessage')}")
    return elapsed


def store_path(items: int, db_url: str | None = None) -> float:
    """items/s of ``reconcile`` writing ``items`` new 2 KB items (ten types) in one
    batch into a fresh store: a temporary SQLite file, or ``db_url``."""
    return store_path_rates(items, db_url)[0]


def store_path_rates(items: int, db_url: str | None = None) -> tuple[float, float, float]:
    """``store_path``'s items/s, and items per CPU second of this process: what one
    free core would give, less the I/O waits (a hint when the machine is shared).
    Third: items/s of the advanced-query projection catching up with them afterwards,
    the work a server's background loop does off the store path."""
    with tempfile.TemporaryDirectory() as folder:
        database = open_database(db_url or f"sqlite:///{Path(folder) / 'store.db'}")
        configuration = orjson.dumps({"pad": "x" * 1800, "n": 0}).decode()
        per_type = items // 10
        listings = [
            Listing(
                f"Bench::Type::T{t}",
                [
                    Listed(f"r-{t}-{i}", configuration.replace('"n":0', f'"n":{i}'))
                    for i in range(per_type)
                ],
                complete=True,
            )
            for t in range(10)
        ]
        start, cpu = time.perf_counter(), time.process_time()
        outcomes = reconcile(database, ACCOUNT, REGION, listings, now_ms=1_700_000_000_000)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        assert sum(o.discovered for o in outcomes.values()) == per_type * 10
        start = time.perf_counter()
        assert QueryProjection(database).catch_up() == per_type * 10
        projection = per_type * 10 / (time.perf_counter() - start)
        database.dispose()
    return per_type * 10 / elapsed, per_type * 10 / cpu, projection


def _postgres_total_cpu_seconds() -> float:
    """CPU time of the PostgreSQL processes, with that of the backends already gone
    (their parent's reaped-children times): each run here opens and closes its own."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            content = stat.read_text()
        except OSError:
            continue  # gone meanwhile
        name, rest = content.split("(", 1)[1].rsplit(")", 1)
        if name == "postgres":
            fields = rest.split()
            total += sum(int(f) for f in fields[11:15])
    return total / os.sysconf("SC_CLK_TCK")


class _Busy:
    """How busy the machine was between creation and ``line()``: this process, the
    PostgreSQL processes, and everything else (other users of the machine)."""

    def __init__(self) -> None:
        self.wall = time.perf_counter()
        self.machine = _machine_busy_seconds()
        self.own = _own_cpu_seconds()
        self.pg = _postgres_total_cpu_seconds()

    def line(self) -> str:
        wall = time.perf_counter() - self.wall
        machine = (_machine_busy_seconds() - self.machine) / wall
        own = (_own_cpu_seconds() - self.own) / wall
        pg = (_postgres_total_cpu_seconds() - self.pg) / wall
        other = max(0.0, machine - own - pg)
        line = (
            f"  CPU while measuring ({wall:.0f} s, {os.cpu_count()} cores): this process "
            f"{own:.2f} cores, PostgreSQL {pg:.2f}, everything else {other:.2f}"
        )
        if other > 0.25 * (os.cpu_count() or 1):
            line += "\n  WARNING: other work used the machine while measuring; re-run quiet."
        return line


def store_path_report(items: int, runs: int, backends: list[str]) -> None:
    """The store path on each backend, ``runs`` times; the median against the target
    (SQLite) or for comparison (PostgreSQL, which has no target of its own)."""
    for backend in backends:
        if backend == "postgresql" and not postgres_available():
            print("store path (PostgreSQL): skipped, PostgreSQL is not reachable")
            continue
        busy = _Busy()
        rates, cpu_rates, projection_rates = [], [], []
        for _ in range(runs):
            url = fresh_postgres_url("cl_bench_sweep") if backend == "postgresql" else None
            try:
                rate, cpu_rate, projection_rate = store_path_rates(items, url)
            finally:
                if url is not None:
                    drop_postgres_schema(url)
            rates.append(rate)
            cpu_rates.append(cpu_rate)
            projection_rates.append(projection_rate)
        median = statistics.median(rates)
        label = "SQLite" if backend == "sqlite" else "PostgreSQL"
        runs_text = " / ".join(f"{r:,.0f}" for r in rates)
        print(
            f"store path (reconcile, {items:,} x 2 KB items, {label}): {runs_text} items/s, "
            f"median {median:,.0f} items/s"
        )
        if backend == "sqlite":
            verdict = "PASS" if median >= STORE_TARGET else "FAIL"
            print(
                f"  {median / STORE_TARGET:.2f}x the target of >= {STORE_TARGET:,} items/s: "
                f"{verdict}"
            )
        where = "SQLite included" if backend == "sqlite" else "PostgreSQL's server not"
        print(
            f"  items per CPU second of this process ({where}): median "
            f"{statistics.median(cpu_rates):,.0f}"
        )
        print(
            "  advanced-query projection catching up afterwards (the server's background"
            f" loop, off the store path): median {statistics.median(projection_rates):,.0f}"
            " items/s"
        )
        print(busy.line())


def main() -> None:
    # The bench names a channel bucket it never creates: no bucket check (delivery is not measured).
    os.environ.setdefault("CONFIGLEDGER_DELIVERY_CHANNEL_CHECKS", "0")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=5000)
    parser.add_argument("--store-items", type=int, default=50_000)
    parser.add_argument("--store-runs", type=int, default=3, help="median of this many")
    parser.add_argument(
        "--store-db", default="sqlite,postgresql", help="backends of the store path, by comma"
    )
    parser.add_argument(
        "--store-only", action="store_true", help="only the store path, no sandbox sweep"
    )
    args = parser.parse_args()
    print(machine_line())
    if args.store_only:
        store_path_report(args.store_items, args.store_runs, args.store_db.split(","))
        return
    with (
        tempfile.TemporaryDirectory() as folder,
        ServerProcess(f"sqlite:///{Path(folder) / 'sweep.db'}") as server,
    ):
        started = time.perf_counter()
        counts = populate(server.url, args.resources)
        took = time.perf_counter() - started
        print(f"created {sum(counts.values())} resources in {took:.1f} s: {counts}")
        describe_s, listed = describe_only(server.url)
        describe_again, _ = describe_only(server.url)
        describe_s = min(describe_s, describe_again)  # warm, like the sweep's clients
        sweep_s = sweep(server.url)
    overhead = (sweep_s - describe_s) / describe_s
    for label, seconds in (("describe only", describe_s), ("recording sweep", sweep_s)):
        rate = listed / seconds
        print(f"{label:16}: {listed} resources in {seconds:.2f} s = {rate:,.0f} resources/s")
    verdict = "PASS" if overhead < 0.30 else "FAIL"
    print(f"recording overhead: {overhead:.0%} of the describe time (target < 30%): {verdict}")
    store_path_report(args.store_items, args.store_runs, args.store_db.split(","))


if __name__ == "__main__":
    main()
