"""Retention configurations: at most one per account and region, named ``default``."""

from __future__ import annotations

from sqlalchemy import Connection, delete, insert, select, update

from configledger.store.schema import retention_configurations as retention

DEFAULT_RETENTION_DAYS = 2557  # seven years: AWS's period when none is configured


def list_retention(conn: Connection, account_id: str, region: str) -> list[tuple[str, int]]:
    rows = conn.execute(
        select(retention.c.name, retention.c.retention_days)
        .where(retention.c.account_id == account_id, retention.c.region == region)
        .order_by(retention.c.name)
    )
    return [(row[0], int(row[1])) for row in rows]


def retention_days(conn: Connection, account_id: str, region: str) -> int:
    found = list_retention(conn, account_id, region)
    return found[0][1] if found else DEFAULT_RETENTION_DAYS


def put_retention(conn: Connection, account_id: str, region: str, name: str, days: int) -> None:
    where = (
        retention.c.account_id == account_id,
        retention.c.region == region,
        retention.c.name == name,
    )
    if conn.execute(select(retention.c.name).where(*where)).first() is None:
        conn.execute(
            insert(retention).values(
                account_id=account_id, region=region, name=name, retention_days=days
            )
        )
    else:
        conn.execute(update(retention).where(*where).values(retention_days=days))


def delete_retention(conn: Connection, account_id: str, region: str, name: str) -> None:
    conn.execute(
        delete(retention).where(
            retention.c.account_id == account_id,
            retention.c.region == region,
            retention.c.name == name,
        )
    )
