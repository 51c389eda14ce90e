"""The application and platform resource types end to end: boto3 over HTTP against the
embedded sandbox, with the recorder recording (issue 3, "Tests that must exist"; spec 3,
4, 5.2, 11).

Each test acts as a fresh account on the shared SQLite server: it starts the recorder,
waits for the first sweep (DescribeConfigurationRecorderStatus lastStatus SUCCESS), then
creates, modifies and deletes one kind of resource through the sandbox and reads what the
recorder wrote: a ResourceDiscovered item with the resource's id, name, ARN and key
configuration, an OK item for the change, a ResourceDeleted item for the deletion, and on
each the relatedEvents eventID that CloudTrail LookupEvents (same endpoint) resolves to the
call that caused it. Each step waits for its item before the next call, so every item is
the answer to exactly one call.
"""

from __future__ import annotations

import io
import json
import time
import zipfile
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

import boto3
import pytest
from botocore.config import Config as BotoConfig

from tests.conftest import REGION, LiveServer, config_client, new_account, start_recording

# A change reaches its item well under a second; the margin is for a loaded machine.
CHANGE_TIMEOUT = 10.0
# The first sweep of a test session also warms every moto backend (10-20 s once).
FIRST_SWEEP_TIMEOUT = 120.0
POLL = 0.05

ALL_WITH_GLOBAL = {"allSupported": True, "includeGlobalResourceTypes": True}
S3_SUPPLEMENTARY = {
    "AccessControlList",
    "BucketAccelerateConfiguration",
    "BucketLoggingConfiguration",
    "BucketNotificationConfiguration",
    "BucketPolicy",
    "BucketVersioningConfiguration",
    "IsRequesterPaysEnabled",
}
LAMBDA_TRUST = {
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


# -- helpers -----------------------------------------------------------------------------


def wait_for(probe: Callable[[], Any], what: str, timeout: float = CHANGE_TIMEOUT) -> Any:
    """Poll ``probe`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(POLL)


def configuration(item: dict[str, Any]) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(item["configuration"])
    return document


def supplementary(item: dict[str, Any]) -> dict[str, Any]:
    return {k: json.loads(v) for k, v in item.get("supplementaryConfiguration", {}).items()}


def changed_keys(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    return {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}


def relationships(item: dict[str, Any]) -> list[tuple[str, str, str | None, str | None]]:
    """(relationshipName, resourceType, resourceId, resourceName), sorted."""
    return sorted(
        (r["relationshipName"], r["resourceType"], r.get("resourceId"), r.get("resourceName"))
        for r in item["relationships"]
    )


def lambda_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


class Sandbox:
    """A fresh account on ``server`` whose recorder is recording (``group``: its
    recording group; None: start_recording's default, all supported without IAM;
    ``record=False``: no recorder at all)."""

    def __init__(
        self, server: LiveServer, group: dict[str, Any] | None = None, *, record: bool = True
    ) -> None:
        self.server = server
        self.account = new_account()
        self.config = config_client(server, self.account)
        self._clients: dict[str, Any] = {}
        if not record:
            return
        if group is None:
            start_recording(self.config)
        else:
            self.config.put_configuration_recorder(
                ConfigurationRecorder={
                    "name": "default",
                    "roleARN": f"arn:aws:iam::{self.account}:role/config-role",
                    "recordingGroup": group,
                }
            )
            self.config.put_delivery_channel(
                DeliveryChannel={"name": "default", "s3BucketName": "config-bucket"}
            )
            self.config.start_configuration_recorder(ConfigurationRecorderName="default")
        wait_for(
            lambda: self.status().get("lastStatus") == "SUCCESS",
            "the recorder's first sweep",
            FIRST_SWEEP_TIMEOUT,
        )

    def status(self) -> dict[str, Any]:
        answer = self.config.describe_configuration_recorder_status()
        [status] = answer["ConfigurationRecordersStatus"]
        return status  # type: ignore[no-any-return]

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = boto3.client(
                service,
                endpoint_url=self.server.url,
                region_name=REGION,
                aws_access_key_id=self.account,
                aws_secret_access_key="test",
                config=BotoConfig(retries={"max_attempts": 1, "mode": "standard"}),
            )
        return self._clients[service]

    def history(self, resource_type: str, resource_id: str) -> list[dict[str, Any]]:
        """Every item of the resource, newest first; [] before it is discovered."""
        try:
            answer = self.config.get_resource_config_history(
                resourceType=resource_type, resourceId=resource_id, limit=100
            )
        except self.config.exceptions.ResourceNotDiscoveredException:
            return []
        return answer["configurationItems"]  # type: ignore[no-any-return]

    def item(self, resource_type: str, resource_id: str, count: int, status: str) -> dict[str, Any]:
        """The resource's newest item, once it has ``count`` items; it must be ``status``."""
        items = wait_for(
            lambda: (
                (found := self.history(resource_type, resource_id))
                and len(found) >= count
                and found
            ),
            f"item {count} ({status}) of {resource_type} {resource_id}",
        )
        statuses = [i["configurationItemStatus"] for i in items]
        assert len(items) == count, statuses
        newest: dict[str, Any] = items[0]
        assert newest["configurationItemStatus"] == status, statuses
        assert newest["accountId"] == self.account
        assert newest["resourceType"] == resource_type
        assert newest["resourceId"] == resource_id
        return newest

    def caused_by(self, item: dict[str, Any], source: str, *names: str) -> dict[str, Any]:
        """The one CloudTrail event the item's relatedEvents names, as LookupEvents
        returns it; its EventName must be one of ``names``, from ``source``."""
        [event_id] = item["relatedEvents"]
        answer = self.client("cloudtrail").lookup_events(
            LookupAttributes=[{"AttributeKey": "EventId", "AttributeValue": event_id}]
        )
        [event] = answer["Events"]
        assert event["EventId"] == event_id
        assert event["EventName"] in names, (event["EventName"], names)
        assert event["EventSource"] == source
        record = json.loads(event["CloudTrailEvent"])
        assert record["eventID"] == event_id
        assert record["recipientAccountId"] == self.account
        return event  # type: ignore[no-any-return]

    def discovered(self, resource_type: str, *, deleted: bool = False) -> dict[str, Any]:
        """list_discovered_resources of the type, by resource id."""
        answer = self.config.list_discovered_resources(
            resourceType=resource_type, includeDeletedResources=deleted
        )
        return {r["resourceId"]: r for r in answer["resourceIdentifiers"]}

    def assert_gone(self, resource_type: str, resource_id: str) -> None:
        assert resource_id not in self.discovered(resource_type)
        assert "resourceDeletionTime" in self.discovered(resource_type, deleted=True)[resource_id]


@pytest.fixture
def sandbox(server: LiveServer) -> Sandbox:
    return Sandbox(server)


@pytest.fixture
def global_sandbox(server: LiveServer) -> Sandbox:
    """Recording all supported types including the global IAM ones."""
    return Sandbox(server, ALL_WITH_GLOBAL)


def vpc_with_two_subnets(ec2: Any) -> tuple[str, list[str], str]:
    vpc_id = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.20.{n}.0/24", AvailabilityZone=zone)[
            "Subnet"
        ]["SubnetId"]
        for n, zone in ((1, "us-east-1a"), (2, "us-east-1b"))
    ]
    group_id = ec2.create_security_group(GroupName="app", Description="app", VpcId=vpc_id)[
        "GroupId"
    ]
    return vpc_id, subnets, group_id


