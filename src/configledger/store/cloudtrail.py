"""CloudTrail-format events: append, look up (LookupEvents), read back, and the reset.

An event is one row of ``cloudtrail_events`` (the record itself as orjson, plus the
columns LookupEvents filters on) and one ``cloudtrail_event_resources`` row per
resource it names. A mutating event is announced on the outbox in the same
transaction, so a consumer (the recorder engine) can never see an announcement
without its event, nor miss an event that was committed.

Outbox event written here (table ``outbox``)::

    topic        CloudTrailEventRecorded
    subject_seq  cloudtrail_events.seq
    payload      {eventId, eventName, eventSource, eventTime}   (eventTime in epoch ms)

A consumer reads the event and its resources with ``events_by_seq``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    delete,
    exists,
    insert,
    or_,
    select,
    text,
)

from configledger.store import outbox
from configledger.store.schema import (
    cloudtrail_event_resources,
    cloudtrail_events,
    metadata,
    server_state,
)

OUTBOX_TOPIC = "CloudTrailEventRecorded"

# LookupEvents' attribute keys that are plain columns of cloudtrail_events.
_COLUMN_ATTRIBUTES = {
    "EventId": cloudtrail_events.c.event_id,
    "EventName": cloudtrail_events.c.event_name,
    "Username": cloudtrail_events.c.username,
    "EventSource": cloudtrail_events.c.event_source,
    "AccessKeyId": cloudtrail_events.c.access_key_id,
}


# Built once: parameters passed at execute time skip SQLAlchemy's per-call coercion of
# ``.values()`` and its cache-key walk, which cost more than the INSERT itself.
_INSERT_EVENT = insert(cloudtrail_events)
_INSERT_RESOURCE = insert(cloudtrail_event_resources)
_ASYNC_COMMIT = text("SET LOCAL synchronous_commit TO OFF")


@dataclass(frozen=True, slots=True)
class NewEvent:
    """A CloudTrail record about to be stored, with the columns LookupEvents filters on."""

    account_id: str
    region: str
    event_id: str
    event_time_ms: int
    event_source: str
    event_name: str
    read_only: bool
    username: str | None
    access_key_id: str | None
    record: dict[str, Any]
    # (resourceType, resourceName) pairs the event names; duplicates are dropped.
    resources: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class StoredEvent:
    seq: int
    account_id: str
    region: str
    event_id: str
    event_time_ms: int
    event_source: str
    event_name: str
    read_only: bool
    username: str | None
    access_key_id: str | None
    document: bytes  # orjson of the CloudTrail record, as LookupEvents returns it
    resources: tuple[tuple[str, str], ...]

    @property
    def record(self) -> dict[str, Any]:
        parsed: dict[str, Any] = orjson.loads(self.document)
        return parsed


def append(conn: Connection, event: NewEvent, *, announce: bool, now_ms: int) -> int:
    """Store ``event`` (and, if ``announce``, its outbox event); returns its seq.

    A read-only event with no resources costs exactly one INSERT. An event that is not
    announced does not make PostgreSQL wait for its WAL flush (``synchronous_commit``
    off for this transaction only): losing the last fraction of a second of read
    audits in an OS crash is the price of not paying an fsync on every Describe call;
    the database is never corrupted by it, and announced events stay fully durable.
    """
    if not announce and conn.dialect.name == "postgresql":
        conn.execute(_ASYNC_COMMIT)
    result = conn.execute(
        _INSERT_EVENT,
        {
            "account_id": event.account_id,
            "region": event.region,
            "event_id": event.event_id,
            "event_time_ms": event.event_time_ms,
            "event_source": event.event_source,
            "event_name": event.event_name,
            "read_only": event.read_only,
            "username": event.username,
            "access_key_id": event.access_key_id,
            "document": orjson.dumps(event.record),
        },
    )
    key = result.inserted_primary_key
    assert key is not None
    seq = int(key[0])
    resources = list(dict.fromkeys(event.resources))
    if resources:
        conn.execute(
            _INSERT_RESOURCE,
            [
                {"event_seq": seq, "resource_type": kind, "resource_name": name}
                for kind, name in resources
            ],
        )
    if announce:
        outbox.publish(
            conn,
            event.account_id,
            event.region,
            OUTBOX_TOPIC,
            {
                "eventId": event.event_id,
                "eventName": event.event_name,
                "eventSource": event.event_source,
                "eventTime": event.event_time_ms,
            },
            now_ms=now_ms,
            subject_seq=seq,
        )
    return seq


@dataclass(frozen=True, slots=True)
class Lookup:
    """One LookupEvents query: at most one attribute, a time range, a page position."""

    account_id: str
    region: str
    start_ms: int
    end_ms: int
    limit: int
    attribute: tuple[str, str] | None = None
    # (event_time_ms, seq) of the last event of the previous page: newest first, so
    # the next page is strictly older than it.
    before: tuple[int, int] | None = None


def _attribute_filter(key: str, value: str) -> ColumnElement[bool]:
    if key in _COLUMN_ATTRIBUTES:
        return _COLUMN_ATTRIBUTES[key] == value
    if key == "ReadOnly":
        return cloudtrail_events.c.read_only == (value.lower() == "true")
    column = (
        cloudtrail_event_resources.c.resource_type
        if key == "ResourceType"
        else cloudtrail_event_resources.c.resource_name
    )
    return exists().where(
        cloudtrail_event_resources.c.event_seq == cloudtrail_events.c.seq, column == value
    )


def lookup(conn: Connection, query: Lookup) -> list[StoredEvent]:
    """Up to ``query.limit + 1`` events, newest first (the extra one says a page follows)."""
    events = cloudtrail_events.c
    statement = select(cloudtrail_events).where(
        events.account_id == query.account_id,
        events.region == query.region,
        events.event_time_ms >= query.start_ms,
        events.event_time_ms <= query.end_ms,
    )
    if query.attribute is not None:
        statement = statement.where(_attribute_filter(*query.attribute))
    if query.before is not None:
        time_ms, seq = query.before
        statement = statement.where(
            or_(
                events.event_time_ms < time_ms,
                and_(events.event_time_ms == time_ms, events.seq < seq),
            )
        )
    statement = statement.order_by(events.event_time_ms.desc(), events.seq.desc()).limit(
        query.limit + 1
    )
    return _with_resources(conn, conn.execute(statement).all())


def events_by_seq(conn: Connection, seqs: Iterable[int]) -> list[StoredEvent]:
    """The events with these seqs (e.g. outbox ``subject_seq``s), in seq order."""
    wanted = sorted(set(seqs))
    if not wanted:
        return []
    rows = conn.execute(
        select(cloudtrail_events)
        .where(cloudtrail_events.c.seq.in_(wanted))
        .order_by(cloudtrail_events.c.seq)
    ).all()
    return _with_resources(conn, rows)


def event_by_id(conn: Connection, event_id: str) -> StoredEvent | None:
    row = conn.execute(
        select(cloudtrail_events).where(cloudtrail_events.c.event_id == event_id)
    ).first()
    if row is None:
        return None
    return _with_resources(conn, [row])[0]


def _with_resources(conn: Connection, rows: Sequence[Any]) -> list[StoredEvent]:
    named: dict[int, list[tuple[str, str]]] = {row.seq: [] for row in rows}
    if named:
        found = conn.execute(
            select(cloudtrail_event_resources)
            .where(cloudtrail_event_resources.c.event_seq.in_(list(named)))
            .order_by(
                cloudtrail_event_resources.c.event_seq,
                cloudtrail_event_resources.c.resource_type,
                cloudtrail_event_resources.c.resource_name,
            )
        )
        for resource in found:
            named[resource.event_seq].append((resource.resource_type, resource.resource_name))
    return [
        StoredEvent(
            seq=row.seq,
            account_id=row.account_id,
            region=row.region,
            event_id=row.event_id,
            event_time_ms=row.event_time_ms,
            event_source=row.event_source,
            event_name=row.event_name,
            read_only=bool(row.read_only),
            username=row.username,
            access_key_id=row.access_key_id,
            document=bytes(row.document),
            resources=tuple(named[row.seq]),
        )
        for row in rows
    ]


def reset_all(conn: Connection) -> None:
    """Delete every row of every table (the schema stays), for ``POST /moto-api/reset``.

    ``server_state`` is kept: it holds the running server's token-signing secret, which
    is server configuration rather than AWS state, and dropping it would make the next
    start sign with a secret the running process does not know about.
    """
    for table in reversed(metadata.sorted_tables):
        if table is not server_state:
            conn.execute(delete(table))
