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


# -- Lambda, SNS, Secrets Manager ----------------------------------------------------------

FUNCTION = "AWS::Lambda::Function"
TOPIC = "AWS::SNS::Topic"
SECRET = "AWS::SecretsManager::Secret"


def lambda_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


def test_lambda_rules_flip_with_the_recorded_function(server: LiveServer) -> None:
    sandbox = RecordedAccount(server, FUNCTION)
    ec2 = sandbox.client("ec2")
    vpc, subnets = vpc_with_subnets(ec2, "10.45")
    group = ec2.create_security_group(GroupName="fn", Description="fn", VpcId=vpc)["GroupId"]
    role = sandbox.client("iam").create_role(
        RoleName="fn-role", AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST)
    )["Role"]["Arn"]
    lambda_ = sandbox.client("lambda")
    lambda_.create_function(
        FunctionName="handler",
        Runtime="python3.12",
        Role=role,
        Handler="handler.handler",
        Code={"ZipFile": lambda_zip()},
    )
    outside = sandbox.settles("LAMBDA_INSIDE_VPC", FUNCTION, "handler", NC)
    assert sandbox.judge("LAMBDA_FUNCTION_PUBLIC_ACCESS_PROHIBITED", outside) == C
    assert sandbox.judge("LAMBDA_FUNCTION_SETTINGS_CHECK", outside, runtime="python3.12") == C
    assert sandbox.judge("LAMBDA_FUNCTION_SETTINGS_CHECK", outside, runtime="nodejs20.x") == NC

    lambda_.update_function_configuration(
        FunctionName="handler", VpcConfig={"SubnetIds": subnets, "SecurityGroupIds": [group]}
    )
    inside = sandbox.settles("LAMBDA_INSIDE_VPC", FUNCTION, "handler", C)
    assert sandbox.judge("LAMBDA_INSIDE_VPC", inside, subnetIds=subnets[0]) == NC
    assert sandbox.judge("LAMBDA_INSIDE_VPC", inside, subnetIds=",".join(subnets)) == C

    lambda_.add_permission(
        FunctionName="handler",
        StatementId="everyone",
        Action="lambda:InvokeFunction",
        Principal="*",
    )
    assert sandbox.judge("LAMBDA_FUNCTION_PUBLIC_ACCESS_PROHIBITED", inside) == NC
    lambda_.remove_permission(FunctionName="handler", StatementId="everyone")
    assert sandbox.judge("LAMBDA_FUNCTION_PUBLIC_ACCESS_PROHIBITED", inside) == C


def test_sns_and_secret_rules_flip_with_the_recorded_items(server: LiveServer) -> None:
    sandbox = RecordedAccount(server, TOPIC, SECRET)
    sns = sandbox.client("sns")
    topic = sns.create_topic(Name="alerts")["TopicArn"]
    sandbox.settles("SNS_ENCRYPTED_KMS", TOPIC, topic, NC)
    sns.set_topic_attributes(
        TopicArn=topic, AttributeName="KmsMasterKeyId", AttributeValue="alias/aws/sns"
    )
    encrypted = sandbox.settles("SNS_ENCRYPTED_KMS", TOPIC, topic, C)
    assert sandbox.judge("SNS_ENCRYPTED_KMS", encrypted, kmsKeyIds="alias/other") == NC

    secrets = sandbox.client("secretsmanager")
    arn = secrets.create_secret(Name="db", SecretString="hunter2")["ARN"]
    sandbox.settles("SECRETSMANAGER_ROTATION_ENABLED_CHECK", SECRET, arn, NC)
    secrets.rotate_secret(SecretId=arn, RotationRules={"AutomaticallyAfterDays": 30})
    rotating = sandbox.settles("SECRETSMANAGER_ROTATION_ENABLED_CHECK", SECRET, arn, C)
    assert (
        sandbox.judge(
            "SECRETSMANAGER_ROTATION_ENABLED_CHECK", rotating, maximumAllowedRotationFrequency="7"
        )
        == NC
    )
    secrets.delete_secret(SecretId=arn, RecoveryWindowInDays=7)
    sandbox.settles("SECRETSMANAGER_ROTATION_ENABLED_CHECK", SECRET, arn, NA)


