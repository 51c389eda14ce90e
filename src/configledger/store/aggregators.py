"""Aggregators, aggregation authorizations and dismissed requests; reads across partitions.

An aggregator belongs to the partition of the account and region that put it; an
authorization belongs to the source partition that granted it. Pending requests are not
stored: they follow from the aggregators that name a source (see
``configledger.aggregation.pending``); only their deletion is, so that it can be undone
by a later put of the aggregator.

The second half serves the aggregate reads: the same ``resources`` projection the
single-partition operations read, over a list of partitions, each partition read by its
primary-key prefix.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import (
    Connection,
    String,
    and_,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY

from configledger.history.items import ConfigurationItem
from configledger.store.schema import (
    aggregation_authorizations,
    aggregator_account_changes,
    aggregator_accounts,
    aggregators,
    configuration_items,
    dismissed_aggregation_requests,
    resources,
)

Partition = tuple[str, str]  # (account_id, region)


# -- aggregators ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Aggregator:
    """A configuration aggregator. ``regions`` is empty when ``all_regions`` is set."""

    account_id: str
    region: str
    name: str
    arn: str
    source_accounts: tuple[str, ...]
    all_regions: bool
    regions: tuple[str, ...]
    filters: dict[str, Any] | None
    created_ms: int
    updated_ms: int


def _accounts_of(
    conn: Connection, account_id: str, region: str, names: Sequence[str]
) -> dict[str, tuple[str, ...]]:
    a = aggregator_accounts.c
    rows = conn.execute(
        select(a.name, a.source_account_id)
        .where(a.account_id == account_id, a.region == region, a.name.in_(list(names)))
        .order_by(a.name, a.position)
    )
    found: dict[str, list[str]] = {}
    for name, source in rows:
        found.setdefault(name, []).append(source)
    return {name: tuple(sources) for name, sources in found.items()}


def _aggregator(row: Any, sources: tuple[str, ...]) -> Aggregator:
    return Aggregator(
        account_id=row.account_id,
        region=row.region,
        name=row.name,
        arn=row.arn,
        source_accounts=sources,
        all_regions=bool(row.all_regions),
        regions=tuple(orjson.loads(row.regions)) if row.regions else (),
        filters=orjson.loads(row.filters) if row.filters else None,
        created_ms=row.created_ms,
        updated_ms=row.updated_ms,
    )


def list_aggregators(
    conn: Connection, account_id: str, region: str, names: Sequence[str] | None = None
) -> list[Aggregator]:
    """The partition's aggregators (those named, when ``names`` is given), by name."""
    g = aggregators.c
    query = select(aggregators).where(g.account_id == account_id, g.region == region)
    if names is not None:
        query = query.where(g.name.in_(list(names)))
    rows = list(conn.execute(query.order_by(g.name)))
    sources = _accounts_of(conn, account_id, region, [row.name for row in rows]) if rows else {}
    return [_aggregator(row, sources.get(row.name, ())) for row in rows]


def get_aggregator(conn: Connection, account_id: str, region: str, name: str) -> Aggregator | None:
    found = list_aggregators(conn, account_id, region, [name])
    return found[0] if found else None


def aggregator_arn_exists(conn: Connection, account_id: str, region: str, arn: str) -> bool:
    g = aggregators.c
    found = conn.execute(
        select(g.name).where(g.account_id == account_id, g.region == region, g.arn == arn)
    ).first()
    return found is not None


def aggregator_names(conn: Connection, account_id: str, region: str) -> list[str]:
    g = aggregators.c
    rows = conn.execute(
        select(g.name).where(g.account_id == account_id, g.region == region).order_by(g.name)
    )
    return [row[0] for row in rows]


def count_aggregators(conn: Connection, account_id: str, region: str) -> int:
    g = aggregators.c
    return int(
        conn.execute(
            select(func.count()).where(g.account_id == account_id, g.region == region)
        ).scalar_one()
    )


