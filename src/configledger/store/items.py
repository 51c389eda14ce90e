"""Configuration items: append with projection and outbox, and the reads the API serves.

The append moves ``resources`` (what list, count and batch reads need at once) and
queues the outbox; the advanced-query projection is kept off this path, from the outbox.

Every read here is shaped by an index: a history page is a range scan of
``ix_configuration_items_resource_state``; list, batch and count read ``resources``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import (
    ColumnElement,
    Connection,
    Table,
    and_,
    bindparam,
    func,
    insert,
    select,
    tuple_,
    update,
)

from configledger.history.diff import CREATED
from configledger.history.items import ConfigurationItem, ItemStatus, ResourceKey
from configledger.store.schema import (
    configuration_items,
    custom_resource_counts,
    outbox,
    resources,
)

ITEM_RECORDED = "ConfigurationItemRecorded"


@dataclass(frozen=True, slots=True)
class ResourceState:
    """The projection row of one resource: its newest item and when it was deleted."""

    key: ResourceKey
    resource_name: str | None
    item_seq: int
    state_id: int
    first_state_id: int
    deleted_ms: int | None
    custom: bool


def _key_clause(table: Table, key: ResourceKey) -> ColumnElement[bool]:
    return and_(
        table.c.account_id == key.account_id,
        table.c.region == key.region,
        table.c.resource_type == key.resource_type,
        table.c.resource_id == key.resource_id,
    )


_RESOURCE_STATE = select(resources).where(
    resources.c.account_id == bindparam("a"),
    resources.c.region == bindparam("r"),
    resources.c.resource_type == bindparam("t"),
    resources.c.resource_id == bindparam("i"),
)
_INSERT_ITEM_RETURNING = insert(configuration_items).returning(configuration_items.c.seq)
_LOAD_ITEM = select(configuration_items.c.document).where(
    configuration_items.c.seq == bindparam("seq")
)


def resource_state(conn: Connection, key: ResourceKey) -> ResourceState | None:
    # Statements built once: building them per call cost more than running them.
    params = {"a": key.account_id, "r": key.region, "t": key.resource_type, "i": key.resource_id}
    row = conn.execute(_RESOURCE_STATE, params).first()
    if row is None:
        return None
    return ResourceState(
        key=key,
        resource_name=row.resource_name,
        item_seq=row.item_seq,
        state_id=row.state_id,
        first_state_id=row.first_state_id,
        deleted_ms=row.deleted_ms,
        custom=row.custom,
    )


def load_item(conn: Connection, seq: int) -> ConfigurationItem:
    document = conn.execute(_LOAD_ITEM, {"seq": seq}).scalar_one()
    return ConfigurationItem.from_record(document)


@dataclass(frozen=True, slots=True)
class Append:
    """One item to append: ``key`` is its partition (for global types the item's
    awsRegion is "global" while it is kept with the recorder's region)."""

    key: ResourceKey
    item: ConfigurationItem
    previous: ResourceState | None
    custom: bool = False
    diff: dict[str, Any] | None = None


def append_items(conn: Connection, entries: Sequence[Append], *, now_ms: int) -> list[int]:
    """Append items, move the projection to them and queue their outbox events, with
    one statement per table whatever the batch size, on ``conn`` (the caller's
    transaction, holding the locks of the resources). Returns the items' seqs.

    Rows are built as plain tuples in one pass: a sweep appends tens of thousands of
    items, and per-row dictionaries and enum lookups cost as much as SQLite's insert."""
    if not entries:
        return []
    if len(entries) == 1:  # a single put: RETURNING is one round trip
        e = entries[0]
        row = dict(zip(_ITEM_COLUMNS, _item_row(e), strict=True))
        seqs = [int(conn.execute(_INSERT_ITEM_RETURNING, row).scalar_one())]
    else:
        seqs = _allocate_seqs(conn, len(entries))
        _insert_many(
            conn,
            configuration_items.name,
            ("seq", *_ITEM_COLUMNS),
            [(seq, *_item_row(e)) for e, seq in zip(entries, seqs, strict=True)],
        )

    created: list[tuple[Any, ...]] = []
    moved: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    for entry, seq in zip(entries, seqs, strict=True):
        item, key, previous = entry.item, entry.key, entry.previous
        status = _STATUS_TEXT[item.status]
        deleted_ms = item.capture_ms if status in _DELETIONS else None
        if previous is None:
            created.append(
                (
                    key.account_id, key.region, key.resource_type, key.resource_id,
                    item.resource_name, status, seq, item.state_id, deleted_ms,
                    item.state_id, entry.custom,
                )
            )  # fmt: skip
        else:
            moved.append(
                (
                    item.resource_name, status, seq, item.state_id, deleted_ms,
                    key.account_id, key.region, key.resource_type, key.resource_id,
                )
            )  # fmt: skip
        payload = orjson.dumps(
            {
                "resourceType": item.resource_type,
                "resourceId": item.resource_id,
                "configurationItemStatus": status,
                "configurationStateId": item.state_id,
                "previousItemSeq": previous.item_seq if previous else None,
            }
        )
        events.append((key.account_id, key.region, ITEM_RECORDED, seq, payload, now_ms))
    _count_custom(conn, entries)
    if created:
        _insert_many(conn, resources.name, _RESOURCE_COLUMNS, created)
    if moved:
        conn.exec_driver_sql(_sql(_MOVE_RESOURCE, conn), moved)
    _insert_many(conn, outbox.name, _OUTBOX_COLUMNS, events)
    # Advanced query's projection follows these outbox events (configledger.query.projection).
    return seqs


_ITEM_COLUMNS = (
    "account_id",
    "region",
    "resource_type",
    "resource_id",
    "state_id",
    "status",
    "document",
    "diff",
)
_RESOURCE_COLUMNS = (
    "account_id",
    "region",
    "resource_type",
    "resource_id",
    "resource_name",
    "status",
    "item_seq",
    "state_id",
    "deleted_ms",
    "first_state_id",
    "custom",
)
_OUTBOX_COLUMNS = ("account_id", "region", "topic", "subject_seq", "payload", "created_ms")
_MOVE_RESOURCE = (
    "UPDATE resources SET resource_name = ?, status = ?, item_seq = ?, state_id = ?,"
    " deleted_ms = ? WHERE account_id = ? AND region = ? AND resource_type = ?"
    " AND resource_id = ?"
)
# An enum member's ``.value`` is a descriptor call; a dict lookup is several times cheaper.
_STATUS_TEXT = {status: status.value for status in ItemStatus}
_DELETIONS = frozenset(status.value for status in ItemStatus if status.is_deletion)


def _item_row(e: Append) -> tuple[Any, ...]:
    """The configuration_items values of ``e`` in ``_ITEM_COLUMNS`` order."""
    key, item = e.key, e.item
    return (
        key.account_id,
        key.region,
        key.resource_type,
        key.resource_id,
        item.state_id,
        _STATUS_TEXT[item.status],
        item.to_record(),
        _encode_diff(e.diff),
    )


_BUMP_CUSTOM_COUNT = (
    update(custom_resource_counts)
    .where(
        custom_resource_counts.c.account_id == bindparam("a"),
        custom_resource_counts.c.region == bindparam("r"),
    )
    .values(active=custom_resource_counts.c.active + bindparam("d"))
)
_NEW_CUSTOM_COUNT = insert(custom_resource_counts).values(
    account_id=bindparam("a"), region=bindparam("r"), active=bindparam("d")
)


_CREATED_BYTES = orjson.dumps(CREATED)


def _encode_diff(diff: dict[str, Any] | None) -> bytes | None:
    """Most diffs of a first inventory are the same CREATE: encode that one once."""
    if diff is None:
        return None
    return _CREATED_BYTES if diff is CREATED else orjson.dumps(diff)


def _sql(statement: str, conn: Connection) -> str:
    """``statement`` written with ``?`` marks, in the driver's own paramstyle."""
    return statement if conn.dialect.paramstyle == "qmark" else statement.replace("?", "%s")


def _insert_many(
    conn: Connection, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    """A plain DBAPI executemany: for batches of thousands of rows SQLAlchemy's per-row
    parameter processing costs more than the database does. Values are already of the
    column's Python type (bytes for binary, int, str, bool, None), in ``columns`` order."""
    statement = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
    )
    conn.exec_driver_sql(_sql(statement, conn), rows)


def _count_custom(conn: Connection, entries: Sequence[Append]) -> None:
    """Keep custom_resource_counts in step with the batch's custom resources."""
    deltas: dict[tuple[str, str], int] = {}
    for e in entries:
        if not e.custom:
            continue
        was_active = e.previous is not None and e.previous.deleted_ms is None
        is_active = not e.item.status.is_deletion
        if was_active != is_active:
            partition = (e.key.account_id, e.key.region)
            deltas[partition] = deltas.get(partition, 0) + (1 if is_active else -1)
    for (account_id, region), delta in deltas.items():
        params = {"a": account_id, "r": region, "d": delta}
        if conn.execute(_BUMP_CUSTOM_COUNT, params).rowcount == 0:
            conn.execute(_NEW_CUSTOM_COUNT, params)


def _allocate_seqs(conn: Connection, count: int) -> list[int]:
    """Item seqs for a batch, chosen before the insert so it can be one plain
    executemany (RETURNING makes SQLAlchemy insert row by row to keep the order)."""
    if conn.dialect.name == "postgresql":
        sequence = func.pg_get_serial_sequence("configuration_items", "seq")
        rows = conn.execute(
            select(func.nextval(sequence)).select_from(func.generate_series(1, count))
        )
        return [int(row[0]) for row in rows]
    # SQLite: the caller holds the database's only write lock, so max + 1 ... is ours.
    base = conn.execute(select(func.coalesce(func.max(configuration_items.c.seq), 0))).scalar_one()
    return list(range(int(base) + 1, int(base) + 1 + count))


def append_item(
    conn: Connection,
    item: ConfigurationItem,
    *,
    previous: ResourceState | None,
    custom: bool,
    now_ms: int,
    key: ResourceKey | None = None,
    diff: dict[str, Any] | None = None,
) -> int:
    """Append one item (see ``append_items``); ``key`` defaults to the item's own."""
    entry = Append(key or item.key, item, previous, custom, diff)
    return append_items(conn, [entry], now_ms=now_ms)[0]


def lower_bound(conn: Connection, key: ResourceKey, earlier_ms: int) -> int:
    """The state id of the item that was current at ``earlier_ms`` (so its state
    overlaps a window starting there), or ``earlier_ms`` when none was."""
    found = conn.execute(
        select(func.max(configuration_items.c.state_id)).where(
            _key_clause(configuration_items, key),
            configuration_items.c.state_id <= earlier_ms,
        )
    ).scalar()
    return int(found) if found is not None else earlier_ms


def history_page(
    conn: Connection,
    key: ResourceKey,
    *,
    lower_state_id: int,
    later_ms: int | None,
    forward: bool,
    after_state_id: int | None,
    limit: int,
) -> list[ConfigurationItem]:
    """Items with ``lower_state_id <= state_id <= later_ms`` (no upper bound when
    ``later_ms`` is None), in the asked order, strictly after the cursor
    ``after_state_id``; at most ``limit``."""
    c = configuration_items.c
    query = select(c.document).where(
        _key_clause(configuration_items, key),
        c.state_id >= lower_state_id,
    )
    if later_ms is not None:
        query = query.where(c.state_id <= later_ms)
    if after_state_id is not None:
        query = query.where(c.state_id > after_state_id if forward else c.state_id < after_state_id)
    query = query.order_by(c.state_id.asc() if forward else c.state_id.desc()).limit(limit)
    return [ConfigurationItem.from_record(row[0]) for row in conn.execute(query)]


@dataclass(frozen=True, slots=True)
class DiscoveredResource:
    resource_type: str
    resource_id: str
    resource_name: str | None
    deleted_ms: int | None


def list_resources(
    conn: Connection,
    account_id: str,
    region: str,
    resource_type: str,
    *,
    resource_ids: Sequence[str] | None,
    resource_name: str | None,
    include_deleted: bool,
    after_resource_id: str | None,
    limit: int,
) -> list[DiscoveredResource]:
    r = resources.c
    query = select(r.resource_type, r.resource_id, r.resource_name, r.deleted_ms).where(
        r.account_id == account_id, r.region == region, r.resource_type == resource_type
    )
    if resource_ids:
        query = query.where(r.resource_id.in_(list(resource_ids)))
    if resource_name is not None:
        query = query.where(r.resource_name == resource_name)
    if not include_deleted:
        query = query.where(r.deleted_ms.is_(None))
    if after_resource_id is not None:
        query = query.where(r.resource_id > after_resource_id)
    query = query.order_by(r.resource_id).limit(limit)
    return [DiscoveredResource(*row) for row in conn.execute(query)]


def current_items(
    conn: Connection, account_id: str, region: str, keys: Iterable[tuple[str, str]]
) -> list[ConfigurationItem]:
    """The newest item of each (type, id) that exists and is not deleted, in one query."""
    wanted = list(dict.fromkeys(keys))
    if not wanted:
        return []
    r = resources.c
    query = (
        select(configuration_items.c.document)
        .join(resources, configuration_items.c.seq == r.item_seq)
        .where(
            r.account_id == account_id,
            r.region == region,
            r.deleted_ms.is_(None),
            tuple_(r.resource_type, r.resource_id).in_(wanted),
        )
    )
    return [ConfigurationItem.from_record(row[0]) for row in conn.execute(query)]


def resource_counts(
    conn: Connection, account_id: str, region: str, resource_types: Sequence[str] | None
) -> list[tuple[str, int]]:
    """(type, count) of resources not deleted, biggest first, then by type."""
    r = resources.c
    count = func.count().label("n")
    query = (
        select(r.resource_type, count)
        .where(r.account_id == account_id, r.region == region, r.deleted_ms.is_(None))
        .group_by(r.resource_type)
        .order_by(count.desc(), r.resource_type)
    )
    if resource_types:
        query = query.where(r.resource_type.in_(list(resource_types)))
    return [(row[0], int(row[1])) for row in conn.execute(query)]


def active_custom_count(conn: Connection, account_id: str, region: str) -> int:
    counts = custom_resource_counts.c
    found = conn.execute(
        select(counts.active).where(counts.account_id == account_id, counts.region == region)
    ).scalar()
    return int(found or 0)
