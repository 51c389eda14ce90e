"""``configledger serve | --version``: the command-line entry point.

Flags override ``CONFIGLEDGER_*`` environment variables, which override the TOML file
named by ``--config``; see ``configledger.settings``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from configledger import __version__
from configledger.cli import compliance as compliance_cli
from configledger.cli import deliver_snapshot, record
from configledger.cli import query as query_cli
from configledger.cli import rules as rules_cli
from configledger.settings import DEFAULT_DB_URL, DEFAULT_PORT, load_settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="configledger",
        description="A self-hosted AWS Config that speaks AWS Config's wire API.",
    )
    parser.add_argument("--version", action="version", version=f"configledger {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the server")
    serve.add_argument("--host", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help=f"port to listen on (default {DEFAULT_PORT})")
    serve.add_argument(
        "--db",
        dest="db_url",
        help=f"SQLAlchemy URL of the store (default {DEFAULT_DB_URL}; "
        "e.g. postgresql+psycopg://user@host/db)",
    )
    serve.add_argument("--config", help="TOML settings file (section [configledger])")
    serve.add_argument(
        "--credentials-file",
        help="TOML file of access keys, secrets, accounts and principals",
    )
    serve.add_argument(
        "--no-sandbox-credentials",
        dest="sandbox_credentials",
        action="store_false",
        default=None,
        help="refuse the sandbox credentials (key 'test' or a 12-digit key, secret 'test')",
    )
    serve.add_argument(
        "--no-sandbox",
        dest="sandbox",
        action="store_false",
        default=None,
        help="serve AWS Config only: no embedded AWS (moto) on the same port",
    )
    serve.add_argument("--workers", type=int, help="request threads (default 8)")
    serve.add_argument("--log-level", choices=["debug", "info", "warning", "error"])
    serve.add_argument("--source", choices=["sandbox", "aws"], help="where the recorder looks")
    record.add_parser(commands)
    rules_cli.add_parser(commands)
    compliance_cli.add_parser(commands)
    query_cli.add_parser(commands)
    deliver_snapshot.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "query":
        settings = load_settings({"db_url": args.db_url}, config_file=args.config)
        return query_cli.run_command(settings, args)
    if args.command not in ("serve", "record", "rules", "compliance", "deliver-snapshot"):
        _parser().print_help()
        return 2
    overrides = {
        key: getattr(args, key, None)
        for key in (
            "host",
            "port",
            "db_url",
            "credentials_file",
            "sandbox_credentials",
            "sandbox",
            "workers",
            "log_level",
            "source",
        )
    }
    settings = load_settings(overrides, config_file=args.config)
    if args.command == "record":
        return record.run(settings, args)
    if args.command == "rules":
        return rules_cli.run(settings, args)
    if args.command == "compliance":
        return compliance_cli.run(settings, args)
    if args.command == "deliver-snapshot":
        return deliver_snapshot.run(settings, args)
    from configledger.server import serve  # imported late: `--version` stays instant

    serve(settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
