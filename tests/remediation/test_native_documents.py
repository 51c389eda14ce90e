"""Each native document, end to end through the sandbox: a resource a managed rule
finds NON_COMPLIANT is remediated (automatically or by StartRemediationExecution), the
document's boto3 calls travel the normal change path (CloudTrail event, re-description,
re-evaluation) and the rule finds it COMPLIANT again."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import botocore.auth
import pytest

from configledger.clock import FrozenClock, SystemClock, to_datetime
from tests.conftest import LiveServer, config_client, new_account, start_server
from tests.e2e_sandbox.helpers import sandbox, wait_for
from tests.remediation.helpers import (
    BUCKET,
    compliance_of,
    finished,
    managed_rule,
    remediation,
    status_of,
)
from tests.rules.helpers import SG, record_only

VERSIONING = "s3-bucket-versioning-enabled"


def _name(prefix: str) -> str:
    """Bucket names are global in the sandbox, as in AWS."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def _bucket(config: Any, s3: Any, name: str, rule: str, identifier: str, **create: Any) -> None:
    record_only(config, BUCKET)
    s3.create_bucket(Bucket=name, **create)
    wait_for(
        lambda: config.list_discovered_resources(resourceType=BUCKET, resourceIds=[name])[
            "resourceIdentifiers"
        ],
        timeout=30,
    )
    managed_rule(config, rule, identifier)
    wait_for(lambda: compliance_of(config, rule, name) == "NON_COMPLIANT", timeout=15)


def test_versioning_remediated_automatically(backend: LiveServer) -> None:
    config, aws = sandbox(backend)
    s3 = aws("s3")
    unversioned_bucket = _name("unversioned")
    _bucket(config, s3, unversioned_bucket, VERSIONING, "S3_BUCKET_VERSIONING_ENABLED")
    answer = config.put_remediation_configurations(
        RemediationConfigurations=[
            remediation(
                VERSIONING,
                "AWS-ConfigureS3BucketVersioning",
                "BucketName",
                automatic=True,
                resource_type=BUCKET,
            )
        ]
    )
    assert answer["FailedBatches"] == []
    wait_for(
        lambda: compliance_of(config, VERSIONING, unversioned_bucket) == "COMPLIANT", timeout=20
    )
    assert s3.get_bucket_versioning(Bucket=unversioned_bucket)["Status"] == "Enabled"
    status = finished(config, VERSIONING, (BUCKET, unversioned_bucket))
    assert status["State"] == "SUCCEEDED"
    assert [s["Name"] for s in status["StepDetails"]] == ["ConfigureVersioning"]
    assert status["StepDetails"][0]["State"] == "SUCCEEDED"
    assert status["InvocationTime"] <= status["LastUpdatedTime"]

    # Suspended again: the new NON_COMPLIANT result is remediated again.
    s3.put_bucket_versioning(
        Bucket=unversioned_bucket, VersioningConfiguration={"Status": "Suspended"}
    )
    wait_for(lambda: s3.get_bucket_versioning(Bucket=unversioned_bucket)["Status"] == "Enabled", 20)
    wait_for(
        lambda: compliance_of(config, VERSIONING, unversioned_bucket) == "COMPLIANT", timeout=20
    )


def test_versioning_remediated_on_request(backend: LiveServer) -> None:
    config, aws = sandbox(backend)
    s3 = aws("s3")
    manual_bucket = _name("manual")
    _bucket(config, s3, manual_bucket, VERSIONING, "S3_BUCKET_VERSIONING_ENABLED")
    config.put_remediation_configurations(
        RemediationConfigurations=[
            remediation(VERSIONING, "AWS-ConfigureS3BucketVersioning", "BucketName")
        ]
    )
    # Manual: nothing happens until asked.
    assert (
        config.describe_remediation_execution_status(ConfigRuleName=VERSIONING)[
            "RemediationExecutionStatuses"
        ]
        == []
    )
    answer = config.start_remediation_execution(
        ConfigRuleName=VERSIONING,
        ResourceKeys=[{"resourceType": BUCKET, "resourceId": manual_bucket}],
    )
    assert answer["FailedItems"] == []
    assert finished(config, VERSIONING, (BUCKET, manual_bucket))["State"] == "SUCCEEDED"
    wait_for(lambda: compliance_of(config, VERSIONING, manual_bucket) == "COMPLIANT", timeout=20)


def test_public_read_blocked(server: LiveServer) -> None:
    config, aws = sandbox(server)
    s3 = aws("s3")
    rule = "s3-bucket-public-read-prohibited"
    public_bucket = _name("public")
    _bucket(config, s3, public_bucket, rule, "S3_BUCKET_PUBLIC_READ_PROHIBITED", ACL="public-read")
    config.put_remediation_configurations(
        RemediationConfigurations=[
            remediation(rule, "AWS-DisableS3BucketPublicReadWrite", "S3BucketName", automatic=True)
        ]
    )
    wait_for(lambda: compliance_of(config, rule, public_bucket) == "COMPLIANT", timeout=20)
    block = s3.get_public_access_block(Bucket=public_bucket)["PublicAccessBlockConfiguration"]
    assert all(block.values())