# -- CloudTrail ---------------------------------------------------------------------------

TRAIL = "AWS::CloudTrail::Trail"


def test_cloudtrail_rules_flip_with_the_recorded_trail(server: LiveServer) -> None:
    sandbox = RecordedAccount(server, TRAIL)
    sandbox.client("s3").create_bucket(Bucket="ledger-trail")
    cloudtrail = sandbox.client("cloudtrail")
    cloudtrail.create_trail(Name="main", S3BucketName="ledger-trail", IsMultiRegionTrail=True)
    plain = sandbox.settles("CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED", TRAIL, "main", NC)
    assert sandbox.judge("CLOUD_TRAIL_ENCRYPTION_ENABLED", plain) == NC
    assert sandbox.account_verdict("CLOUD_TRAIL_ENABLED") == NC

    cloudtrail.update_trail(
        Name="main", EnableLogFileValidation=True, KmsKeyId="alias/ledger-trail"
    )
    validated = sandbox.settles("CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED", TRAIL, "main", C)
    assert sandbox.judge("CLOUD_TRAIL_ENCRYPTION_ENABLED", validated) == C

    cloudtrail.start_logging(Name="main")
    assert sandbox.account_verdict("CLOUD_TRAIL_ENABLED") == C
    assert sandbox.account_verdict("CLOUD_TRAIL_ENABLED", s3BucketName="other") == NC
    assert sandbox.account_verdict("MULTI_REGION_CLOUD_TRAIL_ENABLED") == C
    cloudtrail.put_event_selectors(
        TrailName="main",
        EventSelectors=[{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}],
    )
    assert sandbox.account_verdict("MULTI_REGION_CLOUD_TRAIL_ENABLED") == NC
    assert (
        sandbox.account_verdict("MULTI_REGION_CLOUD_TRAIL_ENABLED", readWriteType="WriteOnly") == C
    )
    cloudtrail.stop_logging(Name="main")
    assert sandbox.account_verdict("CLOUD_TRAIL_ENABLED") == NC


# -- ELBv2, Auto Scaling ------------------------------------------------------------------

BALANCER = "AWS::ElasticLoadBalancingV2::LoadBalancer"
GROUP = "AWS::AutoScaling::AutoScalingGroup"


def test_load_balancer_rules_flip_with_the_recorded_balancer(server: LiveServer) -> None:
    sandbox = RecordedAccount(server, BALANCER)
    ec2 = sandbox.client("ec2")
    vpc, subnets = vpc_with_subnets(ec2, "10.46")
    elbv2 = sandbox.client("elbv2")
    balancer = elbv2.create_load_balancer(Name="web", Subnets=subnets, Type="application")[
        "LoadBalancers"
    ][0]["LoadBalancerArn"]
    plain = sandbox.settles("ELB_LOGGING_ENABLED", BALANCER, balancer, NC)
    assert sandbox.judge("ELB_DELETION_PROTECTION_ENABLED", plain) == NC
    assert sandbox.judge("ALB_HTTP_DROP_INVALID_HEADER_ENABLED", plain) == NC
    assert sandbox.judge("ALB_HTTP_TO_HTTPS_REDIRECTION_CHECK", plain) == C

    sandbox.client("s3").create_bucket(Bucket="ledger-lb-logs")
    elbv2.modify_load_balancer_attributes(
        LoadBalancerArn=balancer,
        Attributes=[
            {"Key": "access_logs.s3.enabled", "Value": "true"},
            {"Key": "access_logs.s3.bucket", "Value": "ledger-lb-logs"},
            {"Key": "deletion_protection.enabled", "Value": "true"},
            {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"},
        ],
    )
    logging = sandbox.settles("ELB_LOGGING_ENABLED", BALANCER, balancer, C)
    assert sandbox.judge("ELB_LOGGING_ENABLED", logging, s3BucketNames="other") == NC
    assert sandbox.judge("ELB_DELETION_PROTECTION_ENABLED", logging) == C
    assert sandbox.judge("ALB_HTTP_DROP_INVALID_HEADER_ENABLED", logging) == C

    target = elbv2.create_target_group(Name="web", Protocol="HTTP", Port=80, VpcId=vpc)[
        "TargetGroups"
    ][0]["TargetGroupArn"]
    listener = elbv2.create_listener(
        LoadBalancerArn=balancer,
        Protocol="HTTP",
        Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": target}],
    )["Listeners"][0]["ListenerArn"]
    assert sandbox.judge("ALB_HTTP_TO_HTTPS_REDIRECTION_CHECK", logging) == NC
    elbv2.modify_listener(
        ListenerArn=listener,
        DefaultActions=[
            {
                "Type": "redirect",
                "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"},
            }
        ],
    )
    assert sandbox.judge("ALB_HTTP_TO_HTTPS_REDIRECTION_CHECK", logging) == C

    network = elbv2.create_load_balancer(Name="tcp", Subnets=subnets, Type="network")[
        "LoadBalancers"
    ][0]["LoadBalancerArn"]
    sandbox.settles("ELB_LOGGING_ENABLED", BALANCER, network, NA)


