"""CloudTrail's form of request members and response elements (pure functions)."""

from __future__ import annotations

import botocore.session

from configledger.sandbox import decode, trail

_session = botocore.session.get_session()


def test_query_parameters_become_nested_lower_camel_members() -> None:
    params = [
        ("Action", "AuthorizeSecurityGroupIngress"),
        ("Version", "2016-11-15"),
        ("GroupId", "sg-1"),
        ("IpPermissions.1.IpProtocol", "tcp"),
        ("IpPermissions.1.IpRanges.2.CidrIp", "10.0.0.0/8"),
        ("IpPermissions.1.IpRanges.1.CidrIp", "0.0.0.0/0"),
        ("Tags.member.1.Key", "team"),
        ("Tags.member.1.Value", "core"),
        ("Attributes.entry.1.key", "DisplayName"),
        ("Attributes.entry.1.value", "Alerts"),
    ]
    assert decode.query_members(params) == {
        "groupId": "sg-1",
        "ipPermissions": [
            {"ipProtocol": "tcp", "ipRanges": [{"cidrIp": "0.0.0.0/0"}, {"cidrIp": "10.0.0.0/8"}]}
        ],
        "tags": [{"key": "team", "value": "core"}],
        "attributes": {"DisplayName": "Alerts"},
    }


def test_the_model_keeps_map_keys_and_hides_secrets() -> None:
    op = _session.get_service_model("secretsmanager").operation_model("CreateSecret")
    body = {"Name": "db", "SecretString": "hunter2", "Tags": [{"Key": "K", "Value": "V"}]}
    assert decode.camelize(op.input_shape, body) == {
        "name": "db",
        "secretString": "HIDDEN_DUE_TO_SECURITY_REASONS",
        "tags": [{"key": "K", "value": "V"}],
    }
    sqs = _session.get_service_model("sqs").operation_model("CreateQueue")
    assert decode.camelize(
        sqs.input_shape, {"QueueName": "q", "Attributes": {"DelaySeconds": "5"}}
    ) == {
        "queueName": "q",
        "attributes": {"DelaySeconds": "5"},
    }


def test_xml_results_are_unwrapped() -> None:
    body = (
        b'<CreateTopicResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">'
        b"<CreateTopicResult><TopicArn>arn:t</TopicArn></CreateTopicResult>"
        b"<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>"
        b"</CreateTopicResponse>"
    )
    assert decode.xml_elements(body) == {
        "topicArn": "arn:t",
        "responseMetadata": {"requestId": "r-1"},
    }
    listing = (
        b"<R><groupSet><item><groupId>sg-1</groupId></item>"
        b"<item><groupId>sg-2</groupId></item></groupSet></R>"
    )
    assert decode.xml_elements(listing) == {"groupSet": [{"groupId": "sg-1"}, {"groupId": "sg-2"}]}
    assert decode.xml_elements(b"not xml") is None


def test_records_stay_bounded() -> None:
    assert decode.bounded({}) is None
    assert decode.bounded({"zip": "x" * 10_000}) == {"zip": "<10000 characters omitted>"}
    assert decode.bounded({"items": ["y" * 8000] * 10}) is None


def test_resources_are_named_from_members_and_ec2_ids() -> None:
    found = trail.resources(
        "ec2",
        {"resourcesSet": {"items": [{"resourceId": "sg-9"}, {"resourceId": "ami-1"}]}},
        {"instancesSet": [{"instanceId": "i-1", "groupSet": [{"groupId": "sg-9"}]}]},
    )
    assert found == (("AWS::EC2::SecurityGroup", "sg-9"), ("AWS::EC2::Instance", "i-1"))
    # The same member name means different things to different services.
    assert trail.resources("iam", {"groupName": "admins"}) == (("AWS::IAM::Group", "admins"),)
    assert trail.resources("ec2", {"groupName": "web"}) == ()


def test_read_only_by_verb() -> None:
    reads = ["DescribeVpcs", "GetObject", "HeadBucket", "ReceiveMessage", "Scan", "BatchGetItem"]
    writes = [
        "CreateVpc",
        "PutObject",
        "BatchWriteItem",
        "SendMessage",
        "StopConfigurationRecorder",
    ]
    assert all(trail.is_read_only(name) for name in reads)
    assert not any(trail.is_read_only(name) for name in writes)


def test_identities_by_principal() -> None:
    user, name = trail.Caller(
        "111122223333", "arn:aws:iam::111122223333:user/ops/alice", "AK"
    ).identity()
    assert (user["type"], user["userName"], name) == ("IAMUser", "alice", "alice")
    again, _ = trail.Caller(
        "111122223333", "arn:aws:iam::111122223333:user/ops/alice", "AK2"
    ).identity()
    assert again["principalId"] == user["principalId"]
    role, session = trail.Caller(
        "111122223333", "arn:aws:sts::111122223333:assumed-role/deployer/ci-42", "ASIA"
    ).identity()
    assert (role["type"], session) == ("AssumedRole", "ci-42")
    assert (
        role["sessionContext"]["sessionIssuer"]["arn"] == "arn:aws:iam::111122223333:role/deployer"
    )
