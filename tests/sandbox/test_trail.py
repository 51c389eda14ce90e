"""CloudTrail events: the sandbox's mutating calls and Config's own calls, via LookupEvents."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import (
    ROLE_ARN,
    LiveServer,
    config_client,
    new_account,
    start_custom_recording,
    start_recording,
    start_server,
)
from tests.sandbox.conftest import (
    Clients,
    aws_client,
    lookup,
    outbox_events,
    record,
    stored_events,
)


def _ingress(ec2: Any) -> tuple[str, str, dict[str, Any]]:
    vpc_id = ec2.create_vpc(CidrBlock="10.3.0.0/16")["Vpc"]["VpcId"]
    group_id = ec2.create_security_group(GroupName="db", Description="db", VpcId=vpc_id)["GroupId"]
    answer = ec2.authorize_security_group_ingress(
        GroupId=group_id,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 5432,
                "ToPort": 5432,
                "IpRanges": [{"CidrIp": "10.0.0.0/8", "Description": "office"}],
            }
        ],
    )
    return vpc_id, group_id, answer


def test_lookup_finds_an_ingress_change_by_name_and_by_group(
    backend: LiveServer, account: str
) -> None:
    _, group_id, answer = _ingress(aws_client(backend, "ec2", account))
    trail = aws_client(backend, "cloudtrail", account)

    [by_name] = lookup(trail, "EventName", "AuthorizeSecurityGroupIngress")
    by_group = lookup(trail, "ResourceName", group_id)
    assert [e["EventName"] for e in by_group] == [
        "AuthorizeSecurityGroupIngress",
        "CreateSecurityGroup",
    ]
    assert by_group[0]["EventId"] == by_name["EventId"]
    assert by_name["EventSource"] == "ec2.amazonaws.com"
    assert by_name["ReadOnly"] == "false"
    assert by_name["AccessKeyId"] == account
    assert by_name["Username"] == "root"
    assert by_name["Resources"] == [
        {"ResourceType": "AWS::EC2::SecurityGroup", "ResourceName": group_id}
    ]
    assert abs(by_name["EventTime"] - datetime.now(UTC)) < timedelta(minutes=1)

    event = record(by_name)
    assert event["eventVersion"] == "1.08"
    assert event["userIdentity"] == {
        "type": "Root",
        "principalId": account,
        "arn": f"arn:aws:iam::{account}:root",
        "accountId": account,
        "accessKeyId": account,
    }
    assert event["recipientAccountId"] == account
    assert event["awsRegion"] == "us-east-1"
    assert event["eventID"] == by_name["EventId"]
    assert event["requestID"] == answer["ResponseMetadata"]["RequestId"]
    assert event["sourceIPAddress"] == "127.0.0.1"
    assert event["userAgent"].startswith("Boto3/")
    assert (event["eventType"], event["eventCategory"]) == ("AwsApiCall", "Management")
    assert (event["readOnly"], event["managementEvent"]) == (False, True)
    assert event["eventTime"].endswith("Z") and len(event["eventTime"]) == 20
    assert event["requestParameters"] == {
        "groupId": group_id,
        "ipPermissions": [
            {
                "ipProtocol": "tcp",
                "fromPort": "5432",
                "toPort": "5432",
                "ipRanges": [{"cidrIp": "10.0.0.0/8", "description": "office"}],
            }
        ],
    }
    [rule] = event["responseElements"]["securityGroupRuleSet"]
    assert rule["groupId"] == group_id


def test_a_created_resource_is_named_from_the_response(aws: Clients) -> None:
    vpc_id, _, _ = _ingress(aws("ec2"))
    [created] = lookup(aws("cloudtrail"), "EventName", "CreateVpc")
    assert created["Resources"] == [{"ResourceType": "AWS::EC2::VPC", "ResourceName": vpc_id}]
    assert record(created)["responseElements"]["vpc"]["vpcId"] == vpc_id
    assert record(created)["requestParameters"] == {"cidrBlock": "10.3.0.0/16"}


def test_each_protocol_names_its_operation(aws: Clients, account: str) -> None:
    bucket = f"events-{account}"
    s3 = aws("s3")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "team", "Value": "core"}]})
    s3.put_object(Bucket=bucket, Key="k/1.txt", Body=b"1")
    aws("iam").create_role(RoleName="reader", AssumeRolePolicyDocument="{}")
    topic = aws("sns").create_topic(Name="changes", Attributes={"DisplayName": "Changes"})[
        "TopicArn"
    ]
    queue = aws("sqs").create_queue(QueueName="work")["QueueUrl"]
    aws("dynamodb").create_table(
        TableName="orders",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return event\n")
    aws("lambda").create_function(
        FunctionName="echo",
        Runtime="python3.12",
        Role=f"arn:aws:iam::{account}:role/reader",
        Handler="handler.handler",
        Code={"ZipFile": buffer.getvalue()},
    )

    events = {e["EventName"]: e for e in lookup(aws("cloudtrail"))}
    expected = {
        "CreateBucket": ("s3", "AWS::S3::Bucket", bucket),
        "PutBucketTagging": ("s3", "AWS::S3::Bucket", bucket),
        "PutObject": ("s3", "AWS::S3::Bucket", bucket),
        "CreateRole": ("iam", "AWS::IAM::Role", "reader"),
        "CreateTopic": ("sns", "AWS::SNS::Topic", topic),
        "CreateQueue": ("sqs", "AWS::SQS::Queue", queue),
        "CreateTable": ("dynamodb", "AWS::DynamoDB::Table", "orders"),
        # CloudTrail's name for Lambda's CreateFunction carries the API version.
        "CreateFunction20150331": ("lambda", "AWS::Lambda::Function", "echo"),
    }
    assert set(events) == set(expected)
    for name, (service, kind, resource) in expected.items():
        assert events[name]["EventSource"] == f"{service}.amazonaws.com", name
        assert {"ResourceType": kind, "ResourceName": resource} in events[name]["Resources"], name

    tagging = record(events["PutBucketTagging"])["requestParameters"]
    assert tagging == {"bucketName": bucket, "tagging": ""}
    assert record(events["PutObject"])["requestParameters"] == {
        "bucketName": bucket,
        "key": "k/1.txt",
    }
    table = record(events["CreateTable"])
    assert table["requestParameters"]["keySchema"] == [{"attributeName": "id", "keyType": "HASH"}]
    assert table["responseElements"]["tableDescription"]["tableName"] == "orders"
    topic_event = record(events["CreateTopic"])
    # A map keeps its keys as sent; only member names are lowerCameled.
    assert topic_event["requestParameters"] == {
        "name": "changes",
        "attributes": {"DisplayName": "Changes"},
    }
    assert topic_event["responseElements"] == {"topicArn": topic}
    function = record(events["CreateFunction20150331"])["requestParameters"]
    assert function["functionName"] == "echo"
    assert function["code"] == {"zipFile": "HIDDEN_DUE_TO_SECURITY_REASONS"}


def test_reads_and_failed_calls_leave_no_event(aws: Clients, account: str) -> None:
    ec2 = aws("ec2")
    ec2.describe_vpcs()
    ec2.describe_security_groups()
    aws("s3").list_buckets()
    with pytest.raises(ClientError):
        ec2.delete_security_group(GroupId="sg-00000000000000000")
    with pytest.raises(ClientError):
        aws("s3").put_object(Bucket=f"missing-{account}", Key="k", Body=b"")
    assert lookup(aws("cloudtrail")) == []


def test_every_mutating_call_is_announced_on_the_outbox(backend: LiveServer, account: str) -> None:
    def aws(service: str) -> Any:
        return aws_client(backend, service, account)

    _ingress(aws("ec2"))
    aws("ec2").describe_vpcs()
    aws("s3").create_bucket(Bucket=f"announced-{account}")
    aws("s3").list_buckets()

    announced = outbox_events(backend.db_url, account)
    assert [e["eventName"] for e in announced] == [
        "CreateVpc",
        "CreateSecurityGroup",
        "AuthorizeSecurityGroupIngress",
        "CreateBucket",
    ]
    stored = {seq: name for seq, name, _ in stored_events(backend.db_url, account)}
    events = {e["EventId"]: e for e in lookup(aws("cloudtrail"))}
    for payload in announced:
        assert stored[payload["subject_seq"]] == payload["eventName"]
        event = events[payload["eventId"]]
        assert payload["eventSource"] == event["EventSource"]
        assert payload["eventTime"] // 1000 == int(event["EventTime"].timestamp())


# -- LookupEvents ------------------------------------------------------------------------


def test_lookup_pages_newest_first(backend: LiveServer, account: str) -> None:
    sqs = aws_client(backend, "sqs", account)
    for n in range(5):
        sqs.create_queue(QueueName=f"q{n}")
    trail = aws_client(backend, "cloudtrail", account)
    first = trail.lookup_events(MaxResults=2)
    second = trail.lookup_events(MaxResults=2, NextToken=first["NextToken"])
    third = trail.lookup_events(MaxResults=2, NextToken=second["NextToken"])
    assert "NextToken" not in third
    names = [
        record(e)["requestParameters"]["queueName"]
        for page in (first, second, third)
        for e in page["Events"]
    ]
    assert names == ["q4", "q3", "q2", "q1", "q0"]
    with pytest.raises(ClientError) as error:
        trail.lookup_events(
            MaxResults=2,
            NextToken=first["NextToken"],
            LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "CreateQueue"}],
        )
    assert error.value.response["Error"]["Code"] == "InvalidNextTokenException"


def test_lookup_filters_by_time_source_and_key(server: LiveServer, account: str) -> None:
    aws_client(server, "sqs", account).create_queue(QueueName="timed")
    trail = aws_client(server, "cloudtrail", account)
    now = datetime.now(UTC)
    assert len(lookup(trail, StartTime=now - timedelta(minutes=5))) == 1
    later = now + timedelta(minutes=5)
    assert lookup(trail, StartTime=later, EndTime=later + timedelta(minutes=5)) == []
    assert lookup(trail, EndTime=now - timedelta(minutes=5)) == []
    assert len(lookup(trail, "EventSource", "sqs.amazonaws.com")) == 1
    assert lookup(trail, "EventSource", "ec2.amazonaws.com") == []
    assert len(lookup(trail, "AccessKeyId", account)) == 1
    assert len(lookup(trail, "ResourceType", "AWS::SQS::Queue")) == 1
    assert lookup(trail, "ReadOnly", "true") == []


def test_lookup_is_per_account_and_region(server: LiveServer, account: str) -> None:
    aws_client(server, "sqs", account).create_queue(QueueName="mine")
    assert len(lookup(aws_client(server, "cloudtrail", account))) == 1
    assert lookup(aws_client(server, "cloudtrail", new_account())) == []
    assert lookup(aws_client(server, "cloudtrail", account, region="eu-west-1")) == []


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        (
            {
                "LookupAttributes": [
                    {"AttributeKey": "EventName", "AttributeValue": "a"},
                    {"AttributeKey": "Username", "AttributeValue": "b"},
                ]
            },
            "InvalidLookupAttributesException",
        ),
        (
            {
                "StartTime": datetime(2026, 2, 1, tzinfo=UTC),
                "EndTime": datetime(2026, 1, 1, tzinfo=UTC),
            },
            "InvalidTimeRangeException",
        ),
        ({"MaxResults": 51}, "ValidationException"),
        ({"NextToken": "not-a-token"}, "InvalidNextTokenException"),
    ],
    ids=["two-attributes", "reversed-range", "max-results", "forged-token"],
)
def test_lookup_refuses_bad_requests(server: LiveServer, kwargs: dict[str, Any], code: str) -> None:
    trail = aws_client(server, "cloudtrail", new_account(), parameter_validation=False)
    with pytest.raises(ClientError) as error:
        trail.lookup_events(**kwargs)
    assert error.value.response["Error"]["Code"] == code


def test_lookup_must_be_signed_for_cloudtrail(server: LiveServer) -> None:
    from tests.helpers import raw_call

    status, body, _ = raw_call(
        server.url,
        "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents",
        "{}",
    )
    assert (status, body["__type"]) == (400, "InvalidSignatureException")
    assert "'cloudtrail'" in body["message"]


# -- Config's own calls ------------------------------------------------------------------


def test_config_reads_and_writes_are_told_apart(backend: LiveServer, account: str) -> None:
    server = backend
    config = config_client(server, account)
    config.put_configuration_recorder(
        ConfigurationRecorder={"name": "default", "roleARN": ROLE_ARN}
    )
    config.describe_configuration_recorders()
    config.describe_configuration_recorder_status()
    trail = aws_client(server, "cloudtrail", account)

    reads = [e["EventName"] for e in lookup(trail, "ReadOnly", "true")]
    writes = lookup(trail, "ReadOnly", "false")
    assert reads == ["DescribeConfigurationRecorderStatus", "DescribeConfigurationRecorders"]
    assert [e["EventName"] for e in writes] == ["PutConfigurationRecorder"]
    [put] = writes
    assert put["EventSource"] == "config.amazonaws.com"
    assert put["Resources"] == [
        {"ResourceType": "AWS::Config::ConfigurationRecorder", "ResourceName": "default"}
    ]
    event = record(put)
    assert event["requestParameters"] == {
        "configurationRecorder": {"name": "default", "roleARN": ROLE_ARN}
    }
    assert event["responseElements"] is None
    assert event["readOnly"] is False
    [describe] = lookup(trail, "EventName", "DescribeConfigurationRecorders")
    assert record(describe)["requestParameters"] is None
    assert record(describe)["readOnly"] is True
    assert describe["Resources"] == []

    # Config's own calls are not announced to the recorder: they change no AWS resource.
    assert outbox_events(server.db_url, account) == []
    assert {(name, ro) for _, name, ro in stored_events(server.db_url, account)} == {
        ("PutConfigurationRecorder", False),
        ("DescribeConfigurationRecorders", True),
        ("DescribeConfigurationRecorderStatus", True),
    }


def test_the_ten_documented_config_calls_are_audited_as_aws_records_them(
    server: LiveServer, account: str
) -> None:
    """The guide's example records (spec 11): each call one event, writes and reads told
    apart, DeliverConfigSnapshot's snapshot id in responseElements, the channel named."""
    config = config_client(server, account)
    start_custom_recording(config)  # PutConfigurationRecorder, PutDeliveryChannel, Start
    config.describe_delivery_channels()
    snapshot_id = config.deliver_config_snapshot(deliveryChannelName="default")["configSnapshotId"]
    config.put_resource_config(
        ResourceType="MyCompany::Build::Agent",
        SchemaVersionId="1",
        ResourceId="agent-2",
        Configuration="{}",
    )
    config.get_resource_config_history(resourceType="MyCompany::Build::Agent", resourceId="agent-2")
    config.describe_configuration_recorders()
    config.describe_configuration_recorder_status()
    config.stop_configuration_recorder(ConfigurationRecorderName="default")
    config.delete_delivery_channel(DeliveryChannelName="default")

    trail = aws_client(server, "cloudtrail", account)
    documented = {
        "PutConfigurationRecorder": False,
        "PutDeliveryChannel": False,
        "StartConfigurationRecorder": False,
        "StopConfigurationRecorder": False,
        "DeleteDeliveryChannel": False,
        "DeliverConfigSnapshot": False,
        "DescribeConfigurationRecorders": True,
        "DescribeConfigurationRecorderStatus": True,
        "DescribeDeliveryChannels": True,
        "GetResourceConfigHistory": True,
    }
    events = {}
    for name, read_only in documented.items():
        [event] = lookup(trail, "EventName", name)
        assert event["EventSource"] == "config.amazonaws.com", name
        assert event["ReadOnly"] == str(read_only).lower(), name
        assert record(event)["readOnly"] is read_only, name
        events[name] = event
    delivered = record(events["DeliverConfigSnapshot"])
    assert delivered["requestParameters"] == {"deliveryChannelName": "default"}
    assert delivered["responseElements"] == {"configSnapshotId": snapshot_id}
    deleted = record(events["DeleteDeliveryChannel"])
    assert deleted["requestParameters"] == {"deliveryChannelName": "default"}
    assert deleted["responseElements"] is None
    assert events["DeleteDeliveryChannel"]["Resources"] == [
        {"ResourceType": "AWS::Config::DeliveryChannel", "ResourceName": "default"}
    ]
    assert events["DescribeDeliveryChannels"]["Resources"] == []
    assert record(events["DescribeDeliveryChannels"])["responseElements"] is None
    # The tampering watch-list (CIS 3.9) finds each of its calls by name, newest first.
    writes = [e["EventName"] for e in lookup(trail, "ReadOnly", "false")]
    assert writes[:2] == ["DeleteDeliveryChannel", "StopConfigurationRecorder"]


