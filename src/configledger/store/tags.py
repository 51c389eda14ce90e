"""Tags on ConfigLedger's own resources (recorders, and later rules, packs, ...)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import Connection, delete, insert, select, update

from configledger.store.schema import tags


def get_tags(conn: Connection, account_id: str, region: str, arn: str) -> dict[str, str]:
    rows = conn.execute(
        select(tags.c.key, tags.c.value)
        .where(tags.c.account_id == account_id, tags.c.region == region, tags.c.resource_arn == arn)
        .order_by(tags.c.key)
    )
    return {row[0]: row[1] for row in rows}


def set_tags(
    conn: Connection, account_id: str, region: str, arn: str, new: Mapping[str, str]
) -> None:
    """Add keys and update the values of existing ones; other keys stay."""
    existing = get_tags(conn, account_id, region, arn)
    for key, value in new.items():
        if key in existing:
            conn.execute(
                update(tags)
                .where(
                    tags.c.account_id == account_id,
                    tags.c.region == region,
                    tags.c.resource_arn == arn,
                    tags.c.key == key,
                )
                .values(value=value)
            )
        else:
            conn.execute(
                insert(tags).values(
                    account_id=account_id, region=region, resource_arn=arn, key=key, value=value
                )
            )


def remove_tags(
    conn: Connection, account_id: str, region: str, arn: str, keys: Sequence[str] | None = None
) -> None:
    """Remove ``keys`` from the resource, or every tag when ``keys`` is None."""
    query = delete(tags).where(
        tags.c.account_id == account_id, tags.c.region == region, tags.c.resource_arn == arn
    )
    if keys is not None:
        query = query.where(tags.c.key.in_(list(keys)))
    conn.execute(query)
