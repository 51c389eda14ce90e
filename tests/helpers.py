"""Helpers shared by tests: raw signed requests and store inspection."""

from __future__ import annotations

from typing import Any

import orjson
import urllib3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from sqlalchemy import create_engine, func, select

from configledger.store.schema import metadata

_http = urllib3.PoolManager()


def raw_call(
    url: str,
    target: str,
    body: bytes | str,
    *,
    access_key: str = "test",
    secret: str = "test",
    region: str = "us-east-1",
    sign: bool = True,
    extra_headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, Any], dict[str, str]]:
    """POST ``body`` as operation ``target`` and return (status, JSON body, headers)."""
    data = body.encode() if isinstance(body, str) else body
    headers = {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": target if "." in target else f"StarlingDoveService.{target}",
    }
    headers.update(extra_headers or {})
    request = AWSRequest(method="POST", url=url + "/", data=data, headers=headers)
    if sign:
        SigV4Auth(Credentials(access_key, secret), "config", region).add_auth(request)
    prepared = request.prepare()
    response = _http.request(
        "POST", url + "/", body=data, headers=dict(prepared.headers), timeout=10, retries=False
    )
    return (
        response.status,
        orjson.loads(response.data or b"{}"),
        {k.lower(): v for k, v in response.headers.items()},
    )


# Tables background workers fill from earlier commits (the delivery queue and the
# advanced-query projection trail the outbox), so their counts can change between any
# two reads; only committed items ever reach them.
_BACKGROUND = frozenset({"delivery_queue", "delivery_status", "query_resources"})


def row_counts(db_url: str, account_id: str) -> dict[str, int]:
    """Rows per table that belong to ``account_id``: proof that nothing was written.

    The audit trail is left out: a successful call is audited (a CloudTrail event, and
    for writes its outbox announcement) even when it changes nothing else."""
    engine = create_engine(db_url)
    counts = {}
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            if "account_id" not in table.c or table.name == "cloudtrail_events":
                continue
            if table.name in _BACKGROUND:
                continue
            query = select(func.count()).select_from(table).where(table.c.account_id == account_id)
            if table.name == "outbox":
                query = query.where(table.c.topic != "CloudTrailEventRecorded")
            counts[table.name] = conn.execute(query).scalar_one()
    engine.dispose()
    return counts
