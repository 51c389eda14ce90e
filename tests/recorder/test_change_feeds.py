"""Change feeds of real accounts, with a ConfigLedger sandbox standing in for AWS (it
serves EC2, SQS and CloudTrail's LookupEvents over HTTP, as AWS does)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import orjson
import pytest
from sqlalchemy import select

from configledger.recorder.worker import CONSUMER
from configledger.store import outbox
from configledger.store.cloudtrail import OUTBOX_TOPIC as CLOUDTRAIL_EVENT
from configledger.store.schema import server_state
from tests.conftest import LiveServer, config_client, new_account, start_server

REGION = "us-east-1"


@pytest.fixture(scope="module")
def fake_aws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    path: Path = tmp_path_factory.mktemp("fake-aws") / "aws.db"
    server = start_server(f"sqlite:///{path}", sweep_interval=0)
    yield server
    server.stop()


def _aws(fake_aws: LiveServer, account: str, service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=fake_aws.url,
        region_name=REGION,
        aws_access_key_id=account,
        aws_secret_access_key="test",
    )


def _recorder_server(
    fake_aws: LiveServer,
    account: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    **settings: Any,
) -> LiveServer:
    # The recorder's default credential chain: environment variables, as in production.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", account)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    return start_server(
        f"sqlite:///{tmp_path / 'recorder.db'}",
        source="aws",
        aws_endpoint_url=fake_aws.url,
        assume_role=False,
        sweep_interval=0,
        **settings,
    )


def _record(config: Any) -> None:
    config.put_configuration_recorder(
        ConfigurationRecorder={
            "name": "default",
            "roleARN": "arn:aws:iam::123456789012:role/config",
            "recordingGroup": {"allSupported": False, "resourceTypes": ["AWS::EC2::SecurityGroup"]},
        }
    )
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "b"})
    config.start_configuration_recorder(ConfigurationRecorderName="default")


def _wait_until_caught_up(server: LiveServer, timeout: float = 20) -> None:
    """Until a poll has run and the recorder has handled every event it queued."""
    database = server.app.runtime.database
    deadline = time.monotonic() + timeout
    while True:
        with database.read() as conn:
            polled = any(
                key.startswith("cloudtrail-cursor:")
                for key in conn.execute(select(server_state.c.key)).scalars()
            )
            pending = outbox.read_batch(conn, CONSUMER, limit=1, topics=(CLOUDTRAIL_EVENT,))
        if polled and not pending:
            return
        assert time.monotonic() < deadline, "the recorder did not catch up"
        time.sleep(0.1)


def _items(config: Any, group: str, count: int, timeout: float = 20) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        try:
            items: list[dict[str, Any]] = config.get_resource_config_history(
                resourceType="AWS::EC2::SecurityGroup", resourceId=group
            )["configurationItems"]
            if len(items) >= count:
                return items
        except config.exceptions.ResourceNotDiscoveredException:
            pass
        assert time.monotonic() < deadline, f"fewer than {count} items in {timeout} s"
        time.sleep(0.1)


def test_cloudtrail_polling_drives_re_description(
    fake_aws: LiveServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = new_account()
    ec2 = _aws(fake_aws, account, "ec2")
    vpc = ec2.create_vpc(CidrBlock="10.3.0.0/16")["Vpc"]["VpcId"]
    group = ec2.create_security_group(GroupName="app", Description="app", VpcId=vpc)["GroupId"]
    server = _recorder_server(fake_aws, account, tmp_path, monkeypatch, cloudtrail_poll_interval=1)
    try:
        config = config_client(server, account)
        _record(config)
        assert _items(config, group, 1)[0]["configurationItemStatus"] == "ResourceDiscovered"
        # The first poll also finds the calls made before recording started; let the
        # recorder finish with those so the next item is the ingress rule's alone.
        _wait_until_caught_up(server)
        ec2.authorize_security_group_ingress(
            GroupId=group,
            IpPermissions=[
                {
                    "IpProtocol": "tcp",
                    "FromPort": 443,
                    "ToPort": 443,
                    "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                }
            ],
        )
        newest = _items(config, group, 2)[0]
        assert newest["configurationItemStatus"] == "OK"
        assert '"ipRanges":["0.0.0.0/0"]' in newest["configuration"]
        # The item names the real account's CloudTrail event of that call.
        trail = _aws(fake_aws, account, "cloudtrail")
        (event_id,) = newest["relatedEvents"]
        found = trail.lookup_events(
            LookupAttributes=[{"AttributeKey": "EventId", "AttributeValue": event_id}]
        )["Events"]
        assert found[0]["EventName"] == "AuthorizeSecurityGroupIngress"
    finally:
        server.stop()


def test_eventbridge_queue_drives_re_description(
    fake_aws: LiveServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = new_account()
    ec2 = _aws(fake_aws, account, "ec2")
    vpc = ec2.create_vpc(CidrBlock="10.4.0.0/16")["Vpc"]["VpcId"]
    group = ec2.create_security_group(GroupName="db", Description="db", VpcId=vpc)["GroupId"]
    sqs = _aws(fake_aws, account, "sqs")
    queue_url = sqs.create_queue(QueueName="config-changes")["QueueUrl"]
    server = _recorder_server(
        fake_aws,
        account,
        tmp_path,
        monkeypatch,
        cloudtrail_poll_interval=0,
        event_queue_url=queue_url,
    )
    try:
        config = config_client(server, account)
        _record(config)
        _items(config, group, 1)
        ec2.create_tags(Resources=[group], Tags=[{"Key": "team", "Value": "data"}])
        event_id = str(uuid.uuid4())
        sqs.send_message(
            QueueUrl=queue_url,
            MessageBody=orjson.dumps(
                {
                    "version": "0",
                    "detail-type": "AWS API Call via CloudTrail",
                    "source": "aws.ec2",
                    "account": account,
                    "region": REGION,
                    "detail": {
                        "eventID": event_id,
                        "eventName": "CreateTags",
                        "eventSource": "ec2.amazonaws.com",
                        "readOnly": False,
                    },
                }
            ).decode(),
        )
        newest = _items(config, group, 2)[0]
        assert newest["tags"] == {"team": "data"}
        assert newest["relatedEvents"] == [event_id]
        # The message was consumed once its event was committed.
        deadline = time.monotonic() + 10
        while (
            sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])["Attributes"][
                "ApproximateNumberOfMessages"
            ]
            != "0"
        ):
            assert time.monotonic() < deadline
            time.sleep(0.1)
    finally:
        server.stop()


def test_a_scheduled_sweep_catches_what_no_feed_reports(
    fake_aws: LiveServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No feed at all (neither CloudTrail polling nor a queue): the sweep every
    ``sweep_interval`` seconds is what finds a change, a new group and a deleted one."""
    account = new_account()
    ec2 = _aws(fake_aws, account, "ec2")
    vpc = ec2.create_vpc(CidrBlock="10.5.0.0/16")["Vpc"]["VpcId"]
    kept = ec2.create_security_group(GroupName="kept", Description="kept", VpcId=vpc)["GroupId"]
    dropped = ec2.create_security_group(GroupName="gone", Description="gone", VpcId=vpc)["GroupId"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", account)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    server = start_server(
        f"sqlite:///{tmp_path / 'recorder.db'}",
        source="aws",
        aws_endpoint_url=fake_aws.url,
        assume_role=False,
        sweep_interval=2,
        cloudtrail_poll_interval=0,
    )
    try:
        config = config_client(server, account)
        _record(config)
        _items(config, kept, 1)
        _items(config, dropped, 1)
        ec2.create_tags(Resources=[kept], Tags=[{"Key": "team", "Value": "data"}])
        ec2.delete_security_group(GroupId=dropped)
        added = ec2.create_security_group(GroupName="new", Description="new", VpcId=vpc)["GroupId"]
        tagged = _items(config, kept, 2)[0]
        assert (tagged["configurationItemStatus"], tagged["tags"]) == ("OK", {"team": "data"})
        assert tagged["relatedEvents"] == []  # found by looking, not told by an event
        assert _items(config, dropped, 2)[0]["configurationItemStatus"] == "ResourceDeleted"
        assert _items(config, added, 1)[0]["configurationItemStatus"] == "ResourceDiscovered"
        # The recorder never asked CloudTrail: no feed is configured.
        with server.app.runtime.database.read() as conn:
            keys = list(conn.execute(select(server_state.c.key)).scalars())
        assert not any(key.startswith("cloudtrail-cursor:") for key in keys)
    finally:
        server.stop()
