"""Evaluation results: the current result of each (rule, resource), and the roll-ups the
compliance queries read (spec 7.5), computed by the database on read.

Writes are one upsert statement per batch whatever its size (a full evaluation of ten
rules over twenty thousand resources is two hundred thousand rows); results a pass finds
unchanged have only their times rewritten, by rule, type and hundreds of resources at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    case,
    delete,
    func,
    or_,
    select,
    tuple_,
)

from configledger.store.schema import evaluation_results

COMPLIANT = "COMPLIANT"
NON_COMPLIANT = "NON_COMPLIANT"
NOT_APPLICABLE = "NOT_APPLICABLE"

_COLUMNS = (
    "account_id",
    "region",
    "rule_name",
    "resource_type",
    "resource_id",
    "compliance",
    "annotation",
    "ordering_ms",
    "recorded_ms",
    "invoked_ms",
    "result_token",
)
_UPDATED = _COLUMNS[5:]


class Result(NamedTuple):
    """The current result of one rule for one resource. A named tuple: a full pass builds
    one per rule and resource twice (what it found, what was stored), and a row unpacks
    into it straight."""

    rule_name: str
    resource_type: str
    resource_id: str
    compliance: str
    annotation: str | None
    ordering_ms: int
    recorded_ms: int
    invoked_ms: int
    result_token: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.resource_type, self.resource_id)


_c = evaluation_results.c
# The columns of a Result, in its fields' order: a row unpacks straight into one.
_RESULT_COLUMNS = (
    _c.rule_name,
    _c.resource_type,
    _c.resource_id,
    _c.compliance,
    _c.annotation,
    _c.ordering_ms,
    _c.recorded_ms,
    _c.invoked_ms,
    _c.result_token,
)


def _results(conn: Connection, query: Select[Any]) -> list[Result]:
    """The rows of ``query`` (which selects ``_RESULT_COLUMNS``), fetched in one call."""
    return list(map(Result._make, conn.execute(query).all()))


def _partition(account_id: str, region: str) -> list[ColumnElement[bool]]:
    c = evaluation_results.c
    return [c.account_id == account_id, c.region == region]


def for_rule(
    conn: Connection, account_id: str, region: str, rule_name: str
) -> dict[tuple[str, str], Result]:
    c = evaluation_results.c
    query = select(*_RESULT_COLUMNS).where(
        *_partition(account_id, region), c.rule_name == rule_name
    )
    return {(r.resource_type, r.resource_id): r for r in _results(conn, query)}


def for_resources(
    conn: Connection, account_id: str, region: str, keys: Iterable[tuple[str, str]]
) -> list[Result]:
    """Every rule's result for each of the resources."""
    wanted = list(dict.fromkeys(keys))
    out: list[Result] = []
    c = evaluation_results.c
    if len(wanted) > 2_000:  # one scan of the partition beats thousands of lookups
        chosen = set(wanted)
        query = select(*_RESULT_COLUMNS).where(*_partition(account_id, region))
        return [r for r in _results(conn, query) if r.key in chosen]
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        query = select(*_RESULT_COLUMNS).where(
            *_partition(account_id, region), tuple_(c.resource_type, c.resource_id).in_(chunk)
        )
        out.extend(_results(conn, query))
    return out


def upsert(conn: Connection, account_id: str, region: str, results: Sequence[Result]) -> None:
    """Write each result over the one stored for its (rule, resource), in one statement."""
    if not results:
        return
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"INSERT INTO {evaluation_results.name} ({', '.join(_COLUMNS)}) "
        f"VALUES ({', '.join(mark for _ in _COLUMNS)}) "
        "ON CONFLICT (account_id, region, rule_name, resource_type, resource_id) DO UPDATE SET "
        + ", ".join(f"{name} = excluded.{name}" for name in _UPDATED)
    )
    conn.exec_driver_sql(
        sql,
        [
            (
                account_id,
                region,
                r.rule_name,
                r.resource_type,
                r.resource_id,
                r.compliance,
                r.annotation,
                r.ordering_ms,
                r.recorded_ms,
                r.invoked_ms,
                r.result_token,
            )
            for r in results
        ],
    )


# SQLite: resources re-timed per statement, far below its limit on parameters.
_TOUCH_CHUNK = 500
_TABLE = evaluation_results.name


def touch(conn: Connection, account_id: str, region: str, results: Sequence[Result]) -> None:
    """Write only the times of results otherwise equal to the ones stored (a pass that
    finds what the last one found), by rule, type and times rather than a row each:
    PostgreSQL joins the resource ids given as one array, SQLite looks up 500 at a time.
    A statement that finds fewer rows than it names (some deleted since they were read)
    has its results written whole by ``upsert``, as if never touched."""
    if not results:
        return
    groups: dict[tuple[str, str, int, int], list[Result]] = defaultdict(list)
    for r in results:
        groups[(r.rule_name, r.resource_type, r.recorded_ms, r.invoked_ms)].append(r)
    missing: list[Result] = []
    postgres = conn.dialect.name == "postgresql"
    for (rule_name, resource_type, recorded_ms, invoked_ms), members in groups.items():
        if postgres:
            chunks = [members]
        else:
            chunks = [members[i : i + _TOUCH_CHUNK] for i in range(0, len(members), _TOUCH_CHUNK)]
        for chunk in chunks:
            ids = [r.resource_id for r in chunk]
            if postgres:
                found = conn.exec_driver_sql(
                    f"UPDATE {_TABLE} AS e SET recorded_ms = %s, invoked_ms = %s "
                    "FROM unnest(%s::text[]) AS k(id) WHERE e.account_id = %s AND e.region = %s "
                    "AND e.rule_name = %s AND e.resource_type = %s AND e.resource_id = k.id",
                    (recorded_ms, invoked_ms, ids, account_id, region, rule_name, resource_type),
                )
            else:
                found = conn.exec_driver_sql(
                    f"UPDATE {_TABLE} SET recorded_ms = ?, invoked_ms = ? WHERE account_id = ? "
                    "AND region = ? AND rule_name = ? AND resource_type = ? "
                    f"AND resource_id IN ({', '.join('?' * len(ids))})",
                    (recorded_ms, invoked_ms, account_id, region, rule_name, resource_type, *ids),
                )
            if found.rowcount != len(chunk):
                missing.extend(chunk)
    upsert(conn, account_id, region, missing)


