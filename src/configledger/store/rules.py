"""Config rules and their evaluation status (one row per rule and partition)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, delete, func, insert, select, update

from configledger.store.database import partition_lock
from configledger.store.schema import config_rules


@dataclass(frozen=True, slots=True)
class StoredRule:
    account_id: str
    region: str
    name: str
    rule_id: str
    arn: str
    owner: str
    document: dict[str, Any]
    state: str
    created_ms: int
    next_periodic_ms: int | None
    last_manual_ms: int | None
    last_success_invocation_ms: int | None
    last_failed_invocation_ms: int | None
    last_success_evaluation_ms: int | None
    last_failed_evaluation_ms: int | None
    last_error_code: str | None
    last_error_message: str | None
    first_evaluation_started: bool


def lock_rules(conn: Connection, account_id: str, region: str) -> None:
    """Serialise the writers of one partition's rules (the quota and name checks read
    before they write)."""
    partition_lock(conn, "rules", account_id, region)


def _from_row(row: Any) -> StoredRule:
    return StoredRule(
        account_id=row.account_id,
        region=row.region,
        name=row.name,
        rule_id=row.rule_id,
        arn=row.arn,
        owner=row.owner,
        document=orjson.loads(row.document),
        state=row.state,
        created_ms=row.created_ms,
        next_periodic_ms=row.next_periodic_ms,
        last_manual_ms=row.last_manual_ms,
        last_success_invocation_ms=row.last_success_invocation_ms,
        last_failed_invocation_ms=row.last_failed_invocation_ms,
        last_success_evaluation_ms=row.last_success_evaluation_ms,
        last_failed_evaluation_ms=row.last_failed_evaluation_ms,
        last_error_code=row.last_error_code,
        last_error_message=row.last_error_message,
        first_evaluation_started=bool(row.first_evaluation_started),
    )


def list_rules(
    conn: Connection, account_id: str, region: str, names: list[str] | None = None
) -> list[StoredRule]:
    c = config_rules.c
    query = select(config_rules).where(c.account_id == account_id, c.region == region)
    if names is not None:
        query = query.where(c.name.in_(names))
    return [_from_row(row) for row in conn.execute(query.order_by(c.name))]


def get_rule(conn: Connection, account_id: str, region: str, name: str) -> StoredRule | None:
    found = list_rules(conn, account_id, region, [name])
    return found[0] if found else None


def find_rule(
    conn: Connection,
    account_id: str,
    region: str,
    *,
    name: str | None = None,
    rule_id: str | None = None,
    arn: str | None = None,
) -> StoredRule | None:
    c = config_rules.c
    query = select(config_rules).where(c.account_id == account_id, c.region == region)
    if name is not None:
        query = query.where(c.name == name)
    elif rule_id is not None:
        query = query.where(c.rule_id == rule_id)
    elif arn is not None:
        query = query.where(c.arn == arn)
    else:
        return None
    row = conn.execute(query).first()
    return _from_row(row) if row is not None else None


def count_rules(conn: Connection, account_id: str, region: str) -> int:
    c = config_rules.c
    return int(
        conn.execute(
            select(func.count()).where(c.account_id == account_id, c.region == region)
        ).scalar_one()
    )


def insert_rule(
    conn: Connection,
    *,
    account_id: str,
    region: str,
    name: str,
    rule_id: str,
    arn: str,
    document: dict[str, Any],
    now_ms: int,
    next_periodic_ms: int | None,
) -> None:
    conn.execute(
        insert(config_rules).values(
            account_id=account_id,
            region=region,
            name=name,
            rule_id=rule_id,
            arn=arn,
            owner=document["Source"]["Owner"],
            document=orjson.dumps(document).decode(),
            state="ACTIVE",
            created_ms=now_ms,
            next_periodic_ms=next_periodic_ms,
            first_evaluation_started=False,
        )
    )


def update_rule(conn: Connection, rule: StoredRule, **values: Any) -> None:
    if "document" in values:
        values["owner"] = values["document"]["Source"]["Owner"]
        values["document"] = orjson.dumps(values["document"]).decode()
    c = config_rules.c
    conn.execute(
        update(config_rules)
        .where(c.account_id == rule.account_id, c.region == rule.region, c.name == rule.name)
        .values(**values)
    )


def update_rules(
    conn: Connection, account_id: str, region: str, names: list[str], **values: Any
) -> None:
    """Set the same status values on several rules of a partition."""
    c = config_rules.c
    conn.execute(
        update(config_rules)
        .where(c.account_id == account_id, c.region == region, c.name.in_(names))
        .values(**values)
    )


def update_by_id(conn: Connection, rule_id: str, **values: Any) -> None:
    conn.execute(update(config_rules).where(config_rules.c.rule_id == rule_id).values(**values))


def delete_rule(conn: Connection, rule: StoredRule) -> None:
    c = config_rules.c
    conn.execute(
        delete(config_rules).where(
            c.account_id == rule.account_id, c.region == rule.region, c.name == rule.name
        )
    )


def due_periodic(conn: Connection, now_ms: int) -> list[StoredRule]:
    """Every rule whose scheduled evaluation is due, in every partition."""
    c = config_rules.c
    query = select(config_rules).where(
        c.next_periodic_ms.is_not(None), c.next_periodic_ms <= now_ms
    )
    return [_from_row(row) for row in conn.execute(query)]
