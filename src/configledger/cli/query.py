"""``configledger query``: advanced query from the terminal, beyond AWS.

It opens the store the server uses and evaluates the expression with the extended
grammar (any LIKE pattern, DISTINCT, ``tags.<key>``) over every recorded account and
region, or those named: over the current state, the state at ``--at``, or the changes
captured between ``--since`` and ``--until``. Results print as a table, or as JSON or
CSV with ``--format``.
"""

from __future__ import annotations

import argparse
import csv
import sys
from typing import Any

import orjson
from rich.console import Console
from rich.table import Table

from configledger.errors import AwsError
from configledger.settings import Settings

_PAGE = 1000


def add_parser(commands: Any) -> None:
    query = commands.add_parser(
        "query", help="run an advanced query (SQL subset) over the recorded resources"
    )
    query.add_argument("expression", help="e.g. \"SELECT resourceId WHERE resourceType = '...'\"")
    query.add_argument("--at", help="evaluate over the state at this ISO-8601 instant")
    query.add_argument("--since", help="evaluate over the items captured since this instant")
    query.add_argument("--until", help="... and up to this instant (default: now)")
    query.add_argument("--account", help="only this account (default: every account)")
    query.add_argument("--region", help="only this region (default: every region)")
    query.add_argument(
        "--format", choices=["table", "json", "csv"], default="table", help="output format"
    )
    query.add_argument("--limit", type=int, help="at most this many results")
    query.add_argument("--db", dest="db_url", help="SQLAlchemy URL of the store")
    query.add_argument("--config", help="TOML settings file")


def _time(value: str | None, flag: str) -> int | None:
    from configledger.query.parse import parse_time

    if value is None:
        return None
    try:
        return parse_time(value, flag)
    except AwsError:
        raise SystemExit(f"configledger query: {flag} '{value}' is not an ISO-8601 time") from None


def run_command(settings: Settings, args: argparse.Namespace) -> int:
    # Imported here: the other commands (and --version) need not load the query engine.
    from sqlalchemy import select as sa_select

    from configledger.query import QueryOptions, parse, run
    from configledger.query.projection import QueryProjection
    from configledger.store.database import open_database
    from configledger.store.schema import resources

    at_ms = _time(args.at, "--at")
    since_ms, until_ms = _time(args.since, "--since"), _time(args.until, "--until")
    if at_ms is not None and (since_ms is not None or until_ms is not None):
        print("configledger query: --at cannot be combined with --since/--until", file=sys.stderr)
        return 2
    options = QueryOptions(extensions=True, at_ms=at_ms, since_ms=since_ms, until_ms=until_ms)
    try:
        query = parse(args.expression, extensions=True)
    except AwsError as error:
        print(f"{error.code}: {error.message}", file=sys.stderr)
        return 2
    database = open_database(settings.db_url)
    try:
        QueryProjection(database).catch_up()
        with database.read() as conn:
            partitions_query = sa_select(resources.c.account_id, resources.c.region).distinct()
            if args.account:
                partitions_query = partitions_query.where(resources.c.account_id == args.account)
            if args.region:
                partitions_query = partitions_query.where(resources.c.region == args.region)
            partitions = sorted((a, r) for a, r in conn.execute(partitions_query))
            results: list[str] = []
            offset = 0
            while True:
                size = _PAGE if args.limit is None else min(_PAGE, args.limit - len(results))
                if size <= 0:
                    break
                page = run(conn, query, partitions, offset=offset, limit=size, options=options)
                results.extend(page.results)
                offset += size
                if not page.more:
                    break
    except AwsError as error:
        print(f"{error.code}: {error.message}", file=sys.stderr)
        return 2
    finally:
        database.dispose()
    _print(query.select_fields, [orjson.loads(r) for r in results], args.format)
    return 0


def cell(document: dict[str, Any], name: str) -> Any:
    """The value of select field ``name`` in a result document (a list where the path
    crosses arrays), or None."""
    if name in document:
        return document[name]
    values: list[Any] = [document]
    for part in name.split("."):
        found: list[Any] = []
        for value in values:
            if isinstance(value, list):
                found.extend(v[part] for v in value if isinstance(v, dict) and part in v)
            elif isinstance(value, dict) and part in value:
                found.append(value[part])
        values = found
    if not values:
        return None
    return values[0] if len(values) == 1 else values


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return orjson.dumps(value).decode()


def _print(fields: list[str], documents: list[dict[str, Any]], fmt: str) -> None:
    if fmt == "json":
        sys.stdout.write(orjson.dumps(documents, option=orjson.OPT_INDENT_2).decode() + "\n")
        return
    rows = [[_text(cell(d, name)) for name in fields] for d in documents]
    if fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(fields)
        writer.writerows(rows)
        return
    table = Table(caption=f"{len(rows)} result{'s' if len(rows) != 1 else ''}")
    for name in fields:
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(*row)
    Console().print(table)
