"""Running a query: parse, plan on the store, read one page, render it.

``select`` is the one entry point for SelectResourceConfig, SelectAggregateResourceConfig,
the CLI and the extension endpoint; see the package docstring.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import Connection, FromClause

from configledger.errors import InvalidLimitException
from configledger.query.ast import Query
from configledger.query.compile import Partition, plan
from configledger.query.parse import parse
from configledger.query.results import render_group, render_item
from configledger.store import queries as store
from configledger.store.schema import query_resources

MAX_LIMIT = 100
DEFAULT_LIMIT = 25


class Tokens(Protocol):
    """What signs and opens NextTokens (configledger.api.paging.TokenSigner)."""

    def issue(self, scope: str, bound: Any, position: Any) -> str: ...

    def open(self, token: str, scope: str, bound: Any) -> Any: ...


@dataclass(frozen=True, slots=True)
class QueryOptions:
    """Beyond AWS (the CLI and the extension endpoint only): the extended grammar, the
    state at a past instant (``at_ms``), or the changes of a window (``since_ms`` ..
    ``until_ms``); and a resource-type filter (an aggregator's ResourceType filter)."""

    extensions: bool = False
    at_ms: int | None = None
    since_ms: int | None = None
    until_ms: int | None = None
    resource_types: tuple[str, ...] | None = None

    def bound(self) -> list[Any]:
        return [self.extensions, self.at_ms, self.since_ms, self.until_ms, self.resource_types]


@dataclass(frozen=True, slots=True)
class Page:
    select_fields: list[str]
    results: list[str]
    more: bool


@dataclass(frozen=True, slots=True)
class SelectResult:
    select_fields: list[str]
    results: list[str]
    next_token: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_response(self) -> dict[str, Any]:
        """The SelectResourceConfig / SelectAggregateResourceConfig response body."""
        out: dict[str, Any] = {
            "Results": self.results,
            "QueryInfo": {"SelectFields": [{"Name": name} for name in self.select_fields]},
        }
        if self.next_token is not None:
            out["NextToken"] = self.next_token
        return out


def run(
    conn: Connection,
    query: Query,
    partitions: Sequence[Partition],
    *,
    offset: int,
    limit: int,
    options: QueryOptions = QueryOptions(),
) -> Page:
    """One page of ``query`` over ``partitions``: ``limit`` results from ``offset``."""
    if not partitions:
        return Page(query.select_fields, [], False)
    if conn.dialect.name == "postgresql":
        # The rows of one partition and type are read by primary-key range, but they lie
        # across the heap in arrival order; with the default cost of a random page the
        # planner scans the whole table instead (and cannot stop at the first page).
        # The projection is hot, so price a random read like a sequential one.
        conn.exec_driver_sql("SET LOCAL random_page_cost = 1.1")
    snapshot = None
    source: FromClause = query_resources
    if options.at_ms is not None:
        snapshot = store.snapshot_table(conn, store.rows_at(conn, partitions, options.at_ms))
    elif options.since_ms is not None or options.until_ms is not None:
        since = options.since_ms if options.since_ms is not None else 0
        until = options.until_ms if options.until_ms is not None else 2**63 - 1
        snapshot = store.snapshot_table(conn, store.rows_between(conn, partitions, since, until))
    if snapshot is not None:
        source = snapshot
    try:
        built = plan(
            query,
            source,
            conn.dialect.name,
            partitions,
            offset=offset,
            limit=limit + 1,
            resource_types=options.resource_types,
            unique_keys=options.since_ms is None and options.until_ms is None,
        )
        rows = conn.execute(built.statement).all()
        more = len(rows) > limit
        rows = rows[:limit]
        if built.grouped:
            results = []
            for row in rows:
                values, position = [], 0
                for output in built.outputs:
                    width = len(output.columns)
                    values.append(output.read(row[position : position + width]))
                    position += width
                results.append(render_group(query.fields, values))
        else:
            seqs = [int(row[0]) for row in rows]
            items = store.items_by_seq(conn, seqs)
            results = [render_item(items[seq], query.fields) for seq in seqs]
    finally:
        if snapshot is not None:
            store.drop_snapshot(conn, snapshot)
    return Page(query.select_fields, results, more)


def select(
    conn: Connection,
    expression: str,
    partitions: Sequence[Partition],
    *,
    limit: int | None,
    next_token: str | None,
    tokens: Tokens,
    token_scope: str,
    bound: Any = None,
    default_limit: int = DEFAULT_LIMIT,
    options: QueryOptions = QueryOptions(),
) -> SelectResult:
    """Evaluate ``expression`` over ``partitions`` ((account_id, region) pairs) and return
    one page. ``limit`` follows AWS (absent or 0: ``default_limit``; above 100:
    InvalidLimitException); ``next_token`` is a token this function issued for the same
    ``token_scope``, ``bound``, expression, partitions and options."""
    if limit is not None and (limit < 0 or limit > MAX_LIMIT):
        raise InvalidLimitException(
            f"Value '{limit}' at 'limit' failed to satisfy constraint: "
            f"Member must have value less than or equal to {MAX_LIMIT}"
        )
    size = limit or default_limit
    query = parse(expression, extensions=options.extensions)
    token_bound = [bound, expression, [list(p) for p in partitions], options.bound()]
    offset = 0
    if next_token:
        offset = int(tokens.open(next_token, token_scope, token_bound))
    page = run(conn, query, partitions, offset=offset, limit=size, options=options)
    token = tokens.issue(token_scope, token_bound, offset + size) if page.more else None
    return SelectResult(page.select_fields, page.results, token)
