"""The rules for RDS, DynamoDB, KMS, Lambda, SNS, CloudTrail, load balancers, Auto
Scaling, Secrets Manager, GuardDuty, Security Hub and tags, over named items shaped as
the recorder records each type (recorder/resource_types/<service>/<type>.py: lowerCamel,
or the Java-bean form for DynamoDB, KMS, Lambda and Auto Scaling; SNS attributes and
secrets under AWS Config's own keys)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from configledger.rules.types import AwsCallFailed
from tests.rules.managed.support import (
    NA,
    NC,
    C,
    Case,
    DictEnvironment,
    account_item,
    ids,
    stream_item,
)

KEY = "arn:aws:kms:us-east-1:123456789012:key/1111aaaa-2222-bbbb-3333-cccc4444dddd"
OTHER_KEY = "arn:aws:kms:us-east-1:123456789012:key/9999aaaa-2222-bbbb-3333-cccc4444dddd"


def db(**configuration: Any) -> dict[str, Any]:
    base = {
        "dBInstanceIdentifier": "orders",
        "dBInstanceClass": "db.t3.micro",
        "engine": "postgres",
        "storageEncrypted": True,
        "kmsKeyId": KEY,
        "publiclyAccessible": False,
        "multiAZ": True,
        "backupRetentionPeriod": 7,
        "preferredBackupWindow": "03:00-04:00",
        "deletionProtection": True,
        "tagList": [],
    }
    base.update(configuration)
    return stream_item("AWS::RDS::DBInstance", "db-ABCDEFGHIJKL", base, name="orders")


def table(pitr: str = "ENABLED", sse: dict[str, Any] | None = None) -> dict[str, Any]:
    configuration: dict[str, Any] = {
        "tableName": "orders",
        "tableStatus": "ACTIVE",
        "tableArn": "arn:aws:dynamodb:us-east-1:123456789012:table/orders",
    }
    if sse is not None:
        configuration["ssedescription"] = sse
    return stream_item(
        "AWS::DynamoDB::Table",
        "orders",
        configuration,
        supplementary={
            "ContinuousBackupsDescription": {
                "continuousBackupsStatus": "ENABLED",
                "pointInTimeRecoveryDescription": {"pointInTimeRecoveryStatus": pitr},
            }
        },
        name="orders",
    )


def kms_key(rotation: bool | None = True, **configuration: Any) -> dict[str, Any]:
    base = {
        "awsaccountId": "123456789012",
        "keyId": "1111aaaa-2222-bbbb-3333-cccc4444dddd",
        "arn": KEY,
        "enabled": True,
        "keyUsage": "ENCRYPT_DECRYPT",
        "keyState": "Enabled",
        "origin": "AWS_KMS",
        "keyManager": "CUSTOMER",
        "customerMasterKeySpec": "SYMMETRIC_DEFAULT",
        "keySpec": "SYMMETRIC_DEFAULT",
        "encryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
        "signingAlgorithms": [],
    }
    base.update(configuration)
    supplementary: dict[str, Any] = {"Policy": "{}"}
    if rotation is not None:
        supplementary["KeyRotationStatus"] = rotation
    return stream_item("AWS::KMS::Key", str(base["keyId"]), base, supplementary=supplementary)


def function(vpc_subnets: tuple[str, ...] = (), policy: Any = None) -> dict[str, Any]:
    supplementary: dict[str, Any] = {"Tags": {}}
    if policy is not None:
        supplementary["Policy"] = json.dumps(policy)
    return stream_item(
        "AWS::Lambda::Function",
        "handler",
        {
            "functionName": "handler",
            "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:handler",
            "runtime": "python3.12",
            "vpcConfig": {"subnetIds": list(vpc_subnets), "securityGroupIds": [], "vpcId": ""},
            "state": {"value": "Active"},
        },
        supplementary=supplementary,
        name="handler",
    )


def lambda_policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Id": "default", "Statement": list(statements)}


PUBLIC_INVOKE = {
    "Sid": "public",
    "Effect": "Allow",
    "Principal": "*",
    "Action": "lambda:InvokeFunction",
    "Resource": "arn:aws:lambda:us-east-1:123456789012:function:handler",
}
S3_INVOKE = {
    **PUBLIC_INVOKE,
    "Principal": {"Service": "s3.amazonaws.com"},
    "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:s3:::uploads"}},
}


def topic(key: str | None = None) -> dict[str, Any]:
    arn = "arn:aws:sns:us-east-1:123456789012:alerts"
    attributes = {"TopicArn": arn, "Owner": "123456789012", "DisplayName": ""}
    if key:
        attributes["KmsMasterKeyId"] = key
    return stream_item(
        "AWS::SNS::Topic", arn, attributes, supplementary={"Tags": []}, name="alerts"
    )


def trail(**configuration: Any) -> dict[str, Any]:
    base = {
        "name": "main",
        "s3BucketName": "trail-bucket",
        "isMultiRegionTrail": True,
        "logFileValidationEnabled": True,
        "kmsKeyId": KEY,
        "trailARN": "arn:aws:cloudtrail:us-east-1:123456789012:trail/main",
    }
    base.update(configuration)
    return stream_item("AWS::CloudTrail::Trail", "main", base, name="main")


def trails(*listed: dict[str, Any], logging: bool = True, selectors: Any = None) -> DictEnvironment:
    return DictEnvironment(
        calls={
            ("cloudtrail", "describe_trails"): {"trailList": list(listed)},
            ("cloudtrail", "get_trail_status"): {"IsLogging": logging},
            ("cloudtrail", "get_event_selectors"): selectors
            or {"EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": True}]},
        }
    )


def api_trail(**fields: Any) -> dict[str, Any]:
    base = {
        "Name": "main",
        "S3BucketName": "trail-bucket",
        "IsMultiRegionTrail": True,
        "TrailARN": "arn:aws:cloudtrail:us-east-1:123456789012:trail/main",
    }
    base.update(fields)
    return base


LB_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188"


def balancer(
    kind: str = "application", logs: bool = True, bucket: str = "lb-logs"
) -> dict[str, Any]:
    return stream_item(
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        LB_ARN,
        {
            "loadBalancerArn": LB_ARN,
            "loadBalancerName": "web",
            "type": kind,
            "scheme": "internet-facing",
        },
        supplementary={
            "LoadBalancerAttributes": [
                {"key": "access_logs.s3.enabled", "value": str(logs).lower()},
                {"key": "access_logs.s3.bucket", "value": bucket if logs else ""},
                {"key": "deletion_protection.enabled", "value": "false"},
            ],
            "Tags": [],
        },
        name="web",
    )


def classic(logs: bool) -> dict[str, Any]:
    return stream_item(
        "AWS::ElasticLoadBalancing::LoadBalancer",
        "legacy",
        {"loadBalancerName": "legacy"},
        supplementary={
            "LoadBalancerAttributes": {"accessLog": {"enabled": logs, "s3BucketName": "lb-logs"}}
        },
    )


def listeners(*listed: dict[str, Any], rules: tuple[dict[str, Any], ...] = ()) -> DictEnvironment:
    return DictEnvironment(
        calls={
            ("elbv2", "describe_listeners"): {"Listeners": list(listed)},
            ("elbv2", "describe_rules"): {"Rules": [{"IsDefault": True, "Actions": []}, *rules]},
        }
    )


def listener(protocol: str, port: int, *actions: dict[str, Any]) -> dict[str, Any]:
    return {
        "ListenerArn": f"{LB_ARN}/listener/{port}",
        "Protocol": protocol,
        "Port": port,
        "DefaultActions": list(actions),
    }


REDIRECT = {
    "Type": "redirect",
    "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"},
}
FORWARD = {"Type": "forward", "TargetGroupArn": "arn:tg"}


def scaling_group(
    health: str = "ELB", *, targets: bool = True, names: tuple[str, ...] = ()
) -> dict[str, Any]:
    arn = "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:1:autoScalingGroupName/web"
    return stream_item(
        "AWS::AutoScaling::AutoScalingGroup",
        arn,
        {
            "autoScalingGroupName": "web",
            "autoScalingGroupARN": arn,
            "loadBalancerNames": list(names),
            "targetGroupARNs": ["arn:tg"] if targets else [],
            "healthCheckType": health,
            "vpczoneIdentifier": "subnet-1",
        },
        name="web",
    )


def secret(
    enabled: bool = True, rules: dict[str, Any] | None = None, deleted: bool = False
) -> dict[str, Any]:
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"
    return stream_item(
        "AWS::SecretsManager::Secret",
        arn,
        {
            "ARN": arn,
            "Name": "db",
            "Description": None,
            "KMSKeyId": None,
            "RotationEnabled": enabled,
            "RotationLambdaARN": "arn:aws:lambda:us-east-1:123456789012:function:rotate"
            if enabled
            else None,
            "RotationRules": rules,
            "Deleted": deleted,
        },
        name="db",
    )


def guardduty(
    *statuses: str, administrator: dict[str, Any] | AwsCallFailed | None = None
) -> DictEnvironment:
    calls: dict[tuple[str, str], Any] = {
        ("guardduty", "list_detectors"): {"DetectorIds": [f"d{n}" for n in range(len(statuses))]},
        ("guardduty", "get_detector"): lambda DetectorId: {"Status": statuses[int(DetectorId[1:])]},
    }
    if administrator is not None:
        calls[("guardduty", "get_administrator_account")] = (
            administrator
            if isinstance(administrator, AwsCallFailed)
            else {"Administrator": administrator}
        )
    return DictEnvironment(calls=calls)


def tagged(**tags: str) -> dict[str, Any]:
    return stream_item("AWS::EC2::Instance", "i-0a1b", {"instanceId": "i-0a1b"}, tags=tags)


RDS_ENC = "RDS_STORAGE_ENCRYPTED"
RDS_PUBLIC = "RDS_INSTANCE_PUBLIC_ACCESS_CHECK"
RDS_MULTI_AZ = "RDS_MULTI_AZ_SUPPORT"
BACKUP = "DB_INSTANCE_BACKUP_ENABLED"
DELETION = "RDS_INSTANCE_DELETION_PROTECTION_ENABLED"
PITR = "DYNAMODB_PITR_ENABLED"
DDB_KMS = "DYNAMODB_TABLE_ENCRYPTED_KMS"
KMS_DELETE = "KMS_CMK_NOT_SCHEDULED_FOR_DELETION"
ROTATION = "CMK_BACKING_KEY_ROTATION_ENABLED"
LAMBDA_PUBLIC = "LAMBDA_FUNCTION_PUBLIC_ACCESS_PROHIBITED"
LAMBDA_VPC = "LAMBDA_INSIDE_VPC"
SNS = "SNS_ENCRYPTED_KMS"
TRAIL_ON = "CLOUD_TRAIL_ENABLED"
MULTI = "MULTI_REGION_CLOUD_TRAIL_ENABLED"
TRAIL_KMS = "CLOUD_TRAIL_ENCRYPTION_ENABLED"
VALIDATION = "CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED"
ELB_LOGS = "ELB_LOGGING_ENABLED"
REDIRECTS = "ALB_HTTP_TO_HTTPS_REDIRECTION_CHECK"
ASG = "AUTOSCALING_GROUP_ELB_HEALTHCHECK_REQUIRED"
SECRETS = "SECRETSMANAGER_ROTATION_ENABLED_CHECK"
GUARDDUTY = "GUARDDUTY_ENABLED_CENTRALIZED"
HUB = "SECURITYHUB_ENABLED"
TAGS = "REQUIRED_TAGS"

CASES = [
    Case("encrypted storage", RDS_ENC, db(), C),
    Case("unencrypted storage", RDS_ENC, db(storageEncrypted=False, kmsKeyId=None), NC),
    Case("encrypted with another key", RDS_ENC, db(), NC, {"kmsKeyId": OTHER_KEY}),
    Case("private instance", RDS_PUBLIC, db(), C),
    Case("public instance", RDS_PUBLIC, db(publiclyAccessible=True), NC),
    Case("Multi-AZ instance", RDS_MULTI_AZ, db(), C),
    Case("single-AZ instance", RDS_MULTI_AZ, db(multiAZ=False), NC),
    Case("Aurora instance", RDS_MULTI_AZ, db(engine="aurora-postgresql", multiAZ=False), NA),
    Case("Neptune instance", RDS_MULTI_AZ, db(engine="neptune", multiAZ=False), NA),
    Case("backups kept a week", BACKUP, db(), C),
    Case("backups off", BACKUP, db(backupRetentionPeriod=0), NC),
    Case("fewer days than the minimum", BACKUP, db(), NC, {"backupRetentionMinimum": "14"}),
    Case("not the exact period", BACKUP, db(), NC, {"backupRetentionPeriod": "5"}),
    Case(
        "the exact period and window",
        BACKUP,
        db(),
        C,
        {"backupRetentionPeriod": "7", "preferredBackupWindow": "03:00-04:00"},
    ),
    Case("another window", BACKUP, db(), NC, {"preferredBackupWindow": "05:00-06:00"}),
    Case(
        "read replica without backups",
        BACKUP,
        db(backupRetentionPeriod=0, readReplicaSourceDBInstanceIdentifier="orders-main"),
        NA,
    ),
    Case(
        "read replica checked",
        BACKUP,
        db(backupRetentionPeriod=0, readReplicaSourceDBInstanceIdentifier="orders-main"),
        NC,
        {"checkReadReplicas": "true"},
    ),
    Case("deletion protection on", DELETION, db(), C),
    Case("deletion protection off", DELETION, db(deletionProtection=False), NC),
    Case(
        "engine not listed",
        DELETION,
        db(deletionProtection=False),
        NA,
        {"databaseEngines": "mysql,mariadb"},
    ),
    Case(
        "listed engine without protection",
        DELETION,
        db(deletionProtection=False),
        NC,
        {"databaseEngines": "postgres"},
    ),
    Case("PITR on", PITR, table(), C),
    Case("PITR off", PITR, table("DISABLED"), NC),
    Case(
        "KMS-encrypted table",
        DDB_KMS,
        table(sse={"status": "ENABLED", "ssetype": "KMS", "kmsmasterKeyArn": KEY}),
        C,
    ),
    Case("table with an AWS owned key", DDB_KMS, table(), NC),
    Case(
        "table with a key not listed",
        DDB_KMS,
        table(sse={"status": "ENABLED", "ssetype": "KMS", "kmsmasterKeyArn": KEY}),
        NC,
        {"kmsKeyArns": OTHER_KEY},
    ),
    Case("enabled key", KMS_DELETE, kms_key(), C),
    Case("key pending deletion", KMS_DELETE, kms_key(keyState="PendingDeletion"), NC),
    Case(
        "key outside kmsKeyIds",
        KMS_DELETE,
        kms_key(keyState="PendingDeletion"),
        NA,
        {"kmsKeyIds": "abcd-1234, efgh-5678"},
    ),
    Case(
        "listed key pending deletion",
        KMS_DELETE,
        kms_key(keyState="PendingDeletion"),
        NC,
        {"kmsKeyIds": "1111aaaa-2222-bbbb-3333-cccc4444dddd"},
    ),
    Case("rotating customer key", ROTATION, kms_key(), C),
    Case("customer key not rotating", ROTATION, kms_key(rotation=False), NC),
    Case("AWS managed key", ROTATION, kms_key(rotation=None, keyManager="AWS"), NA),
    Case(
        "asymmetric key",
        ROTATION,
        kms_key(rotation=None, keySpec="RSA_2048", customerMasterKeySpec="RSA_2048"),
        NA,
    ),
    Case("imported key material", ROTATION, kms_key(rotation=None, origin="EXTERNAL"), NA),
    Case("key pending deletion", ROTATION, kms_key(rotation=False, keyState="PendingDeletion"), NA),
    Case(
        "policy for S3 with a source", LAMBDA_PUBLIC, function(policy=lambda_policy(S3_INVOKE)), C
    ),
    Case(
        "policy open to everyone", LAMBDA_PUBLIC, function(policy=lambda_policy(PUBLIC_INVOKE)), NC
    ),
    Case(
        "no policy at all",
        LAMBDA_PUBLIC,
        function(),
        C,
        env=DictEnvironment(
            calls={("lambda", "get_policy"): AwsCallFailed("ResourceNotFoundException")}
        ),
    ),
    Case(
        "public policy read from Lambda",
        LAMBDA_PUBLIC,
        function(),
        NC,
        env=DictEnvironment(
            calls={("lambda", "get_policy"): {"Policy": json.dumps(lambda_policy(PUBLIC_INVOKE))}}
        ),
    ),
    Case("function in a VPC", LAMBDA_VPC, function(("subnet-1", "subnet-2")), C),
    Case("function outside any VPC", LAMBDA_VPC, function(), NC),
    Case(
        "function in an unlisted subnet",
        LAMBDA_VPC,
        function(("subnet-1", "subnet-9")),
        NC,
        {"subnetIds": "subnet-1,subnet-2"},
    ),
    Case(
        "function in listed subnets",
        LAMBDA_VPC,
        function(("subnet-1",)),
        C,
        {"subnetIds": "subnet-1,subnet-2"},
    ),
    Case("topic with a key", SNS, topic("alias/aws/sns"), C),
    Case("topic without a key", SNS, topic(), NC),
    Case("topic with a key not listed", SNS, topic(KEY), NC, {"kmsKeyIds": OTHER_KEY}),
    Case("topic with a listed key", SNS, topic(KEY), C, {"kmsKeyIds": f"{OTHER_KEY},{KEY}"}),
    Case("a logging trail", TRAIL_ON, account_item(), C, env=trails(api_trail())),
    Case("no trail", TRAIL_ON, account_item(), NC, env=trails()),
    Case(
        "a trail that is not logging",
        TRAIL_ON,
        account_item(),
        NC,
        env=trails(api_trail(), logging=False),
    ),
    Case(
        "a trail to another bucket",
        TRAIL_ON,
        account_item(),
        NC,
        {"s3BucketName": "audit"},
        trails(api_trail()),
    ),
    Case(
        "a trail to the wanted bucket",
        TRAIL_ON,
        account_item(),
        C,
        {"s3BucketName": "trail-bucket"},
        trails(api_trail()),
    ),
    Case("a multi-region trail", MULTI, account_item(), C, env=trails(api_trail())),
    Case(
        "no selectors: CloudTrail's default",
        MULTI,
        account_item(),
        C,
        env=trails(api_trail(), selectors={"EventSelectors": [], "AdvancedEventSelectors": []}),
    ),
    Case(
        "a single-region trail",
        MULTI,
        account_item(),
        NC,
        env=trails(api_trail(IsMultiRegionTrail=False)),
    ),
    Case(
        "management events excluded",
        MULTI,
        account_item(),
        NC,
        env=trails(
            api_trail(),
            selectors={
                "EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": False}]
            },
        ),
    ),
    Case(
        "write-only, all wanted",
        MULTI,
        account_item(),
        NC,
        env=trails(
            api_trail(),
            selectors={
                "EventSelectors": [{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}]
            },
        ),
    ),
    Case(
        "write-only, write-only wanted",
        MULTI,
        account_item(),
        C,
        {"readWriteType": "WriteOnly"},
        trails(
            api_trail(),
            selectors={
                "EventSelectors": [{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}]
            },
        ),
    ),
    Case(
        "advanced selectors for management events",
        MULTI,
        account_item(),
        C,
        env=trails(
            api_trail(),
            selectors={
                "AdvancedEventSelectors": [
                    {
                        "Name": "m",
                        "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}],
                    }
                ]
            },
        ),
    ),
    Case("encrypted trail", TRAIL_KMS, trail(), C),
    Case("unencrypted trail", TRAIL_KMS, trail(kmsKeyId=None), NC),
    Case("validated trail", VALIDATION, trail(), C),
    Case("unvalidated trail", VALIDATION, trail(logFileValidationEnabled=False), NC),
    Case("ALB with logs", ELB_LOGS, balancer(), C),
    Case("ALB without logs", ELB_LOGS, balancer(logs=False), NC),
    Case(
        "ALB logging to an unlisted bucket",
        ELB_LOGS,
        balancer(bucket="x"),
        NC,
        {"s3BucketNames": "lb-logs"},
    ),
    Case("NLB", ELB_LOGS, balancer("network", logs=False), NA),
    Case("Classic load balancer with logs", ELB_LOGS, classic(True), C),
    Case("Classic load balancer without logs", ELB_LOGS, classic(False), NC),
    Case(
        "HTTP redirects to HTTPS",
        REDIRECTS,
        balancer(),
        C,
        env=listeners(listener("HTTP", 80, REDIRECT), listener("HTTPS", 443, FORWARD)),
    ),
    Case("HTTP forwards", REDIRECTS, balancer(), NC, env=listeners(listener("HTTP", 80, FORWARD))),
    Case(
        "a listener rule forwards plain HTTP",
        REDIRECTS,
        balancer(),
        NC,
        env=listeners(
            listener("HTTP", 80, REDIRECT), rules=({"IsDefault": False, "Actions": [FORWARD]},)
        ),
    ),
    Case("HTTPS only", REDIRECTS, balancer(), C, env=listeners(listener("HTTPS", 443, FORWARD))),
    Case("NLB", REDIRECTS, balancer("network"), NA),
    Case("ELB health checks", ASG, scaling_group(), C),
    Case("EC2 health checks behind a target group", ASG, scaling_group("EC2"), NC),
    Case(
        "EC2 health checks behind a Classic load balancer",
        ASG,
        scaling_group("EC2", targets=False, names=("legacy",)),
        NC,
    ),
    Case("no load balancer", ASG, scaling_group("EC2", targets=False), NA),
    Case("rotating every 30 days", SECRETS, secret(rules={"AutomaticallyAfterDays": 30}), C),
    Case("rotation off", SECRETS, secret(enabled=False), NC),
    Case(
        "rotating less often than allowed",
        SECRETS,
        secret(rules={"AutomaticallyAfterDays": 90}),
        NC,
        {"maximumAllowedRotationFrequency": "30"},
    ),
    Case(
        "rotating every 4 hours, 6 allowed",
        SECRETS,
        secret(rules={"RotationScheduleExpression": "rate(4 hours)"}),
        C,
        {"maximumAllowedRotationFrequencyInHours": "6"},
    ),
    Case(
        "rotating every 2 days, 24 hours allowed",
        SECRETS,
        secret(rules={"RotationScheduleExpression": "rate(2 days)"}),
        NC,
        {"maximumAllowedRotationFrequencyInHours": "24"},
    ),
    Case("secret scheduled for deletion", SECRETS, secret(enabled=False, deleted=True), NA),
    Case("an enabled detector", GUARDDUTY, account_item(), C, env=guardduty("ENABLED")),
    Case("no detector", GUARDDUTY, account_item(), NC, env=guardduty()),
    Case("a disabled detector", GUARDDUTY, account_item(), NC, env=guardduty("DISABLED")),
    Case(
        "administered by the central account",
        GUARDDUTY,
        account_item(),
        C,
        {"CentralMonitoringAccount": "999999999999"},
        guardduty(
            "ENABLED", administrator={"AccountId": "999999999999", "RelationshipStatus": "Enabled"}
        ),
    ),
    Case(
        "administered by another account",
        GUARDDUTY,
        account_item(),
        NC,
        {"CentralMonitoringAccount": "999999999999"},
        guardduty(
            "ENABLED", administrator={"AccountId": "888888888888", "RelationshipStatus": "Enabled"}
        ),
    ),
    Case(
        "no administrator",
        GUARDDUTY,
        account_item(),
        NC,
        {"CentralMonitoringAccount": "999999999999"},
        guardduty("ENABLED", administrator=AwsCallFailed("BadRequestException")),
    ),
    Case(
        "hub enabled",
        HUB,
        account_item(),
        C,
        env=DictEnvironment(calls={("securityhub", "describe_hub"): {"HubArn": "arn:hub"}}),
    ),
    Case(
        "hub not enabled",
        HUB,
        account_item(),
        NC,
        env=DictEnvironment(
            calls={("securityhub", "describe_hub"): AwsCallFailed("InvalidAccessException")}
        ),
    ),
    Case("has the default tag", TAGS, tagged(CostCenter="42"), C),
    Case("lacks the default tag", TAGS, tagged(Owner="me"), NC),
    Case("tag keys are case-sensitive", TAGS, tagged(costcenter="42"), NC),
    Case(
        "value not allowed",
        TAGS,
        tagged(CostCenter="42", env="dev"),
        NC,
        {"tag2Key": "env", "tag2Value": "prod,staging"},
    ),
    Case(
        "value allowed",
        TAGS,
        tagged(CostCenter="42", env="prod"),
        C,
        {"tag2Key": "env", "tag2Value": "prod,staging"},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_case(case: Case) -> None:
    case.run()


def test_unexpected_aws_errors_are_not_verdicts() -> None:
    env = DictEnvironment(
        calls={("securityhub", "describe_hub"): AwsCallFailed("ThrottlingException")}
    )
    with pytest.raises(AwsCallFailed):
        Case("", HUB, account_item(), NC, env=env).run()
