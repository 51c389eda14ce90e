"""Aggregate read latency over HTTP: one aggregator over many source accounts and regions.

The store is generated directly, through ConfigLedger's own code: ``open_database``
(its migrations), ``append_items`` (items, the ``resources`` projection and the outbox,
as PutResourceConfig writes them), the advanced-query projection's catch-up,
``save_aggregator`` and ``insert_authorization``.
Layout: ``--accounts`` source accounts x 2 regions x ``--per-partition`` custom resources
of 2 types, every source authorizing the hub in both regions; the hub's aggregator names
them all. A second aggregator names 10,000 accounts with AllAwsRegions (only a few
authorized), for the sources-status listing at AWS's maximum.

Then one client calls, interleaved: a ListAggregateDiscoveredResources first page and a
page from the middle (Limit 100), GetAggregateResourceConfig and a 100-key
BatchGetAggregateResourceConfig at random resources, GetAggregateDiscoveredResourceCounts
grouped by account, and the first page of DescribeConfigurationAggregatorSourcesStatus of
the 10,000-account aggregator; DescribeRetentionConfigurations is the floor of boto3 +
HTTP. It prints p50/p95/p99 per call. There is no AWS target for these: the figures are
for comparison between changes.

Run: .venv/bin/python bench/aggregation.py [--db sqlite|postgresql|both] [--accounts 100]
[--per-partition 500] [--calls 300]
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _harness import (
    CpuWatch,
    ServerProcess,
    config_client,
    drop_postgres_schema,
    fresh_postgres_url,
    machine_line,
    percentile,
    postgres_available,
)
from configledger.history.items import ConfigurationItem, ItemStatus, ResourceKey
from configledger.query.projection import QueryProjection
from configledger.store import aggregators as aggregator_store
from configledger.store.aggregators import Aggregator, Authorization
from configledger.store.database import open_database
from configledger.store.items import Append, append_items

HUB = "999999999999"
REGIONS = ("us-east-1", "eu-west-1")
TYPES = ("MyCompany::Build::Agent", "MyCompany::Build::Queue")
BATCH = 5_000


def _sources(count: int) -> list[str]:
    return [str(100_000_000_001 + n) for n in range(count)]


def load(url: str, accounts: list[str], per_partition: int) -> float:
    """Write the estate; the seconds it took."""
    started = time.perf_counter()
    database = open_database(url)
    now = int(time.time() * 1000)
    batch: list[Append] = []

    def flush() -> None:
        with database.write() as conn:
            append_items(conn, batch, now_ms=now)
        batch.clear()

    for account in accounts:
        for region in REGIONS:
            for n in range(per_partition):
                resource_type = TYPES[n % 2]
                resource_id = f"r-{n:06d}"
                item = ConfigurationItem(
                    account_id=account,
                    aws_region=region,
                    resource_type=resource_type,
                    resource_id=resource_id,
                    capture_ms=now,
                    state_id=now,
                    status=ItemStatus.RESOURCE_DISCOVERED,
                    configuration=f'{{"n": {n}, "account": "{account}"}}',
                    resource_name=f"name {n}",
                )
                key = ResourceKey(account, region, resource_type, resource_id)
                batch.append(Append(key, item, None, custom=True))
                if len(batch) >= BATCH:
                    flush()
    if batch:
        flush()
    QueryProjection(database).catch_up()  # as the server's background loop would
    with database.write() as conn:
        aggregator_store.save_aggregator(
            conn,
            Aggregator(
                HUB,
                REGIONS[0],
                "all",
                f"arn:aws:config:{REGIONS[0]}:{HUB}:config-aggregator/config-aggregator-benchall",
                tuple(accounts),
                False,
                REGIONS,
                None,
                now,
                now,
            ),
            exists=False,
        )
        many = _sources(10_000)
        aggregator_store.save_aggregator(
            conn,
            Aggregator(
                HUB,
                REGIONS[0],
                "many",
                f"arn:aws:config:{REGIONS[0]}:{HUB}:config-aggregator/config-aggregator-benchmny",
                tuple(many),
                True,
                (),
                None,
                now,
                now,
            ),
            exists=False,
        )
        for account in accounts:
            for region in REGIONS:
                aggregator_store.insert_authorization(
                    conn,
                    Authorization(
                        account,
                        region,
                        HUB,
                        REGIONS[0],
                        f"arn:aws:config:{region}:{account}:aggregation-authorization/"
                        f"{HUB}/{REGIONS[0]}",
                        now,
                    ),
                )
    database.dispose()
    return time.perf_counter() - started


def measure(
    url: str, accounts: list[str], per_partition: int, calls: int
) -> dict[str, list[float]]:
    client = config_client(url, HUB)
    rng = random.Random(1)
    # A token from the middle of the whole listing: page through to it once.
    agents = len(accounts) * len(REGIONS) * ((per_partition + 1) // 2)
    token = None
    for _ in range(max(1, agents // 200)):
        page = client.list_aggregate_discovered_resources(
            ConfigurationAggregatorName="all",
            ResourceType=TYPES[0],
            Limit=100,
            **({"NextToken": token} if token else {}),
        )
        token = page["NextToken"]

    def ident() -> dict[str, str]:
        n = rng.randrange(per_partition)
        return {
            "SourceAccountId": rng.choice(accounts),
            "SourceRegion": rng.choice(REGIONS),
            "ResourceId": f"r-{n:06d}",
            "ResourceType": TYPES[n % 2],
        }

    kinds: dict[str, Callable[[], Any]] = {
        "DescribeRetentionConfigurations (floor)": client.describe_retention_configurations,
        "ListAggregateDiscoveredResources first page": lambda: (
            client.list_aggregate_discovered_resources(
                ConfigurationAggregatorName="all", ResourceType=TYPES[0], Limit=100
            )
        ),
        "ListAggregateDiscoveredResources middle page": lambda: (
            client.list_aggregate_discovered_resources(
                ConfigurationAggregatorName="all", ResourceType=TYPES[0], Limit=100, NextToken=token
            )
        ),
        "GetAggregateResourceConfig": lambda: client.get_aggregate_resource_config(
            ConfigurationAggregatorName="all", ResourceIdentifier=ident()
        ),
        "BatchGetAggregateResourceConfig (100 keys)": lambda: (
            client.batch_get_aggregate_resource_config(
                ConfigurationAggregatorName="all", ResourceIdentifiers=[ident() for _ in range(100)]
            )
        ),
        "GetAggregateDiscoveredResourceCounts by account": lambda: (
            client.get_aggregate_discovered_resource_counts(
                ConfigurationAggregatorName="all", GroupByKey="ACCOUNT_ID"
            )
        ),
        "SourcesStatus, 10,000 accounts x all regions": lambda: (
            client.describe_configuration_aggregator_sources_status(
                ConfigurationAggregatorName="many", Limit=100
            )
        ),
    }
    series: dict[str, list[float]] = {name: [] for name in kinds}
    for call in kinds.values():  # warm up
        for _ in range(5):
            call()
    for _ in range(calls):
        for name, call in kinds.items():
            start = time.perf_counter()
            call()
            series[name].append((time.perf_counter() - start) * 1000)
    return series


def run(backend: str, args: argparse.Namespace) -> None:
    accounts = _sources(args.accounts)
    resources = len(accounts) * len(REGIONS) * args.per_partition
    print(
        f"\n=== {backend}: {len(accounts)} accounts x {len(REGIONS)} regions, "
        f"{resources:,} resources ===",
        flush=True,
    )
    tmpdir = None
    if backend == "sqlite":
        tmpdir = tempfile.mkdtemp(prefix="configledger-aggregation-")
        url = f"sqlite:///{Path(tmpdir) / 'configledger.db'}"
    else:
        if not postgres_available():
            print("  PostgreSQL not reachable: skipped")
            return
        url = fresh_postgres_url("cl_bench_agg")
    try:
        seconds = load(url, accounts, args.per_partition)
        print(f"  load: {seconds:.1f} s", flush=True)
        with ServerProcess(url, start_timeout=120) as server:
            watch = CpuWatch(server, postgres=backend == "postgresql")
            series = measure(server.url, accounts, args.per_partition, args.calls)
            cpu = watch.stop()
        print("  " + cpu.replace("\n", "\n  "))
        header = f"  {'call':<50} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
        print(header)
        print("  " + "-" * (len(header) - 2))
        for name, values in series.items():
            values.sort()
            print(
                f"  {name:<50} {len(values):>5} {percentile(values, 0.5):>8.2f} "
                f"{percentile(values, 0.95):>8.2f} {percentile(values, 0.99):>8.2f}"
            )
    finally:
        if tmpdir is not None:
            shutil.rmtree(tmpdir, ignore_errors=True)
        else:
            drop_postgres_schema(url)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--accounts", type=int, default=100)
    parser.add_argument("--per-partition", type=int, default=500)
    parser.add_argument("--calls", type=int, default=300, help="measured calls of each kind")
    args = parser.parse_args()
    print("ConfigLedger aggregate read latency benchmark")
    print(machine_line())
    for backend in ("sqlite", "postgresql") if args.db == "both" else (args.db,):
        run(backend, args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