def test_public_write_blocked_on_request(server: LiveServer) -> None:
    config, aws = sandbox(server)
    s3 = aws("s3")
    rule = "s3-bucket-public-write-prohibited"
    bucket = _name("writable")
    record_only(config, BUCKET)
    s3.create_bucket(Bucket=bucket)
    owner = s3.get_bucket_acl(Bucket=bucket)["Owner"]["ID"]
    # (The sandbox's canned "public-read-write" grants READ only: the grant is spelled out.)
    s3.put_bucket_acl(
        Bucket=bucket,
        GrantFullControl=f"id={owner}",
        GrantWrite='uri="http://acs.amazonaws.com/groups/global/AllUsers"',
    )
    managed_rule(config, rule, "S3_BUCKET_PUBLIC_WRITE_PROHIBITED")
    wait_for(lambda: compliance_of(config, rule, bucket) == "NON_COMPLIANT", timeout=30)
    config.put_remediation_configurations(
        RemediationConfigurations=[
            remediation(rule, "AWS-DisableS3BucketPublicReadWrite", "S3BucketName")
        ]
    )
    assert status_of(config, rule, (BUCKET, bucket)) is None  # manual: not until asked
    config.start_remediation_execution(
        ConfigRuleName=rule, ResourceKeys=[{"resourceType": BUCKET, "resourceId": bucket}]
    )
    assert finished(config, rule, (BUCKET, bucket))["State"] == "SUCCEEDED"
    wait_for(lambda: compliance_of(config, rule, bucket) == "COMPLIANT", timeout=20)
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert block == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }


