"""Helpers for the sandbox tests: boto3 clients of any service at the one endpoint."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import orjson
import pytest
from botocore.config import Config as BotoConfig
from sqlalchemy import create_engine, select

from configledger.store.schema import cloudtrail_events, outbox
from tests.conftest import REGION, LiveServer

Clients = Callable[..., Any]


def aws_client(
    server: LiveServer,
    service: str,
    account: str,
    *,
    region: str = REGION,
    secret: str = "test",
    **config: Any,
) -> Any:
    """A boto3 client of ``service`` signed as ``account`` (sandbox credentials)."""
    return boto3.client(
        service,
        endpoint_url=server.url,
        region_name=region,
        aws_access_key_id=account,
        aws_secret_access_key=secret,
        config=BotoConfig(retries={"max_attempts": 1, "mode": "standard"}, **config),
    )


@pytest.fixture
def aws(server: LiveServer, account: str) -> Clients:
    """``aws("ec2")``: a client of the SQLite server acting as the test's fresh account."""

    def make(service: str, **kwargs: Any) -> Any:
        return aws_client(server, service, account, **kwargs)

    return make


def lookup(client: Any, key: str | None = None, value: str | None = None, **kwargs: Any) -> list:
    """Every LookupEvents event (all pages), newest first, optionally filtered."""
    if key is not None:
        kwargs["LookupAttributes"] = [{"AttributeKey": key, "AttributeValue": value}]
    events: list = []
    while True:
        page = client.lookup_events(**kwargs)
        events.extend(page["Events"])
        if "NextToken" not in page:
            return events
        kwargs["NextToken"] = page["NextToken"]


def record(event: dict[str, Any]) -> dict[str, Any]:
    """The CloudTrail record inside a LookupEvents event."""
    parsed: dict[str, Any] = orjson.loads(event["CloudTrailEvent"])
    return parsed


def outbox_events(db_url: str, account: str) -> list[dict[str, Any]]:
    """The account's CloudTrailEventRecorded outbox payloads, oldest first."""
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(
            select(outbox.c.payload, outbox.c.subject_seq)
            .where(outbox.c.account_id == account, outbox.c.topic == "CloudTrailEventRecorded")
            .order_by(outbox.c.seq)
        ).all()
    engine.dispose()
    return [{**orjson.loads(row.payload), "subject_seq": row.subject_seq} for row in rows]


def stored_events(db_url: str, account: str) -> list[tuple[int, str, bool]]:
    """(seq, eventName, readOnly) of the account's stored events, oldest first."""
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                cloudtrail_events.c.seq,
                cloudtrail_events.c.event_name,
                cloudtrail_events.c.read_only,
            )
            .where(cloudtrail_events.c.account_id == account)
            .order_by(cloudtrail_events.c.seq)
        ).all()
    engine.dispose()
    return [(row.seq, row.event_name, bool(row.read_only)) for row in rows]
