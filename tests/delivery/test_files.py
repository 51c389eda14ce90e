"""History files and snapshots in S3: key layout, file names and contents field by field
(spec 3.3, 6.2-6.5), on a server whose clock the test moves."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from configledger.clock import FrozenClock, SystemClock
from configledger.delivery.outbox import DeliveryWorker
from tests.conftest import LiveServer, start_server
from tests.delivery.conftest import (
    SETTINGS,
    bodies,
    drain,
    gunzip_json,
    objects,
    of_type,
    put_thing,
    setup_delivery,
    wait_for,
)

CHANGE = "ConfigurationItemChangeNotification"
HISTORY_DONE = "ConfigurationHistoryDeliveryCompleted"
HOUR_MS = 3_600_000
SIX_HOURS_MS = 6 * HOUR_MS


@pytest.fixture(scope="module")
def clocked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, FrozenClock]]:
    """A server whose delivery worker runs on a clock the test moves (the API keeps the
    wall clock: request signatures must stay within AWS's fifteen minutes of skew)."""
    path: Path = tmp_path_factory.mktemp("clocked") / "configledger.db"
    settings = {**SETTINGS, "history_delivery_interval": 6 * 3600}
    server = start_server(f"sqlite:///{path}", **settings)
    clock = FrozenClock(SystemClock().now_ms())
    [worker] = [w for w in server.app.runtime.workers if isinstance(w, DeliveryWorker)]
    worker.clock = clock
    yield server, clock
    server.stop()


# The stream form of spec 3.3, in AWS's key order, for an item put with PutResourceConfig.
STREAM_KEYS = [
    "relatedEvents",
    "relationships",
    "configuration",
    "supplementaryConfiguration",
    "tags",
    "configurationItemVersion",
    "configurationItemCaptureTime",
    "configurationStateId",
    "awsAccountId",
    "configurationItemStatus",
    "resourceType",
    "resourceId",
    "resourceName",
    "ARN",
    "awsRegion",
    "availabilityZone",
    "configurationStateMd5Hash",
    "resourceCreationTime",
]


def _iso(ms: int) -> str:
    moment = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def _folder(ms: int) -> str:
    moment = datetime.fromtimestamp(ms // 1000, tz=UTC)
    return f"{moment.year}/{moment.month}/{moment.day}"  # not zero-padded (spec 6.2)


def _compact(ms: int) -> str:
    return datetime.fromtimestamp(ms // 1000, tz=UTC).strftime("%Y%m%dT%H%M%SZ")


def _captures(config: Any, resource_type: str, resource_id: str) -> list[int]:
    items = config.get_resource_config_history(
        resourceType=resource_type, resourceId=resource_id, chronologicalOrder="Forward"
    )["configurationItems"]
    return [int(i["configurationStateId"]) for i in items]


def _expected_stream(account: str, resource_id: str, at_ms: int, status: str, cfg: Any) -> Any:
    return {
        "relatedEvents": [],
        "relationships": [],
        "configuration": cfg,
        "supplementaryConfiguration": {},
        "tags": {"team": "blue"},
        "configurationItemVersion": "1.3",
        "configurationItemCaptureTime": _iso(at_ms),
        "configurationStateId": at_ms,
        "awsAccountId": account,
        "configurationItemStatus": status,
        "resourceType": "Delivery::Test::Thing",
        "resourceId": resource_id,
        "resourceName": f"name-{resource_id}",
        "ARN": None,
        "awsRegion": "us-east-1",
        "availabilityZone": None,
        "configurationStateMd5Hash": "",
        "resourceCreationTime": None,
    }


def test_history_and_snapshot_files_follow_the_key_layout_and_stream_form(
    clocked: tuple[LiveServer, FrozenClock],
) -> None:
    server, clock = clocked
    setup = setup_delivery(server, prefix="org/config", frequency="One_Hour")
    account = setup.account
    s3 = setup.s3()
    root = f"org/config/AWSLogs/{account}/Config"

    # The writability check: a zero-byte object, the first one in the bucket.
    first = objects(s3, setup.bucket)
    assert first == {f"{root}/ConfigWritabilityCheckFile": b""}

    put_thing(setup.config, "a", {"size": 1}, ResourceName="name-a", Tags={"team": "blue"})
    put_thing(setup.config, "a", {"size": 2}, ResourceName="name-a", Tags={"team": "blue"})
    put_thing(
        setup.config, "other-1", {"n": None}, ResourceName="name-other-1", Tags={"team": "blue"},
        resource_type="Delivery::Test::Other",
    )  # fmt: skip
    a_ms, b_ms = _captures(setup.config, "Delivery::Test::Thing", "a")
    [other_ms] = _captures(setup.config, "Delivery::Test::Other", "other-1")

    # Nothing before the six-hour period ends (spec 6.4).
    stream = drain(setup.sqs(), setup.queue_url, 3, match=of_type(CHANGE))
    assert len(stream) == 3
    assert [k for k in objects(s3, setup.bucket) if "ConfigHistory" in k] == []

    clock.advance(SIX_HOURS_MS)  # a period boundary has passed
    at_ms = clock.now_ms()
    history = wait_for(
        lambda: (
            {k: v for k, v in objects(s3, setup.bucket).items() if "/ConfigHistory/" in k}
            if len([k for k in objects(s3, setup.bucket) if "/ConfigHistory/" in k]) == 2
            else None
        )
    )
    folder = f"{root}/us-east-1/{_folder(at_ms)}/ConfigHistory"
    thing_key = (
        f"{folder}/{account}_Config_us-east-1_ConfigHistory_Delivery::Test::Thing_"
        f"{_compact(a_ms)}_{_compact(b_ms)}_1.json.gz"
    )
    other_key = (
        f"{folder}/{account}_Config_us-east-1_ConfigHistory_Delivery::Test::Other_"
        f"{_compact(other_ms)}_{_compact(other_ms)}_1.json.gz"
    )
    assert sorted(history) == sorted([thing_key, other_key])
    thing = gunzip_json(history[thing_key])
    assert list(thing) == ["fileVersion", "configurationItems"]
    assert thing["fileVersion"] == "1.0"
    items = thing["configurationItems"]
    assert [list(i) for i in items] == [STREAM_KEYS, STREAM_KEYS]
    assert items == [
        _expected_stream(account, "a", a_ms, "ResourceDiscovered", {"size": 1}),
        _expected_stream(account, "a", b_ms, "OK", {"size": 2}),
    ]
    # The stream form's differences from the API form (spec 3.3).
    api = setup.config.get_resource_config_history(
        resourceType="Delivery::Test::Thing", resourceId="a", limit=1
    )["configurationItems"][0]
    assert isinstance(api["configuration"], str) and isinstance(items[1]["configuration"], dict)
    assert api["configurationStateId"] == str(items[1]["configurationStateId"])
    assert api["accountId"] == items[1]["awsAccountId"]
    assert "arn" not in api and items[1]["ARN"] is None  # absent in the API, null in files
    other = gunzip_json(history[other_key])["configurationItems"]
    assert [i["resourceId"] for i in other] == ["other-1"]
    assert other[0]["configuration"] == {"n": None}

    # One ConfigurationHistoryDeliveryCompleted per file, naming it.
    completed = bodies(drain(setup.sqs(), setup.queue_url, 2, match=of_type(HISTORY_DONE)))
    assert sorted(b["s3ObjectKey"] for b in completed) == sorted([thing_key, other_key])
    for body in completed:
        assert list(body) == [
            "s3ObjectKey", "s3Bucket", "notificationCreationTime", "messageType", "recordVersion"
        ]  # fmt: skip
        assert body["s3Bucket"] == setup.bucket
        assert body["messageType"] == "ConfigurationHistoryDeliveryCompleted"
        assert body["recordVersion"] == "1.1"
        assert body["notificationCreationTime"] == _iso(at_ms)

    # The hourly snapshot came due on the way (deliveryFrequency One_Hour).
    snapshots = wait_for(
        lambda: {k: v for k, v in objects(s3, setup.bucket).items() if "/ConfigSnapshot/" in k}
    )
    prefix = f"{root}/us-east-1/"
    name = f"{account}_Config_us-east-1_ConfigSnapshot_"
    dated = []
    for key, data in snapshots.items():
        content = gunzip_json(data)
        snapshot_id = content["configSnapshotId"]
        assert key.startswith(prefix) and key.endswith(f"_{snapshot_id}.json.gz")
        folder_part, _, file_part = key[len(prefix) :].partition("/ConfigSnapshot/")
        assert file_part.startswith(name)
        stamp = file_part[len(name) :].split("_")[0]
        due = datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC).timestamp()
        due_ms = int(due) * 1000
        assert due_ms % HOUR_MS == 0 and due_ms <= at_ms  # an hour boundary that has passed
        assert folder_part == _folder(due_ms)
        dated.append((due_ms, content))
    content = max(dated, key=lambda entry: entry[0])[1]  # the one taken after the puts
    assert list(content) == ["fileVersion", "configSnapshotId", "configurationItems"]
    assert content["fileVersion"] == "1.0"
    current = {(i["resourceType"], i["resourceId"]): i for i in content["configurationItems"]}
    assert current[("Delivery::Test::Thing", "a")] == _expected_stream(
        account, "a", b_ms, "OK", {"size": 2}
    )
    assert ("Delivery::Test::Other", "other-1") in current

    status = setup.config.describe_delivery_channel_status()["DeliveryChannelsStatus"][0]
    assert status["configHistoryDeliveryInfo"]["lastStatus"] == "SUCCESS"
    assert status["configSnapshotDeliveryInfo"]["lastStatus"] == "SUCCESS"
    assert status["configStreamDeliveryInfo"]["lastStatus"] == "SUCCESS"
    next_history = status["configHistoryDeliveryInfo"]["nextDeliveryTime"].timestamp()
    assert next_history == (at_ms // SIX_HOURS_MS + 1) * SIX_HOURS_MS / 1000
    next_snapshot = status["configSnapshotDeliveryInfo"]["nextDeliveryTime"].timestamp() * 1000
    assert next_snapshot > clock.now_ms()


def test_no_history_file_when_nothing_changed(clocked: tuple[LiveServer, FrozenClock]) -> None:
    server, clock = clocked
    setup = setup_delivery(server, topic=False, start=False)  # no recording, no items
    clock.advance(SIX_HOURS_MS)
    time.sleep(1.0)  # the worker looks four times a second
    # A period ended without an item of this account: no file, no attempt.
    assert [k for k in objects(setup.s3(), setup.bucket) if "ConfigHistory" in k] == []
    status = setup.config.describe_delivery_channel_status()["DeliveryChannelsStatus"][0]
    assert status["configHistoryDeliveryInfo"]["lastStatus"] == "NOT_APPLICABLE"
    assert "lastAttemptTime" not in status["configHistoryDeliveryInfo"]

    setup.config.start_configuration_recorder(ConfigurationRecorderName="default")
    put_thing(setup.config, "late", {"v": 1})
    time.sleep(0.5)
    clock.advance(SIX_HOURS_MS)
    [key] = wait_for(
        lambda: [k for k in objects(setup.s3(), setup.bucket) if "ConfigHistory_Delivery::" in k]
    )
    items = gunzip_json(objects(setup.s3(), setup.bucket)[key])["configurationItems"]
    assert [i["resourceId"] for i in items] == ["late"]
    status = setup.config.describe_delivery_channel_status()["DeliveryChannelsStatus"][0]
    assert status["configStreamDeliveryInfo"] == {"lastStatus": "NOT_APPLICABLE"}
    assert json.dumps(status["configSnapshotDeliveryInfo"]) == '{"lastStatus": "NOT_APPLICABLE"}'
