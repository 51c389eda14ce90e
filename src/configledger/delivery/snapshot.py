"""Configuration snapshots: every current item of a partition in one file (spec 6.4, 6.5).

The items are read with one streaming query and written through gzip into a multipart
upload, so memory stays bounded by a few parts whatever the partition's size. The key is
fixed by the snapshot's id and request time: a retried snapshot replaces the object.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import orjson
from sqlalchemy import func, select

from configledger.delivery.keys import Layout
from configledger.delivery.render import stream_json
from configledger.delivery.s3 import write_gzip_stream
from configledger.store import deliveries
from configledger.store.database import Database
from configledger.store.schema import configuration_items, resources

PROGRESS_EVERY = 5_000
SNAPSHOT_CACHE_KB = 4_096


def count_items(database: Database, account_id: str, region: str) -> int:
    r = resources.c
    with database.read() as conn:
        return int(
            conn.execute(
                select(func.count()).where(
                    r.account_id == account_id, r.region == region, r.deleted_ms.is_(None)
                )
            ).scalar_one()
        )


def _fragments(
    database: Database,
    account_id: str,
    region: str,
    snapshot_id: str,
    progress: Callable[[int], None],
) -> Iterator[bytes]:
    r, ci = resources.c, configuration_items.c
    head = {"fileVersion": "1.0", "configSnapshotId": snapshot_id}
    yield orjson.dumps(head)[:-1] + b',"configurationItems":['
    query = (
        select(ci.document)
        .select_from(resources.join(configuration_items, ci.seq == r.item_seq))
        .where(r.account_id == account_id, r.region == region, r.deleted_ms.is_(None))
        .order_by(r.resource_type, r.resource_id)
    )
    count = 0
    with database.read() as conn:
        cache_before = (
            conn.exec_driver_sql("PRAGMA cache_size").scalar() if database.is_sqlite else None
        )
        if database.is_sqlite:
            # One pass over every item: a small page cache, not the pooled connection's
            # 64 MB, keeps the server's memory flat (restored before the connection is
            # handed back).
            conn.exec_driver_sql(f"PRAGMA cache_size=-{SNAPSHOT_CACHE_KB}")
        try:
            result = conn.execution_options(stream_results=True, yield_per=1_000).execute(query)
            for (document,) in result:
                yield (b"," if count else b"") + stream_json(document)
                count += 1
                if count % PROGRESS_EVERY == 0:
                    progress(count)
        finally:
            if database.is_sqlite:
                conn.exec_driver_sql(f"PRAGMA cache_size={cache_before}")
    progress(count)
    yield b"]}"


def deliver(
    database: Database,
    channel: deliveries.Channel,
    snap: deliveries.Snapshot,
    *,
    s3: Any,
    progress: Callable[[int], None],
) -> str:
    """Write the snapshot file; its key."""
    layout = Layout(channel.account_id, channel.region, channel.prefix)
    key = layout.snapshot(snap.snapshot_id, snap.requested_ms)
    fragments = _fragments(database, channel.account_id, channel.region, snap.snapshot_id, progress)
    write_gzip_stream(s3, channel.bucket, key, fragments, channel.kms_key)
    return key