# -- S3 ----------------------------------------------------------------------------------

BUCKET = "AWS::S3::Bucket"


def test_bucket_create_settings_and_delete(sandbox: Sandbox) -> None:
    s3 = sandbox.client("s3")
    name = "ledger-e2e-bucket"
    s3.create_bucket(Bucket=name)

    created = sandbox.item(BUCKET, name, 1, "ResourceDiscovered")
    assert created["resourceName"] == name
    assert created["arn"] == f"arn:aws:s3:::{name}"
    assert created["awsRegion"] == REGION
    assert created["availabilityZone"] == "Regional"
    assert configuration(created)["name"] == name
    assert created["relationships"] == []
    first = supplementary(created)
    assert set(first) == S3_SUPPLEMENTARY  # no policy, tags, public access block, encryption
    assert first["BucketPolicy"] == {"policyText": None}
    assert first["BucketVersioningConfiguration"] == {"status": "Off", "isMfaDeleteEnabled": None}
    assert first["IsRequesterPaysEnabled"] is False
    assert sandbox.discovered(BUCKET)[name]["resourceName"] == name
    sandbox.caused_by(created, "s3.amazonaws.com", "CreateBucket")

    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    versioned = sandbox.item(BUCKET, name, 2, "OK")
    second = supplementary(versioned)
    assert changed_keys(first, second) == {"BucketVersioningConfiguration"}
    assert second["BucketVersioningConfiguration"]["status"] == "Enabled"
    sandbox.caused_by(versioned, "s3.amazonaws.com", "PutBucketVersioning")

    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": f"arn:aws:s3:::{name}",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }
    s3.put_bucket_policy(Bucket=name, Policy=json.dumps(policy))
    with_policy = sandbox.item(BUCKET, name, 3, "OK")
    third = supplementary(with_policy)
    assert changed_keys(second, third) == {"BucketPolicy"}
    assert json.loads(third["BucketPolicy"]["policyText"]) == policy
    sandbox.caused_by(with_policy, "s3.amazonaws.com", "PutBucketPolicy")

    block = {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": False,
    }
    s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=block)
    blocked = sandbox.item(BUCKET, name, 4, "OK")
    fourth = supplementary(blocked)
    assert changed_keys(third, fourth) == {"PublicAccessBlockConfiguration"}
    assert fourth["PublicAccessBlockConfiguration"] == {
        "blockPublicAcls": True,
        "ignorePublicAcls": True,
        "blockPublicPolicy": True,
        "restrictPublicBuckets": False,
    }
    # CloudTrail's name for PutPublicAccessBlock (see test_the_sandbox_logs_cloudtrails_...).
    sandbox.caused_by(blocked, "s3.amazonaws.com", "PutBucketPublicAccessBlock")

    s3.delete_public_access_block(Bucket=name)
    sandbox.item(BUCKET, name, 5, "OK")
    s3.delete_bucket_policy(Bucket=name)
    sandbox.item(BUCKET, name, 6, "OK")
    s3.delete_bucket(Bucket=name)
    deleted = sandbox.item(BUCKET, name, 7, "ResourceDeleted")
    assert deleted["resourceName"] == name
    assert deleted["arn"] == f"arn:aws:s3:::{name}"
    assert "configuration" not in deleted or deleted["configuration"] in (None, "", "null")
    sandbox.caused_by(deleted, "s3.amazonaws.com", "DeleteBucket")
    sandbox.assert_gone(BUCKET, name)


# -- IAM ---------------------------------------------------------------------------------

ROLE = "AWS::IAM::Role"
POLICY = "AWS::IAM::Policy"
USER = "AWS::IAM::User"
GROUP = "AWS::IAM::Group"
IAM_SOURCE = "iam.amazonaws.com"


