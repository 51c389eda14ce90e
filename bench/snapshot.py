"""A 100,000-item configuration snapshot delivered to the sandbox's S3.

Loads the items straight into a fresh SQLite store through ConfigLedger's own append
path (~2 KB configurations, as the recorder writes them), marks them already streamed
(the delivery cursor is set past their outbox events: this measures the snapshot, not
the stream), starts ``configledger serve`` on that store, calls DeliverConfigSnapshot and
waits until the worker reports the snapshot completed.

Prints: items/s of the snapshot; the server's peak RSS growth during it (VmHWM after
``clear_refs`` minus VmRSS before); and, measured in the same run, the raw rate of
gzip-compressing the same JSON lines (level 6, as the delivery writes) in one process,
with the ratio of the two. Targets: RSS growth < 150 MB, ratio >= 0.60.

Run: ``.venv/bin/python bench/snapshot.py`` (``--items``, ``--keep``).
"""

from __future__ import annotations

import argparse
import tempfile
import time
import zlib
from pathlib import Path
from typing import Any

import boto3
import orjson
from botocore.config import Config as BotoConfig

from _harness import REGION, ServerProcess, config_client
from configledger.history.items import ConfigurationItem, ItemStatus, ResourceKey
from configledger.store import deliveries, outbox
from configledger.store.database import open_database
from configledger.store.items import Append, append_items
from configledger.store.schema import configuration_items
from configledger.store.schema import outbox as outbox_table

ACCOUNT = "123456789012"
TYPE = "Bench::Snapshot::Thing"


def _configuration(index: int) -> str:
    rules = [
        {"port": 1000 + (index + j) % 5000, "cidr": f"10.{j}.{index % 256}.0/24"} for j in range(24)
    ]
    return orjson.dumps({"id": f"thing-{index:06d}", "owner": "bench", "rules": rules}).decode()


def load(db_url: str, count: int) -> None:
    database = open_database(db_url)
    now = int(time.time() * 1000) - count
    batch: list[Append] = []
    for index in range(count):
        key = ResourceKey(ACCOUNT, REGION, TYPE, f"thing-{index:06d}")
        item = ConfigurationItem(
            account_id=ACCOUNT, aws_region=REGION, resource_type=TYPE, resource_id=key.resource_id,
            capture_ms=now + index, state_id=now + index, status=ItemStatus.RESOURCE_DISCOVERED,
            configuration=_configuration(index), resource_name=key.resource_id,
            tags={"team": "bench"},
        )  # fmt: skip
        batch.append(Append(key, item, None, custom=True))
        if len(batch) == 5_000:
            with database.write() as conn:
                append_items(conn, batch, now_ms=now)
            batch = []
    if batch:
        with database.write() as conn:
            append_items(conn, batch, now_ms=now)
    with database.write() as conn:
        last = conn.execute(outbox_table.select().with_only_columns(outbox_table.c.seq).order_by(
            outbox_table.c.seq.desc()).limit(1)).scalar_one()  # fmt: skip
        outbox.advance(conn, "delivery", int(last))
    database.dispose()


def raw_gzip_rate(db_url: str) -> tuple[float, int, int]:
    """(items/s, raw bytes, items) of gzip level 6 over the stream-form JSON lines."""
    database = open_database(db_url, migrate=False)
    with database.read() as conn:
        lines = [
            orjson.dumps(ConfigurationItem.from_record(row[0]).to_stream())
            for row in conn.execute(configuration_items.select().with_only_columns(
                configuration_items.c.document))
        ]  # fmt: skip
    database.dispose()
    raw = sum(len(line) for line in lines)
    best = float("inf")
    for _ in range(2):
        start = time.perf_counter()
        packer = zlib.compressobj(6, zlib.DEFLATED, 31)
        chunk: list[bytes] = []
        size = 0
        for line in lines:
            chunk.append(line)
            size += len(line)
            if size >= 256 * 1024:
                packer.compress(b",".join(chunk))
                chunk, size = [], 0
        packer.compress(b",".join(chunk))
        packer.flush()
        best = min(best, time.perf_counter() - start)
    return len(lines) / best, raw, len(lines)


def sandbox_client(url: str, service: str, account: str) -> Any:
    return boto3.client(
        service, endpoint_url=url, region_name=REGION, aws_access_key_id=account,
        aws_secret_access_key="test", config=BotoConfig(s3={"addressing_style": "path"}),
    )  # fmt: skip


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the store")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="configledger-bench-snapshot-"))
    db_url = f"sqlite:///{workdir / 'store.db'}"
    started = time.perf_counter()
    load(db_url, args.items)
    print(f"loaded {args.items:,} items in {time.perf_counter() - started:.1f} s")

    with ServerProcess(db_url) as server:
        s3 = sandbox_client(server.url, "s3", ACCOUNT)
        s3.create_bucket(Bucket="bench-snapshots")
        config = config_client(server.url, ACCOUNT)
        config.put_configuration_recorder(ConfigurationRecorder={
            "name": "default", "roleARN": f"arn:aws:iam::{ACCOUNT}:role/config",
            "recordingGroup": {"allSupported": False, "resourceTypes": ["AWS::Lambda::Function"]},
        })  # fmt: skip
        config.put_delivery_channel(
            DeliveryChannel={"name": "default", "s3BucketName": "bench-snapshots"}
        )
        config.start_configuration_recorder(ConfigurationRecorderName="default")
        server.wait_idle()
        rss_before = _status_kb(server.pid, "VmRSS")
        Path(f"/proc/{server.pid}/clear_refs").write_text("5")  # resets VmHWM
        database = open_database(db_url, migrate=False)
        start = time.perf_counter()
        snapshot_id = config.deliver_config_snapshot(deliveryChannelName="default")[
            "configSnapshotId"
        ]
        while True:
            with database.read() as conn:
                snap = deliveries.snapshot(conn, ACCOUNT, REGION, snapshot_id)
            if snap is not None and snap.state == "completed":
                break
            time.sleep(0.02)
        elapsed = time.perf_counter() - start
        peak = _status_kb(server.pid, "VmHWM")
        database.dispose()
        size = s3.head_object(Bucket="bench-snapshots", Key=snap.s3_key)["ContentLength"]
        assert snap.total_items is not None and snap.total_items >= args.items, snap
        delivered = snap.total_items  # the sandbox's own few resources are recorded too

    rate = delivered / elapsed
    raw_rate, raw_bytes, lines = raw_gzip_rate(db_url)
    growth_mb = (peak - rss_before) / 1024
    ratio = rate / raw_rate
    print(f"snapshot: {delivered:,} items in {elapsed:.2f} s = {rate:,.0f} items/s; "
          f"{raw_bytes / 1e6:.0f} MB of JSON -> {size / 1e6:.1f} MB gzip (multipart)")  # fmt: skip
    print(f"server RSS: {rss_before / 1024:.0f} MB before, peak growth {growth_mb:.0f} MB "
          f"(target < 150 MB: {'PASS' if growth_mb < 150 else 'FAIL'})")  # fmt: skip
    print(f"raw gzip level 6 of the same {lines:,} JSON lines in one process: {raw_rate:,.0f} "
          f"items/s ({raw_bytes / 1e6 / (lines / raw_rate):.0f} MB/s)")  # fmt: skip
    print(f"ratio snapshot / raw gzip: {ratio:.2f} (target >= 0.60: "
          f"{'PASS' if ratio >= 0.6 else 'FAIL'})")  # fmt: skip
    if not args.keep:
        for path in workdir.iterdir():
            path.unlink()
        workdir.rmdir()


if __name__ == "__main__":
    main()
