"""Managed rules flipping through the live server's rules engine.

Each test is a fresh sandbox account that puts managed rules (PutConfigRule with the
managed identifier and its parameters), changes resources through boto3 against the
embedded sandbox, and waits until GetComplianceDetailsByConfigRule and
GetComplianceDetailsByResource both report the expected compliance, both ways. The
recorder turns each change into an item, the item's change triggers the rule; rules
that only run periodically are asked to run with StartConfigRulesEvaluation (which AWS
allows once a minute per rule, so their second flip waits for that minute).
"""

from __future__ import annotations

import json

from tests.conftest import REGION, LiveServer
from tests.rules.managed.sandbox import RecordedAccount
from tests.rules.managed.support import NC, C
from tests.rules.managed.test_recorded_shapes import (
    ADMIN,
    AMI,
    BALANCER,
    BUCKET,
    DB,
    FUNCTION,
    GROUP,
    INSTANCE,
    KEY,
    LAMBDA_TRUST,
    POLICY,
    QUEUE,
    READ_ONLY,
    SECRET,
    SG,
    SUBNET,
    TABLE,
    TOPIC,
    TRAIL,
    USER,
    VOLUME,
    lambda_zip,
    vpc_with_subnets,
)

ACCOUNT = "AWS::::Account"


def test_ec2_group_instance_volume_and_subnet_flip_through_the_engine(
    server: LiveServer,
) -> None:
    sandbox = RecordedAccount(server, SG, INSTANCE, VOLUME, SUBNET)
    sandbox.put_managed_rule(
        "ports", "VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS", SG, authorizedTcpPorts="443"
    )
    sandbox.put_managed_rule("type", "DESIRED_INSTANCE_TYPE", INSTANCE, instanceType="t3.micro")
    sandbox.put_managed_rule("in-use", "EC2_VOLUME_INUSE_CHECK", VOLUME)
    sandbox.put_managed_rule("no-public-ip", "SUBNET_AUTO_ASSIGN_PUBLIC_IP_DISABLED", SUBNET)
    ec2 = sandbox.client("ec2")
    vpc, [subnet, _] = vpc_with_subnets(ec2, "10.60")

    group = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    sandbox.reported("ports", SG, group, C)
    ssh = {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[ssh])
    opened = sandbox.reported("ports", SG, group, NC)
    assert "22" in opened["Annotation"]
    ec2.revoke_security_group_ingress(GroupId=group, IpPermissions=[ssh])
    sandbox.reported("ports", SG, group, C)

    [instance] = ec2.run_instances(
        ImageId=AMI, MinCount=1, MaxCount=1, InstanceType="t3.micro", SubnetId=subnet
    )["Instances"]
    instance_id = instance["InstanceId"]
    sandbox.reported("type", INSTANCE, instance_id, C)
    ec2.stop_instances(InstanceIds=[instance_id])
    ec2.modify_instance_attribute(InstanceId=instance_id, InstanceType={"Value": "m5.large"})
    resized = sandbox.reported("type", INSTANCE, instance_id, NC)
    assert resized["Annotation"] == "Instance type m5.large is not a desired type."
    ec2.modify_instance_attribute(InstanceId=instance_id, InstanceType={"Value": "t3.micro"})
    sandbox.reported("type", INSTANCE, instance_id, C)

    volume = ec2.create_volume(AvailabilityZone="us-east-1a", Size=8)["VolumeId"]
    loose = sandbox.reported("in-use", VOLUME, volume, NC)
    assert loose["Annotation"] == "The volume is not attached to an instance."
    ec2.attach_volume(VolumeId=volume, InstanceId=instance_id, Device="/dev/sdf")
    sandbox.reported("in-use", VOLUME, volume, C)
    ec2.detach_volume(VolumeId=volume, InstanceId=instance_id)
    sandbox.reported("in-use", VOLUME, volume, NC)

    sandbox.reported("no-public-ip", SUBNET, subnet, C)
    ec2.modify_subnet_attribute(SubnetId=subnet, MapPublicIpOnLaunch={"Value": True})
    public = sandbox.reported("no-public-ip", SUBNET, subnet, NC)
    assert public["Annotation"] == "The subnet assigns public IPv4 addresses on launch."
    ec2.modify_subnet_attribute(SubnetId=subnet, MapPublicIpOnLaunch={"Value": False})
    sandbox.reported("no-public-ip", SUBNET, subnet, C)