def test_role_and_policy_attachment_is_recorded_on_both_sides(global_sandbox: Sandbox) -> None:
    sandbox = global_sandbox
    iam = sandbox.client("iam")
    role = iam.create_role(RoleName="app-role", AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))[
        "Role"
    ]
    role_id = role["RoleId"]
    created_role = sandbox.item(ROLE, role_id, 1, "ResourceDiscovered")
    assert created_role["resourceName"] == "app-role"
    assert created_role["arn"] == role["Arn"] == f"arn:aws:iam::{sandbox.account}:role/app-role"
    assert created_role["awsRegion"] == "global"
    assert created_role["availabilityZone"] == "Not Applicable"
    role_doc = configuration(created_role)
    assert role_doc["roleName"] == "app-role"
    assert role_doc["roleId"] == role_id
    assert json.loads(unquote(role_doc["assumeRolePolicyDocument"])) == LAMBDA_TRUST
    assert role_doc["attachedManagedPolicies"] == []
    assert created_role["relationships"] == []
    sandbox.caused_by(created_role, IAM_SOURCE, "CreateRole")

    policy = iam.create_policy(PolicyName="read-logs", PolicyDocument=json.dumps(READ_LOGS))[
        "Policy"
    ]
    policy_id = policy["PolicyId"]
    created_policy = sandbox.item(POLICY, policy_id, 1, "ResourceDiscovered")
    assert created_policy["resourceName"] == "read-logs"
    assert created_policy["arn"] == policy["Arn"]
    assert created_policy["awsRegion"] == "global"
    policy_doc = configuration(created_policy)
    assert policy_doc["policyName"] == "read-logs"
    assert policy_doc["defaultVersionId"] == "v1"
    assert policy_doc["attachmentCount"] == 0
    [version] = policy_doc["policyVersionList"]
    assert json.loads(unquote(version["document"])) == READ_LOGS
    sandbox.caused_by(created_policy, IAM_SOURCE, "CreatePolicy")

    iam.attach_role_policy(RoleName="app-role", PolicyArn=policy["Arn"])
    attached_role = sandbox.item(ROLE, role_id, 2, "OK")
    attached_policy = sandbox.item(POLICY, policy_id, 2, "OK")
    assert relationships(attached_role) == [
        ("Is attached to CustomerManagedPolicy", POLICY, policy_id, "read-logs")
    ]
    assert configuration(attached_role)["attachedManagedPolicies"] == [
        {"policyName": "read-logs", "policyArn": policy["Arn"]}
    ]
    assert [
        (r["relationshipName"], r["resourceType"], r["resourceId"])
        for r in attached_policy["relationships"]
    ] == [("Is attached to Role", ROLE, role_id)]
    assert configuration(attached_policy)["attachmentCount"] == 1
    event = sandbox.caused_by(attached_role, IAM_SOURCE, "AttachRolePolicy")
    assert attached_policy["relatedEvents"] == [event["EventId"]]

    iam.detach_role_policy(RoleName="app-role", PolicyArn=policy["Arn"])
    detached_role = sandbox.item(ROLE, role_id, 3, "OK")
    detached_policy = sandbox.item(POLICY, policy_id, 3, "OK")
    assert detached_role["relationships"] == []
    assert detached_policy["relationships"] == []
    sandbox.caused_by(detached_role, IAM_SOURCE, "DetachRolePolicy")

    iam.delete_role(RoleName="app-role")
    deleted_role = sandbox.item(ROLE, role_id, 4, "ResourceDeleted")
    assert deleted_role["awsRegion"] == "global"
    sandbox.caused_by(deleted_role, IAM_SOURCE, "DeleteRole")
    sandbox.assert_gone(ROLE, role_id)

    iam.delete_policy(PolicyArn=policy["Arn"])
    deleted_policy = sandbox.item(POLICY, policy_id, 4, "ResourceDeleted")
    sandbox.caused_by(deleted_policy, IAM_SOURCE, "DeletePolicy")
    sandbox.assert_gone(POLICY, policy_id)


def test_user_and_group_membership_is_recorded_on_both_sides(global_sandbox: Sandbox) -> None:
    sandbox = global_sandbox
    iam = sandbox.client("iam")
    user = iam.create_user(UserName="alice", Tags=[{"Key": "team", "Value": "ledger"}])["User"]
    user_id = user["UserId"]
    created_user = sandbox.item(USER, user_id, 1, "ResourceDiscovered")
    assert created_user["resourceName"] == "alice"
    assert created_user["arn"] == user["Arn"]
    assert created_user["awsRegion"] == "global"
    assert created_user["availabilityZone"] == "Not Applicable"
    assert created_user["tags"] == {"team": "ledger"}
    assert configuration(created_user)["userName"] == "alice"
    assert configuration(created_user)["groupList"] == []
    sandbox.caused_by(created_user, IAM_SOURCE, "CreateUser")

    group = iam.create_group(GroupName="devs")["Group"]
    group_id = group["GroupId"]
    created_group = sandbox.item(GROUP, group_id, 1, "ResourceDiscovered")
    assert created_group["resourceName"] == "devs"
    assert created_group["arn"] == group["Arn"]
    assert created_group["awsRegion"] == "global"
    assert configuration(created_group)["groupName"] == "devs"
    sandbox.caused_by(created_group, IAM_SOURCE, "CreateGroup")

    iam.add_user_to_group(UserName="alice", GroupName="devs")
    joined_user = sandbox.item(USER, user_id, 2, "OK")
    joined_group = sandbox.item(GROUP, group_id, 2, "OK")
    assert relationships(joined_user) == [("Is attached to Group", GROUP, group_id, "devs")]
    assert configuration(joined_user)["groupList"] == ["devs"]
    assert [
        (r["relationshipName"], r["resourceType"], r["resourceId"])
        for r in joined_group["relationships"]
    ] == [("Contains User", USER, user_id)]
    event = sandbox.caused_by(joined_user, IAM_SOURCE, "AddUserToGroup")
    assert joined_group["relatedEvents"] == [event["EventId"]]

    iam.remove_user_from_group(UserName="alice", GroupName="devs")
    left_user = sandbox.item(USER, user_id, 3, "OK")
    left_group = sandbox.item(GROUP, group_id, 3, "OK")
    assert left_user["relationships"] == [] and left_group["relationships"] == []
    sandbox.caused_by(left_group, IAM_SOURCE, "RemoveUserFromGroup")

    iam.delete_user(UserName="alice")
    deleted_user = sandbox.item(USER, user_id, 4, "ResourceDeleted")
    sandbox.caused_by(deleted_user, IAM_SOURCE, "DeleteUser")
    sandbox.assert_gone(USER, user_id)

    iam.delete_group(GroupName="devs")
    deleted_group = sandbox.item(GROUP, group_id, 4, "ResourceDeleted")
    sandbox.caused_by(deleted_group, IAM_SOURCE, "DeleteGroup")
    sandbox.assert_gone(GROUP, group_id)


# -- SNS, SQS ----------------------------------------------------------------------------

TOPIC = "AWS::SNS::Topic"
QUEUE = "AWS::SQS::Queue"


def test_topic_create_attribute_change_and_delete(sandbox: Sandbox) -> None:
    sns = sandbox.client("sns")
    arn = sns.create_topic(Name="alerts", Tags=[{"Key": "team", "Value": "ledger"}])["TopicArn"]
    assert arn == f"arn:aws:sns:{REGION}:{sandbox.account}:alerts"

    created = sandbox.item(TOPIC, arn, 1, "ResourceDiscovered")
    assert created["resourceName"] == "alerts"
    assert created["arn"] == arn
    assert created["availabilityZone"] == "Not Applicable"
    assert created["tags"] == {"team": "ledger"}
    document = configuration(created)
    assert document["TopicArn"] == arn
    assert document["DisplayName"] == ""
    assert json.loads(document["Policy"])["Statement"]
    assert supplementary(created)["Tags"] == [{"key": "team", "value": "ledger"}]
    sandbox.caused_by(created, "sns.amazonaws.com", "CreateTopic")

    sns.set_topic_attributes(TopicArn=arn, AttributeName="DisplayName", AttributeValue="Alerts")
    changed = sandbox.item(TOPIC, arn, 2, "OK")
    assert changed_keys(document, configuration(changed)) == {"DisplayName"}
    assert configuration(changed)["DisplayName"] == "Alerts"
    sandbox.caused_by(changed, "sns.amazonaws.com", "SetTopicAttributes")

    sns.delete_topic(TopicArn=arn)
    deleted = sandbox.item(TOPIC, arn, 3, "ResourceDeleted")
    sandbox.caused_by(deleted, "sns.amazonaws.com", "DeleteTopic")
    sandbox.assert_gone(TOPIC, arn)


