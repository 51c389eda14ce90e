"""A server with the delivery checks on and short delivery periods, and helpers that set
up what a user of AWS Config sets up: a bucket, a topic, SQS queues subscribed to it."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
import urllib3
from botocore.config import Config as BotoConfig

from tests.conftest import (
    REGION,
    LiveServer,
    config_client,
    free_port,
    fresh_postgres_url,
    new_account,
    postgres_available,
    start_server,
)

ROLE = "arn:aws:iam::{account}:role/config-role"
HISTORY_SECONDS = 2
# A type the sandbox accounts never hold: the recorder's sweeps then add no items of
# their own, and every item a test counts is one it put.
QUIET_GROUP = {"allSupported": False, "resourceTypes": ["AWS::Lambda::Function"]}
SETTINGS: dict[str, Any] = {
    "delivery_channel_checks": True,
    "history_delivery_interval": HISTORY_SECONDS,
    "delivery_retry_max_seconds": 2,
}


@pytest.fixture(scope="session")
def delivery_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    path: Path = tmp_path_factory.mktemp("delivery") / "configledger.db"
    server = start_server(f"sqlite:///{path}", **SETTINGS)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def delivery_postgres() -> Iterator[LiveServer]:
    if not postgres_available():
        pytest.skip("PostgreSQL not reachable")
    server = start_server(fresh_postgres_url(), **SETTINGS)
    yield server
    server.stop()


@pytest.fixture
def live(delivery_sqlite: LiveServer) -> LiveServer:
    return delivery_sqlite


@pytest.fixture(params=["sqlite", "postgresql"])
def live_backend(request: pytest.FixtureRequest) -> LiveServer:
    name = "delivery_sqlite" if request.param == "sqlite" else "delivery_postgres"
    return request.getfixturevalue(name)  # type: ignore[no-any-return]


def aws(url: str, service: str, account: str, region: str = REGION) -> Any:
    return boto3.client(
        service,
        endpoint_url=url,
        region_name=region,
        aws_access_key_id=account,
        aws_secret_access_key="test",
        config=BotoConfig(
            retries={"max_attempts": 2, "mode": "standard"}, s3={"addressing_style": "path"}
        ),
    )


def unique(prefix: str) -> str:
    return f"{prefix}-{time.time_ns() % 10**12:012d}"


@dataclass
class Setup:
    """One account's delivery set-up in the sandbox."""

    url: str
    account: str
    bucket: str
    topic_arn: str
    queue_url: str
    config: Any
    prefix: str | None = None
    seen: list[dict[str, Any]] = field(default_factory=list)

    def s3(self) -> Any:
        return aws(self.url, "s3", self.account)

    def sns(self) -> Any:
        return aws(self.url, "sns", self.account)

    def sqs(self) -> Any:
        return aws(self.url, "sqs", self.account)


def make_queue(url: str, account: str, topic_arn: str, filter_policy: Any = None) -> str:
    sqs = aws(url, "sqs", account)
    queue_url = sqs.create_queue(QueueName=unique("config-stream"))["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    attributes = {}
    if filter_policy is not None:
        attributes = {
            "FilterPolicy": json.dumps(filter_policy),
            "FilterPolicyScope": "MessageBody",
        }
    aws(url, "sns", topic_arn.split(":")[4]).subscribe(
        TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn, Attributes=attributes
    )
    return str(queue_url)


def setup_delivery(
    server: LiveServer,
    *,
    topic: bool = True,
    prefix: str | None = None,
    frequency: str | None = None,
    start: bool = True,
    account: str | None = None,
) -> Setup:
    account = account or new_account()
    bucket = unique("config-bucket")
    aws(server.url, "s3", account).create_bucket(Bucket=bucket)
    topic_arn = queue_url = ""
    if topic:
        topic_arn = aws(server.url, "sns", account).create_topic(Name=unique("config-topic"))[
            "TopicArn"
        ]
        queue_url = make_queue(server.url, account, topic_arn)
    config = config_client(server, account)
    config.put_configuration_recorder(
        ConfigurationRecorder={
            "name": "default",
            "roleARN": ROLE.format(account=account),
            "recordingGroup": QUIET_GROUP,
        }
    )
    channel: dict[str, Any] = {"name": "default", "s3BucketName": bucket}
    if prefix:
        channel["s3KeyPrefix"] = prefix
    if topic:
        channel["snsTopicARN"] = topic_arn
    if frequency:
        channel["configSnapshotDeliveryProperties"] = {"deliveryFrequency": frequency}
    config.put_delivery_channel(DeliveryChannel=channel)
    if start:
        config.start_configuration_recorder(ConfigurationRecorderName="default")
    return Setup(server.url, account, bucket, topic_arn, queue_url, config, prefix)


def put_thing(config: Any, resource_id: str, configuration: dict[str, Any], **extra: Any) -> None:
    config.put_resource_config(
        ResourceType=extra.pop("resource_type", "Delivery::Test::Thing"),
        SchemaVersionId="1",
        ResourceId=resource_id,
        Configuration=json.dumps(configuration),
        **extra,
    )


def drain(
    sqs: Any,
    queue_url: str,
    want: int,
    timeout: float = 30.0,
    match: Callable[[dict[str, Any]], bool] | None = None,
) -> list[dict[str, Any]]:
    """SNS envelopes from the queue until ``want`` arrived (or the time is up), plus
    anything that arrives shortly after: a test sees duplicates if there are any.
    ``match`` keeps only the envelopes whose parsed message it accepts."""
    found: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    quiet_until: float | None = None
    while time.monotonic() < deadline:
        answer = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0, VisibilityTimeout=60
        )
        batch = answer.get("Messages", [])
        for message in batch:
            envelope = json.loads(message["Body"])
            if match is None or match(json.loads(envelope["Message"])):
                found.append(envelope)
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        if len(found) >= want:
            if quiet_until is None:
                quiet_until = time.monotonic() + 1.0
            elif time.monotonic() > quiet_until and not batch:
                break
        if not batch:
            time.sleep(0.1)
    return found


