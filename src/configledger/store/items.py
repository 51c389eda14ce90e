"""Configuration items: append with projection and outbox, and the reads the API serves.

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
from configledger.history.items import ConfigurationItem, ResourceKey
from configledger.store import queries as query_store
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
    transaction, holding the locks of the resources). Returns the items' seqs."""
    if not entries:
        return []
    rows = [
        {
            "account_id": e.key.account_id,
            "region": e.key.region,
            "resource_type": e.key.resource_type,
            "resource_id": e.key.resource_id,
            "state_id": e.item.state_id,
            "status": e.item.status.value,
            "document": e.item.to_record(),
            "diff": _encode_diff(e.diff),
        }
        for e in entries
    ]
    if len(rows) == 1:  # a single put: RETURNING is one round trip
        seqs = [int(conn.execute(_INSERT_ITEM_RETURNING, rows[0]).scalar_one())]
    else:
        seqs = _allocate_seqs(conn, len(rows))
        for row, seq in zip(rows, seqs, strict=True):
            row["seq"] = seq
        _insert_many(conn, configuration_items, rows)

    created, moved = [], []
    for entry, seq in zip(entries, seqs, strict=True):
        item = entry.item
        values = {
            "resource_name": item.resource_name,
            "status": item.status.value,
            "item_seq": seq,
            "state_id": item.state_id,
            "deleted_ms": item.capture_ms if item.status.is_deletion else None,
        }
        key = {
            "account_id": entry.key.account_id,
            "region": entry.key.region,
            "resource_type": entry.key.resource_type,
            "resource_id": entry.key.resource_id,
        }
        if entry.previous is None:
            created.append(
                {**key, **values, "first_state_id": item.state_id, "custom": entry.custom}
            )
        else:
            moved.append({**{f"k_{k}": v for k, v in key.items()}, **values})
    _count_custom(conn, entries)
    if created:
        _insert_many(conn, resources, created)
    if moved:
        r = resources.c
        conn.execute(
            update(resources)
            .where(
                r.account_id == bindparam("k_account_id"),
                r.region == bindparam("k_region"),
                r.resource_type == bindparam("k_resource_type"),
                r.resource_id == bindparam("k_resource_id"),
            )
            .values(
                resource_name=bindparam("resource_name"),
                status=bindparam("status"),
                item_seq=bindparam("item_seq"),
                state_id=bindparam("state_id"),
                deleted_ms=bindparam("deleted_ms"),
            ),
            moved,
        )
    _insert_many(
        conn,
        outbox,
        [
            {
                "account_id": e.key.account_id,
                "region": e.key.region,
                "topic": ITEM_RECORDED,
                "subject_seq": seq,
                "payload": orjson.dumps(
                    {
                        "resourceType": e.item.resource_type,
                        "resourceId": e.item.resource_id,
                        "configurationItemStatus": e.item.status.value,
                        "configurationStateId": e.item.state_id,
                        "previousItemSeq": e.previous.item_seq if e.previous else None,
                    }
                ),
                "created_ms": now_ms,
            }
            for e, seq in zip(entries, seqs, strict=True)
        ],
    )
    # Advanced query's projection: one upsert (and at most one delete) for the batch.
    query_store.maintain(conn, ((e.key, e.item, seq) for e, seq in zip(entries, seqs, strict=True)))
    return seqs


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


def _insert_many(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """A plain DBAPI executemany: for batches of thousands of rows SQLAlchemy's per-row
    parameter processing costs more than the database does. Values are already of the
    column's Python type (bytes for binary, int, str, bool, None)."""
    columns = list(rows[0])
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "
        f"VALUES ({', '.join(mark for _ in columns)})"
    )
    conn.exec_driver_sql(sql, [tuple(row[c] for c in columns) for row in rows])


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