def recorded_queue_id(sandbox: Sandbox, name: str) -> str:
    """The resourceId the recorder gave the queue named ``name``, found by name."""
    found: str = wait_for(
        lambda: next(
            (i for i, r in sandbox.discovered(QUEUE).items() if r.get("resourceName") == name),
            None,
        ),
        f"queue {name} to be discovered",
    )
    return found


def test_queue_create_attribute_change_and_delete(sandbox: Sandbox) -> None:
    sqs = sandbox.client("sqs")
    url = sqs.create_queue(QueueName="jobs", Attributes={"DelaySeconds": "5"})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    assert arn == f"arn:aws:sqs:{REGION}:{sandbox.account}:jobs"
    queue_id = recorded_queue_id(sandbox, "jobs")
    assert queue_id.endswith(f"/{sandbox.account}/jobs")  # a queue URL

    created = sandbox.item(QUEUE, queue_id, 1, "ResourceDiscovered")
    assert created["resourceName"] == "jobs"
    assert created["arn"] == arn
    assert created["availabilityZone"] == "Not Applicable"
    document = configuration(created)
    assert document["QueueUrl"] == queue_id
    assert document["QueueName"] == "jobs"
    assert document["QueueArn"] == arn
    assert document["DelaySeconds"] == 5
    assert document["VisibilityTimeout"] == 30
    sandbox.caused_by(created, "sqs.amazonaws.com", "CreateQueue")

    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "60"})
    changed = sandbox.item(QUEUE, queue_id, 2, "OK")
    assert configuration(changed)["VisibilityTimeout"] == 60
    assert changed_keys(document, configuration(changed)) <= {
        "VisibilityTimeout",
        "LastModifiedTimestamp",
    }
    sandbox.caused_by(changed, "sqs.amazonaws.com", "SetQueueAttributes")

    sqs.delete_queue(QueueUrl=url)
    deleted = sandbox.item(QUEUE, queue_id, 3, "ResourceDeleted")
    sandbox.caused_by(deleted, "sqs.amazonaws.com", "DeleteQueue")
    sandbox.assert_gone(QUEUE, queue_id)


# -- Lambda ------------------------------------------------------------------------------

FUNCTION = "AWS::Lambda::Function"


def test_function_create_configuration_change_and_delete(sandbox: Sandbox) -> None:
    role_arn = sandbox.client("iam").create_role(
        RoleName="fn-role", AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST)
    )["Role"]["Arn"]
    awslambda = sandbox.client("lambda")
    function_arn = awslambda.create_function(
        FunctionName="ledger-fn",
        Runtime="python3.12",
        Role=role_arn,
        Handler="handler.handler",
        Code={"ZipFile": lambda_zip()},
        Tags={"team": "ledger"},
    )["FunctionArn"]
    assert function_arn == f"arn:aws:lambda:{REGION}:{sandbox.account}:function:ledger-fn"

    created = sandbox.item(FUNCTION, "ledger-fn", 1, "ResourceDiscovered")
    assert created["resourceName"] == "ledger-fn"
    assert created["arn"] == function_arn
    assert created["availabilityZone"] == "Not Applicable"
    assert created["tags"] == {"team": "ledger"}
    document = configuration(created)
    assert document["functionName"] == "ledger-fn"
    assert document["runtime"] == "python3.12"
    assert document["handler"] == "handler.handler"
    assert document["role"] == role_arn
    assert document["timeout"] == 3
    assert "environment" not in document
    # The role edge carries only the role's name (spec 4), on the function's side only.
    assert relationships(created) == [("Is associated with ", "AWS::IAM::Role", None, "fn-role")]
    # CloudTrail's names for Lambda's calls carry the API version.
    sandbox.caused_by(created, "lambda.amazonaws.com", "CreateFunction20150331")

    awslambda.update_function_configuration(
        FunctionName="ledger-fn", Timeout=30, Environment={"Variables": {"MODE": "batch"}}
    )
    changed = sandbox.item(FUNCTION, "ledger-fn", 2, "OK")
    assert configuration(changed)["timeout"] == 30
    assert configuration(changed)["environment"] == {"variables": {"MODE": "batch"}}
    sandbox.caused_by(changed, "lambda.amazonaws.com", "UpdateFunctionConfiguration20150331v2")

    awslambda.delete_function(FunctionName="ledger-fn")
    deleted = sandbox.item(FUNCTION, "ledger-fn", 3, "ResourceDeleted")
    sandbox.caused_by(deleted, "lambda.amazonaws.com", "DeleteFunction20150331")
    sandbox.assert_gone(FUNCTION, "ledger-fn")


# -- KMS, Secrets Manager ----------------------------------------------------------------

KEY = "AWS::KMS::Key"
SECRET = "AWS::SecretsManager::Secret"


