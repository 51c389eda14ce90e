"""S3 and SNS unreachable: the endpoint standing in for AWS is a local server that is
stopped while items are recorded and started again on the same port. Delivery fails
with the connection error, says so in the status, retries with exponential backoff and
jitter, and delivers every item exactly once when the endpoint is back."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from configledger.store import deliveries
from tests.conftest import LiveServer, free_port, start_server
from tests.delivery.conftest import (
    QUIET_GROUP,
    fake_aws_client,
    gunzip_json,
    objects,
    wait_for,
)

ACCOUNT = "123456789012"  # moto's account for any credentials
THING = "Delivery::Test::Thing"
COUNT = 20
RETRY_MAX_MS = 2_000


class Proxy:
    """A TCP forwarder to the fake AWS, on a port of its own, that can be stopped (the
    port refuses connections, open ones are cut) and started again on the same port."""

    def __init__(self, target: str) -> None:
        self.target = ("127.0.0.1", int(target.rsplit(":", 1)[1]))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()

    def start(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._listener.settimeout(0.1)
        self._thread = threading.Thread(target=self._accept, args=(self._listener,), daemon=True)
        self._thread.start()

    def stop(self) -> None:
        assert self._listener is not None and self._thread is not None
        listener, self._listener = self._listener, None
        self._thread.join(timeout=5)
        listener.close()
        with self._lock:
            for sock in self._open:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._open.clear()

    def _accept(self, listener: socket.socket) -> None:
        while self._listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self._lock:
                self._open.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65_536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            with self._lock:
                self._open.discard(source)


@pytest.fixture
def through_proxy(
    fake_aws: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[LiveServer, Proxy]]:
    """A server delivering to the fake AWS through the proxy (``--source aws``)."""
    for name, value in (
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_DEFAULT_REGION", "us-east-1"),
    ):
        monkeypatch.setenv(name, value)
    proxy = Proxy(fake_aws)
    proxy.start()
    server = start_server(
        f"sqlite:///{tmp_path / 'store.db'}",
        source="aws",
        aws_endpoint_url=proxy.url,
        assume_role=False,
        sweep_interval=0,
        cloudtrail_poll_interval=0,
        delivery_channel_checks=True,
        history_delivery_interval=1,
        delivery_retry_max_seconds=RETRY_MAX_MS // 1000,
    )
    yield server, proxy
    server.stop()
    if proxy._listener is not None:
        proxy.stop()


def _status(config: Any) -> dict[str, Any]:
    return dict(config.describe_delivery_channel_status()["DeliveryChannelsStatus"][0])


def test_an_unreachable_endpoint_is_retried_with_backoff_and_then_delivered(
    fake_aws: str, through_proxy: tuple[LiveServer, Proxy]
) -> None:
    server, proxy = through_proxy
    s3, sns, sqs = (fake_aws_client(s, fake_aws) for s in ("s3", "sns", "sqs"))
    s3.create_bucket(Bucket="unreachable-bucket")
    topic_arn = sns.create_topic(Name="unreachable-stream")["TopicArn"]
    queue_url = sqs.create_queue(QueueName="unreachable-stream")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)

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
            "name": "default", "s3BucketName": "unreachable-bucket", "snsTopicARN": topic_arn,
        }
    )  # fmt: skip
    config.start_configuration_recorder(ConfigurationRecorderName="default")

    proxy.stop()  # the endpoint is down: connections are refused
    for index in range(COUNT):
        config.put_resource_config(
            ResourceType=THING, SchemaVersionId="1", ResourceId=f"item-{index:02d}",
            Configuration=json.dumps({"index": index}),
        )  # fmt: skip

    # Every attempt of the stream while the endpoint is down, as the worker recorded it.
    database = server.app.runtime.database
    attempts: dict[int, deliveries.Status] = {}
    deadline = time.monotonic() + 90

    def run_of_four() -> list[int] | None:
        """Four consecutive attempts seen: a loaded machine can stall this loop past the
        shortest retry delay (0.5 s), so the run need not start at the first."""
        for first in sorted(attempts):
            if all(first + n in attempts for n in range(4)):
                return [first + n for n in range(4)]
        return None

    while run_of_four() is None and time.monotonic() < deadline:
        with database.read() as conn:
            found = deliveries.status(conn, ACCOUNT, "us-east-1", deliveries.STREAM)
        if found.failures:
            attempts.setdefault(found.failures, found)
        time.sleep(0.02)
    run = run_of_four()
    assert run is not None, attempts
    delays = []
    for failures, status in ((n, attempts[n]) for n in run):
        assert status.last_attempt_ms is not None and status.retry_at_ms is not None
        base = min(RETRY_MAX_MS, 1000 * 2 ** (failures - 1))  # 1 s, 2 s, then the cap
        delay = status.retry_at_ms - status.last_attempt_ms
        assert base // 2 <= delay <= base, (failures, delay)  # jittered within [base/2, base]
        delays.append(delay / base)
        if failures > run[0]:  # no attempt before the previous one's delay was over
            previous = attempts[failures - 1]
            assert previous.retry_at_ms is not None
            assert status.last_attempt_ms >= previous.retry_at_ms
    assert len(set(delays)) > 1  # jitter: the delays are not the bare powers of two

    # The API tells the same story.
    status = _status(config)
    stream, history = status["configStreamDeliveryInfo"], status["configHistoryDeliveryInfo"]
    assert stream["lastStatus"] == "FAILURE"
    assert stream["lastErrorCode"] == "EndpointConnectionError"
    assert proxy.url in stream["lastErrorMessage"]
    history = wait_for(
        lambda: (h := _status(config)["configHistoryDeliveryInfo"])["lastStatus"] == "FAILURE" and h
    )
    assert history["lastErrorCode"] == "EndpointConnectionError"
    assert "lastSuccessfulTime" not in history
    assert (
        sqs.get_queue_attributes(
            QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]["ApproximateNumberOfMessages"]
        == "0"
    )

    proxy.start()  # back on the same port

    notified: list[str] = []
    deadline = time.monotonic() + 60
    settle: float | None = None
    while time.monotonic() < deadline:
        batch = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        for message in batch:
            body = json.loads(json.loads(message["Body"])["Message"])
            item = body.get("configurationItem") or {}
            if item.get("resourceType") == THING:
                notified.append(item["resourceId"])
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        if settle is None and len(set(notified)) >= COUNT:
            settle = time.monotonic() + 2  # then two quiet seconds: duplicates would show
        if settle is not None and time.monotonic() > settle and not batch:
            break
        if not batch:
            time.sleep(0.1)
    expected = [f"item-{i:02d}" for i in range(COUNT)]
    assert sorted(notified) == expected  # each exactly once

    def archived() -> list[str]:
        found = []
        for key, data in objects(s3, "unreachable-bucket").items():
            if "/ConfigHistory/" in key:
                found += [i["resourceId"] for i in gunzip_json(data)["configurationItems"]]
        return found

    wait_for(lambda: len(archived()) >= COUNT, timeout=60)
    assert sorted(archived()) == expected
    done = wait_for(
        lambda: (
            (s := _status(config))["configStreamDeliveryInfo"]["lastStatus"] == "SUCCESS"
            and s["configHistoryDeliveryInfo"]["lastStatus"] == "SUCCESS"
            and s
        )
    )
    assert "lastErrorCode" not in done["configStreamDeliveryInfo"]
    assert done["configHistoryDeliveryInfo"]["lastSuccessfulTime"] > history["lastAttemptTime"]
