"""``configledger compliance``: each rule's compliance with its compliant and
non-compliant resource counts, then the resources by type (the roll-ups of spec 7.5,
uncapped: a terminal is not bound by AWS's caps)."""

from __future__ import annotations

import argparse
from typing import Any

from rich.console import Console
from rich.table import Table

from configledger.cli.rules import add_filters, partitions, styled
from configledger.rules.compliance import RESOURCE_CAP, rolled_up
from configledger.settings import Settings
from configledger.store import evaluations as results_store
from configledger.store import rules as rule_store
from configledger.store.database import open_database


def add_parser(commands: Any) -> None:
    compliance = commands.add_parser(
        "compliance", help="a table of rules, their compliance and resource counts"
    )
    add_filters(compliance)


def run(settings: Settings, args: argparse.Namespace) -> int:
    database = open_database(settings.db_url)
    console = Console()
    tables = []
    with database.read() as conn:
        for account_id, region in partitions(conn, args):
            by_rule = Table(title=f"Compliance by rule: {account_id} in {region}")
            for column in ("rule", "compliance"):
                by_rule.add_column(column)
            by_rule.add_column("compliant", justify="right")
            by_rule.add_column("non-compliant", justify="right")
            counts = results_store.rule_counts(conn, account_id, region)
            for rule in rule_store.list_rules(conn, account_id, region):
                non, ok = counts.get(rule.name, (0, 0))
                compliance = rolled_up(non, ok, RESOURCE_CAP)["ComplianceType"]
                by_rule.add_row(rule.name, styled(compliance), str(ok), str(non))
            by_type = Table(title=f"Resources by type: {account_id} in {region}")
            by_type.add_column("resource type")
            by_type.add_column("compliant", justify="right")
            by_type.add_column("non-compliant", justify="right")
            types = results_store.type_counts(conn, account_id, region, None)
            for resource_type, (non, ok) in sorted(types.items()):
                by_type.add_row(resource_type, str(ok), str(non))
            tables += [by_rule, by_type]
    database.dispose()
    if not tables:
        console.print("No config rules in this store.")
    for table in tables:
        console.print(table)
    return 0