def collect(
    sqs: Any,
    queue_url: str,
    until: Callable[[list[dict[str, Any]]], bool],
    timeout: float = 30.0,
) -> list[dict[str, Any]]:
    """Every message body from the queue until ``until(bodies)`` holds, then one more
    quiet second (so duplicates or strays would be seen too)."""
    found: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    settle: float | None = None
    while time.monotonic() < deadline:
        batch = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0, VisibilityTimeout=60
        ).get("Messages", [])
        for message in batch:
            found.append(json.loads(json.loads(message["Body"])["Message"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        if settle is None and until(found):
            settle = time.monotonic() + 1.0
        if settle is not None and time.monotonic() > settle and not batch:
            break
        if not batch:
            time.sleep(0.1)
    return found


def of_type(*message_types: str) -> Callable[[dict[str, Any]], bool]:
    return lambda body: body.get("messageType") in message_types


def about(resource_type: str, resource_id: str | None = None) -> Callable[[dict[str, Any]], bool]:
    """Change notifications of one resource type (sweeps add items of other types)."""

    def check(body: dict[str, Any]) -> bool:
        item = body.get("configurationItem") or body.get("configurationItemSummary") or {}
        return bool(
            item.get("resourceType") == resource_type
            and (resource_id is None or item.get("resourceId") == resource_id)
        )

    return check


def bodies(envelopes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [json.loads(e["Message"]) for e in envelopes]


def wait_for(check: Callable[[], Any], timeout: float = 30.0, every: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting; last value {value!r}")
        time.sleep(every)


def objects(s3: Any, bucket: str, prefix: str = "") -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for entry in page.get("Contents", []):
            out[entry["Key"]] = s3.get_object(Bucket=bucket, Key=entry["Key"])["Body"].read()
    return out


def remove_bucket(s3: Any, bucket: str) -> None:
    """Empty and delete ``bucket``. The delivery worker may write into it between the
    emptying and the deletion (BucketNotEmpty): then empty it again."""
    for _ in range(50):
        for key in objects(s3, bucket):
            s3.delete_object(Bucket=bucket, Key=key)
        try:
            s3.delete_bucket(Bucket=bucket)
            return
        except s3.exceptions.ClientError as error:
            if error.response["Error"]["Code"] != "BucketNotEmpty":
                raise
        time.sleep(0.05)
    raise AssertionError(f"bucket {bucket} kept filling up")


def gunzip_json(data: bytes) -> Any:
    return json.loads(gzip.decompress(data))


# -- a separate moto server standing in for AWS (``--source aws``) -------------------------

_http = urllib3.PoolManager()


def wait_up(url: str, process: subprocess.Popen[bytes], path: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            _http.request("GET", url + path, retries=False, timeout=2)
            return
        except urllib3.exceptions.HTTPError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{url} did not start") from None
            time.sleep(0.1)


@pytest.fixture
def fake_aws() -> Iterator[str]:
    """The URL of a moto server of its own, for delivery that must outlive or bypass the
    embedded sandbox."""
    port = free_port()
    script = Path(sys.executable).parent / "moto_server"
    process = subprocess.Popen(
        [str(script), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    wait_up(url, process, "/moto-api/")
    yield url
    process.terminate()
    process.wait(timeout=30)


def fake_aws_client(service: str, url: str, key: str = "testing") -> Any:
    """A client of the fake AWS (any credentials are moto's account 123456789012), or with
    ``key`` an account id, a client of a ConfigLedger server in the sandbox's manner."""
    return boto3.client(
        service,
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=key,
        aws_secret_access_key="testing" if key == "testing" else "test",
        config=BotoConfig(retries={"max_attempts": 1}, s3={"addressing_style": "path"}),
    )
