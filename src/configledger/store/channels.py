"""Delivery channels, stored in their API form; one per account and region."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Connection, delete, insert, select, update

from configledger.store.schema import delivery_channels as channels


def list_channels(conn: Connection, account_id: str, region: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(channels.c.document)
        .where(channels.c.account_id == account_id, channels.c.region == region)
        .order_by(channels.c.name)
    )
    return [orjson.loads(row[0]) for row in rows]


def put_channel(
    conn: Connection, account_id: str, region: str, document: dict[str, Any], *, now_ms: int
) -> None:
    name = document["name"]
    text = orjson.dumps(document).decode()
    where = (
        channels.c.account_id == account_id,
        channels.c.region == region,
        channels.c.name == name,
    )
    if conn.execute(select(channels.c.name).where(*where)).first() is None:
        conn.execute(
            insert(channels).values(
                account_id=account_id, region=region, name=name, document=text, created_ms=now_ms
            )
        )
    else:
        conn.execute(update(channels).where(*where).values(document=text))


def delete_channel(conn: Connection, account_id: str, region: str, name: str) -> None:
    conn.execute(
        delete(channels).where(
            channels.c.account_id == account_id,
            channels.c.region == region,
            channels.c.name == name,
        )
    )