def test_key_create_rotation_and_scheduled_deletion(sandbox: Sandbox) -> None:
    """A KMS key cannot be deleted at once: ScheduleKeyDeletion leaves it PendingDeletion
    for 7-30 days, and that state is what AWS Config records (an OK item, not a
    ResourceDeleted one); the key stays listed."""
    kms = sandbox.client("kms")
    metadata = kms.create_key(
        Description="ledger key", Tags=[{"TagKey": "team", "TagValue": "ledger"}]
    )["KeyMetadata"]
    key_id = metadata["KeyId"]

    created = sandbox.item(KEY, key_id, 1, "ResourceDiscovered")
    assert created["arn"] == metadata["Arn"]
    assert created["arn"] == f"arn:aws:kms:{REGION}:{sandbox.account}:key/{key_id}"
    assert "resourceName" not in created or created["resourceName"] is None
    assert created["availabilityZone"] == "Not Applicable"
    assert created["tags"] == {"team": "ledger"}
    document = configuration(created)
    assert document["keyId"] == key_id
    assert document["description"] == "ledger key"
    assert document["keyState"] == "Enabled"
    assert document["keyManager"] == "CUSTOMER"
    assert document["awsaccountId"] == sandbox.account
    assert supplementary(created)["KeyRotationStatus"] is False
    sandbox.caused_by(created, "kms.amazonaws.com", "CreateKey")

    kms.enable_key_rotation(KeyId=key_id)
    rotating = sandbox.item(KEY, key_id, 2, "OK")
    assert changed_keys(supplementary(created), supplementary(rotating)) == {"KeyRotationStatus"}
    assert supplementary(rotating)["KeyRotationStatus"] is True
    sandbox.caused_by(rotating, "kms.amazonaws.com", "EnableKeyRotation")

    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    pending = sandbox.item(KEY, key_id, 3, "OK")
    assert configuration(pending)["keyState"] == "PendingDeletion"
    assert configuration(pending)["enabled"] is False
    assert isinstance(configuration(pending)["deletionDate"], int)
    sandbox.caused_by(pending, "kms.amazonaws.com", "ScheduleKeyDeletion")
    assert key_id in sandbox.discovered(KEY)


def test_secret_create_update_scheduled_and_forced_deletion(sandbox: Sandbox) -> None:
    secrets = sandbox.client("secretsmanager")
    arn = secrets.create_secret(Name="db-password", SecretString="s3cr3t")["ARN"]

    created = sandbox.item(SECRET, arn, 1, "ResourceDiscovered")
    assert created["resourceName"] == "db-password"
    assert created["arn"] == arn
    assert created["availabilityZone"] == "Not Applicable"
    document = configuration(created)
    assert document["ARN"] == arn
    assert document["Name"] == "db-password"
    assert document["Description"] is None
    assert document["RotationEnabled"] is False
    assert document["Deleted"] is False
    assert "s3cr3t" not in json.dumps(created, default=str)  # never configuration
    sandbox.caused_by(created, "secretsmanager.amazonaws.com", "CreateSecret")

    secrets.update_secret(SecretId=arn, Description="the database password")
    updated = sandbox.item(SECRET, arn, 2, "OK")
    assert changed_keys(document, configuration(updated)) == {"Description"}
    assert configuration(updated)["Description"] == "the database password"
    sandbox.caused_by(updated, "secretsmanager.amazonaws.com", "UpdateSecret")

    # Scheduled for deletion, a secret still exists (it can be restored).
    secrets.delete_secret(SecretId=arn, RecoveryWindowInDays=7)
    scheduled = sandbox.item(SECRET, arn, 3, "OK")
    assert configuration(scheduled)["Deleted"] is True
    sandbox.caused_by(scheduled, "secretsmanager.amazonaws.com", "DeleteSecret")

    secrets.restore_secret(SecretId=arn)
    restored = sandbox.item(SECRET, arn, 4, "OK")
    assert configuration(restored)["Deleted"] is False
    sandbox.caused_by(restored, "secretsmanager.amazonaws.com", "RestoreSecret")

    secrets.delete_secret(SecretId=arn, ForceDeleteWithoutRecovery=True)
    deleted = sandbox.item(SECRET, arn, 5, "ResourceDeleted")
    assert deleted["resourceName"] == "db-password"
    sandbox.caused_by(deleted, "secretsmanager.amazonaws.com", "DeleteSecret")
    sandbox.assert_gone(SECRET, arn)


# -- RDS ---------------------------------------------------------------------------------

SUBNET_GROUP = "AWS::RDS::DBSubnetGroup"
DB_INSTANCE = "AWS::RDS::DBInstance"


def test_db_subnet_group_create_tag_and_delete(sandbox: Sandbox) -> None:
    vpc_id, subnets, _ = vpc_with_two_subnets(sandbox.client("ec2"))
    rds = sandbox.client("rds")
    group = rds.create_db_subnet_group(
        DBSubnetGroupName="ledger-db-subnets",
        DBSubnetGroupDescription="ledger subnets",
        SubnetIds=subnets,
    )["DBSubnetGroup"]
    arn = group["DBSubnetGroupArn"]
    assert arn == f"arn:aws:rds:{REGION}:{sandbox.account}:subgrp:ledger-db-subnets"

    created = sandbox.item(SUBNET_GROUP, "ledger-db-subnets", 1, "ResourceDiscovered")
    assert created["resourceName"] == "ledger-db-subnets"
    assert created["arn"] == arn
    assert created["availabilityZone"] == "Multiple Availability Zones"
    document = configuration(created)
    assert document["dBSubnetGroupName"] == "ledger-db-subnets"
    assert document["dBSubnetGroupDescription"] == "ledger subnets"
    assert document["vpcId"] == vpc_id
    assert sorted(s["subnetIdentifier"] for s in document["subnets"]) == sorted(subnets)
    assert relationships(created) == sorted(
        [("Is associated with Subnet", "AWS::EC2::Subnet", s, None) for s in subnets]
        + [("Is associated with Vpc", "AWS::EC2::VPC", vpc_id, None)]
    )
    sandbox.caused_by(created, "rds.amazonaws.com", "CreateDBSubnetGroup")

    # (moto's ModifyDBSubnetGroup drops the group from its store, so a tag is the change)
    rds.add_tags_to_resource(ResourceName=arn, Tags=[{"Key": "team", "Value": "data"}])
    tagged = sandbox.item(SUBNET_GROUP, "ledger-db-subnets", 2, "OK")
    assert tagged["tags"] == {"team": "data"}
    sandbox.caused_by(tagged, "rds.amazonaws.com", "AddTagsToResource")

    rds.delete_db_subnet_group(DBSubnetGroupName="ledger-db-subnets")
    deleted = sandbox.item(SUBNET_GROUP, "ledger-db-subnets", 3, "ResourceDeleted")
    sandbox.caused_by(deleted, "rds.amazonaws.com", "DeleteDBSubnetGroup")
    sandbox.assert_gone(SUBNET_GROUP, "ledger-db-subnets")