def test_encryption_enabled_on_request(server: LiveServer) -> None:
    config, aws = sandbox(server)
    s3 = aws("s3")
    rule = "s3-bucket-server-side-encryption-enabled"
    plain_bucket = _name("plain")
    record_only(config, BUCKET)
    s3.create_bucket(Bucket=plain_bucket)
    s3.delete_bucket_encryption(Bucket=plain_bucket)
    managed_rule(config, rule, "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED")
    wait_for(lambda: compliance_of(config, rule, plain_bucket) == "NON_COMPLIANT", timeout=30)
    config.put_remediation_configurations(
        RemediationConfigurations=[
            remediation(rule, "AWS-EnableS3BucketEncryption", "BucketName", SSEAlgorithm=["AES256"])
        ]
    )
    config.start_remediation_execution(
        ConfigRuleName=rule, ResourceKeys=[{"resourceType": BUCKET, "resourceId": plain_bucket}]
    )
    wait_for(lambda: compliance_of(config, rule, plain_bucket) == "COMPLIANT", timeout=20)
    found = s3.get_bucket_encryption(Bucket=plain_bucket)["ServerSideEncryptionConfiguration"]
    assert found["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"


def test_encryption_enabled_automatically(server: LiveServer) -> None:
    config, aws = sandbox(server)
    s3 = aws("s3")
    rule = "s3-bucket-server-side-encryption-enabled"
    bucket = _name("plain-auto")
    record_only(config, BUCKET)
    s3.create_bucket(Bucket=bucket)
    s3.delete_bucket_encryption(Bucket=bucket)
    managed_rule(config, rule, "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED")
    wait_for(lambda: compliance_of(config, rule, bucket) == "NON_COMPLIANT", timeout=30)
    config.put_remediation_configurations(
        RemediationConfigurations=[
            remediation(
                rule, "AWS-EnableS3BucketEncryption", "BucketName", automatic=True,
                SSEAlgorithm=["aws:kms"],
            )
        ]
    )  # fmt: skip
    wait_for(lambda: compliance_of(config, rule, bucket) == "COMPLIANT", timeout=20)
    status = finished(config, rule, (BUCKET, bucket))
    assert status["State"] == "SUCCEEDED"
    assert [s["Name"] for s in status["StepDetails"]] == ["PutBucketEncryption"]
    found = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
    assert found["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"


OPEN = [
    {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
    {"IpProtocol": "tcp", "FromPort": 3389, "ToPort": 3389, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
    {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
]


def test_security_group_ssh_and_rdp_closed(backend: LiveServer) -> None:
    config, aws = sandbox(backend)
    ec2 = aws("ec2")
    record_only(config, SG)
    group = ec2.create_security_group(GroupName="open", Description="open")["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=OPEN)
    managed_rule(config, "restricted-ssh", "INCOMING_SSH_DISABLED")
    wait_for(lambda: compliance_of(config, "restricted-ssh", group) == "NON_COMPLIANT", 30)
    config.put_remediation_configurations(
        RemediationConfigurations=[
            remediation("restricted-ssh", "AWS-DisablePublicAccessForSecurityGroup", "GroupId")
        ]
    )
    config.start_remediation_execution(
        ConfigRuleName="restricted-ssh", ResourceKeys=[{"resourceType": SG, "resourceId": group}]
    )
    wait_for(lambda: compliance_of(config, "restricted-ssh", group) == "COMPLIANT", timeout=20)
    left = ec2.describe_security_groups(GroupIds=[group])["SecurityGroups"][0]["IpPermissions"]
    assert [p["FromPort"] for p in left] == [443]


def test_security_group_ssh_and_rdp_closed_automatically(server: LiveServer) -> None:
    config, aws = sandbox(server)
    ec2 = aws("ec2")
    record_only(config, SG)
    managed_rule(config, "restricted-ssh", "INCOMING_SSH_DISABLED")
    config.put_remediation_configurations(
        RemediationConfigurations=[
            remediation(
                "restricted-ssh", "AWS-DisablePublicAccessForSecurityGroup", "GroupId",
                automatic=True,
            )
        ]
    )  # fmt: skip
    group = ec2.create_security_group(GroupName="opened-later", Description="open")["GroupId"]
    wait_for(lambda: compliance_of(config, "restricted-ssh", group) == "COMPLIANT", 30)
    # Opened after the configuration exists: the flip to NON_COMPLIANT remediates it.
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=OPEN)
    status = finished(config, "restricted-ssh", (SG, group))
    assert status["State"] == "SUCCEEDED", status
    wait_for(lambda: compliance_of(config, "restricted-ssh", group) == "COMPLIANT", timeout=20)
    left = ec2.describe_security_groups(GroupIds=[group])["SecurityGroups"][0]["IpPermissions"]
    assert [p["FromPort"] for p in left] == [443]


def test_ebs_encryption_by_default(server: LiveServer) -> None:
    config, aws = sandbox(server)
    ec2 = aws("ec2")
    rule = "ec2-ebs-encryption-by-default"
    record_only(config, SG)
    managed_rule(config, rule, "EC2_EBS_ENCRYPTION_BY_DEFAULT")
    account = config.describe_config_rules()["ConfigRules"][0]["ConfigRuleArn"].split(":")[4]
    wait_for(lambda: compliance_of(config, rule, account) == "NON_COMPLIANT", timeout=20)
    config.put_remediation_configurations(
        RemediationConfigurations=[
            remediation(
                rule, "AWSConfigRemediation-EnableEbsEncryptionByDefault", None, automatic=True
            )
        ]
    )
    # The account is no ResourceKey type: AWS remediates it automatically only.

    def done() -> Any:
        found = config.describe_remediation_execution_status(ConfigRuleName=rule)[
            "RemediationExecutionStatuses"
        ]
        return found[0] if found and found[0]["State"] in ("SUCCEEDED", "FAILED") else None

    status = wait_for(done, timeout=20)
    assert status["ResourceKey"] == {"resourceType": "AWS::::Account", "resourceId": account}
    assert status["State"] == "SUCCEEDED", status
    assert [s["Name"] for s in status["StepDetails"]] == [
        "ModifyAccount",
        "VerifyEbsEncryptionByDefault",
    ]
    assert ec2.get_ebs_encryption_by_default()["EbsEncryptionByDefault"] is True
    config.start_config_rules_evaluation(ConfigRuleNames=[rule])
    wait_for(lambda: compliance_of(config, rule, account) == "COMPLIANT", timeout=20)


def test_unused_access_keys_deleted(server: LiveServer) -> None:
    config, aws = sandbox(server)
    iam = aws("iam")
    rule = "iam-user-unused-credentials-check"
    user = iam.create_user(UserName="idle")["User"]
    iam.create_access_key(UserName="idle")
    record_only(config, "AWS::IAM::User")
    config.put_config_rule(
        ConfigRule={
            "ConfigRuleName": rule,
            "Source": {"Owner": "AWS", "SourceIdentifier": "IAM_USER_UNUSED_CREDENTIALS_CHECK"},
            "InputParameters": '{"maxCredentialUsageAge": "90"}',
        }
    )
    config.put_remediation_configurations(
        RemediationConfigurations=[
            remediation(
                rule,
                "AWSConfigRemediation-RevokeUnusedIAMUserCredentials",
                "IAMResourceId",
                MaxCredentialUsageAge=["0"],
            )
        ]
    )
    key = ("AWS::IAM::User", user["UserId"])
    config.start_remediation_execution(
        ConfigRuleName=rule, ResourceKeys=[{"resourceType": key[0], "resourceId": key[1]}]
    )
    status = finished(config, rule, key)
    assert status["State"] == "SUCCEEDED", status
    assert iam.list_access_keys(UserName="idle")["AccessKeyMetadata"] == []


HOUR_MS = 3_600_000
UNUSED = "iam-user-unused-credentials-check"
USER = "AWS::IAM::User"


@pytest.fixture
def own_clock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Any, FrozenClock, LiveServer, str]]:
    """A server of the test's own whose clock starts at wall time and moves when told;
    clients sign at its time. (config client, clock, server, account)"""
    clock = FrozenClock(SystemClock().now_ms())
    server = start_server(f"sqlite:///{tmp_path / 'clocked.db'}", clock=clock)

    def server_time(remove_tzinfo: bool = True) -> datetime:
        moment = to_datetime(clock.now_ms())
        return moment.replace(tzinfo=None) if remove_tzinfo else moment

    monkeypatch.setattr(botocore.auth, "get_current_datetime", server_time)
    account = new_account()
    yield config_client(server, account), clock, server, account
    server.stop()


def _idle_user(
    own_clock: tuple[Any, FrozenClock, LiveServer, str], name: str, *, automatic: bool
) -> tuple[Any, Any, FrozenClock, tuple[str, str]]:
    """A user whose only access key the rule (90 days) finds compliant now; the
    remediation configured; the clock then moved 91 days past the key's creation, so the
    periodic run finds it unused. (config, iam, clock, the user's key)"""
    config, clock, server, account = own_clock
    _, aws = sandbox(server, account)
    iam = aws("iam")
    user_id = iam.create_user(UserName=name)["User"]["UserId"]
    created = iam.create_access_key(UserName=name)["AccessKey"]["CreateDate"]
    record_only(config, USER)
    wait_for(
        lambda: config.list_discovered_resources(resourceType=USER, resourceIds=[user_id])[
            "resourceIdentifiers"
        ],
        timeout=30,
    )
    config.put_config_rule(
        ConfigRule={
            "ConfigRuleName": UNUSED,
            "Source": {"Owner": "AWS", "SourceIdentifier": "IAM_USER_UNUSED_CREDENTIALS_CHECK"},
            "InputParameters": '{"maxCredentialUsageAge": "90"}',
        }
    )
    wait_for(lambda: compliance_of(config, UNUSED, user_id) == "COMPLIANT", timeout=20)
    config.put_remediation_configurations(
        RemediationConfigurations=[
            remediation(
                UNUSED, "AWSConfigRemediation-RevokeUnusedIAMUserCredentials", "IAMResourceId",
                automatic=automatic, MaxCredentialUsageAge=["90"],
            )
        ]
    )  # fmt: skip
    clock.advance(int(timedelta(days=92).total_seconds() * 1000))  # a periodic run is due
    assert (to_datetime(clock.now_ms()) - created).days == 91
    wait_for(lambda: compliance_of(config, UNUSED, user_id) == "NON_COMPLIANT", timeout=20)
    return config, iam, clock, (USER, user_id)


def test_unused_access_keys_revoked_automatically(
    own_clock: tuple[Any, FrozenClock, LiveServer, str],
) -> None:
    config, iam, clock, key = _idle_user(own_clock, "idle-auto", automatic=True)
    status = finished(config, UNUSED, key)
    assert status["State"] == "SUCCEEDED", status
    assert [s["Name"] for s in status["StepDetails"]] == [
        "RevokeUnusedAccessKeys",
        "RevokeUnusedLoginProfile",
    ]
    assert iam.list_access_keys(UserName="idle-auto")["AccessKeyMetadata"] == []
    clock.advance(25 * HOUR_MS)  # the rule is periodic: its next run sees the fix
    wait_for(lambda: compliance_of(config, UNUSED, key[1]) == "COMPLIANT", timeout=20)


def test_unused_access_keys_revoked_on_request(
    own_clock: tuple[Any, FrozenClock, LiveServer, str],
) -> None:
    config, iam, clock, key = _idle_user(own_clock, "idle-manual", automatic=False)
    assert status_of(config, UNUSED, key) is None
    assert len(iam.list_access_keys(UserName="idle-manual")["AccessKeyMetadata"]) == 1
    config.start_remediation_execution(
        ConfigRuleName=UNUSED, ResourceKeys=[{"resourceType": key[0], "resourceId": key[1]}]
    )
    assert finished(config, UNUSED, key)["State"] == "SUCCEEDED"
    assert iam.list_access_keys(UserName="idle-manual")["AccessKeyMetadata"] == []
    clock.advance(25 * HOUR_MS)
    wait_for(lambda: compliance_of(config, UNUSED, key[1]) == "COMPLIANT", timeout=20)
