"""``configledger deliver-snapshot``: ask a running server for a configuration snapshot
and follow its delivery with a progress bar.

The snapshot is requested through the API (DeliverConfigSnapshot, as the AWS CLI would);
its progress is read from the store the server writes (``--db``), where the delivery
worker counts the items it has streamed to S3.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from configledger.settings import Settings
from configledger.store import deliveries
from configledger.store.database import open_database


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "deliver-snapshot", help="deliver a configuration snapshot and show its progress"
    )
    parser.add_argument("--account", required=True, help="the account (12 digits)")
    parser.add_argument("--region", default="us-east-1", help="the region (default us-east-1)")
    parser.add_argument("--channel", default="default", help="the delivery channel's name")
    parser.add_argument("--endpoint-url", help="the server (default http://127.0.0.1:<port>)")
    parser.add_argument("--port", type=int, help="port of the running server")
    parser.add_argument("--db", dest="db_url", help="SQLAlchemy URL of the server's store")
    parser.add_argument("--config", help="TOML settings file")
    parser.add_argument("--access-key", help="access key id (default: the sandbox's, the account)")
    parser.add_argument("--secret-key", default="test", help="secret access key")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds to wait")


def run(settings: Settings, args: argparse.Namespace) -> int:
    console = Console()
    endpoint = args.endpoint_url or f"http://127.0.0.1:{settings.port}"
    client = boto3.client(
        "config",
        endpoint_url=endpoint,
        region_name=args.region,
        aws_access_key_id=args.access_key or args.account,
        aws_secret_access_key=args.secret_key,
        config=BotoConfig(retries={"max_attempts": 3, "mode": "standard"}),
    )
    try:
        snapshot_id = client.deliver_config_snapshot(deliveryChannelName=args.channel)[
            "configSnapshotId"
        ]
    except (ClientError, BotoCoreError) as error:
        console.print(f"[red]DeliverConfigSnapshot failed:[/red] {error}")
        return 2
    console.print(f"Snapshot {snapshot_id} requested from {endpoint}")
    database = open_database(settings.db_url, migrate=False)
    try:
        return _follow(console, database, args, snapshot_id)
    finally:
        database.dispose()


def _follow(console: Console, database: Any, args: argparse.Namespace, snapshot_id: str) -> int:
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("items"),
        TimeElapsedColumn(),
    )
    deadline = time.monotonic() + args.timeout
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("waiting for the delivery worker", total=None)
        while time.monotonic() < deadline:
            with database.read() as conn:
                snap = deliveries.snapshot(conn, args.account, args.region, snapshot_id)
                status = deliveries.status(conn, args.account, args.region, deliveries.SNAPSHOT)
            if snap is None:
                console.print("[red]The snapshot is no longer known (channel deleted?)[/red]")
                return 2
            if snap.state != "pending":
                progress.update(
                    task,
                    description="streaming to S3",
                    total=snap.total_items,
                    completed=snap.written_items or 0,
                )
            if snap.state == "completed":
                progress.update(task, description="delivered", completed=snap.total_items)
                break
            if status.failures and status.last_error_code:
                console.print(
                    f"[red]Delivery failed ({status.last_error_code}): "
                    f"{status.last_error_message}[/red]; the server keeps retrying."
                )
                return 2
            time.sleep(0.2)
        else:
            console.print("[red]Timed out waiting for the snapshot.[/red]")
            return 2
    console.print(f"Delivered {snap.total_items} items to s3 key {snap.s3_key}")
    return 0
