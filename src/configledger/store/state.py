"""Small server-wide values that must survive restarts (the token-signing secret)."""

from __future__ import annotations

import secrets

from sqlalchemy import Connection, insert, select, update

from configledger.store.schema import server_state


def get_or_create(conn: Connection, key: str, make: str | None = None) -> str:
    found = conn.execute(select(server_state.c.value).where(server_state.c.key == key)).scalar()
    if found is not None:
        return str(found)
    value = make if make is not None else secrets.token_hex(32)
    conn.execute(insert(server_state).values(key=key, value=value))
    return value


def get(conn: Connection, key: str) -> str | None:
    found = conn.execute(select(server_state.c.value).where(server_state.c.key == key)).scalar()
    return None if found is None else str(found)


def put(conn: Connection, key: str, value: str) -> None:
    if get(conn, key) is None:
        conn.execute(insert(server_state).values(key=key, value=value))
    else:
        conn.execute(update(server_state).where(server_state.c.key == key).values(value=value))
