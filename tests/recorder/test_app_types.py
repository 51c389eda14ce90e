"""The S3, IAM, SNS, SQS, Lambda, KMS and Secrets Manager resource types against moto
(standing in for AWS), in process.

Each test builds real resources with boto3, lists them with the type's ``fetch`` and
reads the ``transform`` output: ids, names, ARNs, zones, configuration, supplementary
configuration, tags and edges as AWS Config records them, then deletes a resource and
sees it leave the listing. botocore's Stubber stands in for AWS where moto cannot show a
behaviour (a call that fails for a reason other than "not found").
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from types import ModuleType
from typing import Any
from urllib.parse import unquote

import boto3
import botocore.session
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from moto import mock_aws

from configledger.recorder.resource_types.iam import _shared, group, policy, role, user
from configledger.recorder.resource_types.kms import key
from configledger.recorder.resource_types.lambda_ import function
from configledger.recorder.resource_types.s3 import bucket
from configledger.recorder.resource_types.secretsmanager import secret
from configledger.recorder.resource_types.sns import topic
from configledger.recorder.resource_types.sqs import queue
from configledger.recorder.types import Described, Relation, Scope, epoch_ms

ACCOUNT = "123456789012"  # moto's account
REGION = "us-east-1"
SCOPE = Scope(ACCOUNT, REGION)
MODULES = [bucket, user, group, role, policy, topic, queue, function, key, secret]
IAM_MODULES = {user, group, role, policy}

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
READ_LOGS = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "logs:Get*", "Resource": "*"}],
}


def client(service: str, region: str = REGION) -> Any:
    return boto3.client(service, region_name=region)


def described(module: ModuleType, region: str = REGION) -> list[Described]:
    scope = Scope(ACCOUNT, region)
    api = client(module.RESOURCE_TYPE.service, region)
    return [module.transform(raw, scope) for raw in module.fetch(api, scope)]


def listing(module: ModuleType, region: str = REGION) -> dict[str, Described]:
    return {d.resource_id: d for d in described(module, region)}


def by_name(module: ModuleType) -> dict[str | None, Described]:
    return {d.resource_name: d for d in described(module)}


def decoded(document: str) -> Any:
    return json.loads(unquote(document))


@pytest.fixture
def aws_managed_policies(monkeypatch: pytest.MonkeyPatch) -> None:
    """moto loads AWS managed policies (ReadOnlyAccess, ...) only when asked."""
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        yield


# -- the declarations ------------------------------------------------------------------


@pytest.mark.parametrize("module", MODULES, ids=lambda m: ".".join(m.__name__.rsplit(".", 2)[-2:]))
def test_each_type_is_one_of_botocores_resource_types_with_a_real_client(
    module: ModuleType,
) -> None:
    session = botocore.session.get_session()
    enum = session.get_service_model("config").shape_for("ResourceType").enum
    declared = module.RESOURCE_TYPE
    assert declared.type_name in enum
    assert declared.service in session.get_available_services()
    assert declared.events and all(e[:1].isupper() and " " not in e for e in declared.events)
    assert declared.global_type is (module in IAM_MODULES)


# -- S3 ----------------------------------------------------------------------------------


def test_bucket_records_its_settings_as_supplementary_configuration(aws: None) -> None:
    s3 = client("s3")
    s3.create_bucket(Bucket="ledger-data")
    policy_text = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": "arn:aws:s3:::ledger-data",
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }
            ],
        }
    )
    s3.put_bucket_policy(Bucket="ledger-data", Policy=policy_text)
    s3.put_bucket_versioning(Bucket="ledger-data", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_tagging(
        Bucket="ledger-data", Tagging={"TagSet": [{"Key": "team", "Value": "ledger"}]}
    )
    block = {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": False,
    }
    s3.put_public_access_block(Bucket="ledger-data", PublicAccessBlockConfiguration=block)
    s3.put_bucket_encryption(
        Bucket="ledger-data",
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    listed = {b["Name"]: b for b in s3.list_buckets()["Buckets"]}["ledger-data"]

    item = listing(bucket)["ledger-data"]

    assert item.resource_name == "ledger-data"
    assert item.arn == "arn:aws:s3:::ledger-data"
    assert item.availability_zone == "Regional"
    assert item.resource_creation_ms == epoch_ms(listed["CreationDate"])
    assert set(item.configuration) == {"name", "owner", "creationDate"}
    assert item.configuration["name"] == "ledger-data"
    assert item.configuration["owner"]["id"] == s3.list_buckets()["Owner"]["ID"]
    assert item.configuration["creationDate"].endswith("Z")
    assert item.tags == {"team": "ledger"}
    assert item.relations == ()
    sup = item.supplementary
    assert json.loads(sup["BucketPolicy"]["policyText"]) == json.loads(policy_text)
    assert sup["BucketVersioningConfiguration"] == {"status": "Enabled", "isMfaDeleteEnabled": None}
    assert sup["PublicAccessBlockConfiguration"] == {
        "blockPublicAcls": True,
        "ignorePublicAcls": True,
        "blockPublicPolicy": True,
        "restrictPublicBuckets": False,
    }
    assert sup["BucketTaggingConfiguration"] == {"tagSets": [{"tags": {"team": "ledger"}}]}
    assert sup["ServerSideEncryptionConfiguration"]["rules"][0][
        "applyServerSideEncryptionByDefault"
    ] == {"sseAlgorithm": "AES256", "kmsMasterKeyID": None}
    assert sup["IsRequesterPaysEnabled"] is False
    assert sup["BucketAccelerateConfiguration"] == {"status": None}
    assert sup["BucketLoggingConfiguration"] == {
        "destinationBucketName": None,
        "logFilePrefix": None,
    }
    assert sup["BucketNotificationConfiguration"] == {"configurations": {}}
    # AWS Config leaves the ACL a JSON string, in the Java model's shape.
    acl = json.loads(sup["AccessControlList"])
    owner_id = s3.get_bucket_acl(Bucket="ledger-data")["Owner"]["ID"]
    assert acl["grantSet"] is None and acl["isRequesterCharged"] is False
    assert acl["owner"]["id"] == owner_id
    assert acl["grantList"] == [
        {"grantee": {"id": owner_id, "displayName": None}, "permission": "FullControl"}
    ]


def test_bucket_without_optional_settings_records_them_absent(aws: None) -> None:
    client("s3").create_bucket(Bucket="bare-bucket")

    item = listing(bucket)["bare-bucket"]

    sup = item.supplementary
    assert sup["BucketPolicy"] == {"policyText": None}
    assert sup["BucketVersioningConfiguration"] == {"status": "Off", "isMfaDeleteEnabled": None}
    for absent in (
        "PublicAccessBlockConfiguration",
        "BucketTaggingConfiguration",
        "ServerSideEncryptionConfiguration",
    ):
        assert absent not in sup
    assert item.tags == {}


def test_bucket_logging_notifications_and_group_grants_use_aws_configs_shapes(
    aws: None,
) -> None:
    s3 = client("s3")
    s3.create_bucket(Bucket="ledger-logs", ACL="log-delivery-write")
    s3.create_bucket(Bucket="ledger-app")
    s3.put_bucket_logging(
        Bucket="ledger-app",
        BucketLoggingStatus={
            "LoggingEnabled": {"TargetBucket": "ledger-logs", "TargetPrefix": "app/"}
        },
    )
    queue_arn = client("sqs").get_queue_attributes(
        QueueUrl=client("sqs").create_queue(QueueName="uploads")["QueueUrl"],
        AttributeNames=["QueueArn"],
    )["Attributes"]["QueueArn"]
    s3.put_bucket_notification_configuration(
        Bucket="ledger-app",
        NotificationConfiguration={
            "QueueConfigurations": [
                {
                    "Id": "uploads",
                    "QueueArn": queue_arn,
                    "Events": ["s3:ObjectCreated:*"],
                    "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "in/"}]}},
                }
            ]
        },
    )

    items = listing(bucket)

    app = items["ledger-app"].supplementary
    assert app["BucketLoggingConfiguration"] == {
        "destinationBucketName": "ledger-logs",
        "logFilePrefix": "app/",
    }
    assert app["BucketNotificationConfiguration"]["configurations"]["uploads"] == {
        "events": ["s3:ObjectCreated:*"],
        "filter": {"s3KeyFilter": {"filterRules": [{"name": "prefix", "value": "in/"}]}},
        "objectPrefixes": [],
        "type": "QueueConfiguration",
        "queueARN": queue_arn,
    }
    grants = json.loads(items["ledger-logs"].supplementary["AccessControlList"])["grantList"]
    assert {"grantee": "LogDelivery", "permission": "ReadAcp"} in grants


def test_bucket_transform_maps_s3s_answers_to_the_java_models_values() -> None:
    raw = {
        "Name": "public-site",
        "Owner": {"ID": "abc"},
        "Acl": {
            "Owner": {"ID": "abc"},
            "Grants": [
                {
                    "Grantee": {
                        "Type": "Group",
                        "URI": "http://acs.amazonaws.com/groups/global/AllUsers",
                    },
                    "Permission": "READ",
                },
                {"Grantee": {"Type": "CanonicalUser", "ID": "abc"}, "Permission": "WRITE_ACP"},
            ],
        },
        "Versioning": {"Status": "Suspended", "MFADelete": "Enabled"},
        "Logging": {},
        "Notification": {},
        "Accelerate": {"Status": "Enabled"},
        "RequestPayment": {"Payer": "Requester"},
    }

    item = bucket.transform(raw, SCOPE)

    sup = item.supplementary
    assert json.loads(sup["AccessControlList"])["grantList"] == [
        {"grantee": "AllUsers", "permission": "Read"},
        {"grantee": {"id": "abc", "displayName": None}, "permission": "WriteAcp"},
    ]
    assert sup["BucketVersioningConfiguration"] == {
        "status": "Suspended",
        "isMfaDeleteEnabled": True,
    }
    assert sup["BucketAccelerateConfiguration"] == {"status": "Enabled"}
    assert sup["IsRequesterPaysEnabled"] is True
    assert item.configuration["creationDate"] is None and item.resource_creation_ms is None


def test_bucket_listing_keeps_only_the_buckets_of_the_scopes_region(aws: None) -> None:
    client("s3").create_bucket(Bucket="in-virginia")
    client("s3", "eu-west-1").create_bucket(
        Bucket="in-ireland", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )

    assert list(listing(bucket)) == ["in-virginia"]
    assert list(listing(bucket, "eu-west-1")) == ["in-ireland"]

    client("s3").delete_bucket(Bucket="in-virginia")
    assert listing(bucket) == {}


def test_bucket_listing_raises_when_a_setting_cannot_be_read() -> None:
    s3 = botocore.session.get_session().create_client(
        "s3", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="y"
    )
    stub = Stubber(s3)
    stub.add_response("list_buckets", {"Buckets": [{"Name": "locked-bucket"}]})
    stub.add_response("get_bucket_location", {"LocationConstraint": ""})
    for operation in bucket._ALWAYS.values():
        stub.add_response(operation, {})
    stub.add_client_error("get_bucket_policy", "AccessDenied", http_status_code=403)

    with stub, pytest.raises(ClientError, match="AccessDenied"):
        list(bucket.fetch(s3, SCOPE))


# -- IAM ---------------------------------------------------------------------------------


def create_policy(name: str, document: dict[str, Any] = READ_LOGS) -> dict[str, Any]:
    return client("iam").create_policy(  # type: ignore[no-any-return]
        PolicyName=name, PolicyDocument=json.dumps(document)
    )["Policy"]


def test_user_records_its_policies_groups_and_edges(aws_managed_policies: None, aws: None) -> None:
    iam = client("iam")
    created = iam.create_user(UserName="alice", Tags=[{"Key": "team", "Value": "ledger"}])["User"]
    ops = iam.create_group(GroupName="ops")["Group"]
    iam.add_user_to_group(UserName="alice", GroupName="ops")
    managed = create_policy("read-logs")
    iam.attach_user_policy(UserName="alice", PolicyArn=managed["Arn"])
    iam.attach_user_policy(UserName="alice", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    iam.put_user_policy(UserName="alice", PolicyName="inline", PolicyDocument=json.dumps(READ_LOGS))
    iam.create_user(UserName="bob")

    item = by_name(user)["alice"]

    assert item.resource_id == created["UserId"]
    assert item.arn == created["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/alice"
    assert item.availability_zone == "Not Applicable"
    assert item.resource_creation_ms == epoch_ms(created["CreateDate"])
    config = item.configuration
    assert config["userName"] == "alice" and config["userId"] == created["UserId"]
    assert config["path"] == "/"
    assert config["groupList"] == ["ops"]
    assert {p["policyArn"] for p in config["attachedManagedPolicies"]} == {
        managed["Arn"],
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
    }
    (inline,) = config["userPolicyList"]
    assert inline["policyName"] == "inline"
    assert isinstance(inline["policyDocument"], str)  # URL-encoded, as IAM gives it
    assert decoded(inline["policyDocument"]) == READ_LOGS
    assert config["permissionsBoundary"] is None
    assert config["tags"] == [{"key": "team", "value": "ledger"}]
    assert item.tags == {"team": "ledger"}
    # AWS managed policies are not AWS::IAM::Policy resources: no edge to ReadOnlyAccess.
    assert set(item.relations) == {
        Relation(
            "Is attached to Group",
            "AWS::IAM::Group",
            target_id=ops["GroupId"],
            target_name="ops",
            inverse="Contains User",
        ),
        Relation(
            "Is attached to CustomerManagedPolicy",
            "AWS::IAM::Policy",
            target_id=managed["PolicyId"],
            target_name="read-logs",
            inverse="Is attached to User",
        ),
    }

    iam.remove_user_from_group(UserName="alice", GroupName="ops")
    iam.detach_user_policy(UserName="alice", PolicyArn=managed["Arn"])
    iam.detach_user_policy(UserName="alice", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    iam.delete_user_policy(UserName="alice", PolicyName="inline")
    iam.delete_user(UserName="alice")
    assert list(by_name(user)) == ["bob"]


def test_group_records_its_policies_and_leaves_membership_to_the_user(aws: None) -> None:
    iam = client("iam")
    created = iam.create_group(GroupName="ops", Path="/teams/")["Group"]
    iam.create_user(UserName="alice")
    iam.add_user_to_group(UserName="alice", GroupName="ops")
    managed = create_policy("read-logs")
    iam.attach_group_policy(GroupName="ops", PolicyArn=managed["Arn"])
    iam.put_group_policy(GroupName="ops", PolicyName="inline", PolicyDocument=json.dumps(READ_LOGS))

    (item,) = described(group)

    assert item.resource_id == created["GroupId"]
    assert item.resource_name == "ops"
    assert item.arn == f"arn:aws:iam::{ACCOUNT}:group/teams/ops"
    assert item.availability_zone == "Not Applicable"
    config = item.configuration
    assert config["groupName"] == "ops" and config["path"] == "/teams/"
    assert config["attachedManagedPolicies"] == [
        {"policyName": "read-logs", "policyArn": managed["Arn"]}
    ]
    assert decoded(config["groupPolicyList"][0]["policyDocument"]) == READ_LOGS
    # "Contains User" is the inverse of the user's "Is attached to Group", not declared here.
    assert item.relations == (
        Relation(
            "Is attached to CustomerManagedPolicy",
            "AWS::IAM::Policy",
            target_id=managed["PolicyId"],
            target_name="read-logs",
            inverse="Is attached to Group",
        ),
    )

    iam.remove_user_from_group(UserName="alice", GroupName="ops")
    iam.detach_group_policy(GroupName="ops", PolicyArn=managed["Arn"])
    iam.delete_group_policy(GroupName="ops", PolicyName="inline")
    iam.delete_group(GroupName="ops")
    assert described(group) == []


def test_role_records_an_encoded_trust_policy_and_its_instance_profiles(aws: None) -> None:
    iam = client("iam")
    created = iam.create_role(
        RoleName="worker",
        Path="/service/",
        AssumeRolePolicyDocument=json.dumps(TRUST),
        Tags=[{"Key": "app", "Value": "ledger"}],
    )["Role"]
    iam.create_instance_profile(InstanceProfileName="worker-profile")
    iam.add_role_to_instance_profile(InstanceProfileName="worker-profile", RoleName="worker")
    managed = create_policy("read-logs")
    iam.attach_role_policy(RoleName="worker", PolicyArn=managed["Arn"])
    iam.put_role_policy(
        RoleName="worker", PolicyName="inline", PolicyDocument=json.dumps(READ_LOGS)
    )

    item = by_name(role)["worker"]

    assert item.resource_id == created["RoleId"] and item.resource_id.startswith("AROA")
    assert item.arn == f"arn:aws:iam::{ACCOUNT}:role/service/worker"
    assert item.resource_creation_ms == epoch_ms(created["CreateDate"])
    config = item.configuration
    assert config["roleName"] == "worker" and config["path"] == "/service/"
    assert isinstance(config["assumeRolePolicyDocument"], str)
    assert config["assumeRolePolicyDocument"].startswith("%7B%22Version%22%3A")
    assert decoded(config["assumeRolePolicyDocument"]) == TRUST
    (profile,) = config["instanceProfileList"]
    assert profile["instanceProfileName"] == "worker-profile"
    assert profile["roles"][0]["roleName"] == "worker"
    assert decoded(profile["roles"][0]["assumeRolePolicyDocument"]) == TRUST
    assert decoded(config["rolePolicyList"][0]["policyDocument"]) == READ_LOGS
    assert config["attachedManagedPolicies"] == [
        {"policyName": "read-logs", "policyArn": managed["Arn"]}
    ]
    assert "roleLastUsed" not in config
    assert config["tags"] == [{"key": "app", "value": "ledger"}]
    assert item.tags == {"app": "ledger"}
    assert item.relations == (
        Relation(
            "Is attached to CustomerManagedPolicy",
            "AWS::IAM::Policy",
            target_id=managed["PolicyId"],
            target_name="read-logs",
            inverse="Is attached to Role",
        ),
    )

    iam.detach_role_policy(RoleName="worker", PolicyArn=managed["Arn"])
    iam.delete_role_policy(RoleName="worker", PolicyName="inline")
    iam.remove_role_from_instance_profile(InstanceProfileName="worker-profile", RoleName="worker")
    iam.delete_role(RoleName="worker")
    assert by_name(role) == {}


def test_policy_records_customer_managed_policies_with_every_version(
    aws_managed_policies: None, aws: None
) -> None:
    iam = client("iam")
    created = create_policy("read-logs")
    iam.tag_policy(PolicyArn=created["Arn"], Tags=[{"Key": "owner", "Value": "ops"}])
    widened = {**READ_LOGS, "Statement": [{**READ_LOGS["Statement"][0], "Action": "logs:*"}]}
    iam.create_policy_version(
        PolicyArn=created["Arn"], PolicyDocument=json.dumps(widened), SetAsDefault=True
    )
    iam.create_user(UserName="alice")
    iam.attach_user_policy(UserName="alice", PolicyArn=created["Arn"])
    iam.attach_user_policy(UserName="alice", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")

    items = by_name(policy)

    assert list(items) == ["read-logs"]  # AWS managed policies are not recorded
    item = items["read-logs"]
    assert item.resource_id == created["PolicyId"]
    assert item.arn == created["Arn"]
    assert item.availability_zone == "Not Applicable"
    config = item.configuration
    assert config["policyName"] == "read-logs" and config["policyId"] == created["PolicyId"]
    assert config["defaultVersionId"] == "v2"
    assert config["attachmentCount"] == 1
    versions = {v["versionId"]: v for v in config["policyVersionList"]}
    assert set(versions) == {"v1", "v2"}
    assert decoded(versions["v1"]["document"]) == READ_LOGS
    assert decoded(versions["v2"]["document"]) == widened
    assert versions["v2"]["isDefaultVersion"] is True
    assert versions["v1"]["isDefaultVersion"] is False
    assert item.tags == {"owner": "ops"}
    assert item.relations == ()

    iam.detach_user_policy(UserName="alice", PolicyArn=created["Arn"])
    iam.delete_policy_version(PolicyArn=created["Arn"], VersionId="v1")
    iam.delete_policy(PolicyArn=created["Arn"])
    assert by_name(policy) == {}


def test_policy_documents_are_encoded_as_iam_encodes_them() -> None:
    document = {"Statement": [{"Action": "s3:*", "Resource": "*", "Sid": "a b"}]}
    text = _shared.encoded(document)

    assert text == (
        "%7B%22Statement%22%3A%5B%7B%22Action%22%3A%22s3%3A*%22%2C%22Resource%22%3A%22*%22"
        "%2C%22Sid%22%3A%22a%20b%22%7D%5D%7D"
    )
    assert _shared.encoded(text) == text  # IAM's own text is kept as it is
    assert _shared.encoded(None) is None


# -- SNS ---------------------------------------------------------------------------------


def test_topic_is_recorded_by_arn_with_its_attributes(aws: None) -> None:
    sns = client("sns")
    arn = sns.create_topic(
        Name="alerts",
        Attributes={"DisplayName": "Alerts"},
        Tags=[{"Key": "team", "Value": "ops"}],
    )["TopicArn"]
    sns.create_topic(Name="other")

    item = listing(topic)[arn]

    assert arn == f"arn:aws:sns:{REGION}:{ACCOUNT}:alerts"
    assert item.resource_name == "alerts"
    assert item.arn == arn
    assert item.availability_zone == "Not Applicable"
    config = item.configuration
    assert config["TopicArn"] == arn and config["Owner"] == ACCOUNT
    assert config["DisplayName"] == "Alerts"
    assert json.loads(config["Policy"])["Statement"]
    assert not {"SubscriptionsConfirmed", "SubscriptionsPending", "SubscriptionsDeleted"} & set(
        config
    )
    assert item.tags == {"team": "ops"}
    assert item.supplementary == {"Tags": [{"key": "team", "value": "ops"}]}
    assert item.relations == ()

    sns.delete_topic(TopicArn=arn)
    assert arn not in listing(topic) and len(listing(topic)) == 1


# -- SQS ---------------------------------------------------------------------------------


def test_queue_is_recorded_by_url_with_its_attributes(aws: None) -> None:
    sqs = client("sqs")
    url = sqs.create_queue(
        QueueName="jobs", Attributes={"VisibilityTimeout": "45"}, tags={"team": "ops"}
    )["QueueUrl"]
    sqs.create_queue(QueueName="other")
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]

    item = listing(queue)[url]

    assert url.endswith(f"/{ACCOUNT}/jobs")
    assert item.resource_name == "jobs"
    assert item.arn == f"arn:aws:sqs:{REGION}:{ACCOUNT}:jobs"
    assert item.availability_zone == "Not Applicable"
    assert item.resource_creation_ms == int(float(attributes["CreatedTimestamp"]) * 1000)
    config = item.configuration
    assert config["QueueUrl"] == url and config["QueueName"] == "jobs"
    assert config["QueueArn"] == item.arn
    assert config["VisibilityTimeout"] == 45
    assert config["MessageRetentionPeriod"] == int(attributes["MessageRetentionPeriod"])
    assert "ApproximateNumberOfMessages" not in config
    assert item.tags == {"team": "ops"}
    assert item.relations == ()

    sqs.delete_queue(QueueUrl=url)
    assert url not in listing(queue) and len(listing(queue)) == 1


# -- Lambda ------------------------------------------------------------------------------


def code() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


def create_function(name: str, **extra: Any) -> dict[str, Any]:
    iam = client("iam")
    try:
        role_arn = iam.get_role(RoleName="fn-role")["Role"]["Arn"]
    except ClientError:
        role_arn = iam.create_role(
            RoleName="fn-role", Path="/service/", AssumeRolePolicyDocument=json.dumps(TRUST)
        )["Role"]["Arn"]
    return client("lambda").create_function(  # type: ignore[no-any-return]
        FunctionName=name,
        Runtime="python3.12",
        Role=role_arn,
        Handler="index.handler",
        Code={"ZipFile": code()},
        **extra,
    )


def test_function_records_its_configuration_and_edges(aws: None) -> None:
    ec2 = client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    group_id = ec2.create_security_group(GroupName="fn", Description="fn", VpcId=vpc)["GroupId"]
    created = create_function(
        "ingest",
        Environment={"Variables": {"TABLE_NAME": "orders"}},
        VpcConfig={"SubnetIds": [subnet], "SecurityGroupIds": [group_id]},
        Tags={"team": "ops"},
    )
    client("lambda").put_function_concurrency(FunctionName="ingest", ReservedConcurrentExecutions=5)

    item = listing(function)["ingest"]

    assert item.resource_name == "ingest"
    assert (
        item.arn == created["FunctionArn"] == f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:ingest"
    )
    assert item.availability_zone == "Not Applicable"
    assert item.resource_creation_ms is None
    config = item.configuration
    assert config["functionName"] == "ingest"
    assert config["role"] == created["Role"]
    assert config["runtime"] == "python3.12" and config["handler"] == "index.handler"
    assert config["environment"]["variables"] == {"TABLE_NAME": "orders"}  # names keep case
    assert config["vpcConfig"]["subnetIds"] == [subnet]
    assert config["state"] == {"value": "Active"}
    assert "code" not in config
    assert item.tags == {"team": "ops"}
    assert item.supplementary == {
        "Tags": {"team": "ops"},
        "Concurrency": {"reservedConcurrentExecutions": 5},
    }
    assert set(item.relations) == {
        Relation("Is associated with ", "AWS::IAM::Role", target_name="fn-role"),
        Relation("Is associated with ", "AWS::EC2::SecurityGroup", target_id=group_id),
        Relation("Is contained in ", "AWS::EC2::Subnet", target_id=subnet),
    }


def test_function_outside_a_vpc_relates_to_its_role_only_and_leaves_when_deleted(
    aws: None,
) -> None:
    create_function("plain")
    create_function("spare")

    item = listing(function)["plain"]

    assert item.relations == (
        Relation("Is associated with ", "AWS::IAM::Role", target_name="fn-role"),
    )
    assert item.supplementary == {"Tags": {}}

    client("lambda").delete_function(FunctionName="plain")
    assert list(listing(function)) == ["spare"]


def test_function_keys_follow_aws_configs_java_bean_names() -> None:
    raw = {
        "Configuration": {
            "FunctionName": "f",
            "FunctionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:f",
            "Role": f"arn:aws:iam::{ACCOUNT}:role/r",
            "KMSKeyArn": "arn:aws:kms:us-east-1:123456789012:key/k",
            "StateReason": "Creating",
            "TracingConfig": {"Mode": "Active"},
        }
    }

    config = function.transform(raw, SCOPE).configuration

    assert config["kmskeyArn"] == "arn:aws:kms:us-east-1:123456789012:key/k"
    assert config["stateReason"] == {"value": "Creating"}
    assert config["tracingConfig"] == {"mode": "Active"}


# -- KMS ---------------------------------------------------------------------------------


def test_key_records_rotation_policy_and_tags(aws: None) -> None:
    kms = client("kms")
    created = kms.create_key(Description="ledger", Tags=[{"TagKey": "team", "TagValue": "ops"}])[
        "KeyMetadata"
    ]
    kms.enable_key_rotation(KeyId=created["KeyId"])

    item = listing(key)[created["KeyId"]]

    assert item.arn == created["Arn"]
    assert item.resource_name is None
    assert item.availability_zone == "Not Applicable"
    assert item.resource_creation_ms == epoch_ms(created["CreationDate"])
    config = item.configuration
    assert config["keyId"] == created["KeyId"] and config["arn"] == created["Arn"]
    assert config["awsaccountId"] == ACCOUNT  # AWSAccountId, the Java-bean way
    assert config["creationDate"] == epoch_ms(created["CreationDate"])
    assert config["keyManager"] == "CUSTOMER" and config["keyState"] == "Enabled"
    assert config["description"] == "ledger"
    assert config["signingAlgorithms"] == []
    assert item.supplementary["KeyRotationStatus"] is True
    assert json.loads(item.supplementary["Policy"])["Statement"]
    assert item.tags == {"team": "ops"}
    assert item.relations == ()


def test_key_that_cannot_rotate_has_no_rotation_status_and_pending_keys_stay(aws: None) -> None:
    kms = client("kms")
    signing = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    doomed = kms.create_key()["KeyMetadata"]
    kms.schedule_key_deletion(KeyId=doomed["KeyId"], PendingWindowInDays=7)

    items = listing(key)

    assert "KeyRotationStatus" not in items[signing["KeyId"]].supplementary
    assert items[signing["KeyId"]].configuration["signingAlgorithms"]
    pending = items[doomed["KeyId"]]  # a key pending deletion still exists
    assert pending.configuration["keyState"] == "PendingDeletion"
    assert isinstance(pending.configuration["deletionDate"], int)


# -- Secrets Manager ---------------------------------------------------------------------


def test_secret_is_recorded_by_arn_and_marked_deleted_while_pending(aws: None) -> None:
    sm = client("secretsmanager")
    created = sm.create_secret(
        Name="db-password",
        SecretString="hunter2",
        Description="the database",
        Tags=[{"Key": "team", "Value": "ops"}],
    )
    doomed = sm.create_secret(Name="old-token", SecretString="x")["ARN"]
    sm.delete_secret(SecretId=doomed, RecoveryWindowInDays=7)
    described_secret = sm.describe_secret(SecretId=created["ARN"])

    items = listing(secret)

    item = items[created["ARN"]]
    assert item.resource_name == "db-password"
    assert item.arn == created["ARN"]
    assert item.availability_zone == "Not Applicable"
    assert item.resource_creation_ms == epoch_ms(described_secret["CreatedDate"])
    assert item.configuration == {
        "ARN": created["ARN"],
        "Name": "db-password",
        "Description": "the database",
        "KMSKeyId": None,
        "RotationEnabled": False,
        "RotationLambdaARN": None,
        "RotationRules": None,
        "Deleted": False,
    }
    assert "hunter2" not in json.dumps(item.configuration)
    assert item.tags == {"team": "ops"}
    assert items[doomed].configuration["Deleted"] is True

    sm.delete_secret(SecretId=doomed, ForceDeleteWithoutRecovery=True)
    assert list(listing(secret)) == [created["ARN"]]


def test_secret_rotation_rules_take_aws_configs_names() -> None:
    raw = {
        "ARN": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:s-AbCdEf",
        "Name": "s",
        "RotationEnabled": True,
        "RotationLambdaARN": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:rotate",
        "RotationRules": {"AutomaticallyAfterDays": 30, "Duration": "2h"},
        "KmsKeyId": "alias/ledger",
    }

    config = secret.transform(raw, SCOPE).configuration

    assert config["RotationRules"] == {"AutomaticallyAfterDays": 30, "RotationDuration": "2h"}
    assert config["RotationEnabled"] is True
    assert config["KMSKeyId"] == "alias/ledger"