def save_aggregator(conn: Connection, aggregator: Aggregator, *, exists: bool) -> None:
    """Insert the aggregator, or replace everything but its ARN and creation time."""
    values = {
        "all_regions": aggregator.all_regions,
        "regions": None if aggregator.all_regions else orjson.dumps(aggregator.regions).decode(),
        "filters": orjson.dumps(aggregator.filters).decode() if aggregator.filters else None,
        "updated_ms": aggregator.updated_ms,
    }
    key = {"account_id": aggregator.account_id, "region": aggregator.region}
    g = aggregators.c
    if exists:
        conn.execute(
            update(aggregators)
            .where(
                g.account_id == aggregator.account_id,
                g.region == aggregator.region,
                g.name == aggregator.name,
            )
            .values(**values)
        )
        _delete_accounts(conn, aggregator.account_id, aggregator.region, aggregator.name)
    else:
        conn.execute(
            insert(aggregators).values(
                **key,
                name=aggregator.name,
                arn=aggregator.arn,
                created_ms=aggregator.created_ms,
                **values,
            )
        )
    if aggregator.source_accounts:
        conn.execute(
            insert(aggregator_accounts),
            [
                {**key, "name": aggregator.name, "source_account_id": source, "position": n}
                for n, source in enumerate(aggregator.source_accounts)
            ],
        )


def _delete_accounts(conn: Connection, account_id: str, region: str, name: str) -> None:
    a = aggregator_accounts.c
    conn.execute(
        delete(aggregator_accounts).where(
            a.account_id == account_id, a.region == region, a.name == name
        )
    )


def delete_aggregator(conn: Connection, account_id: str, region: str, name: str) -> None:
    _delete_accounts(conn, account_id, region, name)
    g = aggregators.c
    conn.execute(
        delete(aggregators).where(g.account_id == account_id, g.region == region, g.name == name)
    )


def aggregators_naming(conn: Connection, source_account_id: str) -> list[Aggregator]:
    """Every aggregator, in any account and region, whose sources include the account
    (without their other sources: only the asking side matters to a source)."""
    a = aggregator_accounts.c
    g = aggregators.c
    rows = conn.execute(
        select(aggregators)
        .join(
            aggregator_accounts,
            (a.account_id == g.account_id) & (a.region == g.region) & (a.name == g.name),
        )
        .where(a.source_account_id == source_account_id)
    )
    return [_aggregator(row, (source_account_id,)) for row in rows]


def record_account_changes(
    conn: Connection,
    account_id: str,
    region: str,
    *,
    changes: int,
    now_ms: int,
    forget_before_ms: int,
) -> None:
    """Log ``changes`` source accounts added or removed now, and drop the entries older
    than ``forget_before_ms`` (the quota's window): the log stays a week long."""
    c = aggregator_account_changes.c
    conn.execute(
        delete(aggregator_account_changes).where(
            c.account_id == account_id, c.region == region, c.changed_ms <= forget_before_ms
        )
    )
    if changes:
        conn.execute(
            insert(aggregator_account_changes).values(
                account_id=account_id, region=region, changed_ms=now_ms, changes=changes
            )
        )


def account_changes_since(conn: Connection, account_id: str, region: str, since_ms: int) -> int:
    """Source accounts added to or removed from the partition's aggregators after ``since_ms``."""
    c = aggregator_account_changes.c
    total = conn.execute(
        select(func.coalesce(func.sum(c.changes), 0)).where(
            c.account_id == account_id, c.region == region, c.changed_ms > since_ms
        )
    ).scalar_one()
    return int(total)


# -- authorizations -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Authorization:
    """Source partition (``account_id``, ``region``) admits the aggregators of
    (``authorized_account_id``, ``authorized_region``)."""

    account_id: str
    region: str
    authorized_account_id: str
    authorized_region: str
    arn: str
    created_ms: int


def _authorization(row: Any) -> Authorization:
    return Authorization(
        row.account_id,
        row.region,
        row.authorized_account_id,
        row.authorized_region,
        row.arn,
        row.created_ms,
    )


