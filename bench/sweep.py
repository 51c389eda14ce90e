"""Discovery sweep rate over sandbox resources, against the bare describe calls.

Creates N resources (default 5,000) across ten sandbox resource types in one account,
then, in one run:

1. describe: every registered type's ``fetch`` (the recorder's own boto3 calls, paging
   included) against the server's sandbox, without recording — the floor;
2. sweep: StartConfigurationRecorder, timed until the recorder reports its first sweep
   done (lastStatus leaves PENDING) — describe + transform + diff + store;
3. store path: ``history.reconcile`` alone on synthetic listings of 2 KB items into a
   fresh SQLite file (the describe calls taken out entirely).

Targets (issue 3): recording overhead under 30% of the describe time; store path at
least 20,000 items/s into SQLite.

    .venv/bin/python bench/sweep.py [--resources 5000]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
import orjson
from botocore.config import Config as BotoConfig

from _harness import REGION, ServerProcess, config_client, machine_line
from configledger.history.reconcile import Listed, Listing, reconcile
from configledger.recorder.resource_types import REGISTRY
from configledger.recorder.types import Scope
from configledger.store.database import open_database

ACCOUNT = "555555555555"


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


def store_path(items: int) -> float:
    with tempfile.TemporaryDirectory() as folder:
        database = open_database(f"sqlite:///{Path(folder) / 'store.db'}")
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
        start = time.perf_counter()
        outcomes = reconcile(database, ACCOUNT, REGION, listings, now_ms=1_700_000_000_000)
        elapsed = time.perf_counter() - start
        assert sum(o.discovered for o in outcomes.values()) == per_type * 10
        database.dispose()
    return per_type * 10 / elapsed


def main() -> None:
    # The bench names a channel bucket it never creates: no bucket check (delivery is not measured).
    os.environ.setdefault("CONFIGLEDGER_DELIVERY_CHANNEL_CHECKS", "0")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=5000)
    parser.add_argument("--store-items", type=int, default=50_000)
    args = parser.parse_args()
    print(machine_line())
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
    rate = store_path(args.store_items)
    verdict = "PASS" if rate >= 20_000 else "FAIL"
    print(f"store path (reconcile, 2 KB items, SQLite): {rate:,.0f} items/s")
    print(f"target >= 20,000 items/s: {verdict}")


if __name__ == "__main__":
    main()
