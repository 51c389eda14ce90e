"""A snapshot of 100,000 items streams from the store through gzip into a multipart
upload: the file in S3 is bigger, compressed, than anything the process holds at once.

The items are written with the store's own append path (as the recorder writes them)
and carry hard-to-compress configurations, so the gzipped file runs to tens of MB. S3 is
a separate moto server (``--source aws``), whose memory is its own; Python's allocations
in this process, server and test together, are traced while the snapshot is delivered.
The snapshot is asked for with ``configledger deliver-snapshot`` on a pseudo-terminal,
whose progress bar must count through it.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import pty
import re
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

import configledger
from configledger.history.items import ConfigurationItem, ItemStatus, ResourceKey
from configledger.store import deliveries, outbox
from configledger.store.database import open_database
from configledger.store.items import Append, append_items
from configledger.store.schema import outbox as outbox_table
from tests.conftest import LiveServer, start_server
from tests.delivery.conftest import QUIET_GROUP, fake_aws_client

ACCOUNT = "123456789012"  # moto's account for any credentials
REGION = "us-east-1"
TYPE = "Delivery::Large::Thing"
ITEMS = 100_000
BUCKET = "large-snapshots"
# Most Python memory the delivery may hold at once, well under the compressed file.
# (About 20 MiB are seen; the rest is room for other servers sharing a test process.)
PEAK_LIMIT = 48 * 1024 * 1024
CONSUMERS = ("delivery", "rules", "lambda-rules", "remediation", "recorder")


def _configuration(index: int) -> str:
    noise = "".join(hashlib.sha256(f"{index}/{n}".encode()).hexdigest() for n in range(16))
    return orjson.dumps({"index": index, "noise": noise}).decode()


def _load(db_url: str) -> None:
    """100,000 current items of one partition, through the store's append path; the
    consumers of their outbox events are moved past them (this measures the snapshot)."""
    database = open_database(db_url)
    now = int(time.time() * 1000) - ITEMS
    batch: list[Append] = []
    for index in range(ITEMS):
        key = ResourceKey(ACCOUNT, REGION, TYPE, f"thing-{index:06d}")
        item = ConfigurationItem(
            account_id=ACCOUNT, aws_region=REGION, resource_type=TYPE,
            resource_id=key.resource_id, capture_ms=now + index, state_id=now + index,
            status=ItemStatus.RESOURCE_DISCOVERED, configuration=_configuration(index),
        )  # fmt: skip
        batch.append(Append(key, item, None, custom=True))
        if len(batch) == 5_000:
            with database.write() as conn:
                append_items(conn, batch, now_ms=now)
            batch = []
    with database.write() as conn:
        last = conn.execute(
            outbox_table.select()
            .with_only_columns(outbox_table.c.seq)
            .order_by(outbox_table.c.seq.desc())
            .limit(1)
        ).scalar_one()
        for consumer in CONSUMERS:
            outbox.advance(conn, consumer, int(last))
    database.dispose()


@pytest.fixture
def loaded(fake_aws: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveServer]:
    for name, value in (
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_DEFAULT_REGION", REGION),
    ):
        monkeypatch.setenv(name, value)
    db_url = f"sqlite:///{tmp_path / 'store.db'}"
    _load(db_url)
    server = start_server(
        db_url,
        source="aws",
        aws_endpoint_url=fake_aws,
        assume_role=False,
        sweep_interval=0,
        cloudtrail_poll_interval=0,
        delivery_channel_checks=True,
    )
    yield server
    server.stop()


def _deliver_snapshot_in_a_terminal(server: LiveServer) -> str:
    """Run ``configledger deliver-snapshot`` on a pseudo-terminal (so the progress bar
    redraws as it would on a screen); what it showed, escape sequences removed."""
    source = str(Path(configledger.__file__).parent.parent)
    env = {
        **os.environ,
        "PYTHONPATH": source + os.pathsep + os.environ.get("PYTHONPATH", ""),
        "TERM": "xterm-256color",
        "COLUMNS": "120",
        "LINES": "40",
    }
    primary, secondary = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "configledger.cli.main", "deliver-snapshot",
         "--account", ACCOUNT, "--endpoint-url", server.url, "--db", server.db_url,
         "--timeout", "300"],
        stdin=secondary, stdout=secondary, stderr=secondary, env=env, close_fds=True,
    )  # fmt: skip
    os.close(secondary)
    output = bytearray()
    while True:
        try:
            chunk = os.read(primary, 65_536)
        except OSError:  # the terminal closes when the command exits
            break
        if not chunk:
            break
        output += chunk
    os.close(primary)
    assert process.wait(timeout=60) == 0, output.decode(errors="replace")
    text = output.decode(errors="replace").replace("\r", "\n")
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)


def test_a_100000_item_snapshot_streams_through_gzip_multipart(
    fake_aws: str, loaded: LiveServer
) -> None:
    s3 = fake_aws_client("s3", fake_aws)
    s3.create_bucket(Bucket=BUCKET)
    config = fake_aws_client("config", loaded.url, ACCOUNT)
    config.put_configuration_recorder(
        ConfigurationRecorder={
            "name": "default",
            "roleARN": f"arn:aws:iam::{ACCOUNT}:role/config",
            "recordingGroup": QUIET_GROUP,
        }
    )
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": BUCKET})
    config.start_configuration_recorder(ConfigurationRecorderName="default")
    database = loaded.app.runtime.database
    # The sweep that starting asks for builds boto3 clients (tens of MB of service models)
    # on its own threads: it is done before the measurement starts.
    deadline = time.monotonic() + 120
    while (
        config.describe_configuration_recorder_status()["ConfigurationRecordersStatus"][0][
            "lastStatus"
        ]
        == "PENDING"
    ):
        assert time.monotonic() < deadline, "the recorder's first sweep did not end"
        time.sleep(0.1)

    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before, _ = tracemalloc.get_traced_memory()
        # Asked for as a person would: `configledger deliver-snapshot`, in a terminal.
        screen = _deliver_snapshot_in_a_terminal(loaded)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    [snapshot_id] = re.findall(r"Snapshot ([0-9a-f-]{36}) requested", screen)
    with database.read() as conn:
        snap = deliveries.snapshot(conn, ACCOUNT, REGION, snapshot_id)
    assert snap is not None
    assert snap.state == "completed", snap
    # The sweep's inventory of the fake AWS (a few resources outside the recording group)
    # is in the partition too.
    assert snap.s3_key is not None and snap.total_items is not None
    assert ITEMS <= snap.total_items < ITEMS + 100
    assert snap.written_items == snap.total_items

    # The progress bar moved through the snapshot: counts on the way, then the total.
    shown = [int(n) for n, total in re.findall(r"(\d+)/(\d+) items", screen)]
    assert shown == sorted(shown) and shown[-1] == snap.total_items
    assert len({n for n in shown if 0 < n < snap.total_items}) >= 2, shown
    assert f"Delivered {snap.total_items} items to s3 key" in screen

    head = s3.head_object(Bucket=BUCKET, Key=snap.s3_key)
    parts = int(head["ETag"].strip('"').rsplit("-", 1)[1])  # a multipart object's ETag
    assert parts >= 3
    assert head["ContentLength"] > PEAK_LIMIT  # bigger than anything held at once
    growth = peak - before
    assert growth < PEAK_LIMIT, f"traced Python memory grew by {growth / 2**20:.1f} MiB"

    raw = gzip.decompress(s3.get_object(Bucket=BUCKET, Key=snap.s3_key)["Body"].read())
    assert len(raw) > 2 * PEAK_LIMIT
    content: dict[str, Any] = orjson.loads(raw)
    assert content["configSnapshotId"] == snapshot_id
    assert len(content["configurationItems"]) == snap.total_items
    items = [i for i in content["configurationItems"] if i["resourceType"] == TYPE]
    assert [i["resourceId"] for i in items] == [f"thing-{n:06d}" for n in range(ITEMS)]
    for index in (0, 4_999, 5_000, 77_777, ITEMS - 1):
        assert items[index]["configuration"] == orjson.loads(_configuration(index))
        assert items[index]["configurationItemStatus"] == "ResourceDiscovered"