def list_authorizations(conn: Connection, account_id: str, region: str) -> list[Authorization]:
    """The partition's authorizations, by authorized account and region."""
    z = aggregation_authorizations.c
    rows = conn.execute(
        select(aggregation_authorizations)
        .where(z.account_id == account_id, z.region == region)
        .order_by(z.authorized_account_id, z.authorized_region)
    )
    return [_authorization(row) for row in rows]


def get_authorization(
    conn: Connection, account_id: str, region: str, authorized_account: str, authorized_region: str
) -> Authorization | None:
    z = aggregation_authorizations.c
    row = conn.execute(
        select(aggregation_authorizations).where(
            z.account_id == account_id,
            z.region == region,
            z.authorized_account_id == authorized_account,
            z.authorized_region == authorized_region,
        )
    ).first()
    return None if row is None else _authorization(row)


def insert_authorization(conn: Connection, authorization: Authorization) -> None:
    conn.execute(
        insert(aggregation_authorizations).values(
            account_id=authorization.account_id,
            region=authorization.region,
            authorized_account_id=authorization.authorized_account_id,
            authorized_region=authorization.authorized_region,
            arn=authorization.arn,
            created_ms=authorization.created_ms,
        )
    )


def delete_authorization(
    conn: Connection, account_id: str, region: str, authorized_account: str, authorized_region: str
) -> None:
    z = aggregation_authorizations.c
    conn.execute(
        delete(aggregation_authorizations).where(
            z.account_id == account_id,
            z.region == region,
            z.authorized_account_id == authorized_account,
            z.authorized_region == authorized_region,
        )
    )


def authorizations_of(
    conn: Connection, authorized_account: str, authorized_region: str
) -> dict[Partition, int]:
    """Every source partition that admits the aggregators of the account and region,
    with when it did."""
    z = aggregation_authorizations.c
    rows = conn.execute(
        select(z.account_id, z.region, z.created_ms).where(
            z.authorized_account_id == authorized_account,
            z.authorized_region == authorized_region,
        )
    )
    return {(row[0], row[1]): int(row[2]) for row in rows}


def authorized_requesters(conn: Connection, account_id: str, region: str) -> set[Partition]:
    return {
        (a.authorized_account_id, a.authorized_region)
        for a in list_authorizations(conn, account_id, region)
    }


# -- dismissed pending requests -------------------------------------------------------------


def dismissed_requests(conn: Connection, account_id: str, region: str) -> dict[Partition, int]:
    """(requester account, requester region) -> when the source deleted its request."""
    d = dismissed_aggregation_requests.c
    rows = conn.execute(
        select(d.requester_account_id, d.requester_region, d.dismissed_ms).where(
            d.account_id == account_id, d.region == region
        )
    )
    return {(row[0], row[1]): int(row[2]) for row in rows}


def dismiss_request(
    conn: Connection,
    account_id: str,
    region: str,
    requester_account: str,
    requester_region: str,
    *,
    now_ms: int,
) -> None:
    d = dismissed_aggregation_requests.c
    where = (
        d.account_id == account_id,
        d.region == region,
        d.requester_account_id == requester_account,
        d.requester_region == requester_region,
    )
    if (
        conn.execute(
            update(dismissed_aggregation_requests).where(*where).values(dismissed_ms=now_ms)
        ).rowcount
        == 0
    ):
        conn.execute(
            insert(dismissed_aggregation_requests).values(
                account_id=account_id,
                region=region,
                requester_account_id=requester_account,
                requester_region=requester_region,
                dismissed_ms=now_ms,
            )
        )


# -- reads across partitions ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AggregateResource:
    account_id: str
    region: str
    resource_type: str
    resource_id: str
    resource_name: str | None


