"""``configledger rules list``: the config rules of every account and region in the store,
with their source, triggers, state, compliance and last evaluation."""

from __future__ import annotations

import argparse
from typing import Any

from rich.console import Console
from rich.table import Table

from configledger.clock import iso_ms
from configledger.rules.compliance import RESOURCE_CAP, rolled_up
from configledger.rules.definition import definition
from configledger.settings import Settings
from configledger.store import evaluations as results_store
from configledger.store.database import open_database
from configledger.store.schema import config_rules

COLOURS = {"COMPLIANT": "green", "NON_COMPLIANT": "red", "INSUFFICIENT_DATA": "yellow"}


def add_parser(commands: Any) -> None:
    rules = commands.add_parser("rules", help="list config rules")
    actions = rules.add_subparsers(dest="rules_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="a table of the rules and their compliance")
    add_filters(listing)


def add_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--account", help="only this account")
    parser.add_argument("--region", help="only this region")
    parser.add_argument("--db", dest="db_url", help="SQLAlchemy URL of the store")
    parser.add_argument("--config", help="TOML settings file")


def partitions(conn: Any, args: argparse.Namespace) -> list[tuple[str, str]]:
    """The (account, region) pairs that have rules, narrowed by --account/--region."""
    query = config_rules.select().with_only_columns(
        config_rules.c.account_id, config_rules.c.region
    )
    if args.account:
        query = query.where(config_rules.c.account_id == args.account)
    if args.region:
        query = query.where(config_rules.c.region == args.region)
    return sorted({(row[0], row[1]) for row in conn.execute(query)})


def styled(compliance_type: str) -> str:
    colour = COLOURS.get(compliance_type, "white")
    return f"[{colour}]{compliance_type}[/{colour}]"


def _triggers(document: dict[str, Any], name: str) -> str:
    rule = definition(name, "", "", document)
    parts = []
    if rule.change_triggered:
        parts.append("change")
    if rule.period_ms:
        parts.append(f"{rule.period_ms // 3_600_000}h")
    return "+".join(parts) or "-"


def run(settings: Settings, args: argparse.Namespace) -> int:
    from configledger.store import rules as rule_store

    database = open_database(settings.db_url)
    console = Console()
    tables = []
    with database.read() as conn:
        for account_id, region in partitions(conn, args):
            table = Table(title=f"Config rules of {account_id} in {region}")
            for column in ("rule", "source", "triggers", "state", "compliance"):
                table.add_column(column)
            table.add_column("failing", justify="right")
            table.add_column("last evaluated")
            counts = results_store.rule_counts(conn, account_id, region)
            for rule in rule_store.list_rules(conn, account_id, region):
                non, ok = counts.get(rule.name, (0, 0))
                compliance = rolled_up(non, ok, RESOURCE_CAP)["ComplianceType"]
                source = rule.document["Source"]
                last = rule.last_success_evaluation_ms
                table.add_row(
                    rule.name, source.get("SourceIdentifier") or source["Owner"],
                    _triggers(rule.document, rule.name), rule.state, styled(compliance),
                    str(non), iso_ms(last)[:19].replace("T", " ") if last else "never",
                )  # fmt: skip
            tables.append(table)
    database.dispose()
    if not tables:
        console.print("No config rules in this store.")
    for table in tables:
        console.print(table)
    return 0
