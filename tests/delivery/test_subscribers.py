"""Two SQS queues on the channel's topic: one with a filter policy on the message body
that keeps the security-relevant changes, one that takes everything (README example)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tests.conftest import LiveServer, config_client, new_account
from tests.delivery.conftest import ROLE, aws, collect, make_queue, unique

# The README's filter policy, verbatim.
SECURITY_CHANGES = {
    "configurationItem": {
        "resourceType": [
            "AWS::EC2::SecurityGroup",
            "AWS::EC2::NetworkAcl",
            {"prefix": "AWS::IAM::"},
        ]
    }
}
RECORDED = [
    "AWS::EC2::NetworkAcl",
    "AWS::EC2::SecurityGroup",
    "AWS::IAM::User",
    "AWS::S3::Bucket",
    "AWS::SNS::Topic",
]
SECURITY_TYPES = ("AWS::EC2::NetworkAcl", "AWS::EC2::SecurityGroup", "AWS::IAM::User")
README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_subscribes_with_this_filter_policy() -> None:
    """The README's `aws sns subscribe` example carries the policy the test below uses."""
    text = README.read_text()
    [attributes] = re.findall(r"--attributes '(\{.*?\})'", text, flags=re.S)
    parsed = json.loads(attributes)
    assert parsed["FilterPolicyScope"] == "MessageBody"
    assert json.loads(parsed["FilterPolicy"]) == SECURITY_CHANGES
    assert '--notification-endpoint "$ALL_CHANGES_QUEUE_ARN"' in text


def _changes(found: list[dict[str, Any]]) -> set[tuple[str, str]]:
    out = set()
    for body in found:
        item = body.get("configurationItem")
        if item is not None and item["configurationItemStatus"] != "ResourceNotRecorded":
            out.add((item["resourceType"], item["resourceName"] or item["resourceId"]))
    return out


def test_a_filtered_queue_gets_the_security_changes_and_an_unfiltered_one_everything(
    live: LiveServer,
) -> None:
    account = new_account()
    bucket = unique("config-bucket")
    aws(live.url, "s3", account).create_bucket(Bucket=bucket)
    topic_arn = aws(live.url, "sns", account).create_topic(Name=unique("config-topic"))["TopicArn"]
    security_queue = make_queue(live.url, account, topic_arn, SECURITY_CHANGES)
    everything_queue = make_queue(live.url, account, topic_arn)
    config = config_client(live, account)
    config.put_configuration_recorder(
        ConfigurationRecorder={
            "name": "default",
            "roleARN": ROLE.format(account=account),
            "recordingGroup": {"allSupported": False, "resourceTypes": RECORDED},
        }
    )
    config.put_delivery_channel(
        DeliveryChannel={"name": "default", "s3BucketName": bucket, "snsTopicARN": topic_arn}
    )
    config.start_configuration_recorder(ConfigurationRecorderName="default")

    ec2 = aws(live.url, "ec2", account)
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    aws(live.url, "iam", account).create_user(UserName="auditor")

    # The inventory (bucket, topic, the VPC's default group and ACL) and the three new
    # resources: the group, the ACL and the user reach both queues, the rest only the
    # second.
    sqs = aws(live.url, "sqs", account)
    wanted = {
        ("AWS::EC2::SecurityGroup", "web"),
        ("AWS::EC2::NetworkAcl", acl),
        ("AWS::IAM::User", "auditor"),
    }
    filtered = _changes(collect(sqs, security_queue, lambda b: wanted <= _changes(b)))
    unfiltered = _changes(
        collect(
            sqs,
            everything_queue,
            lambda b: wanted | {("AWS::S3::Bucket", bucket)} <= _changes(b),
        )
    )
    assert wanted <= filtered
    assert {t for t, _ in filtered} == set(SECURITY_TYPES)
    assert ("AWS::S3::Bucket", bucket) in unfiltered
    assert "AWS::SNS::Topic" in {t for t, _ in unfiltered}
    assert filtered == {c for c in unfiltered if c[0] in SECURITY_TYPES}
