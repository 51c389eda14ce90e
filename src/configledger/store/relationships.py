"""The current relationships of each resource, kept so both sides can be recorded.

A row is one forward edge "<resource> <relationship_name> <related>" of a resource's
current item, with the name the related side shows (``inverse_name``). A resource's
item carries its forward edges plus, from the rows pointing at it, the inverse ones.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, and_, delete, insert, or_, select

from configledger.history.items import Relationship
from configledger.store.schema import relationships as rel

Edge = tuple[str, str]  # (related type, related key)


def related_key(r: Relationship) -> str:
    return r.resource_id if r.resource_id is not None else f"name:{r.resource_name}"


def forward_edges(
    conn: Connection, account_id: str, region: str, resource_type: str, ids: Iterable[str] | None
) -> dict[str, list[tuple[Relationship, str | None]]]:
    """The forward edges (relationship, inverse name) of resources of one type."""
    query = select(rel).where(
        rel.c.account_id == account_id,
        rel.c.region == region,
        rel.c.resource_type == resource_type,
    )
    if ids is not None:
        query = query.where(rel.c.resource_id.in_(list(ids)))
    out: dict[str, list[tuple[Relationship, str | None]]] = defaultdict(list)
    for row in conn.execute(query):
        relationship = Relationship(
            row.related_type, row.relationship_name, row.related_id, row.related_name
        )
        out[row.resource_id].append((relationship, row.inverse_name))
    return out


def inverse_edges(
    conn: Connection, account_id: str, region: str, targets: Sequence[Edge]
) -> dict[Edge, list[Relationship]]:
    """For each (type, id) target, the relationships its item shows for edges pointing
    at it from other resources."""
    out: dict[Edge, list[Relationship]] = defaultdict(list)
    if not targets:
        return out
    by_type: dict[str, list[str]] = defaultdict(list)
    for target_type, key in targets:
        by_type[target_type].append(key)
    clauses = [
        and_(rel.c.related_type == t, rel.c.related_key.in_(keys)) for t, keys in by_type.items()
    ]
    query = select(rel).where(
        rel.c.account_id == account_id,
        rel.c.region == region,
        rel.c.inverse_name.is_not(None),
        or_(*clauses),
    )
    for row in conn.execute(query):
        out[(row.related_type, row.related_key)].append(
            Relationship(row.resource_type, row.inverse_name, row.resource_id, None)
        )
    return out


def replace_edges(
    conn: Connection,
    account_id: str,
    region: str,
    resource_type: str,
    edges: dict[str, list[tuple[Relationship, str | None]]],
) -> None:
    """Make ``edges`` the forward edges of the resources named by its keys (an empty
    list removes a resource's edges)."""
    ids = list(edges)
    for start in range(0, len(ids), 500):
        conn.execute(
            delete(rel).where(
                rel.c.account_id == account_id,
                rel.c.region == region,
                rel.c.resource_type == resource_type,
                rel.c.resource_id.in_(ids[start : start + 500]),
            )
        )
    rows = {
        (resource_id, r.relationship_name, r.resource_type, related_key(r)): {
            "account_id": account_id,
            "region": region,
            "resource_type": resource_type,
            "resource_id": resource_id,
            "relationship_name": r.relationship_name,
            "related_type": r.resource_type,
            "related_key": related_key(r),
            "related_id": r.resource_id,
            "related_name": r.resource_name,
            "inverse_name": inverse,
        }
        for resource_id, pairs in edges.items()
        for r, inverse in pairs
    }
    if rows:
        conn.execute(insert(rel), list(rows.values()))