def delete_for_rule(
    conn: Connection, account_id: str, region: str, rule_name: str
) -> list[tuple[str, str]]:
    """Drop a rule's results; the resources they were about."""
    c = evaluation_results.c
    where = [*_partition(account_id, region), c.rule_name == rule_name]
    keys = [
        (row[0], row[1])
        for row in conn.execute(select(c.resource_type, c.resource_id).where(*where))
    ]
    conn.execute(delete(evaluation_results).where(*where))
    return keys


def rule_page(
    conn: Connection,
    account_id: str,
    region: str,
    rule_name: str,
    compliance: Sequence[str],
    after: tuple[str, str] | None,
    limit: int,
) -> list[Result]:
    c = evaluation_results.c
    query = select(*_RESULT_COLUMNS).where(
        *_partition(account_id, region), c.rule_name == rule_name, c.compliance.in_(compliance)
    )
    if after is not None:
        query = query.where(tuple_(c.resource_type, c.resource_id) > tuple_(*after))
    query = query.order_by(c.resource_type, c.resource_id).limit(limit)
    return _results(conn, query)


def resource_results(
    conn: Connection,
    account_id: str,
    region: str,
    resource_type: str,
    resource_id: str,
    compliance: Sequence[str],
) -> list[Result]:
    c = evaluation_results.c
    query = (
        select(*_RESULT_COLUMNS)
        .where(
            *_partition(account_id, region),
            c.resource_type == resource_type,
            c.resource_id == resource_id,
            c.compliance.in_(compliance),
        )
        .order_by(c.rule_name)
    )
    return _results(conn, query)


def _counts() -> tuple[Any, Any]:
    c = evaluation_results.c
    non = func.sum(case((c.compliance == NON_COMPLIANT, 1), else_=0))
    ok = func.sum(case((c.compliance == COMPLIANT, 1), else_=0))
    return non, ok


def rule_counts(conn: Connection, account_id: str, region: str) -> dict[str, tuple[int, int]]:
    """Per rule: (non-compliant resources, compliant resources)."""
    c = evaluation_results.c
    non, ok = _counts()
    query = (
        select(c.rule_name, non, ok).where(*_partition(account_id, region)).group_by(c.rule_name)
    )
    return {row[0]: (int(row[1] or 0), int(row[2] or 0)) for row in conn.execute(query)}


@dataclass(frozen=True, slots=True)
class ResourceCounts:
    resource_type: str
    resource_id: str
    non_compliant: int  # rules it fails
    compliant: int  # rules it passes


def resource_page(
    conn: Connection,
    account_id: str,
    region: str,
    *,
    resource_type: str | None,
    resource_id: str | None,
    wanted: Sequence[str],
    after: tuple[str, str] | None,
    limit: int,
) -> list[ResourceCounts]:
    """Resources with an applicable result, with their counts, filtered by their
    rolled-up compliance (``wanted``: COMPLIANT / NON_COMPLIANT), in key order."""
    c = evaluation_results.c
    non, ok = _counts()
    query = select(c.resource_type, c.resource_id, non, ok).where(*_partition(account_id, region))
    if resource_type is not None:
        query = query.where(c.resource_type == resource_type)
    if resource_id is not None:
        query = query.where(c.resource_id == resource_id)
    if after is not None:
        query = query.where(tuple_(c.resource_type, c.resource_id) > tuple_(*after))
    query = query.group_by(c.resource_type, c.resource_id)
    conditions: list[ColumnElement[bool]] = []
    if NON_COMPLIANT in wanted:
        conditions.append(non > 0)
    if COMPLIANT in wanted:
        conditions.append(and_(non == 0, ok > 0))
    if not conditions:
        return []
    query = query.having(or_(*conditions)).order_by(c.resource_type, c.resource_id).limit(limit)
    return [
        ResourceCounts(row[0], row[1], int(row[2] or 0), int(row[3] or 0))
        for row in conn.execute(query)
    ]


def type_counts(
    conn: Connection, account_id: str, region: str, resource_types: Sequence[str] | None
) -> dict[str, tuple[int, int]]:
    """Per resource type: (non-compliant resources, compliant resources)."""
    c = evaluation_results.c
    non, ok = _counts()
    per_resource = (
        select(c.resource_type.label("t"), non.label("n"), ok.label("k"))
        .where(*_partition(account_id, region))
        .group_by(c.resource_type, c.resource_id)
    )
    if resource_types:
        per_resource = per_resource.where(c.resource_type.in_(list(resource_types)))
    sub = per_resource.subquery()
    query = select(
        sub.c.t,
        func.sum(case((sub.c.n > 0, 1), else_=0)),
        func.sum(case((and_(sub.c.n == 0, sub.c.k > 0), 1), else_=0)),
    ).group_by(sub.c.t)
    return {row[0]: (int(row[1] or 0), int(row[2] or 0)) for row in conn.execute(query)}