def test_db_instance_create_modify_and_delete(sandbox: Sandbox) -> None:
    _, subnets, group_id = vpc_with_two_subnets(sandbox.client("ec2"))
    rds = sandbox.client("rds")
    rds.create_db_subnet_group(
        DBSubnetGroupName="ledger-db-subnets",
        DBSubnetGroupDescription="ledger subnets",
        SubnetIds=subnets,
    )
    instance = rds.create_db_instance(
        DBInstanceIdentifier="ledger-db",
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        MasterUsername="ledger",
        MasterUserPassword="not-a-secret-1",
        AllocatedStorage=20,
        DBSubnetGroupName="ledger-db-subnets",
        VpcSecurityGroupIds=[group_id],
        Tags=[{"Key": "team", "Value": "data"}],
    )["DBInstance"]
    resource_id = instance["DbiResourceId"]
    assert resource_id.startswith("db-")

    created = sandbox.item(DB_INSTANCE, resource_id, 1, "ResourceDiscovered")
    assert created["resourceName"] == "ledger-db"
    assert created["arn"] == instance["DBInstanceArn"]
    assert created["arn"] == f"arn:aws:rds:{REGION}:{sandbox.account}:db:ledger-db"
    assert created["availabilityZone"].startswith(REGION)
    assert created["tags"] == {"team": "data"}
    document = configuration(created)
    assert document["dBInstanceIdentifier"] == "ledger-db"
    assert document["dBInstanceClass"] == "db.t3.micro"
    assert document["engine"] == "postgres"
    assert document["allocatedStorage"] == 20
    assert document["dbiResourceId"] == resource_id
    assert relationships(created) == [
        ("Is associated with DBSubnetGroup", SUBNET_GROUP, "ledger-db-subnets", None),
        ("Is associated with SecurityGroup", "AWS::EC2::SecurityGroup", group_id, None),
    ]
    sandbox.caused_by(created, "rds.amazonaws.com", "CreateDBInstance")

    rds.modify_db_instance(
        DBInstanceIdentifier="ledger-db", AllocatedStorage=40, ApplyImmediately=True
    )
    modified = sandbox.item(DB_INSTANCE, resource_id, 2, "OK")
    assert configuration(modified)["allocatedStorage"] == 40
    sandbox.caused_by(modified, "rds.amazonaws.com", "ModifyDBInstance")

    rds.delete_db_instance(DBInstanceIdentifier="ledger-db", SkipFinalSnapshot=True)
    deleted = sandbox.item(DB_INSTANCE, resource_id, 3, "ResourceDeleted")
    assert deleted["resourceName"] == "ledger-db"
    sandbox.caused_by(deleted, "rds.amazonaws.com", "DeleteDBInstance")
    sandbox.assert_gone(DB_INSTANCE, resource_id)


# -- DynamoDB, CloudTrail ----------------------------------------------------------------

TABLE = "AWS::DynamoDB::Table"
TRAIL = "AWS::CloudTrail::Trail"


def test_table_create_backup_setting_and_delete(sandbox: Sandbox) -> None:
    dynamodb = sandbox.client("dynamodb")
    table = dynamodb.create_table(
        TableName="orders",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        Tags=[{"Key": "team", "Value": "ledger"}],
    )["TableDescription"]

    created = sandbox.item(TABLE, "orders", 1, "ResourceDiscovered")
    assert created["resourceName"] == "orders"
    assert created["arn"] == table["TableArn"]
    assert created["arn"] == f"arn:aws:dynamodb:{REGION}:{sandbox.account}:table/orders"
    assert created["availabilityZone"] == "Not Applicable"
    assert created["tags"] == {"team": "ledger"}
    document = configuration(created)
    assert document["tableName"] == "orders"
    assert document["keySchema"] == [{"attributeName": "id", "keyType": "HASH"}]
    assert document["billingModeSummary"]["billingMode"] == "PAY_PER_REQUEST"
    assert isinstance(document["creationDateTime"], int)  # epoch ms, the Java-bean form
    backups = supplementary(created)["ContinuousBackupsDescription"]
    assert backups["pointInTimeRecoveryDescription"]["pointInTimeRecoveryStatus"] == "DISABLED"
    sandbox.caused_by(created, "dynamodb.amazonaws.com", "CreateTable")

    dynamodb.update_continuous_backups(
        TableName="orders",
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
    )
    backed_up = sandbox.item(TABLE, "orders", 2, "OK")
    after = supplementary(backed_up)["ContinuousBackupsDescription"]
    assert after["pointInTimeRecoveryDescription"]["pointInTimeRecoveryStatus"] == "ENABLED"
    sandbox.caused_by(backed_up, "dynamodb.amazonaws.com", "UpdateContinuousBackups")

    dynamodb.delete_table(TableName="orders")
    deleted = sandbox.item(TABLE, "orders", 3, "ResourceDeleted")
    sandbox.caused_by(deleted, "dynamodb.amazonaws.com", "DeleteTable")
    sandbox.assert_gone(TABLE, "orders")


def test_trail_create_update_and_delete(sandbox: Sandbox) -> None:
    sandbox.client("s3").create_bucket(Bucket="ledger-trail-logs")
    cloudtrail = sandbox.client("cloudtrail")
    trail = cloudtrail.create_trail(Name="main-trail", S3BucketName="ledger-trail-logs")
    arn = trail["TrailARN"]
    assert arn == f"arn:aws:cloudtrail:{REGION}:{sandbox.account}:trail/main-trail"

    created = sandbox.item(TRAIL, "main-trail", 1, "ResourceDiscovered")
    assert created["resourceName"] == "main-trail"
    assert created["arn"] == arn
    assert created["availabilityZone"] == "Not Applicable"
    document = configuration(created)
    assert document["name"] == "main-trail"
    assert document["s3BucketName"] == "ledger-trail-logs"
    assert document["includeGlobalServiceEvents"] is True
    assert document["homeRegion"] == REGION
    sandbox.caused_by(created, "cloudtrail.amazonaws.com", "CreateTrail")

    cloudtrail.update_trail(Name="main-trail", IncludeGlobalServiceEvents=False)
    updated = sandbox.item(TRAIL, "main-trail", 2, "OK")
    assert changed_keys(document, configuration(updated)) == {"includeGlobalServiceEvents"}
    sandbox.caused_by(updated, "cloudtrail.amazonaws.com", "UpdateTrail")

    cloudtrail.delete_trail(Name="main-trail")
    deleted = sandbox.item(TRAIL, "main-trail", 3, "ResourceDeleted")
    sandbox.caused_by(deleted, "cloudtrail.amazonaws.com", "DeleteTrail")
    sandbox.assert_gone(TRAIL, "main-trail")