def list_resources_across(
    conn: Connection,
    partitions: Sequence[Partition],
    resource_type: str,
    *,
    resource_id: str | None,
    resource_name: str | None,
    after: tuple[str, str, str] | None,
    limit: int,
) -> list[AggregateResource]:
    """Resources of one type not deleted, in (account, region, id) order, strictly after
    the cursor ``after`` = (account, region, id); at most ``limit``. One index range per
    partition, so a page costs what its partitions hold, not what the store holds."""
    r = resources.c
    found: list[AggregateResource] = []
    for account_id, region in sorted(partitions):
        if after is not None and (account_id, region) < after[:2]:
            continue
        query = select(r.resource_id, r.resource_name).where(
            r.account_id == account_id,
            r.region == region,
            r.resource_type == resource_type,
            r.deleted_ms.is_(None),
        )
        if after is not None and (account_id, region) == after[:2]:
            query = query.where(r.resource_id > after[2])
        if resource_id is not None:
            query = query.where(r.resource_id == resource_id)
        if resource_name is not None:
            query = query.where(r.resource_name == resource_name)
        query = query.order_by(r.resource_id).limit(limit - len(found))
        found.extend(
            AggregateResource(account_id, region, resource_type, row[0], row[1])
            for row in conn.execute(query)
        )
        if len(found) >= limit:
            break
    return found


def current_items_across(
    conn: Connection, keys: Sequence[tuple[str, str, str, str]]
) -> dict[tuple[str, str, str, str], ConfigurationItem]:
    """The newest item of each (account, region, type, id) that exists and is not deleted,
    keyed by it: one primary-key lookup per key, in one statement per chunk of keys.

    Each store needs its own form to read the primary key and nothing else. PostgreSQL
    joins the keys as unnested arrays (with a row-value IN list or an OR it weighs
    ix_resources_name, or ix_resources_custom_active for "not deleted", as cheap as the
    key, and reads whole partitions); SQLite looks keys up only when they are OR-ed (it
    scans the projection for a row-value IN list). "Not deleted" is checked on the rows
    found, for the same reason."""
    r = resources.c
    wanted = list(dict.fromkeys(keys))
    found: dict[tuple[str, str, str, str], ConfigurationItem] = {}
    columns = (r.account_id, r.region, r.resource_type, r.resource_id, r.deleted_ms)
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        if conn.dialect.name == "postgresql":
            arrays = [literal([key[n] for key in chunk], ARRAY(String)) for n in range(4)]
            asked = func.unnest(*arrays).table_valued("a", "r", "t", "i").render_derived("k")
            query = select(*columns, configuration_items.c.document).select_from(
                asked.join(
                    resources,
                    and_(
                        r.account_id == asked.c.a,
                        r.region == asked.c.r,
                        r.resource_type == asked.c.t,
                        r.resource_id == asked.c.i,
                    ),
                ).join(configuration_items, configuration_items.c.seq == r.item_seq)
            )
        else:
            query = (
                select(*columns, configuration_items.c.document)
                .join(configuration_items, configuration_items.c.seq == r.item_seq)
                .where(
                    or_(
                        *(
                            and_(
                                r.account_id == account,
                                r.region == region,
                                r.resource_type == resource_type,
                                r.resource_id == resource_id,
                            )
                            for account, region, resource_type, resource_id in chunk
                        )
                    )
                )
            )
        for row in conn.execute(query):
            if row[4] is None:  # not deleted
                found[(row[0], row[1], row[2], row[3])] = ConfigurationItem.from_record(row[5])
    return found


_CHUNK = 100  # keys or partitions OR-ed in one statement


def count_resources_across(
    conn: Connection, partitions: Iterable[Partition], resource_type: str | None
) -> list[tuple[str, str, str, int]]:
    """(account, region, type, count) of the resources not deleted in the partitions; the
    partitions OR-ed in chunks, each read by its index prefix."""
    r = resources.c
    wanted = sorted(set(partitions))
    counts: list[tuple[str, str, str, int]] = []
    for start in range(0, len(wanted), _CHUNK):
        query = (
            select(r.account_id, r.region, r.resource_type, func.count())
            .where(
                or_(
                    *(
                        and_(r.account_id == account, r.region == region)
                        for account, region in wanted[start : start + _CHUNK]
                    )
                ),
                r.deleted_ms.is_(None),
            )
            .group_by(r.account_id, r.region, r.resource_type)
        )
        if resource_type is not None:
            query = query.where(r.resource_type == resource_type)
        counts.extend((row[0], row[1], row[2], int(row[3])) for row in conn.execute(query))
    return counts
