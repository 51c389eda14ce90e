"""Waiting and polling for end-to-end tests against the sandbox.

A test acts as a fresh account: ``sandbox(server)`` gives its Config client and a factory
of boto3 clients of any other service at the same endpoint, ``recording(config)`` starts
the recorder and waits for its first sweep, and the rest poll the recorder's output with
a deadline (never a fixed sleep).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import boto3
from botocore.config import Config as BotoConfig

from tests.conftest import REGION, LiveServer, config_client, new_account, start_recording

T = TypeVar("T")
Clients = Callable[[str], Any]  # service name -> boto3 client of the same account


def sandbox(server: LiveServer, account: str | None = None) -> tuple[Any, Clients]:
    """(Config client, client factory) acting as ``account`` (a fresh one by default)."""
    account = account or new_account()

    def client(service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=server.url,
            region_name=REGION,
            aws_access_key_id=account,
            aws_secret_access_key="test",
            config=BotoConfig(retries={"max_attempts": 1, "mode": "standard"}),
        )

    return config_client(server, account), client


def wait_for(check: Callable[[], T], timeout: float = 15.0, interval: float = 0.05) -> T:
    """Poll ``check`` until it returns something truthy, and return that. The deadline
    leaves room for a loaded machine sharing one server between many tests; how fast a
    change is recorded is measured in bench/event_latency.py, not here."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached within {timeout}s; last result: {result!r}")
        time.sleep(interval)


def recorder_status(config: Any) -> dict[str, Any]:
    statuses = config.describe_configuration_recorder_status()["ConfigurationRecordersStatus"]
    return statuses[0]  # type: ignore[no-any-return]


def recording(config: Any, timeout: float = 60.0) -> None:
    """Start the recorder (creating recorder and delivery channel the first time) and wait
    until the sweep the start asks for has recorded: lastStatus SUCCESS. The first sweep
    of a server process also warms the sandbox up, hence the long timeout."""
    if config.describe_configuration_recorders()["ConfigurationRecorders"]:
        config.start_configuration_recorder(ConfigurationRecorderName="default")
    else:
        start_recording(config)
    status = wait_for(
        lambda: (s := recorder_status(config))["lastStatus"] != "PENDING" and s, timeout
    )
    assert status["lastStatus"] == "SUCCESS", status


def history(config: Any, resource_type: str, resource_id: str) -> list[dict[str, Any]]:
    """Every item of the resource, newest first ([] while it is not discovered)."""
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"resourceType": resource_type, "resourceId": resource_id}
    while True:
        try:
            page = config.get_resource_config_history(limit=100, **kwargs)
        except config.exceptions.ResourceNotDiscoveredException:
            return items
        items.extend(page["configurationItems"])
        if not page.get("nextToken"):
            return items
        kwargs["nextToken"] = page["nextToken"]


def wait_for_items(
    config: Any, resource_type: str, resource_id: str, count: int, timeout: float = 15.0
) -> list[dict[str, Any]]:
    """The resource's history (newest first) once it holds at least ``count`` items."""

    def enough() -> list[dict[str, Any]]:
        items = history(config, resource_type, resource_id)
        return items if len(items) >= count else []

    return wait_for(enough, timeout)


def lookup_event(cloudtrail: Any, event_id: str) -> dict[str, Any]:
    """The one CloudTrail event LookupEvents returns for ``event_id``."""
    events = cloudtrail.lookup_events(
        LookupAttributes=[{"AttributeKey": "EventId", "AttributeValue": event_id}]
    )["Events"]
    assert len(events) == 1, events
    return events[0]  # type: ignore[no-any-return]