def test_bucket_table_and_database_flip_through_the_engine(server: LiveServer) -> None:
    sandbox = RecordedAccount(server, BUCKET, TABLE, DB)
    sandbox.put_managed_rule("versioning", "S3_BUCKET_VERSIONING_ENABLED", BUCKET)
    sandbox.put_managed_rule("pitr", "DYNAMODB_PITR_ENABLED", TABLE)
    sandbox.put_managed_rule("protected", "RDS_INSTANCE_DELETION_PROTECTION_ENABLED", DB)

    s3 = sandbox.client("s3")
    s3.create_bucket(Bucket="ledger-flips")
    plain = sandbox.reported("versioning", BUCKET, "ledger-flips", NC)
    assert plain["Annotation"] == "Versioning is not enabled on the bucket."
    s3.put_bucket_versioning(Bucket="ledger-flips", VersioningConfiguration={"Status": "Enabled"})
    sandbox.reported("versioning", BUCKET, "ledger-flips", C)
    s3.put_bucket_versioning(Bucket="ledger-flips", VersioningConfiguration={"Status": "Suspended"})
    sandbox.reported("versioning", BUCKET, "ledger-flips", NC)

    dynamodb = sandbox.client("dynamodb")
    dynamodb.create_table(
        TableName="orders",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    first = sandbox.reported("pitr", TABLE, "orders", NC)
    assert first["Annotation"] == "Point-in-time recovery is not enabled for the table."
    for enabled, expected in ((True, C), (False, NC)):
        dynamodb.update_continuous_backups(
            TableName="orders",
            PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": enabled},
        )
        sandbox.reported("pitr", TABLE, "orders", expected)

    rds = sandbox.client("rds")
    resource_id = rds.create_db_instance(
        DBInstanceIdentifier="orders",
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        MasterUsername="admin",
        MasterUserPassword="secret-password",
        AllocatedStorage=20,
        DeletionProtection=False,
    )["DBInstance"]["DbiResourceId"]
    unprotected = sandbox.reported("protected", DB, resource_id, NC)
    assert unprotected.get("Annotation")
    for protection, expected in ((True, C), (False, NC)):
        rds.modify_db_instance(
            DBInstanceIdentifier="orders", DeletionProtection=protection, ApplyImmediately=True
        )
        sandbox.reported("protected", DB, resource_id, expected)


def test_iam_lambda_and_messaging_flip_through_the_engine(server: LiveServer) -> None:
    sandbox = RecordedAccount(server, USER, POLICY, FUNCTION, TOPIC, QUEUE, SECRET)
    sandbox.put_managed_rule("no-user-policies", "IAM_USER_NO_POLICIES_CHECK", USER)
    sandbox.put_managed_rule("no-admin", "IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS", POLICY)
    sandbox.put_managed_rule(
        "runtime", "LAMBDA_FUNCTION_SETTINGS_CHECK", FUNCTION, runtime="python3.12"
    )
    sandbox.put_managed_rule("sns-kms", "SNS_ENCRYPTED_KMS", TOPIC)
    sandbox.put_managed_rule("sqs-private", "SQS_QUEUE_NO_PUBLIC_ACCESS", QUEUE)
    sandbox.put_managed_rule(
        "rotation",
        "SECRETSMANAGER_ROTATION_ENABLED_CHECK",
        SECRET,
        maximumAllowedRotationFrequency="14",
    )

    iam = sandbox.client("iam")
    user_id = iam.create_user(UserName="alice")["User"]["UserId"]
    sandbox.reported("no-user-policies", USER, user_id, C)
    iam.put_user_policy(UserName="alice", PolicyName="reads", PolicyDocument=json.dumps(READ_ONLY))
    inline = sandbox.reported("no-user-policies", USER, user_id, NC)
    assert inline.get("Annotation")
    iam.delete_user_policy(UserName="alice", PolicyName="reads")
    sandbox.reported("no-user-policies", USER, user_id, C)

    policy = iam.create_policy(PolicyName="everything", PolicyDocument=json.dumps(ADMIN))["Policy"]
    admin = sandbox.reported("no-admin", POLICY, policy["PolicyId"], NC)
    assert admin.get("Annotation")
    iam.create_policy_version(
        PolicyArn=policy["Arn"], PolicyDocument=json.dumps(READ_ONLY), SetAsDefault=True
    )
    sandbox.reported("no-admin", POLICY, policy["PolicyId"], C)
    iam.set_default_policy_version(PolicyArn=policy["Arn"], VersionId="v1")
    sandbox.reported("no-admin", POLICY, policy["PolicyId"], NC)

    role = iam.create_role(RoleName="fn-role", AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))[
        "Role"
    ]["Arn"]
    lambda_ = sandbox.client("lambda")
    lambda_.create_function(
        FunctionName="handler",
        Runtime="python3.12",
        Role=role,
        Handler="handler.handler",
        Code={"ZipFile": lambda_zip()},
    )
    sandbox.reported("runtime", FUNCTION, "handler", C)
    for runtime, expected in (("python3.11", NC), ("python3.12", C)):
        lambda_.update_function_configuration(FunctionName="handler", Runtime=runtime)
        sandbox.reported("runtime", FUNCTION, "handler", expected)

    sns = sandbox.client("sns")
    topic = sns.create_topic(Name="alerts")["TopicArn"]
    plain = sandbox.reported("sns-kms", TOPIC, topic, NC)
    assert plain.get("Annotation")
    for key, expected in (("alias/aws/sns", C), ("", NC)):
        sns.set_topic_attributes(TopicArn=topic, AttributeName="KmsMasterKeyId", AttributeValue=key)
        sandbox.reported("sns-kms", TOPIC, topic, expected)

    sqs = sandbox.client("sqs")
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    queue_id = f"https://sqs.{REGION}.amazonaws.com/{sandbox.account}/jobs"
    sandbox.reported("sqs-private", QUEUE, queue_id, C)
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]

    def policy(principal: object) -> str:
        statement = {"Effect": "Allow", "Principal": principal, "Action": "sqs:SendMessage"}
        return json.dumps({"Version": "2012-10-17", "Statement": [{**statement, "Resource": arn}]})

    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy("*")})
    public = sandbox.reported("sqs-private", QUEUE, queue_id, NC)
    assert public.get("Annotation")
    own = {"AWS": f"arn:aws:iam::{sandbox.account}:root"}
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy(own)})
    sandbox.reported("sqs-private", QUEUE, queue_id, C)

    secrets = sandbox.client("secretsmanager")
    secret = secrets.create_secret(Name="db", SecretString="hunter2")["ARN"]
    unrotated = sandbox.reported("rotation", SECRET, secret, NC)
    assert unrotated.get("Annotation")
    for days, expected in ((7, C), (30, NC)):
        secrets.rotate_secret(SecretId=secret, RotationRules={"AutomaticallyAfterDays": days})
        sandbox.reported("rotation", SECRET, secret, expected)


