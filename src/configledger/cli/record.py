"""``configledger record --once``: one sweep, with a progress bar per resource type.

It opens the same store as the server and describes resources the way the server's
recorder does (the sandbox of a running server, or AWS with ``--source aws``), then
prints what it found per type: discovered, changed, deleted, failed.
"""

from __future__ import annotations

import argparse
from functools import partial
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from configledger.recorder.engine import RecordingEngine, TypeReport
from configledger.settings import Settings
from configledger.store.schema import recorders


def add_parser(commands: Any) -> None:
    record = commands.add_parser("record", help="run one recording sweep and report it")
    record.add_argument("--once", action="store_true", required=True, help="one sweep, then exit")
    record.add_argument("--account", help="only this account (default: every recording one)")
    record.add_argument("--region", help="only this region")
    record.add_argument("--db", dest="db_url", help="SQLAlchemy URL of the store")
    record.add_argument("--port", type=int, help="port of the running server (sandbox source)")
    record.add_argument("--source", choices=["sandbox", "aws"], help="where to describe resources")
    record.add_argument("--config", help="TOML settings file")


def run(settings: Settings, args: argparse.Namespace) -> int:
    from configledger.server import build_runtime  # the store opens only when asked

    runtime = build_runtime(settings)
    assert runtime.recorder is not None
    engine: RecordingEngine = runtime.recorder.engine
    with runtime.database.read() as conn:
        query = recorders.select().where(recorders.c.recording.is_(True))
        if args.account:
            query = query.where(recorders.c.account_id == args.account)
        if args.region:
            query = query.where(recorders.c.region == args.region)
        partitions = [(row.account_id, row.region) for row in conn.execute(query)]
    console = Console()
    if not partitions:
        console.print("No recording configuration recorder matches; nothing to sweep.")
        return 1
    reports: list[tuple[str, str, TypeReport]] = []
    columns = (
        TextColumn("{task.description:<48}"),
        BarColumn(),
        TextColumn("{task.completed:>6} listed"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        tasks: dict[str, Any] = {}

        def report(account_id: str, region: str, type_name: str, listed: int, done: bool) -> None:
            label = f"{account_id}/{region} {type_name}"
            if label not in tasks:
                tasks[label] = progress.add_task(label, total=None)
            progress.update(tasks[label], completed=listed, total=listed if done else None)

        for account_id, region in partitions:
            results = engine.sweep(account_id, region, progress=partial(report, account_id, region))
            for result in results:
                reports.append((account_id, region, result))
    table = Table(title="Sweep summary")
    for column in ("account", "region", "resource type", "failed"):
        table.add_column(column)
    for column in ("listed", "discovered", "changed", "deleted"):
        table.add_column(column, justify="right")
    for account_id, region, result in reports:
        o = result.outcome
        table.add_row(
            account_id, region, result.type_name, result.error or "",
            str(result.listed), str(o.discovered), str(o.changed), str(o.deleted),
        )  # fmt: skip
    console.print(table)
    runtime.database.dispose()
    return 0 if all(r.error is None for _, _, r in reports) else 2