def test_auto_scaling_rule_flips_with_the_recorded_group(server: LiveServer) -> None:
    sandbox = RecordedAccount(server, GROUP)
    ec2 = sandbox.client("ec2")
    vpc, subnets = vpc_with_subnets(ec2, "10.47")
    target = sandbox.client("elbv2").create_target_group(
        Name="asg", Protocol="HTTP", Port=80, VpcId=vpc
    )["TargetGroups"][0]["TargetGroupArn"]
    autoscaling = sandbox.client("autoscaling")
    autoscaling.create_launch_configuration(
        LaunchConfigurationName="web", ImageId=AMI, InstanceType="t3.micro"
    )
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName="web",
        LaunchConfigurationName="web",
        MinSize=0,
        MaxSize=1,
        VPCZoneIdentifier=",".join(subnets),
        TargetGroupARNs=[target],
        HealthCheckType="EC2",
    )
    arn = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=["web"])[
        "AutoScalingGroups"
    ][0]["AutoScalingGroupARN"]
    first = sandbox.settles("AUTOSCALING_GROUP_ELB_HEALTHCHECK_REQUIRED", GROUP, arn, NC)
    assert sandbox.judge("AUTOSCALING_MULTIPLE_AZ", first) == C
    assert sandbox.judge("AUTOSCALING_MULTIPLE_AZ", first, minAvailabilityZones="3") == NC
    autoscaling.update_auto_scaling_group(
        AutoScalingGroupName="web", HealthCheckType="ELB", HealthCheckGracePeriod=60
    )
    sandbox.settles("AUTOSCALING_GROUP_ELB_HEALTHCHECK_REQUIRED", GROUP, arn, C)
    autoscaling.detach_load_balancer_target_groups(
        AutoScalingGroupName="web", TargetGroupARNs=[target]
    )
    sandbox.settles("AUTOSCALING_GROUP_ELB_HEALTHCHECK_REQUIRED", GROUP, arn, NA)


# -- account-level rules ------------------------------------------------------------------


