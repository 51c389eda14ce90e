"""One frozen ``Settings``, loaded from flags, the environment and a TOML file in one place.

Precedence, highest first: command-line flags, ``CONFIGLEDGER_*`` environment variables,
the TOML file (``--config`` or ``CONFIGLEDGER_CONFIG``), then the defaults below. Every
other module receives a ``Settings``; none reads the environment itself.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

DEFAULT_PORT = 4588
DEFAULT_DB_URL = "sqlite:///configledger.db"


@dataclass(frozen=True, slots=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    db_url: str = DEFAULT_DB_URL
    # A TOML file of extra credentials (see configledger.api.auth).
    credentials_file: str | None = None
    # The sandbox credentials: key "test"/secret "test" and any 12-digit key with secret "test".
    sandbox_credentials: bool = True
    # The embedded AWS (moto) on the same port: every signed request that is not for
    # AWS Config goes to it, and its mutating calls become CloudTrail events.
    sandbox: bool = True
    # Threads that run requests; SQLite writes are serialised regardless.
    workers: int = 8
    # AWS's limit of active custom resources (PutResourceConfig) per account and region.
    max_active_custom_resources: int = 100_000
    log_level: str = "info"
    # Where the recorder describes resources: "sandbox" (the embedded AWS on this port)
    # or "aws" (the default boto3 credential chain, assuming the recorder's roleARN).
    source: str = "sandbox"
    # For source "aws": an endpoint standing in for AWS (tests point it at a moto server).
    aws_endpoint_url: str | None = None
    # For source "aws": assume each recorder's roleARN (False: use the default chain's
    # own identity, e.g. an instance role that can already read the account).
    assume_role: bool = True
    # Seconds between full sweeps of every recording account and region (0: never).
    sweep_interval: int = 900
    # Source "aws": seconds between CloudTrail LookupEvents polls (0: never), and an SQS
    # queue fed by EventBridge ("AWS API Call via CloudTrail") to read changes from.
    cloudtrail_poll_interval: int = 60
    event_queue_url: str | None = None
    # AWS's quota of config rules per account and region.
    max_config_rules: int = 1000
    # Seconds a PutEvaluations result token stays valid after the rule was invoked.
    result_token_ttl: int = 6 * 3600
    # Lambda rules run locally (sandbox): invocations at once, where packages are
    # unpacked (a temporary directory when unset), and AWS's 256 KB limit of an invoking
    # event beyond which the oversized variant is sent.
    lambda_concurrency: int = 4
    lambda_code_dir: str | None = None
    lambda_event_limit: int = 262_144

    # Seconds between configuration history deliveries (one file per resource type of the
    # items recorded since the last one); AWS delivers about every six hours.
    history_delivery_interval: int = 21_600
    # The longest wait between two attempts of a failing delivery (exponential backoff
    # with jitter from one second up to this).
    delivery_retry_max_seconds: int = 300
    # PutDeliveryChannel checks the bucket and topic as AWS does (exists, the delivery
    # policy lets Config write, ConfigWritabilityCheckFile written).
    delivery_channel_checks: bool = True
    # Seconds (of the runtime clock) a conformance pack request waits before the worker
    # carries it out: AWS's deployments take a while, and with a delay clients meet the
    # *_IN_PROGRESS states as they would in AWS.
    conformance_pack_deployment_delay: int = 0


_ENV_PREFIX = "CONFIGLEDGER_"
_BOOL_TRUE = {"1", "true", "yes", "on"}


def _coerce(name: str, raw: object) -> object:
    kind = {f.name: f.type for f in fields(Settings)}[name]
    if not isinstance(raw, str):
        return raw
    if kind == "int":
        return int(raw)
    if kind == "bool":
        return raw.strip().lower() in _BOOL_TRUE
    return raw


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    config_file: str | None = None,
) -> Settings:
    """Build the Settings from the TOML file, then the environment, then ``overrides``."""
    environ = os.environ if environ is None else environ
    known = {f.name for f in fields(Settings)}
    values: dict[str, object] = {}

    path = config_file or environ.get(_ENV_PREFIX + "CONFIG")
    if path:
        with Path(path).open("rb") as fh:
            document = tomllib.load(fh)
        section = document.get("configledger", document)
        for key, value in section.items():
            name = key.replace("-", "_")
            if name not in known:
                raise ValueError(f"unknown setting {key!r} in {path}")
            values[name] = _coerce(name, value)

    for name in known:
        raw = environ.get(_ENV_PREFIX + name.upper())
        if raw is not None:
            values[name] = _coerce(name, raw)

    for name, value in (overrides or {}).items():
        if value is not None:
            values[name] = value

    return replace(Settings(), **values)  # type: ignore[arg-type]
