"""Delivery state: the per-partition queue, the status of each kind of delivery, and
the snapshots asked for.

The queue is filled from the outbox in the transaction that advances the delivery
cursor, and a row leaves it only after what it stands for was delivered; the status
rows carry what DescribeDeliveryChannelStatus reports and the retry schedule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, and_, delete, func, insert, select, update

from configledger.store.schema import (
    configuration_items,
    delivery_channels,
    delivery_queue,
    delivery_snapshots,
    delivery_status,
)

STREAM = "stream"
HISTORY = "history"
SNAPSHOT = "snapshot"

SUCCESS = "SUCCESS"
FAILURE = "FAILURE"
NOT_APPLICABLE = "NOT_APPLICABLE"


@dataclass(frozen=True, slots=True)
class Queued:
    seq: int
    account_id: str
    region: str
    kind: str
    topic: str
    subject_seq: int | None
    payload: dict[str, Any]
    created_ms: int


@dataclass(frozen=True, slots=True)
class Channel:
    account_id: str
    region: str
    document: dict[str, Any]
    created_ms: int = 0

    @property
    def name(self) -> str:
        return str(self.document["name"])

    @property
    def bucket(self) -> str:
        return str(self.document["s3BucketName"])

    @property
    def prefix(self) -> str | None:
        return self.document.get("s3KeyPrefix")

    @property
    def topic_arn(self) -> str | None:
        return self.document.get("snsTopicARN")

    @property
    def kms_key(self) -> str | None:
        return self.document.get("s3KmsKeyArn")

    @property
    def frequency(self) -> str | None:
        return (self.document.get("configSnapshotDeliveryProperties") or {}).get(
            "deliveryFrequency"
        )


def all_channels(conn: Connection) -> dict[tuple[str, str], Channel]:
    c = delivery_channels.c
    rows = conn.execute(select(c.account_id, c.region, c.document, c.created_ms))
    return {(a, r): Channel(a, r, orjson.loads(d), int(m)) for a, r, d, m in rows}


def enqueue(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert(delivery_queue), list(rows))


def pending_partitions(conn: Connection, kind: str) -> list[tuple[str, str]]:
    q = delivery_queue.c
    rows = conn.execute(
        select(q.account_id, q.region).where(q.kind == kind).group_by(q.account_id, q.region)
    )
    return [(a, r) for a, r in rows]


def _queued(row: Any) -> Queued:
    return Queued(
        seq=row.seq,
        account_id=row.account_id,
        region=row.region,
        kind=row.kind,
        topic=row.topic,
        subject_seq=row.subject_seq,
        payload=orjson.loads(row.payload),
        created_ms=row.created_ms,
    )


def queued(
    conn: Connection,
    account_id: str,
    region: str,
    kind: str,
    *,
    limit: int,
    upto: int | None = None,
    after: int = 0,
) -> list[Queued]:
    q = delivery_queue.c
    query = select(delivery_queue).where(
        q.account_id == account_id, q.region == region, q.kind == kind, q.seq > after
    )
    if upto is not None:
        query = query.where(q.seq <= upto)
    return [_queued(r) for r in conn.execute(query.order_by(q.seq).limit(limit))]


def last_queued(conn: Connection, account_id: str, region: str, kind: str) -> int | None:
    q = delivery_queue.c
    found = conn.execute(
        select(func.max(q.seq)).where(
            q.account_id == account_id, q.region == region, q.kind == kind
        )
    ).scalar()
    return int(found) if found is not None else None


def oldest_queued_ms(conn: Connection, account_id: str, region: str, kind: str) -> int | None:
    """When the partition's oldest row of ``kind`` was queued."""
    q = delivery_queue.c
    found = conn.execute(
        select(q.created_ms)
        .where(q.account_id == account_id, q.region == region, q.kind == kind)
        .order_by(q.seq)
        .limit(1)
    ).scalar()
    return int(found) if found is not None else None


def queued_items(
    conn: Connection, account_id: str, region: str, *, upto: int, after: int, limit: int
) -> list[tuple[int, bytes]]:
    """(queue seq, item document) of the history rows of a partition, in order."""
    q = delivery_queue.c
    ci = configuration_items.c
    rows = conn.execute(
        select(q.seq, ci.document)
        .join(configuration_items, ci.seq == q.subject_seq)
        .where(
            q.account_id == account_id,
            q.region == region,
            q.kind == HISTORY,
            q.seq > after,
            q.seq <= upto,
        )
        .order_by(q.seq)
        .limit(limit)
    )
    return [(int(s), bytes(d)) for s, d in rows]


def dequeue(conn: Connection, seqs: Sequence[int]) -> None:
    if seqs:
        conn.execute(delete(delivery_queue).where(delivery_queue.c.seq.in_(list(seqs))))


