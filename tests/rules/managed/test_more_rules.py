"""Managed rules beyond spec 7.9 for types the recorder records (subnets, route tables,
IAM groups and policies, load balancers, Lambda, RDS, instances, Auto Scaling, secrets,
CloudFormation stacks, SQS queues), over named items in the recorder's shapes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from configledger.recorder.resource_types.iam._shared import encoded
from tests.rules.managed.support import NA, NC, C, Case, ids, stream_item
from tests.rules.managed.test_ec2_rules import instance
from tests.rules.managed.test_service_rules import (
    KEY,
    balancer,
    db,
    function,
    scaling_group,
    secret,
)


def subnet(public: bool) -> dict[str, Any]:
    return stream_item(
        "AWS::EC2::Subnet",
        "subnet-0a1b",
        {"subnetId": "subnet-0a1b", "vpcId": "vpc-0a1b", "mapPublicIpOnLaunch": public, "tags": []},
    )


def route_table(*routes: dict[str, Any], table: str = "rtb-0a1b") -> dict[str, Any]:
    local = {"destinationCidrBlock": "10.0.0.0/16", "gatewayId": "local", "state": "active"}
    return stream_item(
        "AWS::EC2::RouteTable",
        table,
        {"routeTableId": table, "vpcId": "vpc-0a1b", "routes": [local, *routes], "tags": []},
    )


IGW_ROUTE = {"destinationCidrBlock": "0.0.0.0/0", "gatewayId": "igw-0a1b", "state": "active"}
IGW6_ROUTE = {"destinationIpv6CidrBlock": "::/0", "gatewayId": "igw-0a1b", "state": "active"}
NAT_ROUTE = {"destinationCidrBlock": "0.0.0.0/0", "natGatewayId": "nat-0a1b", "state": "active"}


def group(members: int) -> dict[str, Any]:
    return stream_item(
        "AWS::IAM::Group",
        "AGPAEXAMPLE0000000001",
        {"groupName": "ops", "groupId": "AGPAEXAMPLE0000000001", "groupPolicyList": []},
        relationships=[
            {
                "resourceId": f"AIDAEXAMPLE000000000{n}",
                "resourceName": None,
                "resourceType": "AWS::IAM::User",
                "name": "Contains User",
            }
            for n in range(members)
        ],
    )


def policy(*actions: str, boundary_uses: int = 0) -> dict[str, Any]:
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}],
    }
    return stream_item(
        "AWS::IAM::Policy",
        "ANPAEXAMPLE0000000001",
        {
            "policyName": "p",
            "permissionsBoundaryUsageCount": boundary_uses,
            "policyVersionList": [
                {"document": encoded(document), "versionId": "v1", "isDefaultVersion": True}
            ],
        },
    )


def with_attribute(item: dict[str, Any], key: str, value: str) -> dict[str, Any]:
    attributes = [a for a in item["supplementaryConfiguration"]["LoadBalancerAttributes"]]
    attributes.append({"key": key, "value": value})
    item["supplementaryConfiguration"]["LoadBalancerAttributes"] = attributes
    return item


def tuned(**settings: Any) -> dict[str, Any]:
    item = function()
    item["configuration"].update(
        {"role": "arn:aws:iam::123456789012:role/fn", "memorySize": 128, "timeout": 3, **settings}
    )
    return item


def stack(protected: bool) -> dict[str, Any]:
    arn = "arn:aws:cloudformation:us-east-1:123456789012:stack/app/1a2b"
    return stream_item(
        "AWS::CloudFormation::Stack",
        arn,
        {"stackId": arn, "stackName": "app", "enableTerminationProtection": protected},
        supplementary={"StackResourceSummaries": [], "EnableTerminationProtection": protected},
    )


def queue(policy_statement: dict[str, Any] | None) -> dict[str, Any]:
    url = "https://sqs.us-east-1.amazonaws.com/123456789012/jobs"
    configuration: dict[str, Any] = {
        "QueueArn": "arn:aws:sqs:us-east-1:123456789012:jobs",
        "QueueUrl": url,
        "QueueName": "jobs",
        "VisibilityTimeout": 30,
    }
    if policy_statement is not None:
        configuration["Policy"] = json.dumps(
            {"Version": "2012-10-17", "Statement": [policy_statement]}
        )
    return stream_item("AWS::SQS::Queue", url, configuration, name="jobs")


SEND_TO_ALL = {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "*"}
SEND_FROM_TOPIC = {
    **SEND_TO_ALL,
    "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:alerts"}},
}
PROFILE = {"arn": "arn:aws:iam::123456789012:instance-profile/app", "id": "AIPA1"}

SUBNET = "SUBNET_AUTO_ASSIGN_PUBLIC_IP_DISABLED"
ROUTES = "NO_UNRESTRICTED_ROUTE_TO_IGW"
MEMBERS = "IAM_GROUP_HAS_USERS_CHECK"
FULL = "IAM_POLICY_NO_STATEMENTS_WITH_FULL_ACCESS"
DELETION = "ELB_DELETION_PROTECTION_ENABLED"
HEADERS = "ALB_HTTP_DROP_INVALID_HEADER_ENABLED"
SETTINGS = "LAMBDA_FUNCTION_SETTINGS_CHECK"
MINOR = "RDS_AUTOMATIC_MINOR_VERSION_UPGRADE_ENABLED"
MONITORING = "RDS_ENHANCED_MONITORING_ENABLED"
DETAILED = "EC2_INSTANCE_DETAILED_MONITORING_ENABLED"
PROFILE_RULE = "EC2_INSTANCE_PROFILE_ATTACHED"
ZONES = "AUTOSCALING_MULTIPLE_AZ"
CMK = "SECRETSMANAGER_USING_CMK"
TERMINATION = "CLOUDFORMATION_TERMINATION_PROTECTION_CHECK"
SQS = "SQS_QUEUE_NO_PUBLIC_ACCESS"


def zoned(*zones: str) -> dict[str, Any]:
    item = scaling_group()
    item["configuration"]["availabilityZones"] = list(zones)
    return item


def secret_key(key: str | None) -> dict[str, Any]:
    item = secret()
    item["configuration"]["KMSKeyId"] = key
    return item


CASES = [
    Case("private subnet", SUBNET, subnet(False), C),
    Case("public subnet", SUBNET, subnet(True), NC),
    Case("local routes only", ROUTES, route_table(), C),
    Case("default route to a NAT gateway", ROUTES, route_table(NAT_ROUTE), C),
    Case("default route to an internet gateway", ROUTES, route_table(IGW_ROUTE), NC),
    Case("IPv6 default route to an internet gateway", ROUTES, route_table(IGW6_ROUTE), NC),
    Case("public table listed", ROUTES, route_table(IGW_ROUTE), C, {"routeTableIds": "rtb-0a1b"}),
    Case("group with members", MEMBERS, group(2), C),
    Case("empty group", MEMBERS, group(0), NC),
    Case("scoped actions", FULL, policy("s3:GetObject", "s3:PutObject"), C),
    Case("all of S3", FULL, policy("s3:*"), NC),
    Case(
        "boundary excluded",
        FULL,
        policy("s3:*", boundary_uses=1),
        NA,
        {"excludePermissionBoundaryPolicy": "true"},
    ),
    Case(
        "protected", DELETION, with_attribute(balancer(), "deletion_protection.enabled", "true"), C
    ),
    Case("unprotected", DELETION, balancer(), NC),
    Case(
        "drops invalid headers",
        HEADERS,
        with_attribute(balancer(), "routing.http.drop_invalid_header_fields.enabled", "true"),
        C,
    ),
    Case("keeps invalid headers", HEADERS, balancer(), NC),
    Case("network load balancer", HEADERS, balancer("network"), NA),
    Case("expected settings", SETTINGS, tuned(), C, {"runtime": "python3.12,python3.11"}),
    Case("old runtime", SETTINGS, tuned(runtime="python2.7"), NC, {"runtime": "python3.12"}),
    Case(
        "more memory than expected", SETTINGS, tuned(memorySize=1024), NC, {"runtime": "python3.12"}
    ),
    Case(
        "another role",
        SETTINGS,
        tuned(),
        NC,
        {"runtime": "python3.12", "role": "arn:aws:iam::123456789012:role/other"},
    ),
    Case("minor upgrades on", MINOR, db(autoMinorVersionUpgrade=True), C),
    Case("minor upgrades off", MINOR, db(autoMinorVersionUpgrade=False), NC),
    Case("enhanced monitoring every minute", MONITORING, db(monitoringInterval=60), C),
    Case("enhanced monitoring off", MONITORING, db(monitoringInterval=0), NC),
    Case(
        "another interval", MONITORING, db(monitoringInterval=60), NC, {"monitoringInterval": "5"}
    ),
    Case("detailed monitoring", DETAILED, instance(monitoring={"state": "enabled"}), C),
    Case("basic monitoring", DETAILED, instance(monitoring={"state": "disabled"}), NC),
    Case("with a profile", PROFILE_RULE, instance(iamInstanceProfile=PROFILE), C),
    Case("without a profile", PROFILE_RULE, instance(), NC),
    Case(
        "with a profile not listed",
        PROFILE_RULE,
        instance(iamInstanceProfile=PROFILE),
        NC,
        {"IamInstanceProfileArnList": "arn:aws:iam::123456789012:instance-profile/other"},
    ),
    Case("two zones", ZONES, zoned("us-east-1a", "us-east-1b"), C),
    Case("one zone", ZONES, zoned("us-east-1a"), NC),
    Case(
        "two zones, three wanted",
        ZONES,
        zoned("us-east-1a", "us-east-1b"),
        NC,
        {"minAvailabilityZones": "3"},
    ),
    Case("customer key", CMK, secret_key(KEY), C),
    Case("default key", CMK, secret_key(None), NC),
    Case("named default key", CMK, secret_key("alias/aws/secretsmanager"), NC),
    Case("key not listed", CMK, secret_key(KEY), NC, {"kmsKeyArns": KEY.replace("1111", "9999")}),
    Case("protected stack", TERMINATION, stack(True), C),
    Case("unprotected stack", TERMINATION, stack(False), NC),
    Case("no policy", SQS, queue(None), C),
    Case("sends from one topic", SQS, queue(SEND_FROM_TOPIC), C),
    Case("open to everyone", SQS, queue(SEND_TO_ALL), NC),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_case(case: Case) -> None:
    case.run()