def test_account_rules_flip_with_the_accounts_settings(server: LiveServer) -> None:
    sandbox = RecordedAccount(server, TOPIC)
    ec2 = sandbox.client("ec2")
    assert sandbox.account_verdict("EC2_EBS_ENCRYPTION_BY_DEFAULT") == NC
    ec2.enable_ebs_encryption_by_default()
    assert sandbox.account_verdict("EC2_EBS_ENCRYPTION_BY_DEFAULT") == C

    iam = sandbox.client("iam")
    assert sandbox.account_verdict("IAM_PASSWORD_POLICY") == NC
    iam.update_account_password_policy(
        MinimumPasswordLength=14,
        RequireSymbols=True,
        RequireNumbers=True,
        RequireUppercaseCharacters=True,
        RequireLowercaseCharacters=True,
        MaxPasswordAge=90,
        PasswordReusePrevention=24,
    )
    assert sandbox.account_verdict("IAM_PASSWORD_POLICY") == C
    assert sandbox.account_verdict("IAM_PASSWORD_POLICY", MinimumPasswordLength="20") == NC
    assert sandbox.account_verdict("IAM_ROOT_ACCESS_KEY_CHECK") in (C, NC)

    assert sandbox.account_verdict("SECURITYHUB_ENABLED") == NC
    sandbox.client("securityhub").enable_security_hub()
    assert sandbox.account_verdict("SECURITYHUB_ENABLED") == C

    assert sandbox.account_verdict("GUARDDUTY_ENABLED_CENTRALIZED") == NC
    sandbox.client("guardduty").create_detector(Enable=True)
    assert sandbox.account_verdict("GUARDDUTY_ENABLED_CENTRALIZED") == C

    volume = ec2.create_volume(AvailabilityZone="us-east-1a", Size=8)["VolumeId"]
    snapshot = ec2.create_snapshot(VolumeId=volume)["SnapshotId"]
    assert sandbox.account_verdict("EBS_SNAPSHOT_PUBLIC_RESTORABLE_CHECK") == C
    ec2.modify_snapshot_attribute(
        SnapshotId=snapshot,
        Attribute="createVolumePermission",
        OperationType="add",
        GroupNames=["all"],
    )
    assert sandbox.account_verdict("EBS_SNAPSHOT_PUBLIC_RESTORABLE_CHECK") == NC

    s3control = sandbox.client("s3control")
    assert sandbox.account_verdict("S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC") == NC
    s3control.put_public_access_block(
        AccountId=sandbox.account,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    assert sandbox.account_verdict("S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC") == C


# -- subnets, route tables, queues ---------------------------------------------------------

SUBNET = "AWS::EC2::Subnet"
ROUTE_TABLE = "AWS::EC2::RouteTable"
QUEUE = "AWS::SQS::Queue"


def test_subnet_route_table_and_queue_rules_flip(server: LiveServer) -> None:
    sandbox = RecordedAccount(server, SUBNET, ROUTE_TABLE, QUEUE)
    ec2 = sandbox.client("ec2")
    vpc, [subnet, _] = vpc_with_subnets(ec2, "10.48")
    sandbox.settles("SUBNET_AUTO_ASSIGN_PUBLIC_IP_DISABLED", SUBNET, subnet, C)
    ec2.modify_subnet_attribute(SubnetId=subnet, MapPublicIpOnLaunch={"Value": True})
    sandbox.settles("SUBNET_AUTO_ASSIGN_PUBLIC_IP_DISABLED", SUBNET, subnet, NC)

    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    sandbox.settles("NO_UNRESTRICTED_ROUTE_TO_IGW", ROUTE_TABLE, table, C)
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc)
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=gateway)
    routed = sandbox.settles("NO_UNRESTRICTED_ROUTE_TO_IGW", ROUTE_TABLE, table, NC)
    assert sandbox.judge("NO_UNRESTRICTED_ROUTE_TO_IGW", routed, routeTableIds=table) == C

    sqs = sandbox.client("sqs")
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    # AWS Config names a queue by SQS's own URL, whatever endpoint the caller used.
    queue_id = f"https://sqs.{REGION}.amazonaws.com/{url.rsplit('/', 2)[1]}/jobs"
    sandbox.settles("SQS_QUEUE_NO_PUBLIC_ACCESS", QUEUE, queue_id, C)
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    public = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": arn}
        ],
    }
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(public)})
    sandbox.settles("SQS_QUEUE_NO_PUBLIC_ACCESS", QUEUE, queue_id, NC)
