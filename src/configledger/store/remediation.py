"""Remediation configurations, exceptions and executions (spec 2.8, 9.2).

Every query names the partition. An execution row is the newest execution of one
(rule, resource): the worker picks QUEUED rows whose ``due_ms`` has come, so a queued
execution survives a crash; an IN_PROGRESS native run that a crash interrupted is
queued again on start (the native documents are idempotent).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, and_, delete, insert, or_, select, update

from configledger.store.schema import (
    remediation_configurations,
    remediation_exceptions,
    remediation_executions,
)

QUEUED = "QUEUED"
IN_PROGRESS = "IN_PROGRESS"
SUCCEEDED = "SUCCEEDED"
FAILED = "FAILED"
RUNNING = (QUEUED, IN_PROGRESS)

Key = tuple[str, str]  # (resource type, resource id)


@dataclass(frozen=True, slots=True)
class StoredException:
    rule_name: str
    resource_type: str
    resource_id: str
    message: str | None
    expiration_ms: int | None

    def active(self, now_ms: int) -> bool:
        return self.expiration_ms is None or self.expiration_ms > now_ms


@dataclass(frozen=True, slots=True)
class Execution:
    account_id: str
    region: str
    rule_name: str
    resource_type: str
    resource_id: str
    state: str
    automatic: bool
    due_ms: int
    steps: list[dict[str, Any]]
    attempts: list[int]
    automation_id: str | None
    invocation_ms: int
    updated_ms: int

    @property
    def key(self) -> Key:
        return (self.resource_type, self.resource_id)


# -- configurations ------------------------------------------------------------------------


def configurations(
    conn: Connection, account_id: str, region: str, rule_names: Iterable[str] | None = None
) -> dict[str, dict[str, Any]]:
    """The stored configurations by rule name (all of the partition's when no names)."""
    query = select(remediation_configurations.c.rule_name, remediation_configurations.c.document)
    query = query.where(
        remediation_configurations.c.account_id == account_id,
        remediation_configurations.c.region == region,
    )
    if rule_names is not None:
        query = query.where(remediation_configurations.c.rule_name.in_(list(rule_names)))
    return {row.rule_name: orjson.loads(row.document) for row in conn.execute(query)}


def put_configuration(
    conn: Connection, account_id: str, region: str, document: dict[str, Any], now_ms: int
) -> None:
    name = document["ConfigRuleName"]
    body = orjson.dumps(document).decode()
    found = conn.execute(
        update(remediation_configurations)
        .where(
            remediation_configurations.c.account_id == account_id,
            remediation_configurations.c.region == region,
            remediation_configurations.c.rule_name == name,
        )
        .values(document=body)
    )
    if not found.rowcount:
        conn.execute(
            insert(remediation_configurations).values(
                account_id=account_id, region=region, rule_name=name, document=body,
                created_ms=now_ms,
            )
        )  # fmt: skip


def delete_configuration(conn: Connection, account_id: str, region: str, rule_name: str) -> None:
    conn.execute(
        delete(remediation_configurations).where(
            remediation_configurations.c.account_id == account_id,
            remediation_configurations.c.region == region,
            remediation_configurations.c.rule_name == rule_name,
        )
    )
    conn.execute(
        delete(remediation_executions).where(
            remediation_executions.c.account_id == account_id,
            remediation_executions.c.region == region,
            remediation_executions.c.rule_name == rule_name,
        )
    )


# -- exceptions ----------------------------------------------------------------------------


def _exception(row: Any) -> StoredException:
    return StoredException(
        row.rule_name, row.resource_type, row.resource_id, row.message, row.expiration_ms
    )


def exceptions(
    conn: Connection, account_id: str, region: str, rule_name: str, keys: Iterable[Key] = ()
) -> list[StoredException]:
    """The rule's exceptions (only those of ``keys`` when given), in key order."""
    table = remediation_exceptions
    query = select(table).where(
        table.c.account_id == account_id, table.c.region == region, table.c.rule_name == rule_name
    )
    wanted = list(keys)
    if wanted:
        query = query.where(
            or_(*(and_(table.c.resource_type == t, table.c.resource_id == i) for t, i in wanted))
        )
    rows = conn.execute(query.order_by(table.c.resource_type, table.c.resource_id))
    return [_exception(row) for row in rows]


def put_exception(conn: Connection, account_id: str, region: str, found: StoredException) -> None:
    table = remediation_exceptions
    conn.execute(
        delete(table).where(
            table.c.account_id == account_id,
            table.c.region == region,
            table.c.rule_name == found.rule_name,
            table.c.resource_type == found.resource_type,
            table.c.resource_id == found.resource_id,
        )
    )
    conn.execute(
        insert(table).values(
            account_id=account_id, region=region, rule_name=found.rule_name,
            resource_type=found.resource_type, resource_id=found.resource_id,
            message=found.message, expiration_ms=found.expiration_ms,
        )
    )  # fmt: skip


def delete_exception(
    conn: Connection, account_id: str, region: str, rule_name: str, key: Key
) -> bool:
    table = remediation_exceptions
    done = conn.execute(
        delete(table).where(
            table.c.account_id == account_id,
            table.c.region == region,
            table.c.rule_name == rule_name,
            table.c.resource_type == key[0],
            table.c.resource_id == key[1],
        )
    )
    return bool(done.rowcount)


# -- executions ----------------------------------------------------------------------------


def _execution(row: Any) -> Execution:
    return Execution(
        account_id=row.account_id,
        region=row.region,
        rule_name=row.rule_name,
        resource_type=row.resource_type,
        resource_id=row.resource_id,
        state=row.state,
        automatic=bool(row.automatic),
        due_ms=row.due_ms,
        steps=orjson.loads(row.steps),
        attempts=orjson.loads(row.attempts),
        automation_id=row.automation_id,
        invocation_ms=row.invocation_ms,
        updated_ms=row.updated_ms,
    )


def executions(
    conn: Connection, account_id: str, region: str, rule_name: str, keys: Iterable[Key] = ()
) -> list[Execution]:
    table = remediation_executions
    query = select(table).where(
        table.c.account_id == account_id, table.c.region == region, table.c.rule_name == rule_name
    )
    wanted = list(keys)
    if wanted:
        query = query.where(
            or_(*(and_(table.c.resource_type == t, table.c.resource_id == i) for t, i in wanted))
        )
    rows = conn.execute(query.order_by(table.c.resource_type, table.c.resource_id))
    return [_execution(row) for row in rows]


def save_execution(conn: Connection, execution: Execution) -> None:
    """Insert or replace the execution of its (rule, resource)."""
    table = remediation_executions
    conn.execute(
        delete(table).where(
            table.c.account_id == execution.account_id,
            table.c.region == execution.region,
            table.c.rule_name == execution.rule_name,
            table.c.resource_type == execution.resource_type,
            table.c.resource_id == execution.resource_id,
        )
    )
    conn.execute(
        insert(table).values(
            account_id=execution.account_id,
            region=execution.region,
            rule_name=execution.rule_name,
            resource_type=execution.resource_type,
            resource_id=execution.resource_id,
            state=execution.state,
            automatic=execution.automatic,
            due_ms=execution.due_ms,
            steps=orjson.dumps(execution.steps).decode(),
            attempts=orjson.dumps(execution.attempts).decode(),
            automation_id=execution.automation_id,
            invocation_ms=execution.invocation_ms,
            updated_ms=execution.updated_ms,
        )
    )


def due(conn: Connection, now_ms: int, limit: int = 50) -> list[Execution]:
    """Queued executions whose time has come, and real automations still running."""
    table = remediation_executions
    rows = conn.execute(
        select(table)
        .where(
            or_(
                and_(table.c.state == QUEUED, table.c.due_ms <= now_ms),
                and_(table.c.state == IN_PROGRESS, table.c.automation_id.is_not(None)),
            )
        )
        .order_by(table.c.due_ms)
        .limit(limit)
    )
    return [_execution(row) for row in rows]


def requeue_interrupted(conn: Connection) -> None:
    """Native runs a stop or crash cut short run again (their documents are idempotent)."""
    table = remediation_executions
    conn.execute(
        update(table)
        .where(table.c.state == IN_PROGRESS, table.c.automation_id.is_(None))
        .values(state=QUEUED)
    )


def running(conn: Connection, account_id: str, region: str, rule_name: str) -> bool:
    table = remediation_executions
    found = conn.execute(
        select(table.c.rule_name)
        .where(
            table.c.account_id == account_id,
            table.c.region == region,
            table.c.rule_name == rule_name,
            table.c.state.in_(RUNNING),
        )
        .limit(1)
    ).first()
    return found is not None