def test_a_failed_config_call_is_not_audited(server: LiveServer, account: str) -> None:
    config = config_client(server, account, validate=False)
    with pytest.raises(ClientError):
        config.start_configuration_recorder(ConfigurationRecorderName="none")
    with pytest.raises(ClientError):
        config.put_retention_configuration(RetentionPeriodInDays=1)
    assert lookup(aws_client(server, "cloudtrail", account)) == []


def test_config_timestamps_read_as_cloudtrail_prints_them(server: LiveServer, account: str) -> None:
    config = config_client(server, account)
    start_recording(config)
    config.put_resource_config(
        ResourceType="MyCompany::Build::Agent",
        SchemaVersionId="1",
        ResourceId="agent-1",
        Configuration="{}",
    )
    config.get_resource_config_history(
        resourceType="MyCompany::Build::Agent",
        resourceId="agent-1",
        earlierTime=datetime(2014, 12, 10, 16, 58, 42, tzinfo=UTC),
        limit=0,
    )
    [history] = lookup(
        aws_client(server, "cloudtrail", account), "EventName", "GetResourceConfigHistory"
    )
    assert record(history)["requestParameters"] == {
        "resourceType": "MyCompany::Build::Agent",
        "resourceId": "agent-1",
        "earlierTime": "Dec 10, 2014 4:58:42 PM",
        "limit": 0,
    }