def test_balancer_and_auto_scaling_group_flip_through_the_engine(server: LiveServer) -> None:
    sandbox = RecordedAccount(server, BALANCER, GROUP)
    sandbox.put_managed_rule("lb-protected", "ELB_DELETION_PROTECTION_ENABLED", BALANCER)
    sandbox.put_managed_rule("asg-elb", "AUTOSCALING_GROUP_ELB_HEALTHCHECK_REQUIRED", GROUP)
    ec2 = sandbox.client("ec2")
    vpc, subnets = vpc_with_subnets(ec2, "10.61")

    elbv2 = sandbox.client("elbv2")
    balancer = elbv2.create_load_balancer(Name="web", Subnets=subnets, Type="application")[
        "LoadBalancers"
    ][0]["LoadBalancerArn"]
    plain = sandbox.reported("lb-protected", BALANCER, balancer, NC)
    assert plain.get("Annotation")
    for value, expected in (("true", C), ("false", NC)):
        elbv2.modify_load_balancer_attributes(
            LoadBalancerArn=balancer,
            Attributes=[{"Key": "deletion_protection.enabled", "Value": value}],
        )
        sandbox.reported("lb-protected", BALANCER, balancer, expected)

    target = elbv2.create_target_group(Name="asg", Protocol="HTTP", Port=80, VpcId=vpc)[
        "TargetGroups"
    ][0]["TargetGroupArn"]
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
    ec2_checked = sandbox.reported("asg-elb", GROUP, arn, NC)
    assert ec2_checked.get("Annotation")
    for check, expected in (("ELB", C), ("EC2", NC)):
        autoscaling.update_auto_scaling_group(
            AutoScalingGroupName="web", HealthCheckType=check, HealthCheckGracePeriod=60
        )
        sandbox.reported("asg-elb", GROUP, arn, expected)


