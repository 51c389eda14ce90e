"""Configuration recorders: one customer-managed recorder per account and region."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, bindparam, delete, insert, select, update

from configledger.store.database import partition_lock
from configledger.store.schema import recorders


@dataclass(frozen=True, slots=True)
class Recorder:
    account_id: str
    region: str
    name: str
    arn: str
    role_arn: str
    recording_group: dict[str, Any]
    recording_mode: dict[str, Any]
    recording: bool
    last_start_ms: int | None
    last_stop_ms: int | None
    last_status: str | None
    last_status_change_ms: int | None
    last_error_code: str | None
    last_error_message: str | None


def lock_configuration(conn: Connection, account_id: str, region: str) -> None:
    """Serialise, until ``conn``'s transaction ends, the writers of one partition's
    configuration objects: its recorder, delivery channel, retention configuration and tags.

    Their rules read before they write (one recorder and one channel per partition, at
    most 50 tags, a channel only next to a recorder, no channel deleted while recording),
    so two writers must not interleave. SQLite already admits one writer at a time;
    PostgreSQL, at READ COMMITTED, takes a transaction-scoped advisory lock, which also
    holds between server processes sharing the database.
    """
    partition_lock(conn, "configuration", account_id, region)


def _from_row(row: Any) -> Recorder:
    return Recorder(
        account_id=row.account_id,
        region=row.region,
        name=row.name,
        arn=row.arn,
        role_arn=row.role_arn,
        recording_group=orjson.loads(row.recording_group),
        recording_mode=orjson.loads(row.recording_mode),
        recording=bool(row.recording),
        last_start_ms=row.last_start_ms,
        last_stop_ms=row.last_stop_ms,
        last_status=row.last_status,
        last_status_change_ms=row.last_status_change_ms,
        last_error_code=row.last_error_code,
        last_error_message=row.last_error_message,
    )


def list_recorders(conn: Connection, account_id: str, region: str) -> list[Recorder]:
    rows = conn.execute(
        select(recorders)
        .where(recorders.c.account_id == account_id, recorders.c.region == region)
        .order_by(recorders.c.name)
    )
    return [_from_row(row) for row in rows]


_IS_RECORDING = (
    select(recorders.c.name)
    .where(
        recorders.c.account_id == bindparam("a"),
        recorders.c.region == bindparam("r"),
        recorders.c.recording.is_(True),
    )
    .limit(1)
)


def is_recording(conn: Connection, account_id: str, region: str) -> bool:
    """Whether the partition's recorder is running (one indexed row, nothing decoded)."""
    return conn.execute(_IS_RECORDING, {"a": account_id, "r": region}).first() is not None


def get_recorder(conn: Connection, account_id: str, region: str, name: str) -> Recorder | None:
    row = conn.execute(
        select(recorders).where(
            recorders.c.account_id == account_id,
            recorders.c.region == region,
            recorders.c.name == name,
        )
    ).first()
    return _from_row(row) if row is not None else None


def insert_recorder(
    conn: Connection,
    *,
    account_id: str,
    region: str,
    name: str,
    arn: str,
    role_arn: str,
    recording_group: dict[str, Any],
    recording_mode: dict[str, Any],
    now_ms: int,
) -> None:
    conn.execute(
        insert(recorders).values(
            account_id=account_id,
            region=region,
            name=name,
            arn=arn,
            role_arn=role_arn,
            recording_group=orjson.dumps(recording_group).decode(),
            recording_mode=orjson.dumps(recording_mode).decode(),
            recording=False,
            created_ms=now_ms,
        )
    )


def update_recorder(conn: Connection, recorder: Recorder, **values: Any) -> None:
    for key in ("recording_group", "recording_mode"):
        if key in values:
            values[key] = orjson.dumps(values[key]).decode()
    conn.execute(
        update(recorders)
        .where(
            recorders.c.account_id == recorder.account_id,
            recorders.c.region == recorder.region,
            recorders.c.name == recorder.name,
        )
        .values(**values)
    )


def delete_recorder(conn: Connection, recorder: Recorder) -> None:
    conn.execute(
        delete(recorders).where(
            recorders.c.account_id == recorder.account_id,
            recorders.c.region == recorder.region,
            recorders.c.name == recorder.name,
        )
    )