# -- ELBv2, Auto Scaling, CloudFormation -------------------------------------------------

LOAD_BALANCER = "AWS::ElasticLoadBalancingV2::LoadBalancer"
AUTO_SCALING_GROUP = "AWS::AutoScaling::AutoScalingGroup"
STACK = "AWS::CloudFormation::Stack"


def test_load_balancer_create_attribute_change_and_delete(sandbox: Sandbox) -> None:
    vpc_id, subnets, group_id = vpc_with_two_subnets(sandbox.client("ec2"))
    elbv2 = sandbox.client("elbv2")
    [balancer] = elbv2.create_load_balancer(
        Name="web-lb", Subnets=subnets, SecurityGroups=[group_id]
    )["LoadBalancers"]
    arn = balancer["LoadBalancerArn"]

    created = sandbox.item(LOAD_BALANCER, arn, 1, "ResourceDiscovered")
    assert created["resourceName"] == "web-lb"
    assert created["arn"] == arn
    assert created["availabilityZone"] == "Multiple Availability Zones"
    document = configuration(created)
    assert document["loadBalancerName"] == "web-lb"
    assert document["vpcId"] == vpc_id
    assert document["type"] == "application"
    assert document["dNSName"] == balancer["DNSName"]
    assert relationships(created) == sorted(
        [("Is associated with SecurityGroup", "AWS::EC2::SecurityGroup", group_id, None)]
        + [("Is attached to Subnet", "AWS::EC2::Subnet", s, None) for s in subnets]
        + [("Is contained in Vpc", "AWS::EC2::VPC", vpc_id, None)]
    )
    sandbox.caused_by(created, "elasticloadbalancing.amazonaws.com", "CreateLoadBalancer")

    elbv2.modify_load_balancer_attributes(
        LoadBalancerArn=arn, Attributes=[{"Key": "idle_timeout.timeout_seconds", "Value": "120"}]
    )
    changed = sandbox.item(LOAD_BALANCER, arn, 2, "OK")
    attributes = {a["key"]: a["value"] for a in supplementary(changed)["LoadBalancerAttributes"]}
    assert attributes["idle_timeout.timeout_seconds"] == "120"
    assert changed_keys(supplementary(created), supplementary(changed)) == {
        "LoadBalancerAttributes"
    }
    sandbox.caused_by(changed, "elasticloadbalancing.amazonaws.com", "ModifyLoadBalancerAttributes")

    elbv2.delete_load_balancer(LoadBalancerArn=arn)
    deleted = sandbox.item(LOAD_BALANCER, arn, 3, "ResourceDeleted")
    sandbox.caused_by(deleted, "elasticloadbalancing.amazonaws.com", "DeleteLoadBalancer")
    sandbox.assert_gone(LOAD_BALANCER, arn)


def test_auto_scaling_group_create_update_and_delete(sandbox: Sandbox) -> None:
    _, subnets, _ = vpc_with_two_subnets(sandbox.client("ec2"))
    autoscaling = sandbox.client("autoscaling")
    autoscaling.create_launch_configuration(
        LaunchConfigurationName="workers-lc", ImageId="ami-12c6146b", InstanceType="t2.micro"
    )
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName="workers",
        LaunchConfigurationName="workers-lc",
        MinSize=0,
        MaxSize=2,
        DesiredCapacity=0,
        VPCZoneIdentifier=",".join(subnets),
    )
    [group] = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=["workers"])[
        "AutoScalingGroups"
    ]
    arn = group["AutoScalingGroupARN"]
    assert arn.startswith(f"arn:aws:autoscaling:{REGION}:{sandbox.account}:autoScalingGroup:")
    assert arn.endswith(":autoScalingGroupName/workers")

    created = sandbox.item(AUTO_SCALING_GROUP, arn, 1, "ResourceDiscovered")
    assert created["resourceName"] == "workers"
    assert created["arn"] == arn
    assert created["availabilityZone"] == "Multiple Availability Zones"
    document = configuration(created)
    assert document["autoScalingGroupName"] == "workers"
    assert (document["minSize"], document["maxSize"], document["desiredCapacity"]) == (0, 2, 0)
    assert document["vpczoneIdentifier"] == ",".join(subnets)
    assert isinstance(document["createdTime"], int)  # epoch ms, the Java-bean form
    assert supplementary(created)["LifeCycleHooks"] == []
    assert relationships(created) == sorted(
        [("Is associated with ", "AWS::AutoScaling::LaunchConfiguration", None, "workers-lc")]
        + [("Is associated with ", "AWS::EC2::Subnet", s, None) for s in subnets]
    )
    sandbox.caused_by(created, "autoscaling.amazonaws.com", "CreateAutoScalingGroup")

    autoscaling.update_auto_scaling_group(AutoScalingGroupName="workers", MaxSize=5)
    updated = sandbox.item(AUTO_SCALING_GROUP, arn, 2, "OK")
    assert changed_keys(document, configuration(updated)) == {"maxSize"}
    assert configuration(updated)["maxSize"] == 5
    sandbox.caused_by(updated, "autoscaling.amazonaws.com", "UpdateAutoScalingGroup")

    autoscaling.delete_auto_scaling_group(AutoScalingGroupName="workers", ForceDelete=True)
    deleted = sandbox.item(AUTO_SCALING_GROUP, arn, 3, "ResourceDeleted")
    sandbox.caused_by(deleted, "autoscaling.amazonaws.com", "DeleteAutoScalingGroup")
    sandbox.assert_gone(AUTO_SCALING_GROUP, arn)


def queue_template() -> str:
    return json.dumps(
        {
            "AWSTemplateFormatVersion": "2010-09-09",
            "Parameters": {"Retention": {"Type": "Number", "Default": "345600"}},
            "Resources": {
                "Queue": {
                    "Type": "AWS::SQS::Queue",
                    "Properties": {
                        "QueueName": "stack-jobs",
                        "MessageRetentionPeriod": {"Ref": "Retention"},
                    },
                }
            },
        }
    )