def dequeue_upto(conn: Connection, account_id: str, region: str, kind: str, upto: int) -> None:
    q = delivery_queue.c
    conn.execute(
        delete(delivery_queue).where(
            q.account_id == account_id, q.region == region, q.kind == kind, q.seq <= upto
        )
    )


def items_with_diffs(conn: Connection, seqs: Sequence[int]) -> dict[int, tuple[bytes, Any]]:
    """Item documents and stored diffs by item seq, in one query."""
    if not seqs:
        return {}
    ci = configuration_items.c
    rows = conn.execute(select(ci.seq, ci.document, ci.diff).where(ci.seq.in_(list(seqs))))
    return {int(s): (bytes(d), orjson.loads(f) if f is not None else None) for s, d, f in rows}


# -- status -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Status:
    kind: str
    last_status: str | None = None
    last_error_code: str | None = None
    last_error_message: str | None = None
    last_attempt_ms: int | None = None
    last_success_ms: int | None = None
    last_status_change_ms: int | None = None
    next_delivery_ms: int | None = None
    failures: int = 0
    retry_at_ms: int | None = None
    plan: dict[str, Any] | None = None


def _where(account_id: str, region: str, kind: str) -> Any:
    s = delivery_status.c
    return and_(s.account_id == account_id, s.region == region, s.kind == kind)


def status(conn: Connection, account_id: str, region: str, kind: str) -> Status:
    row = conn.execute(select(delivery_status).where(_where(account_id, region, kind))).first()
    if row is None:
        return Status(kind)
    return Status(
        kind=kind,
        last_status=row.last_status,
        last_error_code=row.last_error_code,
        last_error_message=row.last_error_message,
        last_attempt_ms=row.last_attempt_ms,
        last_success_ms=row.last_success_ms,
        last_status_change_ms=row.last_status_change_ms,
        next_delivery_ms=row.next_delivery_ms,
        failures=row.failures,
        retry_at_ms=row.retry_at_ms,
        plan=orjson.loads(row.plan) if row.plan else None,
    )


def statuses(conn: Connection, account_id: str, region: str) -> dict[str, Status]:
    return {k: status(conn, account_id, region, k) for k in (HISTORY, SNAPSHOT, STREAM)}


def update_status(conn: Connection, account_id: str, region: str, kind: str, **values: Any) -> None:
    if "plan" in values:
        plan = values["plan"]
        values["plan"] = orjson.dumps(plan).decode() if plan is not None else None
    where = _where(account_id, region, kind)
    if conn.execute(update(delivery_status).where(where).values(**values)).rowcount == 0:
        values.setdefault("failures", 0)
        conn.execute(
            insert(delivery_status).values(
                account_id=account_id, region=region, kind=kind, **values
            )
        )


def forget_partition(conn: Connection, account_id: str, region: str) -> None:
    """A deleted channel owes nothing more: its queue, status and snapshots go with it."""
    for table in (delivery_queue, delivery_status, delivery_snapshots):
        conn.execute(
            delete(table).where(table.c.account_id == account_id, table.c.region == region)
        )


# -- snapshots ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Snapshot:
    account_id: str
    region: str
    snapshot_id: str
    requested_ms: int
    state: str
    s3_key: str | None
    total_items: int | None
    written_items: int | None
    error_code: str | None
    error_message: str | None


def request_snapshot(
    conn: Connection, account_id: str, region: str, snapshot_id: str, now_ms: int
) -> None:
    conn.execute(
        insert(delivery_snapshots).values(
            account_id=account_id,
            region=region,
            snapshot_id=snapshot_id,
            requested_ms=now_ms,
            state="pending",
        )
    )


def _snapshot(row: Any) -> Snapshot:
    return Snapshot(
        account_id=row.account_id,
        region=row.region,
        snapshot_id=row.snapshot_id,
        requested_ms=row.requested_ms,
        state=row.state,
        s3_key=row.s3_key,
        total_items=row.total_items,
        written_items=row.written_items,
        error_code=row.error_code,
        error_message=row.error_message,
    )


def unfinished_snapshots(conn: Connection) -> list[Snapshot]:
    s = delivery_snapshots.c
    rows = conn.execute(
        select(delivery_snapshots)
        .where(s.state.in_(("pending", "started")))
        .order_by(s.requested_ms, s.snapshot_id)
    )
    return [_snapshot(r) for r in rows]


def snapshot(conn: Connection, account_id: str, region: str, snapshot_id: str) -> Snapshot | None:
    s = delivery_snapshots.c
    row = conn.execute(
        select(delivery_snapshots).where(
            s.account_id == account_id, s.region == region, s.snapshot_id == snapshot_id
        )
    ).first()
    return _snapshot(row) if row is not None else None


def update_snapshot(
    conn: Connection, account_id: str, region: str, snapshot_id: str, **values: Any
) -> None:
    s = delivery_snapshots.c
    conn.execute(
        update(delivery_snapshots)
        .where(s.account_id == account_id, s.region == region, s.snapshot_id == snapshot_id)
        .values(**values)
    )
