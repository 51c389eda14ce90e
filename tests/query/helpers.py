"""Shared pieces of the advanced-query tests: running a query to its last page, and
writing items straight into a live server's store (for shapes no recorder produces)."""

from __future__ import annotations

import json
from typing import Any

from configledger.clock import SystemClock
from configledger.history.items import Relationship, ResourceKey
from configledger.history.recording import Observation, record
from tests.conftest import REGION, LiveServer


def select_all(config: Any, expression: str, limit: int | None = None) -> list[dict[str, Any]]:
    """Every result of ``expression`` (all pages), decoded."""
    results: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"Expression": expression}
    if limit is not None:
        kwargs["Limit"] = limit
    while True:
        page = config.select_resource_config(**kwargs)
        results.extend(json.loads(r) for r in page["Results"])
        if not page.get("NextToken"):
            return results
        kwargs["NextToken"] = page["NextToken"]


def put_item(
    server: LiveServer,
    account: str,
    resource_type: str,
    resource_id: str,
    configuration: dict[str, Any] | None,
    *,
    now_ms: int | None = None,
    region: str = REGION,
    **fields: Any,
) -> None:
    """Record one item of any type in ``server``'s store, as the recorder would."""
    relationships = tuple(Relationship(*r) for r in fields.pop("relationships", ()))
    record(
        server.app.runtime.database,
        Observation(
            key=ResourceKey(account, region, resource_type, resource_id),
            configuration=None if configuration is None else json.dumps(configuration),
            relationships=relationships,
            **fields,
        ),
        now_ms=now_ms if now_ms is not None else SystemClock().now_ms(),
        custom=False,
    )


def extension_query(
    url: str, account: str, body: dict[str, Any], *, region: str = REGION
) -> tuple[int, dict[str, Any]]:
    """POST ``body`` to the extension endpoint, signed as ``account``; (status, answer)."""
    import orjson
    import urllib3
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    data = orjson.dumps(body)
    request = AWSRequest(
        method="POST",
        url=url + "/_configledger/query",
        data=data,
        headers={"Content-Type": "application/json"},
    )
    SigV4Auth(Credentials(account, "test"), "config", region).add_auth(request)
    response = urllib3.PoolManager().request(
        "POST",
        url + "/_configledger/query",
        body=data,
        headers=dict(request.prepare().headers),
        timeout=30,
        retries=False,
    )
    return response.status, orjson.loads(response.data)
