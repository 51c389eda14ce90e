"""Change notifications through the outbox to SNS and an SQS subscriber.

A ``configledger serve`` process (SQLite temp store) with a delivery channel whose topic
has one SQS queue subscribed. Two measurements:

* latency: items put by 4 client threads (PutResourceConfig, one new resource each); for
  every notification, from the item's capture time (taken in the recording transaction,
  just before its commit) to the message's SentTimestamp in the queue, both from the
  server's clock: p50, p99, max.
* throughput: the topic is deleted, ``--backlog`` items are recorded (their
  notifications wait in the delivery queue, retried with backoff), the topic is created
  again with its subscriber, and the backlog's delivery rate is timed from the first to
  the last message's SentTimestamp: notifications/s.

Run: ``.venv/bin/python bench/stream.py`` (``--items``, ``--backlog``, ``--threads``).
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
from botocore.config import Config as BotoConfig

from _harness import REGION, ServerProcess, config_client, machine_line, percentile

ACCOUNT = "123456789012"
THING = "Bench::Stream::Thing"


def sandbox(url: str, service: str) -> Any:
    return boto3.client(
        service, endpoint_url=url, region_name=REGION, aws_access_key_id=ACCOUNT,
        aws_secret_access_key="test",
        config=BotoConfig(max_pool_connections=16, s3={"addressing_style": "path"}),
    )  # fmt: skip


def subscribe(url: str, topic_arn: str) -> str:
    sqs = sandbox(url, "sqs")
    queue_url = sqs.create_queue(QueueName=f"stream-{time.time_ns()}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sandbox(url, "sns").subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn)
    return str(queue_url)


def receive(url: str, queue_url: str, want: int, timeout: float) -> list[tuple[int, int]]:
    """(capture ms, SentTimestamp ms) of ``want`` change notifications."""
    sqs = sandbox(url, "sqs")
    found: list[tuple[int, int]] = []
    deadline = time.monotonic() + timeout
    while len(found) < want and time.monotonic() < deadline:
        batch = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, AttributeNames=["SentTimestamp"],
            WaitTimeSeconds=1,
        ).get("Messages", [])  # fmt: skip
        if not batch:
            continue
        sqs.delete_message_batch(
            QueueUrl=queue_url,
            Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)
            ],
        )  # fmt: skip
        for message in batch:
            body = json.loads(json.loads(message["Body"])["Message"])
            item = body.get("configurationItem") or {}
            if item.get("resourceType") == THING:
                found.append(
                    (item["configurationStateId"], int(message["Attributes"]["SentTimestamp"]))
                )
    return found


def put_items(config: Any, prefix: str, count: int, threads: int) -> float:
    def put(index: int) -> None:
        config.put_resource_config(
            ResourceType=THING, SchemaVersionId="1", ResourceId=f"{prefix}-{index:06d}",
            Configuration=json.dumps({"index": index, "padding": "x" * 1500}),
        )  # fmt: skip

    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(put, range(count)))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2_000, help="items for the latency run")
    parser.add_argument("--backlog", type=int, default=3_000, help="items for the throughput run")
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    os.environ["CONFIGLEDGER_DELIVERY_RETRY_MAX_SECONDS"] = "1"
    os.environ["CONFIGLEDGER_SWEEP_INTERVAL"] = "0"
    import tempfile
    from pathlib import Path

    workdir = Path(tempfile.mkdtemp(prefix="configledger-bench-stream-"))
    with ServerProcess(f"sqlite:///{workdir / 'store.db'}") as server:
        sandbox(server.url, "s3").create_bucket(Bucket="bench-stream")
        sns = sandbox(server.url, "sns")
        topic_arn = sns.create_topic(Name="bench-stream")["TopicArn"]
        queue_url = subscribe(server.url, topic_arn)
        config = config_client(server.url, ACCOUNT)
        config.put_configuration_recorder(ConfigurationRecorder={
            "name": "default", "roleARN": f"arn:aws:iam::{ACCOUNT}:role/config",
            "recordingGroup": {"allSupported": False, "resourceTypes": ["AWS::Lambda::Function"]},
        })  # fmt: skip
        config.put_delivery_channel(DeliveryChannel={
            "name": "default", "s3BucketName": "bench-stream", "snsTopicARN": topic_arn,
        })  # fmt: skip
        config.start_configuration_recorder(ConfigurationRecorderName="default")
        server.wait_idle()

        # Latency: puts and the subscriber run together.
        got: list[tuple[int, int]] = []
        reader = threading.Thread(
            target=lambda: got.extend(receive(server.url, queue_url, args.items, 300))
        )
        reader.start()
        seconds = put_items(config, "lat", args.items, args.threads)
        reader.join()
        latencies = sorted(float(sent - captured) for captured, sent in got)
        print(machine_line())
        print(
            f"latency run: {args.items:,} puts in {seconds:.1f} s "
            f"({args.items / seconds:,.0f}/s, {args.threads} threads); {len(got):,} received"
        )
        print(f"commit -> SQS: p50 {percentile(latencies, 0.50):.0f} ms, "
              f"p99 {percentile(latencies, 0.99):.0f} ms, max {latencies[-1]:.0f} ms")  # fmt: skip

        # Throughput: a backlog delivered after the topic comes back.
        sns.delete_topic(TopicArn=topic_arn)
        put_items(config, "backlog", args.backlog, args.threads)
        time.sleep(1.0)
        sns.create_topic(Name="bench-stream")
        queue_url = subscribe(server.url, topic_arn)
        backlog = receive(server.url, queue_url, args.backlog, 600)
        sent = sorted(s for _, s in backlog)
        span = (sent[-1] - sent[0]) / 1000 if len(sent) > 1 else float("nan")
        print(f"backlog of {args.backlog:,}: {len(backlog):,} delivered in {span:.2f} s = "
              f"{len(backlog) / span:,.0f} notifications/s")  # fmt: skip
    for path in workdir.iterdir():
        path.unlink()
    workdir.rmdir()


if __name__ == "__main__":
    main()