@pytest.fixture
def team_server(tmp_path: Path) -> Iterator[LiveServer]:
    """A server with named IAM users, so an audit can tell people apart."""
    credentials = tmp_path / "credentials.toml"
    credentials.write_text(
        "".join(
            "[[credentials]]\n"
            f'access_key_id = "AKIA{name.upper():0<16}"\n'
            f'secret_access_key = "{name}-secret"\n'
            'account_id = "111122223333"\n'
            f'principal_arn = "arn:aws:iam::111122223333:user/{name}"\n'
            for name in ("alice", "mallory")
        )
    )
    live = start_server(f"sqlite:///{tmp_path / 'team.db'}", credentials_file=str(credentials))
    yield live
    live.stop()


def _as(server: LiveServer, service: str, name: str) -> Any:
    import boto3

    return boto3.client(
        service,
        endpoint_url=server.url,
        region_name="eu-west-1",
        aws_access_key_id=f"AKIA{name.upper():0<16}",
        aws_secret_access_key=f"{name}-secret",
    )


def test_an_auditor_finds_who_stopped_the_recorder(team_server: LiveServer) -> None:
    alice = _as(team_server, "config", "alice")
    alice.put_configuration_recorder(ConfigurationRecorder={"name": "default", "roleARN": ROLE_ARN})
    alice.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "logs"})
    alice.start_configuration_recorder(ConfigurationRecorderName="default")
    _as(team_server, "config", "mallory").stop_configuration_recorder(
        ConfigurationRecorderName="default"
    )

    auditor = _as(team_server, "cloudtrail", "alice")
    [stop] = lookup(auditor, "EventName", "StopConfigurationRecorder")
    assert stop["Username"] == "mallory"
    assert stop["AccessKeyId"] == "AKIAMALLORY000000000"
    event = record(stop)
    assert event["userIdentity"]["type"] == "IAMUser"
    assert event["userIdentity"]["arn"] == "arn:aws:iam::111122223333:user/mallory"
    assert event["userIdentity"]["userName"] == "mallory"
    assert event["userIdentity"]["principalId"].startswith("AIDA")
    assert event["recipientAccountId"] == "111122223333"
    assert event["awsRegion"] == "eu-west-1"
    assert event["requestParameters"] == {"configurationRecorderName": "default"}

    by_recorder = lookup(auditor, "ResourceName", "default")
    assert [(e["EventName"], e["Username"]) for e in by_recorder] == [
        ("StopConfigurationRecorder", "mallory"),
        ("StartConfigurationRecorder", "alice"),
        ("PutDeliveryChannel", "alice"),
        ("PutConfigurationRecorder", "alice"),
    ]
    assert [e["EventName"] for e in lookup(auditor, "Username", "mallory")] == [
        "StopConfigurationRecorder"
    ]
    # The same people in the sandbox: their identity is the same credential's.
    _as(team_server, "sqs", "mallory").create_queue(QueueName="exfil")
    [queue] = lookup(auditor, "EventName", "CreateQueue")
    assert queue["Username"] == "mallory"
    assert json.loads(queue["CloudTrailEvent"])["userIdentity"]["accountId"] == "111122223333"