def test_stack_create_update_and_delete(sandbox: Sandbox) -> None:
    cloudformation = sandbox.client("cloudformation")
    stack_id = cloudformation.create_stack(
        StackName="ledger-stack",
        TemplateBody=queue_template(),
        Tags=[{"Key": "team", "Value": "ledger"}],
    )["StackId"]
    assert stack_id.startswith(f"arn:aws:cloudformation:{REGION}:{sandbox.account}:stack/")

    created = sandbox.item(STACK, stack_id, 1, "ResourceDiscovered")
    assert created["resourceName"] == "ledger-stack"
    assert created["arn"] == stack_id
    assert created["availabilityZone"] == "Not Applicable"
    assert created["tags"] == {"team": "ledger"}
    document = configuration(created)
    assert document["stackName"] == "ledger-stack"
    assert document["stackStatus"] == "CREATE_COMPLETE"
    assert document["parameters"] == [{"parameterKey": "Retention", "parameterValue": "345600"}]
    [summary] = supplementary(created)["StackResourceSummaries"]
    assert (summary["logicalResourceId"], summary["resourceType"]) == ("Queue", QUEUE)
    [edge] = created["relationships"]
    assert (edge["relationshipName"], edge["resourceType"]) == ("Contains", QUEUE)
    assert edge["resourceId"] == summary["physicalResourceId"]
    sandbox.caused_by(created, "cloudformation.amazonaws.com", "CreateStack")

    cloudformation.update_stack(
        StackName="ledger-stack",
        TemplateBody=queue_template(),
        Parameters=[{"ParameterKey": "Retention", "ParameterValue": "86400"}],
    )
    updated = sandbox.item(STACK, stack_id, 2, "OK")
    assert configuration(updated)["stackStatus"] == "UPDATE_COMPLETE"
    assert configuration(updated)["parameters"] == [
        {"parameterKey": "Retention", "parameterValue": "86400"}
    ]
    sandbox.caused_by(updated, "cloudformation.amazonaws.com", "UpdateStack")

    cloudformation.delete_stack(StackName="ledger-stack")
    deleted = sandbox.item(STACK, stack_id, 3, "ResourceDeleted")
    assert deleted["resourceName"] == "ledger-stack"
    sandbox.caused_by(deleted, "cloudformation.amazonaws.com", "DeleteStack")
    sandbox.assert_gone(STACK, stack_id)


# -- queue ids, stack resources, CloudTrail's event names ----------------------------------


def test_a_queues_resource_id_is_its_aws_url_whatever_endpoint_host_was_used(
    sandbox: Sandbox,
) -> None:
    via_localhost = boto3.client(
        "sqs",
        endpoint_url=sandbox.server.url.replace("127.0.0.1", "localhost"),
        region_name=REGION,
        aws_access_key_id=sandbox.account,
        aws_secret_access_key="test",
    )
    via_localhost.create_queue(QueueName="host-jobs")
    queue_id = recorded_queue_id(sandbox, "host-jobs")
    assert queue_id == f"https://sqs.{REGION}.amazonaws.com/{sandbox.account}/host-jobs"


def test_a_stacks_contains_edge_names_the_recorded_queue(sandbox: Sandbox) -> None:
    stack_id = sandbox.client("cloudformation").create_stack(
        StackName="edge-stack", TemplateBody=queue_template()
    )["StackId"]
    [edge] = sandbox.item(STACK, stack_id, 1, "ResourceDiscovered")["relationships"]
    # Restarting the recorder inventories everything, the stack's queue included.
    sandbox.config.stop_configuration_recorder(ConfigurationRecorderName="default")
    sandbox.config.start_configuration_recorder(ConfigurationRecorderName="default")
    queues = wait_for(
        lambda: {
            r["resourceName"]: r["resourceId"]
            for r in sandbox.discovered(QUEUE).values()
            if r.get("resourceName") == "stack-jobs"
        },
        "the stack's queue to be inventoried",
    )
    assert edge["resourceId"] == queues["stack-jobs"]


def test_resources_a_stack_creates_are_recorded_with_it(sandbox: Sandbox) -> None:
    """moto's CloudFormation makes a stack's resources in-process, with no call of their
    own to the sandbox (so no CloudTrail event): the stack's events list the types its
    template declares, and those its stacks are recorded to contain, with the stack."""
    cloudformation = sandbox.client("cloudformation")
    stack_id = cloudformation.create_stack(StackName="inner-stack", TemplateBody=queue_template())[
        "StackId"
    ]
    created = sandbox.item(STACK, stack_id, 1, "ResourceDiscovered")
    queue_id = recorded_queue_id(sandbox, "stack-jobs")
    queue = sandbox.item(QUEUE, queue_id, 1, "ResourceDiscovered")
    assert queue["relatedEvents"] == created["relatedEvents"]  # the CreateStack event

    cloudformation.delete_stack(StackName="inner-stack")  # names no template
    deleted = sandbox.item(STACK, stack_id, 2, "ResourceDeleted")
    gone = sandbox.item(QUEUE, queue_id, 2, "ResourceDeleted")
    assert gone["relatedEvents"] == deleted["relatedEvents"]  # the DeleteStack event
    sandbox.caused_by(gone, "cloudformation.amazonaws.com", "DeleteStack")


def _put_public_access_block(sandbox: Sandbox) -> None:
    s3 = sandbox.client("s3")
    s3.create_bucket(Bucket="ledger-names-bucket")
    s3.put_public_access_block(
        Bucket="ledger-names-bucket",
        PublicAccessBlockConfiguration={"BlockPublicAcls": True},
    )


def _create_function(sandbox: Sandbox) -> None:
    role_arn = sandbox.client("iam").create_role(
        RoleName="names-role", AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST)
    )["Role"]["Arn"]
    sandbox.client("lambda").create_function(
        FunctionName="names-fn",
        Runtime="python3.12",
        Role=role_arn,
        Handler="handler.handler",
        Code={"ZipFile": lambda_zip()},
    )


@pytest.mark.parametrize(
    ("call", "source", "event_name"),
    [
        (_put_public_access_block, "s3.amazonaws.com", "PutBucketPublicAccessBlock"),
        (_create_function, "lambda.amazonaws.com", "CreateFunction20150331"),
    ],
    ids=["s3-public-access-block", "lambda-create-function"],
)
def test_the_sandbox_logs_cloudtrails_event_names(
    server: LiveServer, call: Callable[[Sandbox], None], source: str, event_name: str
) -> None:
    sandbox = Sandbox(server, record=False)  # only the trail is read
    call(sandbox)
    events = sandbox.client("cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "EventSource", "AttributeValue": source}]
    )["Events"]
    assert event_name in {e["EventName"] for e in events}
