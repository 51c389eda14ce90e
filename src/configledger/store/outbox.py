"""The outbox: events written in the same transaction as the change they announce.

Schema of an event (table ``outbox``):

    seq          strictly increasing; consumers read in this order
    account_id   the partition the event belongs to
    region
    topic        what happened: ``ConfigurationItemRecorded``,
                 ``ConfigurationRecorderStarted``, ``CloudTrailEventRecorded``
    subject_seq  the row it is about (``configuration_items.seq`` for items)
    payload      orjson; for ConfigurationItemRecorded:
                 {resourceType, resourceId, configurationItemStatus,
                  configurationStateId, previousItemSeq}
    created_ms   when it was written

Each consumer (delivery, rules, ...) owns a cursor in ``outbox_cursors``: it reads a
batch after its cursor, does its idempotent work, and advances the cursor. A crash
before the advance replays the batch; nothing committed is ever skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, insert, select, update

from configledger.store.schema import outbox, outbox_cursors


@dataclass(frozen=True, slots=True)
class OutboxEvent:
    seq: int
    account_id: str
    region: str
    topic: str
    subject_seq: int | None
    payload: dict[str, Any]
    created_ms: int


RECORDER_STARTED = "ConfigurationRecorderStarted"


def publish(
    conn: Connection,
    account_id: str,
    region: str,
    topic: str,
    payload: dict[str, Any],
    *,
    now_ms: int,
    subject_seq: int | None = None,
) -> None:
    """Queue an event on ``conn``, i.e. in the transaction of the change it announces."""
    conn.execute(
        insert(outbox).values(
            account_id=account_id,
            region=region,
            topic=topic,
            subject_seq=subject_seq,
            payload=orjson.dumps(payload),
            created_ms=now_ms,
        )
    )


def cursor(conn: Connection, consumer: str) -> int:
    """The last seq ``consumer`` has finished with (0 before its first batch)."""
    found = conn.execute(
        select(outbox_cursors.c.last_seq).where(outbox_cursors.c.consumer == consumer)
    ).scalar()
    return int(found) if found is not None else 0


def read_batch(
    conn: Connection, consumer: str, *, limit: int = 500, topics: tuple[str, ...] = ()
) -> list[OutboxEvent]:
    """Up to ``limit`` events after the consumer's cursor, oldest first."""
    return read_after(conn, cursor(conn, consumer), limit, topics=topics)


def read_after(
    conn: Connection, seq: int, limit: int, *, topics: tuple[str, ...] = ()
) -> list[OutboxEvent]:
    """Up to ``limit`` events after ``seq``, oldest first."""
    query = select(outbox).where(outbox.c.seq > seq)
    if topics:
        query = query.where(outbox.c.topic.in_(topics))
    rows = conn.execute(query.order_by(outbox.c.seq).limit(limit))
    return [
        OutboxEvent(
            seq=row.seq,
            account_id=row.account_id,
            region=row.region,
            topic=row.topic,
            subject_seq=row.subject_seq,
            payload=orjson.loads(row.payload),
            created_ms=row.created_ms,
        )
        for row in rows
    ]


def advance(conn: Connection, consumer: str, seq: int) -> None:
    """Mark everything up to ``seq`` done for ``consumer``; never moves backwards."""
    current = conn.execute(
        select(outbox_cursors.c.last_seq).where(outbox_cursors.c.consumer == consumer)
    ).scalar()
    if current is None:
        conn.execute(insert(outbox_cursors).values(consumer=consumer, last_seq=seq))
    elif seq > current:
        conn.execute(
            update(outbox_cursors).where(outbox_cursors.c.consumer == consumer).values(last_seq=seq)
        )