def test_periodic_rules_flip_when_asked_to_evaluate(server: LiveServer) -> None:
    """Key rotation, a trail's log validation and the account's EBS default encryption
    are periodic rules: each flip is seen after a requested run."""
    sandbox = RecordedAccount(server, KEY, TRAIL)
    account = sandbox.account
    kms = sandbox.client("kms")
    key = kms.create_key(Description="ledger")["KeyMetadata"]["KeyId"]
    sandbox.client("s3").create_bucket(Bucket="ledger-flips-trail")
    cloudtrail = sandbox.client("cloudtrail")
    cloudtrail.create_trail(Name="main", S3BucketName="ledger-flips-trail")
    ec2 = sandbox.client("ec2")
    sandbox.wait(lambda: sandbox.newest(KEY, key), "the key's item")
    sandbox.wait(lambda: sandbox.newest(TRAIL, "main"), "the trail's item")

    # A new rule's first evaluation takes in what is recorded.
    sandbox.put_managed_rule("rotation", "CMK_BACKING_KEY_ROTATION_ENABLED", KEY)
    sandbox.put_managed_rule("validation", "CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED", TRAIL)
    sandbox.put_managed_rule("ebs-default", "EC2_EBS_ENCRYPTION_BY_DEFAULT")
    rotation = sandbox.reported("rotation", KEY, key, NC)
    assert rotation["Annotation"] == "Automatic key rotation is disabled."
    assert sandbox.reported("validation", TRAIL, "main", NC).get("Annotation")
    unencrypted = sandbox.reported("ebs-default", ACCOUNT, account, NC)
    assert unencrypted["Annotation"] == "EBS encryption by default is disabled in this region."

    kms.enable_key_rotation(KeyId=key)
    cloudtrail.update_trail(Name="main", EnableLogFileValidation=True)
    ec2.enable_ebs_encryption_by_default()
    sandbox.wait(lambda: rotation_recorded(sandbox, key, "true"), "the key's rotation recorded")
    sandbox.wait(lambda: validation_recorded(sandbox, True), "the trail's validation recorded")
    sandbox.reported("rotation", KEY, key, C, rerun=True)
    sandbox.reported("validation", TRAIL, "main", C, rerun=True)
    sandbox.reported("ebs-default", ACCOUNT, account, C, rerun=True)

    # Back again: AWS allows the next requested run a minute after the last.
    kms.disable_key_rotation(KeyId=key)
    cloudtrail.update_trail(Name="main", EnableLogFileValidation=False)
    ec2.disable_ebs_encryption_by_default()
    sandbox.wait(lambda: rotation_recorded(sandbox, key, "false"), "the key's rotation off")
    sandbox.wait(lambda: validation_recorded(sandbox, False), "the trail's validation off")
    sandbox.reported("rotation", KEY, key, NC, rerun=True)
    sandbox.reported("validation", TRAIL, "main", NC, rerun=True)
    sandbox.reported("ebs-default", ACCOUNT, account, NC, rerun=True)


def rotation_recorded(sandbox: RecordedAccount, key: str, status: str) -> bool:
    item = sandbox.newest(KEY, key) or {}
    return bool(item.get("supplementaryConfiguration", {}).get("KeyRotationStatus") == status)


def validation_recorded(sandbox: RecordedAccount, enabled: bool) -> bool:
    item = sandbox.newest(TRAIL, "main")
    configuration = json.loads(item["configuration"]) if item else {}
    return bool(configuration.get("logFileValidationEnabled") is enabled)
