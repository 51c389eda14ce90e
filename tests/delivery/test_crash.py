"""SIGKILL in the middle of a delivery, then a restart: every committed item reaches the
SQS subscriber and the history files; SNS duplicates stay within the batch in flight.

Delivery goes to a separate moto server standing in for AWS (``--source aws``): the
embedded sandbox lives in the killed process and would die with it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

import configledger
from tests.conftest import free_port
from tests.delivery.conftest import (
    QUIET_GROUP,
    fake_aws_client,
    gunzip_json,
    objects,
    wait_for,
    wait_up,
)

ACCOUNT = "123456789012"  # moto's account for any credentials
THING = "Delivery::Test::Thing"
BATCH = 10  # the most SNS messages in flight (one PublishBatch)


class Server:
    """``configledger serve`` in its own process, against the fake AWS."""

    def __init__(self, db_url: str, aws_url: str, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db_url, self.log = db_url, log
        source = str(Path(configledger.__file__).parent.parent)
        self.env = {
            **os.environ,
            "PYTHONPATH": source + os.pathsep + os.environ.get("PYTHONPATH", ""),
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "CONFIGLEDGER_SOURCE": "aws",
            "CONFIGLEDGER_AWS_ENDPOINT_URL": aws_url,
            "CONFIGLEDGER_ASSUME_ROLE": "false",
            "CONFIGLEDGER_SWEEP_INTERVAL": "0",
            "CONFIGLEDGER_CLOUDTRAIL_POLL_INTERVAL": "0",
            "CONFIGLEDGER_HISTORY_DELIVERY_INTERVAL": "1",
            "CONFIGLEDGER_DELIVERY_RETRY_MAX_SECONDS": "1",
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "configledger.cli.main", "serve", "--port", str(self.port),
             "--db", self.db_url, "--log-level", "warning"],
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_up(self.url, self.process, "/_configledger/health")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)


def test_sigkill_mid_delivery_then_restart_delivers_everything(
    fake_aws: str, tmp_path: Path
) -> None:
    s3, sns, sqs = (fake_aws_client(s, fake_aws) for s in ("s3", "sns", "sqs"))
    s3.create_bucket(Bucket="crash-bucket")
    topic_arn = sns.create_topic(Name="crash-stream")["TopicArn"]
    queue_url = sqs.create_queue(QueueName="crash-stream")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)

    server = Server(f"sqlite:///{tmp_path / 'store.db'}", fake_aws, tmp_path / "server.log")
    server.start()
    try:
        config = fake_aws_client("config", server.url, ACCOUNT)
        config.put_configuration_recorder(
            ConfigurationRecorder={
                "name": "default",
                "roleARN": f"arn:aws:iam::{ACCOUNT}:role/config",
                "recordingGroup": QUIET_GROUP,
            }
        )
        config.put_delivery_channel(
            DeliveryChannel={
                "name": "default", "s3BucketName": "crash-bucket", "snsTopicARN": topic_arn,
            }
        )  # fmt: skip
        config.start_configuration_recorder(ConfigurationRecorderName="default")

        # Items are put from a thread while the test waits for the first deliveries and
        # kills the server in the middle of them.
        stop = threading.Event()

        def put_items() -> None:
            for index in range(100_000):
                if stop.is_set():
                    return
                try:
                    config.put_resource_config(
                        ResourceType=THING, SchemaVersionId="1",
                        ResourceId=f"item-{index:05d}", Configuration=f'{{"n": {index}}}',
                    )  # fmt: skip
                except (ClientError, BotoCoreError):
                    return

        writer = threading.Thread(target=put_items)
        writer.start()
        wait_for(lambda: _queued(sqs, queue_url) >= 30, timeout=60, every=0.05)
        server.kill()
        stop.set()
        writer.join(timeout=30)
        delivered_before = _queued(sqs, queue_url)

        server.start()
        config = fake_aws_client("config", server.url, ACCOUNT)
        committed = _resource_ids(config)
        assert len(committed) > delivered_before  # it was killed with work still owed

        notified = _drain(sqs, queue_url, set(committed))
        assert set(notified) == set(committed), _owed(tmp_path / "store.db")
        duplicates = len(notified) - len(set(notified))
        assert 0 <= duplicates <= BATCH

        archived = wait_for(
            lambda: (found := _archived(s3)) and len(found) >= len(committed) and found,
            timeout=60,
        )
        assert sorted(archived) == sorted(committed)  # every item exactly once
    finally:
        server.stop()


def _owed(path: Path) -> str:
    import sqlite3

    with sqlite3.connect(path) as db:
        queue = db.execute("select kind, count(*) from delivery_queue group by kind").fetchall()
        status = db.execute("select * from delivery_status").fetchall()
    return f"still queued: {queue}; status: {status}"


def _queued(sqs: Any, queue_url: str) -> int:
    attributes = sqs.get_queue_attributes(
        QueueUrl=queue_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(
        attributes["ApproximateNumberOfMessagesNotVisible"]
    )


def _resource_ids(config: Any) -> list[str]:
    ids: list[str] = []
    for page in config.get_paginator("list_discovered_resources").paginate(resourceType=THING):
        ids.extend(r["resourceId"] for r in page["resourceIdentifiers"])
    return ids


def _drain(sqs: Any, queue_url: str, wanted: set[str]) -> list[str]:
    found: list[str] = []
    deadline = time.monotonic() + 180
    settle: float | None = None
    while time.monotonic() < deadline:
        batch = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=300
        ).get("Messages", [])
        if batch:
            sqs.delete_message_batch(
                QueueUrl=queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)
                ],
            )
        for message in batch:
            body = json.loads(json.loads(message["Body"])["Message"])
            item = body.get("configurationItem") or {}
            if item.get("resourceType") == THING:
                found.append(item["resourceId"])
        if settle is None and wanted <= set(found):
            settle = time.monotonic() + 2
        if settle is not None and time.monotonic() > settle and not batch:
            break
        if not batch:
            time.sleep(0.1)
    return found


def _archived(s3: Any) -> list[str]:
    found: list[str] = []
    for key, data in objects(s3, "crash-bucket").items():
        if "/ConfigHistory/" in key:
            found.extend(
                i["resourceId"]
                for i in gunzip_json(data)["configurationItems"]
                if i["resourceType"] == THING
            )
    return found
