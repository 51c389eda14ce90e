"""Managed rules over the items the recorder really writes.

Each test acts as a fresh sandbox account recording only the types it needs, creates a
resource through boto3, reads its configuration item back over the Config API
(GetResourceConfigHistory), turns it into the stream form rules get, and evaluates a
rule on it; then changes the resource and sees the verdict flip on the new item. This
holds the rules to the shapes the recorder writes, not to shapes written by hand.
Account-level rules are judged through the same sandbox's AWS answers.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest

from configledger.store.database import open_database
from configledger.store.items import current_items
from tests.conftest import REGION, LiveServer
from tests.rules.managed.sandbox import RecordedAccount, stream_form
from tests.rules.managed.support import NA, NC, C

AMI = "ami-12c6146b"  # an image the sandbox ships
SG = "AWS::EC2::SecurityGroup"
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
BUCKET = "AWS::S3::Bucket"


def state_id(item: dict[str, Any]) -> int:
    return int(item["configurationStateId"])


def vpc_with_subnets(ec2: Any, cidr: str = "10.30") -> tuple[str, list[str]]:
    vpc = ec2.create_vpc(CidrBlock=f"{cidr}.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"{cidr}.{n}.0/24", AvailabilityZone=zone)["Subnet"][
            "SubnetId"
        ]
        for n, zone in ((1, "us-east-1a"), (2, "us-east-1b"))
    ]
    return vpc, subnets


# -- EC2 security groups ------------------------------------------------------------------


def test_security_group_rules_flip_with_the_recorded_permissions(server: LiveServer) -> None:
    sandbox = RecordedAccount(server, SG)
    ec2 = sandbox.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    group = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    first = sandbox.settles("INCOMING_SSH_DISABLED", SG, group, C)

    ssh = {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[ssh])
    opened = sandbox.settles("INCOMING_SSH_DISABLED", SG, group, NC)
    assert state_id(opened) > state_id(first)
    assert (
        sandbox.judge("VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS", opened, authorizedTcpPorts="443")
        == NC
    )
    assert (
        sandbox.judge("VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS", opened, authorizedTcpPorts="22") == C
    )
    assert sandbox.judge("VPC_DEFAULT_SECURITY_GROUP_CLOSED", opened) == NA

    ec2.revoke_security_group_ingress(GroupId=group, IpPermissions=[ssh])
    closed = sandbox.settles("INCOMING_SSH_DISABLED", SG, group, C)
    assert state_id(closed) > state_id(opened)

    [default] = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"]
    sandbox.settles("VPC_DEFAULT_SECURITY_GROUP_CLOSED", SG, default["GroupId"], NC)
    ec2.revoke_security_group_egress(
        GroupId=default["GroupId"], IpPermissions=default["IpPermissionsEgress"]
    )
    if default["IpPermissions"]:
        ec2.revoke_security_group_ingress(
            GroupId=default["GroupId"], IpPermissions=default["IpPermissions"]
        )
    sandbox.settles("VPC_DEFAULT_SECURITY_GROUP_CLOSED", SG, default["GroupId"], C)


def test_the_rebuilt_stream_form_is_the_stores_own(server: LiveServer) -> None:
    """The API item rebuilt through ConfigurationItem renders exactly as the item the
    store holds: the rules see what the engine will hand them."""
    sandbox = RecordedAccount(server, SG)
    ec2 = sandbox.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.41.0.0/16")["Vpc"]["VpcId"]
    group = ec2.create_security_group(GroupName="db", Description="db", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 3389,
                "ToPort": 3389,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
    )

    def recorded_with_ingress() -> dict[str, Any] | None:
        api_item = sandbox.newest(SG, group)
        item = stream_form(api_item) if api_item else None
        return item if item and item["configuration"]["ipPermissions"] else None

    item = sandbox.wait(recorded_with_ingress, "the ingress rule's item")
    database = open_database(server.db_url, migrate=False)
    try:
        with database.read() as conn:
            [stored] = current_items(conn, sandbox.account, REGION, [(SG, group)])
    finally:
        database.dispose()
    assert stored.to_stream() == item


def test_restricted_common_ports_judges_groups_in_use(server: LiveServer) -> None:
    sandbox = RecordedAccount(server, SG, "AWS::EC2::NetworkInterface")
    ec2 = sandbox.client("ec2")
    vpc, [subnet, _] = vpc_with_subnets(ec2, "10.42")
    group = ec2.create_security_group(GroupName="rdp", Description="rdp", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 3389,
                "ToPort": 3389,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
    )
    sandbox.settles("RESTRICTED_INCOMING_TRAFFIC", SG, group, NA)
    sandbox.settles("EC2_SECURITY_GROUP_ATTACHED_TO_ENI", SG, group, NC)
    eni = ec2.create_network_interface(SubnetId=subnet, Groups=[group])["NetworkInterface"]
    sandbox.wait(
        lambda: sandbox.newest("AWS::EC2::NetworkInterface", eni["NetworkInterfaceId"]),
        "the interface's item",
    )
    sandbox.settles("RESTRICTED_INCOMING_TRAFFIC", SG, group, NC)
    sandbox.settles("EC2_SECURITY_GROUP_ATTACHED_TO_ENI", SG, group, C)


# -- S3 -----------------------------------------------------------------------------------


def test_bucket_rules_flip_with_the_recorded_settings(server: LiveServer) -> None:
    sandbox = RecordedAccount(server, BUCKET)
    s3 = sandbox.client("s3")
    name = "ledger-rules-bucket"
    s3.create_bucket(Bucket=name)
    plain = sandbox.settles("S3_BUCKET_VERSIONING_ENABLED", BUCKET, name, NC)
    for rule in ("S3_BUCKET_PUBLIC_READ_PROHIBITED", "S3_BUCKET_PUBLIC_WRITE_PROHIBITED"):
        assert sandbox.judge(rule, plain) == C
    assert sandbox.judge("S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED", plain) == NC
    assert sandbox.judge("S3_BUCKET_LOGGING_ENABLED", plain) == NC
    assert sandbox.judge("S3_BUCKET_SSL_REQUESTS_ONLY", plain) == NC

    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    sandbox.settles("S3_BUCKET_VERSIONING_ENABLED", BUCKET, name, C)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Suspended"})
    sandbox.settles("S3_BUCKET_VERSIONING_ENABLED", BUCKET, name, NC)

    s3.put_bucket_acl(Bucket=name, ACL="public-read")
    sandbox.settles("S3_BUCKET_PUBLIC_READ_PROHIBITED", BUCKET, name, NC)
    s3.put_bucket_acl(Bucket=name, ACL="private")
    sandbox.settles("S3_BUCKET_PUBLIC_READ_PROHIBITED", BUCKET, name, C)

    s3.put_public_access_block(
        Bucket=name,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    sandbox.settles("S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED", BUCKET, name, C)

    secure = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }
    s3.put_bucket_policy(Bucket=name, Policy=json.dumps(secure))
    sandbox.settles("S3_BUCKET_SSL_REQUESTS_ONLY", BUCKET, name, C)

    s3.put_bucket_encryption(
        Bucket=name,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": "alias/aws/s3",
                    }
                }
            ]
        },
    )
    encrypted = sandbox.settles("S3_DEFAULT_ENCRYPTION_KMS", BUCKET, name, C)
    assert sandbox.judge("S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED", encrypted) == C

    s3.create_bucket(Bucket=f"{name}-logs")
    s3.put_bucket_acl(Bucket=f"{name}-logs", ACL="log-delivery-write")
    s3.put_bucket_logging(
        Bucket=name,
        BucketLoggingStatus={
            "LoggingEnabled": {"TargetBucket": f"{name}-logs", "TargetPrefix": "access/"}
        },
    )
    sandbox.settles(
        "S3_BUCKET_LOGGING_ENABLED",
        BUCKET,
        name,
        C,
        targetBucket=f"{name}-logs",
        targetPrefix="access/",
    )


# -- EC2 instances, volumes, addresses, VPCs, gateways -------------------------------------

INSTANCE = "AWS::EC2::Instance"
VOLUME = "AWS::EC2::Volume"
EIP = "AWS::EC2::EIP"
VPC = "AWS::EC2::VPC"
IGW = "AWS::EC2::InternetGateway"


def test_instance_volume_and_address_rules_flip(server: LiveServer) -> None:
    sandbox = RecordedAccount(server, INSTANCE, VOLUME, EIP)
    ec2 = sandbox.client("ec2")
    vpc, [subnet, _] = vpc_with_subnets(ec2, "10.43")
    [instance] = ec2.run_instances(
        ImageId=AMI,
        MinCount=1,
        MaxCount=1,
        InstanceType="t3.micro",
        SubnetId=subnet,
        MetadataOptions={"HttpTokens": "optional"},
    )["Instances"]
    instance_id = instance["InstanceId"]
    launched = sandbox.settles("EC2_IMDSV2_CHECK", INSTANCE, instance_id, NC)
    assert sandbox.judge("INSTANCES_IN_VPC", launched, vpcId=vpc) == C
    assert sandbox.judge("INSTANCES_IN_VPC", launched, vpcId="vpc-other") == NC
    assert sandbox.judge("DESIRED_INSTANCE_TYPE", launched, instanceType="t3.micro") == C
    assert sandbox.judge("DESIRED_INSTANCE_TYPE", launched, instanceType="m5.large") == NC
    assert sandbox.judge("APPROVED_AMIS_BY_ID", launched, amiIds=AMI) == C
    assert sandbox.judge("EC2_STOPPED_INSTANCE", launched) == C

    ec2.modify_instance_metadata_options(InstanceId=instance_id, HttpTokens="required")
    sandbox.settles("EC2_IMDSV2_CHECK", INSTANCE, instance_id, C)

    volume_id = ec2.create_volume(AvailabilityZone="us-east-1a", Size=8)["VolumeId"]
    loose = sandbox.settles("EC2_VOLUME_INUSE_CHECK", VOLUME, volume_id, NC)
    assert sandbox.judge("ENCRYPTED_VOLUMES", loose) == NA
    ec2.attach_volume(VolumeId=volume_id, InstanceId=instance_id, Device="/dev/sdf")
    attached = sandbox.settles("EC2_VOLUME_INUSE_CHECK", VOLUME, volume_id, C)
    assert sandbox.judge("ENCRYPTED_VOLUMES", attached) == NC
    assert sandbox.judge("EC2_VOLUME_INUSE_CHECK", attached, deleteOnTermination="true") == NC

    encrypted = ec2.create_volume(AvailabilityZone="us-east-1a", Size=8, Encrypted=True)
    ec2.attach_volume(VolumeId=encrypted["VolumeId"], InstanceId=instance_id, Device="/dev/sdg")
    sandbox.settles("ENCRYPTED_VOLUMES", VOLUME, encrypted["VolumeId"], C)

    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    sandbox.settles("EIP_ATTACHED", EIP, allocation, NC)
    ec2.associate_address(AllocationId=allocation, InstanceId=instance_id)
    sandbox.settles("EIP_ATTACHED", EIP, allocation, C)


def test_vpc_and_gateway_rules_flip(server: LiveServer) -> None:
    sandbox = RecordedAccount(server, VPC, IGW)
    ec2 = sandbox.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.44.0.0/16")["Vpc"]["VpcId"]
    sandbox.settles("VPC_FLOW_LOGS_ENABLED", VPC, vpc, NC)
    sandbox.client("s3").create_bucket(Bucket="ledger-flow-logs")
    ec2.create_flow_logs(
        ResourceIds=[vpc],
        ResourceType="VPC",
        TrafficType="REJECT",
        LogDestinationType="s3",
        LogDestination="arn:aws:s3:::ledger-flow-logs",
    )
    sandbox.settles("VPC_FLOW_LOGS_ENABLED", VPC, vpc, C)
    sandbox.settles("VPC_FLOW_LOGS_ENABLED", VPC, vpc, NC, trafficType="ACCEPT")

    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    sandbox.settles("INTERNET_GATEWAY_AUTHORIZED_VPC_ONLY", IGW, gateway, C)
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc)
    attached = sandbox.settles("INTERNET_GATEWAY_AUTHORIZED_VPC_ONLY", IGW, gateway, NC)
    assert (
        sandbox.judge("INTERNET_GATEWAY_AUTHORIZED_VPC_ONLY", attached, AuthorizedVpcIds=vpc) == C
    )
    assert sandbox.judge("REQUIRED_TAGS", attached) == NC
    ec2.create_tags(Resources=[gateway], Tags=[{"Key": "CostCenter", "Value": "42"}])
    sandbox.settles("REQUIRED_TAGS", IGW, gateway, C)


# -- IAM ----------------------------------------------------------------------------------

USER = "AWS::IAM::User"
POLICY = "AWS::IAM::Policy"
ADMIN = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
READ_ONLY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}],
}


def test_iam_rules_flip_with_recorded_users_and_policies(server: LiveServer) -> None:
    sandbox = RecordedAccount(server, USER, POLICY, "AWS::IAM::Role", "AWS::IAM::Group")
    iam = sandbox.client("iam")
    user_id = iam.create_user(UserName="alice")["User"]["UserId"]
    plain = sandbox.settles("IAM_USER_NO_POLICIES_CHECK", USER, user_id, C)
    assert sandbox.judge("IAM_NO_INLINE_POLICY_CHECK", plain) == C
    assert sandbox.judge("MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS", plain) == C
    assert sandbox.judge("IAM_USER_MFA_ENABLED", plain) == NC
    assert sandbox.judge("ACCESS_KEYS_ROTATED", plain) == C
    assert sandbox.judge("IAM_USER_UNUSED_CREDENTIALS_CHECK", plain) == C

    iam.put_user_policy(UserName="alice", PolicyName="reads", PolicyDocument=json.dumps(READ_ONLY))
    inline = sandbox.settles("IAM_USER_NO_POLICIES_CHECK", USER, user_id, NC)
    assert sandbox.judge("IAM_NO_INLINE_POLICY_CHECK", inline) == NC

    iam.create_login_profile(UserName="alice", Password="Correct-Horse-42")
    assert sandbox.judge("MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS", inline) == NC
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName="alice")["VirtualMFADevice"][
        "SerialNumber"
    ]
    iam.enable_mfa_device(
        UserName="alice",
        SerialNumber=serial,
        AuthenticationCode1="123456",
        AuthenticationCode2="654321",
    )
    assert sandbox.judge("MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS", inline) == C
    assert sandbox.judge("IAM_USER_MFA_ENABLED", inline) == C
    iam.create_access_key(UserName="alice")
    assert sandbox.judge("ACCESS_KEYS_ROTATED", inline) == C
    assert sandbox.judge("IAM_USER_UNUSED_CREDENTIALS_CHECK", inline) == C

    created = iam.create_policy(PolicyName="everything", PolicyDocument=json.dumps(ADMIN))["Policy"]
    sandbox.settles("IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS", POLICY, created["PolicyId"], NC)
    iam.create_policy_version(
        PolicyArn=created["Arn"], PolicyDocument=json.dumps(READ_ONLY), SetAsDefault=True
    )
    sandbox.settles("IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS", POLICY, created["PolicyId"], C)

    role_id = iam.create_role(RoleName="app", AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))[
        "Role"
    ]["RoleId"]
    sandbox.settles("IAM_NO_INLINE_POLICY_CHECK", "AWS::IAM::Role", role_id, C)
    iam.put_role_policy(RoleName="app", PolicyName="reads", PolicyDocument=json.dumps(READ_ONLY))
    sandbox.settles("IAM_NO_INLINE_POLICY_CHECK", "AWS::IAM::Role", role_id, NC)

    group_id = iam.create_group(GroupName="ops")["Group"]["GroupId"]
    sandbox.settles("IAM_NO_INLINE_POLICY_CHECK", "AWS::IAM::Group", group_id, C)
    iam.put_group_policy(GroupName="ops", PolicyName="reads", PolicyDocument=json.dumps(READ_ONLY))
    sandbox.settles("IAM_NO_INLINE_POLICY_CHECK", "AWS::IAM::Group", group_id, NC)


# -- RDS, DynamoDB, KMS -------------------------------------------------------------------

DB = "AWS::RDS::DBInstance"
TABLE = "AWS::DynamoDB::Table"
KEY = "AWS::KMS::Key"


def test_rds_rules_flip_with_the_recorded_instance(server: LiveServer) -> None:
    sandbox = RecordedAccount(server, DB)
    rds = sandbox.client("rds")
    created = rds.create_db_instance(
        DBInstanceIdentifier="orders",
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        MasterUsername="admin",
        MasterUserPassword="secret-password",
        AllocatedStorage=20,
        DeletionProtection=False,
        PubliclyAccessible=True,
        StorageEncrypted=False,
        BackupRetentionPeriod=0,
    )["DBInstance"]
    resource_id = created["DbiResourceId"]
    first = sandbox.settles("RDS_INSTANCE_DELETION_PROTECTION_ENABLED", DB, resource_id, NC)
    assert sandbox.judge("RDS_INSTANCE_PUBLIC_ACCESS_CHECK", first) == NC
    assert sandbox.judge("RDS_STORAGE_ENCRYPTED", first) == NC
    assert sandbox.judge("RDS_MULTI_AZ_SUPPORT", first) == NC
    assert sandbox.judge("DB_INSTANCE_BACKUP_ENABLED", first) == NC
    assert (
        sandbox.judge("RDS_INSTANCE_DELETION_PROTECTION_ENABLED", first, databaseEngines="mysql")
        == NA
    )

    rds.modify_db_instance(
        DBInstanceIdentifier="orders",
        DeletionProtection=True,
        PubliclyAccessible=False,
        BackupRetentionPeriod=7,
        MultiAZ=True,
        ApplyImmediately=True,
    )
    changed = sandbox.settles("RDS_INSTANCE_DELETION_PROTECTION_ENABLED", DB, resource_id, C)
    assert sandbox.judge("RDS_INSTANCE_PUBLIC_ACCESS_CHECK", changed) == C
    assert sandbox.judge("DB_INSTANCE_BACKUP_ENABLED", changed, backupRetentionMinimum="7") == C
    assert sandbox.judge("RDS_MULTI_AZ_SUPPORT", changed) == C


def test_dynamodb_rules_flip_with_the_recorded_table(server: LiveServer) -> None:
    sandbox = RecordedAccount(server, TABLE)
    dynamodb = sandbox.client("dynamodb")
    dynamodb.create_table(
        TableName="orders",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    plain = sandbox.settles("DYNAMODB_PITR_ENABLED", TABLE, "orders", NC)
    assert sandbox.judge("DYNAMODB_TABLE_ENCRYPTED_KMS", plain) == NC
    dynamodb.update_continuous_backups(
        TableName="orders", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )
    sandbox.settles("DYNAMODB_PITR_ENABLED", TABLE, "orders", C)

    dynamodb.create_table(
        TableName="secrets",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        SSESpecification={"Enabled": True, "SSEType": "KMS"},
    )
    sandbox.settles("DYNAMODB_TABLE_ENCRYPTED_KMS", TABLE, "secrets", C)


def test_kms_rules_flip_with_the_recorded_key(server: LiveServer) -> None:
    sandbox = RecordedAccount(server, KEY)
    kms = sandbox.client("kms")
    key_id = kms.create_key(Description="ledger")["KeyMetadata"]["KeyId"]
    fresh = sandbox.settles("CMK_BACKING_KEY_ROTATION_ENABLED", KEY, key_id, NC)
    assert sandbox.judge("KMS_CMK_NOT_SCHEDULED_FOR_DELETION", fresh) == C
    kms.enable_key_rotation(KeyId=key_id)
    sandbox.settles("CMK_BACKING_KEY_ROTATION_ENABLED", KEY, key_id, C)
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    doomed = sandbox.settles("KMS_CMK_NOT_SCHEDULED_FOR_DELETION", KEY, key_id, NC)
    assert sandbox.judge("CMK_BACKING_KEY_ROTATION_ENABLED", doomed) == NA
    assert sandbox.judge("KMS_CMK_NOT_SCHEDULED_FOR_DELETION", doomed, kmsKeyIds="other-key") == NA

    asymmetric = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    sandbox.settles("CMK_BACKING_KEY_ROTATION_ENABLED", KEY, asymmetric, NA)
