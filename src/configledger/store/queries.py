"""The store side of advanced query: the ``query_resources`` projection, the items of a
past instant or a time window, and stored queries.

``query_resources`` follows the outbox (configledger.query.projection calls
``sync_items``): one upsert statement for a batch's live items and one delete for those
that stopped being queryable (deleted or not recorded).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import (
    Column,
    Connection,
    MetaData,
    Table,
    and_,
    delete,
    func,
    insert,
    select,
    tuple_,
    update,
)

from configledger.history.items import ConfigurationItem, ResourceKey
from configledger.store.query_rows import HIDDEN_STATUSES, ROW_COLUMNS, QueryRow, query_row
from configledger.store.schema import configuration_items, query_resources, stored_queries

Partition = tuple[str, str]

_KEY = ("account_id", "region", "resource_type", "resource_id")


def _upsert_sql(dialect: str) -> str:
    mark = "?" if dialect == "sqlite" else "%s"
    marks = [
        f"{mark}::jsonb" if c == "properties" and dialect != "sqlite" else mark for c in ROW_COLUMNS
    ]
    updates = ", ".join(f"{c} = excluded.{c}" for c in ROW_COLUMNS if c not in _KEY)
    return (
        f"INSERT INTO query_resources ({', '.join(ROW_COLUMNS)}) VALUES ({', '.join(marks)}) "
        f"ON CONFLICT ({', '.join(_KEY)}) DO UPDATE SET {updates}"
    )


def _delete_sql(dialect: str) -> str:
    mark = "?" if dialect == "sqlite" else "%s"
    where = " AND ".join(f"{c} = {mark}" for c in _KEY)
    return f"DELETE FROM query_resources WHERE {where}"


def maintain(
    conn: Connection, appended: Iterable[tuple[ResourceKey, ConfigurationItem, int]]
) -> None:
    """Move the query rows of the resources of just-appended (partition key, item, seq)."""
    upserts: dict[tuple[str, str, str, str], tuple[object, ...]] = {}
    deletes: dict[tuple[str, str, str, str], None] = {}
    for key, item, seq in appended:
        ident = (key.account_id, key.region, key.resource_type, key.resource_id)
        if item.status in HIDDEN_STATUSES:
            upserts.pop(ident, None)
            deletes[ident] = None
        else:
            deletes.pop(ident, None)
            upserts[ident] = query_row(key.account_id, key.region, item, seq).values()
    dialect = conn.dialect.name
    if upserts:
        conn.exec_driver_sql(_upsert_sql(dialect), list(upserts.values()))
    if deletes:
        conn.exec_driver_sql(_delete_sql(dialect), list(deletes))


_CURRENT_ITEMS = (
    "SELECT ci.account_id, ci.region, ci.resource_type, ci.resource_id, ci.seq, ci.document"
    " FROM configuration_items ci JOIN resources r ON r.account_id = ci.account_id"
    " AND r.region = ci.region AND r.resource_type = ci.resource_type"
    " AND r.resource_id = ci.resource_id AND r.item_seq = ci.seq WHERE ci.seq {among}"
)
_SQLITE_CHUNK = 900  # bound parameters per statement, well under SQLite's limit


def sync_items(conn: Connection, seqs: Sequence[int]) -> int:
    """Move the query rows of the resources of items ``seqs`` to those items, for each
    item that is still its resource's newest (a newer one has an event of its own).

    Idempotent and order-free: replaying events after a crash, or applying one that
    committed late, writes the same rows. Returns how many items were applied."""
    ordered = sorted(set(seqs))
    if conn.dialect.name == "postgresql":  # one array parameter: one statement, one join
        chunks: list[tuple[str, tuple[object, ...]]] = [
            (_CURRENT_ITEMS.format(among="= ANY(%s)"), (ordered,))
        ]
    else:
        chunks = []
        for start in range(0, len(ordered), _SQLITE_CHUNK):
            chunk = ordered[start : start + _SQLITE_CHUNK]
            among = f"IN ({', '.join('?' for _ in chunk)})"
            chunks.append((_CURRENT_ITEMS.format(among=among), tuple(chunk)))
    applied: list[tuple[ResourceKey, ConfigurationItem, int]] = []
    for sql, parameters in chunks:
        for account_id, region, resource_type, resource_id, seq, document in conn.exec_driver_sql(
            sql, parameters
        ):
            key = ResourceKey(account_id, region, resource_type, resource_id)
            applied.append((key, ConfigurationItem.from_record(document), int(seq)))
    maintain(conn, applied)
    return len(applied)


def write_rows(conn: Connection, rows: Sequence[QueryRow]) -> None:
    """Insert or replace query rows (the backfill and bulk loaders)."""
    if rows:
        conn.exec_driver_sql(_upsert_sql(conn.dialect.name), [row.values() for row in rows])


def rebuild_query_rows(conn: Connection, *, batch: int = 2000) -> int:
    """Build the query row of every resource from its newest item; returns how many."""
    from configledger.store.schema import resources

    r = resources.c
    query = (
        select(r.account_id, r.region, configuration_items.c.seq, configuration_items.c.document)
        .join(configuration_items, configuration_items.c.seq == r.item_seq)
        .where(r.deleted_ms.is_(None))
    )
    count = 0
    pending: list[QueryRow] = []
    for account_id, region, seq, document in conn.execute(query):
        item = ConfigurationItem.from_record(document)
        if item.status in HIDDEN_STATUSES:
            continue
        pending.append(query_row(account_id, region, item, seq))
        if len(pending) >= batch:
            write_rows(conn, pending)
            count += len(pending)
            pending = []
    write_rows(conn, pending)
    return count + len(pending)


def partition_clause(table_c: object, partitions: Sequence[Partition]):  # type: ignore[no-untyped-def]
    """``account_id, region`` among ``partitions`` (plain equality for one of them)."""
    c = table_c
    if len(partitions) == 1:
        account_id, region = partitions[0]
        return and_(c.account_id == account_id, c.region == region)  # type: ignore[attr-defined]
    return tuple_(c.account_id, c.region).in_(list(partitions))  # type: ignore[attr-defined]


def items_by_seq(conn: Connection, seqs: Sequence[int]) -> dict[int, ConfigurationItem]:
    if not seqs:
        return {}
    c = configuration_items.c
    rows = conn.execute(select(c.seq, c.document).where(c.seq.in_(list(seqs))))
    return {int(seq): ConfigurationItem.from_record(document) for seq, document in rows}


def rows_at(conn: Connection, partitions: Sequence[Partition], at_ms: int) -> Iterator[QueryRow]:
    """The query rows of the state at ``at_ms``: each resource's newest item captured at
    or before it, unless that item is a deletion or not recorded."""
    c = configuration_items.c
    newest = (
        select(
            c.account_id,
            c.region,
            c.resource_type,
            c.resource_id,
            func.max(c.state_id).label("state_id"),
        )
        .where(partition_clause(c, partitions), c.state_id <= at_ms)
        .group_by(c.account_id, c.region, c.resource_type, c.resource_id)
        .subquery()
    )
    query = select(c.account_id, c.region, c.seq, c.document).join(
        newest,
        and_(
            c.account_id == newest.c.account_id,
            c.region == newest.c.region,
            c.resource_type == newest.c.resource_type,
            c.resource_id == newest.c.resource_id,
            c.state_id == newest.c.state_id,
        ),
    )
    for account_id, region, seq, document in conn.execute(query):
        item = ConfigurationItem.from_record(document)
        if item.status not in HIDDEN_STATUSES:
            yield query_row(account_id, region, item, seq)


def rows_between(
    conn: Connection, partitions: Sequence[Partition], since_ms: int, until_ms: int
) -> Iterator[QueryRow]:
    """One query row per item captured in ``[since_ms, until_ms]``: the changes of a
    window, deletions included (their configurationItemStatus says so)."""
    c = configuration_items.c
    query = select(c.account_id, c.region, c.seq, c.document).where(
        partition_clause(c, partitions), c.state_id >= since_ms, c.state_id <= until_ms
    )
    for account_id, region, seq, document in conn.execute(query):
        yield query_row(account_id, region, ConfigurationItem.from_record(document), seq)


# -- stored queries ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoredQuery:
    name: str
    query_id: str
    arn: str
    description: str | None
    expression: str | None

    def to_api(self) -> dict[str, str]:
        out = {"QueryId": self.query_id, "QueryArn": self.arn, "QueryName": self.name}
        if self.description is not None:
            out["Description"] = self.description
        if self.expression is not None:
            out["Expression"] = self.expression
        return out


def _stored(row: object) -> StoredQuery:
    return StoredQuery(row.name, row.query_id, row.arn, row.description, row.expression)  # type: ignore[attr-defined]


def get_stored_query(
    conn: Connection, account_id: str, region: str, name: str
) -> StoredQuery | None:
    s = stored_queries.c
    row = conn.execute(
        select(stored_queries).where(s.account_id == account_id, s.region == region, s.name == name)
    ).first()
    return None if row is None else _stored(row)


def count_stored_queries(conn: Connection, account_id: str, region: str) -> int:
    s = stored_queries.c
    return int(
        conn.execute(
            select(func.count()).where(s.account_id == account_id, s.region == region)
        ).scalar_one()
    )


def insert_stored_query(
    conn: Connection, account_id: str, region: str, query: StoredQuery, now_ms: int
) -> None:
    conn.execute(
        insert(stored_queries).values(
            account_id=account_id,
            region=region,
            name=query.name,
            query_id=query.query_id,
            arn=query.arn,
            description=query.description,
            expression=query.expression,
            created_ms=now_ms,
        )
    )


def update_stored_query(conn: Connection, account_id: str, region: str, query: StoredQuery) -> None:
    s = stored_queries.c
    conn.execute(
        update(stored_queries)
        .where(s.account_id == account_id, s.region == region, s.name == query.name)
        .values(description=query.description, expression=query.expression)
    )


def delete_stored_query(conn: Connection, account_id: str, region: str, name: str) -> bool:
    s = stored_queries.c
    result = conn.execute(
        delete(stored_queries).where(s.account_id == account_id, s.region == region, s.name == name)
    )
    return bool(result.rowcount)


def list_stored_queries(
    conn: Connection, account_id: str, region: str, *, after: str | None, limit: int
) -> list[StoredQuery]:
    s = stored_queries.c
    query = select(stored_queries).where(s.account_id == account_id, s.region == region)
    if after is not None:
        query = query.where(s.name > after)
    return [_stored(row) for row in conn.execute(query.order_by(s.name).limit(limit))]


def stored_query_arn_exists(conn: Connection, account_id: str, region: str, arn: str) -> bool:
    s = stored_queries.c
    found = conn.execute(
        select(s.name).where(s.account_id == account_id, s.region == region, s.arn == arn)
    ).first()
    return found is not None


def snapshot_table(conn: Connection, rows: Iterable[QueryRow]) -> Table:
    """A temporary table shaped like ``query_resources`` holding ``rows`` (a past state or
    a window's changes), so that the same compiled query runs over it; the caller drops
    it with ``drop_snapshot``. Duplicated keys are allowed: a window has many items per
    resource."""
    name = f"query_snapshot_{uuid.uuid4().hex[:12]}"
    columns = [
        Column(column.name, column.type, nullable=column.nullable)
        for column in query_resources.columns
    ]
    table = Table(name, MetaData(), *columns, prefixes=["TEMPORARY"])
    table.create(conn)
    dialect = conn.dialect.name
    mark = "?" if dialect == "sqlite" else "%s"
    marks = [
        f"{mark}::jsonb" if c == "properties" and dialect != "sqlite" else mark for c in ROW_COLUMNS
    ]
    sql = f"INSERT INTO {name} ({', '.join(ROW_COLUMNS)}) VALUES ({', '.join(marks)})"
    batch: list[tuple[object, ...]] = []
    for row in rows:
        batch.append(row.values())
        if len(batch) >= 2000:
            conn.exec_driver_sql(sql, batch)
            batch = []
    if batch:
        conn.exec_driver_sql(sql, batch)
    return table


def drop_snapshot(conn: Connection, table: Table) -> None:
    table.drop(conn)
