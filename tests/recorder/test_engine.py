"""The engine's safety rules with resource types written for the test: a listing that
fails part-way records what it saw and deletes nothing; a complete one deletes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from configledger.recorder.engine import RecordingEngine
from configledger.recorder.types import Described, Raw, Relation, ResourceType, Scope
from tests.conftest import LiveServer, config_client, start_recording
from tests.e2e_sandbox.helpers import recorder_status, wait_for


class Inventory:
    """What the fake service has, and whether listing it fails after ``fail_after``."""

    def __init__(self) -> None:
        self.items: dict[str, dict[str, Any]] = {}
        self.fail_after: int | None = None

    def fetch(self, client: Any, scope: Scope) -> Iterable[Raw]:
        for index, (key, value) in enumerate(sorted(self.items.items())):
            if self.fail_after is not None and index >= self.fail_after:
                raise RuntimeError("Throttling: Rate exceeded")
            yield {"id": key, **value}


def _transform(raw: Raw, scope: Scope) -> Described:
    relations = ()
    if raw.get("vpc"):
        relations = (
            Relation("Is contained in Vpc", "AWS::EC2::VPC", raw["vpc"], inverse="Contains Thing"),
        )
    return Described(
        resource_id=raw["id"], configuration={"size": raw["size"]}, relations=relations
    )


def _engine(server: LiveServer, inventory: Inventory) -> RecordingEngine:
    runtime = server.app.runtime
    assert runtime.recorder is not None
    fake = ResourceType(
        type_name="AWS::SQS::Queue", service="sqs", fetch=inventory.fetch, transform=_transform
    )
    return RecordingEngine(
        runtime.database, runtime.recorder.engine.sessions, runtime.clock, {fake.type_name: fake}
    )


def _statuses(config: Any, resource_id: str) -> list[str]:
    items = config.get_resource_config_history(
        resourceType="AWS::SQS::Queue", resourceId=resource_id
    )
    return [i["configurationItemStatus"] for i in items["configurationItems"]]


def test_a_listing_that_fails_part_way_deletes_nothing(backend: LiveServer, account: str) -> None:
    config = config_client(backend, account)
    start_recording(config)
    inventory = Inventory()
    inventory.items = {"a": {"size": 1}, "b": {"size": 2}, "c": {"size": 3}}
    engine = _engine(backend, inventory)
    reports = engine.sweep(account, "us-east-1")
    assert [(r.outcome.discovered, r.error) for r in reports] == [(3, None)]

    inventory.items["a"]["size"] = 10
    inventory.fail_after = 1  # "a" is listed, then the listing is throttled
    reports = engine.sweep(account, "us-east-1")
    assert reports[0].error == "RuntimeError: Throttling: Rate exceeded"
    assert (reports[0].outcome.changed, reports[0].outcome.deleted) == (1, 0)
    assert _statuses(config, "b") == ["ResourceDiscovered"]
    assert _statuses(config, "c") == ["ResourceDiscovered"]
    status = config.describe_configuration_recorder_status()["ConfigurationRecordersStatus"][0]
    assert status["lastStatus"] == "FAILURE"
    assert "Throttling" in status["lastErrorMessage"]

    inventory.fail_after = None
    del inventory.items["c"]
    reports = engine.sweep(account, "us-east-1")
    assert reports[0].outcome.deleted == 1
    assert _statuses(config, "c") == ["ResourceDeleted", "ResourceDiscovered"]
    assert _statuses(config, "b") == ["ResourceDiscovered"]
    status = config.describe_configuration_recorder_status()["ConfigurationRecordersStatus"][0]
    assert status["lastStatus"] == "SUCCESS"


def test_inverse_relationships_follow_changes(backend: LiveServer, account: str) -> None:
    config = config_client(backend, account)
    start_recording(config)
    inventory = Inventory()
    inventory.items = {"q1": {"size": 1, "vpc": "vpc-1"}}
    vpcs = Inventory()
    vpcs.items = {"vpc-1": {"size": 0}}
    runtime = backend.app.runtime
    assert runtime.recorder is not None
    queue = ResourceType("AWS::SQS::Queue", "sqs", inventory.fetch, _transform)
    vpc = ResourceType("AWS::EC2::VPC", "ec2", vpcs.fetch, _transform)
    engine = RecordingEngine(
        runtime.database, runtime.recorder.engine.sessions, runtime.clock,
        {queue.type_name: queue, vpc.type_name: vpc},
    )  # fmt: skip
    engine.sweep(account, "us-east-1")
    vpc_items = config.get_resource_config_history(
        resourceType="AWS::EC2::VPC", resourceId="vpc-1"
    )["configurationItems"]
    assert len(vpc_items) == 1  # discovered once, already with its inverse edge
    assert vpc_items[0]["relationships"] == [
        {
            "resourceType": "AWS::SQS::Queue",
            "resourceId": "q1",
            "relationshipName": "Contains Thing",
        }
    ]
    # The queue leaves the VPC: only the queue is listed, yet the VPC gets a new item.
    inventory.items["q1"].pop("vpc")
    engine.sweep(account, "us-east-1", types=["AWS::SQS::Queue"])
    vpc_items = config.get_resource_config_history(
        resourceType="AWS::EC2::VPC", resourceId="vpc-1"
    )["configurationItems"]
    assert [i["configurationItemStatus"] for i in vpc_items] == ["OK", "ResourceDiscovered"]
    assert vpc_items[0]["relationships"] == []


def test_daily_recording_keeps_one_item_a_day(backend: LiveServer, account: str) -> None:
    from configledger.clock import FrozenClock, SystemClock

    config = config_client(backend, account)
    config.put_configuration_recorder(
        ConfigurationRecorder={
            "name": "default",
            "roleARN": "arn:aws:iam::123456789012:role/config-role",
            "recordingMode": {
                "recordingFrequency": "CONTINUOUS",
                "recordingModeOverrides": [
                    {"resourceTypes": ["AWS::SQS::Queue"], "recordingFrequency": "DAILY"}
                ],
            },
        }
    )
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "b"})
    config.start_configuration_recorder(ConfigurationRecorderName="default")
    inventory = Inventory()
    inventory.items = {"daily-q": {"size": 1}}
    runtime = backend.app.runtime
    assert runtime.recorder is not None
    clock = FrozenClock(SystemClock().now_ms() + 60_000)
    queue = ResourceType("AWS::SQS::Queue", "sqs", inventory.fetch, _transform)
    engine = RecordingEngine(
        runtime.database, runtime.recorder.engine.sessions, clock, {queue.type_name: queue}
    )
    engine.sweep(account, "us-east-1")
    first = config.get_resource_config_history(
        resourceType="AWS::SQS::Queue", resourceId="daily-q"
    )["configurationItems"]
    assert first[0]["recordingFrequency"] == "DAILY"
    assert "configurationItemDeliveryTime" in first[0]

    inventory.items["daily-q"]["size"] = 2
    engine.sweep(account, "us-east-1")  # the same day: no second item
    engine.sweep(account, "us-east-1", related_events=("e-1",))  # events do not drive DAILY
    assert len(_statuses(config, "daily-q")) == 1

    clock.advance(86_400_000)
    engine.sweep(account, "us-east-1")
    items = config.get_resource_config_history(
        resourceType="AWS::SQS::Queue", resourceId="daily-q"
    )["configurationItems"]
    assert [i["configurationItemStatus"] for i in items] == ["OK", "ResourceDiscovered"]
    assert '"size":2' in items[0]["configuration"]


def test_a_continuous_override_of_a_daily_recorder(backend: LiveServer, account: str) -> None:
    """DAILY by default, one type CONTINUOUS by override (spec 5.3): in one day the
    override's type gets an item per change, the others one item."""
    from configledger.clock import FrozenClock, SystemClock

    config = config_client(backend, account)
    config.put_configuration_recorder(
        ConfigurationRecorder={
            "name": "default",
            "roleARN": "arn:aws:iam::123456789012:role/config-role",
            "recordingMode": {
                "recordingFrequency": "DAILY",
                "recordingModeOverrides": [
                    {"resourceTypes": ["AWS::SQS::Queue"], "recordingFrequency": "CONTINUOUS"}
                ],
            },
        }
    )
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "b"})
    config.start_configuration_recorder(ConfigurationRecorderName="default")
    # The server's own sweep of the sandbox (which has neither resource) comes first.
    wait_for(lambda: recorder_status(config)["lastStatus"] != "PENDING", timeout=60)
    queues, vpcs = Inventory(), Inventory()
    queues.items = {"q": {"size": 1}}
    vpcs.items = {"vpc-d": {"size": 1}}
    runtime = backend.app.runtime
    assert runtime.recorder is not None
    clock = FrozenClock(SystemClock().now_ms() + 60_000)
    queue = ResourceType("AWS::SQS::Queue", "sqs", queues.fetch, _transform)
    vpc = ResourceType("AWS::EC2::VPC", "ec2", vpcs.fetch, _transform)
    engine = RecordingEngine(
        runtime.database, runtime.recorder.engine.sessions, clock,
        {queue.type_name: queue, vpc.type_name: vpc},
    )  # fmt: skip
    engine.sweep(account, "us-east-1")
    queues.items["q"]["size"] = 2
    vpcs.items["vpc-d"]["size"] = 2
    clock.advance(3_600_000)
    engine.sweep(account, "us-east-1")

    queue_items = config.get_resource_config_history(
        resourceType="AWS::SQS::Queue", resourceId="q"
    )["configurationItems"]
    assert [i["configurationItemStatus"] for i in queue_items] == ["OK", "ResourceDiscovered"]
    assert "recordingFrequency" not in queue_items[0] or (
        queue_items[0]["recordingFrequency"] == "CONTINUOUS"
    )
    vpc_items = config.get_resource_config_history(
        resourceType="AWS::EC2::VPC", resourceId="vpc-d"
    )["configurationItems"]
    assert [i["configurationItemStatus"] for i in vpc_items] == ["ResourceDiscovered"]
    assert vpc_items[0]["recordingFrequency"] == "DAILY"
