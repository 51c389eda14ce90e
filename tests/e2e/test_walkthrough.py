"""The recorder's walk-through as a user runs it: ``make serve`` runs ``configledger serve``,
one process answering Config and the embedded AWS on one port. The user creates a VPC,
a subnet, a security group, an instance, a bucket, an IAM role, a topic and a queue,
then sets up the recorder and the delivery channel and starts recording: every one of
them is listed, with a ResourceDiscovered item shaped as AWS Config records its type.
An ingress rule then gives the group an OK item within a second, naming the CloudTrail
event that ``lookup-events`` returns.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import boto3
import pytest
import urllib3
from botocore.config import Config as BotoConfig

from tests.conftest import free_port, new_account
from tests.e2e.test_cli import _configledger

REGION = "us-east-1"
AMI = "ami-12c6146b"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """``configledger serve`` in its own process, as ``make serve`` starts it."""
    port = free_port()
    log = tmp_path / "server.log"
    process = subprocess.Popen(
        [*_configledger(), "serve", "--port", str(port), "--log-level", "warning"],
        cwd=tmp_path,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    http = urllib3.PoolManager()
    deadline = time.monotonic() + 60
    while True:
        try:
            http.request("GET", url + "/_configledger/health", retries=False)
            break
        except urllib3.exceptions.HTTPError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise AssertionError(f"server did not start: {log.read_text()[-2000:]}") from None
            time.sleep(0.1)
    try:
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()  # a sweep in flight; the test is not about shutting down
            process.wait(timeout=15)


def _wait(check: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, f"{what} not reached within {timeout}s"
        time.sleep(0.05)


def test_walkthrough_on_the_served_port(served: str) -> None:
    account = new_account()

    def client(service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=served,
            region_name=REGION,
            aws_access_key_id=account,
            aws_secret_access_key="test",
            config=BotoConfig(retries={"max_attempts": 1, "mode": "standard"}),
        )

    ec2, config = client("ec2"), client("config")
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.40.1.0/24", AvailabilityZone="us-east-1a")[
        "Subnet"
    ]["SubnetId"]
    group = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    instance = ec2.run_instances(
        ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet, SecurityGroupIds=[group]
    )["Instances"][0]["InstanceId"]
    bucket = f"walkthrough-{account}"
    client("s3").create_bucket(Bucket=bucket)
    role = client("iam").create_role(RoleName="app", AssumeRolePolicyDocument=json.dumps(TRUST))[
        "Role"
    ]
    topic = client("sns").create_topic(Name="alerts")["TopicArn"]
    queue_url = client("sqs").create_queue(QueueName="jobs")["QueueUrl"]

    config.put_configuration_recorder(
        ConfigurationRecorder={
            "name": "default",
            "roleARN": f"arn:aws:iam::{account}:role/config",
            "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True},
        }
    )
    # The served process checks the channel's bucket, as AWS does: the user's own.
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": bucket})
    config.start_configuration_recorder(ConfigurationRecorderName="default")
    status = _wait(
        lambda: (
            (
                s := config.describe_configuration_recorder_status()[
                    "ConfigurationRecordersStatus"
                ][0]
            )["lastStatus"]
            != "PENDING"
            and s
        ),
        120,
        "the first sweep",
    )
    assert status["lastStatus"] == "SUCCESS", status
    assert status["recording"] is True

    def discovered(resource_type: str, name: str | None = None) -> dict[str, dict[str, Any]]:
        listed = config.list_discovered_resources(resourceType=resource_type)
        return {
            r["resourceId"]: r
            for r in listed["resourceIdentifiers"]
            if name is None or r.get("resourceName") == name
        }

    def item(resource_type: str, resource_id: str) -> dict[str, Any]:
        assert resource_id in discovered(resource_type), (resource_type, resource_id)
        [only] = config.get_resource_config_history(
            resourceType=resource_type, resourceId=resource_id
        )["configurationItems"]
        assert only["configurationItemStatus"] == "ResourceDiscovered", only
        assert (only["accountId"], only["resourceType"]) == (account, resource_type)
        return only  # type: ignore[no-any-return]

    def conf(found: dict[str, Any]) -> dict[str, Any]:
        return json.loads(found["configuration"])  # type: ignore[no-any-return]

    def edges(found: dict[str, Any]) -> set[tuple[str, str]]:
        return {(r["relationshipName"], r["resourceId"]) for r in found["relationships"]}

    vpc_item = item("AWS::EC2::VPC", vpc)
    assert vpc_item["arn"] == f"arn:aws:ec2:{REGION}:{account}:vpc/{vpc}"
    assert conf(vpc_item)["cidrBlock"] == "10.40.0.0/16"
    assert {
        ("Contains Subnet", subnet),
        ("Contains SecurityGroup", group),
        ("Contains Instance", instance),
    } <= edges(vpc_item)
    subnet_item = item("AWS::EC2::Subnet", subnet)
    assert (subnet_item["availabilityZone"], conf(subnet_item)["vpcId"]) == ("us-east-1a", vpc)
    assert {("Is contained in Vpc", vpc), ("Contains Instance", instance)} <= edges(subnet_item)
    group_item = item("AWS::EC2::SecurityGroup", group)
    assert (group_item["resourceName"], conf(group_item)["groupId"]) == ("web", group)
    assert edges(group_item) == {("Is contained in Vpc", vpc)}
    instance_item = item("AWS::EC2::Instance", instance)
    assert conf(instance_item)["state"]["name"] == "running"
    assert {
        ("Is contained in Subnet", subnet),
        ("Is contained in Vpc", vpc),
        ("Is associated with SecurityGroup", group),
    } <= edges(instance_item)
    bucket_item = item("AWS::S3::Bucket", bucket)
    assert (bucket_item["arn"], conf(bucket_item)["name"]) == (f"arn:aws:s3:::{bucket}", bucket)
    assert "BucketVersioningConfiguration" in bucket_item["supplementaryConfiguration"]
    role_item = item("AWS::IAM::Role", role["RoleId"])
    assert (role_item["awsRegion"], role_item["resourceName"]) == ("global", "app")
    assert json.loads(unquote(conf(role_item)["assumeRolePolicyDocument"])) == TRUST
    topic_item = item("AWS::SNS::Topic", topic)
    assert (topic_item["resourceName"], conf(topic_item)["TopicArn"]) == ("alerts", topic)
    [queue_id] = discovered("AWS::SQS::Queue", "jobs")
    queue_item = item("AWS::SQS::Queue", queue_id)
    assert queue_id.endswith(f"/{account}/jobs") and queue_url.endswith(f"/{account}/jobs")
    assert conf(queue_item)["QueueArn"] == f"arn:aws:sqs:{REGION}:{account}:jobs"

    # A change: within a second, an OK item naming the call's CloudTrail event.
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
    )
    newest = _wait(
        lambda: (
            (
                found := config.get_resource_config_history(
                    resourceType="AWS::EC2::SecurityGroup", resourceId=group, limit=1
                )["configurationItems"][0]
            )["configurationItemStatus"]
            == "OK"
            and found
        ),
        1.0,
        "the ingress rule's item",
    )
    [event_id] = newest["relatedEvents"]
    [event] = client("cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "EventId", "AttributeValue": event_id}]
    )["Events"]
    assert event["EventName"] == "AuthorizeSecurityGroupIngress"
    assert {"ResourceType": "AWS::EC2::SecurityGroup", "ResourceName": group} in event["Resources"]
