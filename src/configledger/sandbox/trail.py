"""The CloudTrail record of one API call (spec 11), and the resources it names.

One builder serves both the sandbox's calls and ConfigLedger's own Config calls, so
the two kinds of event cannot drift apart in shape. The record is eventVersion 1.08
with the fields current trails emit; ``userIdentity`` comes from the credential that
signed the call (a root principal is ``Root``, ``user/...`` an ``IAMUser``,
``assumed-role/...`` an ``AssumedRole``).

``resources`` is best effort, for LookupEvents' ResourceType/ResourceName filters and
for the recorder engine's targeted re-description: the member names below, wherever
they occur in requestParameters or responseElements (CreateVpc names its VPC only in
the response), plus EC2 ids in generic ``resourceId`` members by their prefix.
"""

from __future__ import annotations

import base64
import hashlib
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from configledger.sandbox.event_names import event_name
from configledger.store.cloudtrail import NewEvent

EVENT_VERSION = "1.08"
READ_PREFIXES = (
    "Describe",
    "List",
    "Get",
    "Head",
    "Lookup",
    "Search",
    "Select",
    "Check",
    "Query",
    "Scan",
    "BatchGet",
    "Receive",
)
MAX_RESOURCES = 100

_EC2_ID_PREFIXES = {
    "sg-": "AWS::EC2::SecurityGroup",
    "vpc-": "AWS::EC2::VPC",
    "subnet-": "AWS::EC2::Subnet",
    "i-": "AWS::EC2::Instance",
    "vol-": "AWS::EC2::Volume",
    "eni-": "AWS::EC2::NetworkInterface",
    "rtb-": "AWS::EC2::RouteTable",
    "igw-": "AWS::EC2::InternetGateway",
    "nat-": "AWS::EC2::NatGateway",
    "acl-": "AWS::EC2::NetworkAcl",
    "eipalloc-": "AWS::EC2::EIP",
}
# eventSource service -> member name (or "parent.member") -> resource type.
_RESOURCE_MEMBERS: dict[str, dict[str, str]] = {
    "ec2": {
        "groupId": "AWS::EC2::SecurityGroup",
        "instanceId": "AWS::EC2::Instance",
        "vpcId": "AWS::EC2::VPC",
        "subnetId": "AWS::EC2::Subnet",
        "volumeId": "AWS::EC2::Volume",
        "networkInterfaceId": "AWS::EC2::NetworkInterface",
        "routeTableId": "AWS::EC2::RouteTable",
        "internetGatewayId": "AWS::EC2::InternetGateway",
        "natGatewayId": "AWS::EC2::NatGateway",
        "networkAclId": "AWS::EC2::NetworkAcl",
        "allocationId": "AWS::EC2::EIP",
    },
    "s3": {"bucketName": "AWS::S3::Bucket"},
    "iam": {
        "roleName": "AWS::IAM::Role",
        "userName": "AWS::IAM::User",
        "groupName": "AWS::IAM::Group",
        "policyArn": "AWS::IAM::Policy",
    },
    "sns": {"topicArn": "AWS::SNS::Topic"},
    "sqs": {"queueUrl": "AWS::SQS::Queue"},
    "lambda": {"functionName": "AWS::Lambda::Function"},
    "dynamodb": {"tableName": "AWS::DynamoDB::Table"},
    "rds": {
        "dBInstanceIdentifier": "AWS::RDS::DBInstance",
        "dBSubnetGroupName": "AWS::RDS::DBSubnetGroup",
    },
    "kms": {"keyId": "AWS::KMS::Key"},
    "cloudtrail": {"name": "AWS::CloudTrail::Trail", "trailARN": "AWS::CloudTrail::Trail"},
    "elasticloadbalancing": {
        "loadBalancerArn": "AWS::ElasticLoadBalancingV2::LoadBalancer",
        "loadBalancerArns": "AWS::ElasticLoadBalancingV2::LoadBalancer",
    },
    "autoscaling": {"autoScalingGroupName": "AWS::AutoScaling::AutoScalingGroup"},
    "cloudformation": {"stackName": "AWS::CloudFormation::Stack"},
    "secretsmanager": {
        "secretId": "AWS::SecretsManager::Secret",
        "aRN": "AWS::SecretsManager::Secret",
    },
    "config": {
        "configurationRecorderName": "AWS::Config::ConfigurationRecorder",
        "configurationRecorder.name": "AWS::Config::ConfigurationRecorder",
        "deliveryChannelName": "AWS::Config::DeliveryChannel",
        "deliveryChannel.name": "AWS::Config::DeliveryChannel",
        "configRuleName": "AWS::Config::ConfigRule",
    },
}
_EC2_GENERIC = frozenset({"resourceId", "resourceIds", "resourcesSet", "resources"})


def is_read_only(operation: str) -> bool:
    """CloudTrail's readOnly: reads by their verb (Receive/Scan/Query read data)."""
    return operation.startswith(READ_PREFIXES)


@dataclass(frozen=True, slots=True)
class Caller:
    """Who made the call, as the record's userIdentity and LookupEvents' Username."""

    account_id: str
    principal_arn: str
    access_key_id: str

    def identity(self) -> tuple[dict[str, Any], str]:
        """(userIdentity, Username)."""
        arn, account = self.principal_arn, self.account_id
        base = {"arn": arn, "accountId": account, "accessKeyId": self.access_key_id}
        resource = arn.split(":", 5)[5] if arn.count(":") >= 5 else ""
        if resource == "root":
            return {"type": "Root", "principalId": account, **base}, "root"
        if resource.startswith("user/"):
            name = resource.rsplit("/", 1)[1]
            principal = _unique_id("AIDA", arn)
            return {"type": "IAMUser", "principalId": principal, **base, "userName": name}, name
        if resource.startswith("assumed-role/") and resource.count("/") >= 2:
            _, role, session = resource.split("/", 2)
            role_arn = f"arn:aws:iam::{account}:role/{role}"
            role_id = _unique_id("AROA", role_arn)
            issuer = {
                "type": "Role",
                "principalId": role_id,
                "arn": role_arn,
                "accountId": account,
                "userName": role,
            }
            identity = {
                "type": "AssumedRole",
                "principalId": f"{role_id}:{session}",
                **base,
                "sessionContext": {"sessionIssuer": issuer},
            }
            return identity, session
        return {"type": "Unknown", "principalId": self.access_key_id, **base}, arn


def _unique_id(prefix: str, arn: str) -> str:
    """A stable IAM-style unique id (AIDA.../AROA...) for a principal we only know by ARN."""
    digest = base64.b32encode(hashlib.sha256(arn.encode()).digest()).decode()
    return prefix + digest[:17]


@dataclass(frozen=True, slots=True)
class Call:
    """Everything a record says about one successful call."""

    caller: Caller
    region: str
    service: str  # signing name: eventSource is "<service>.amazonaws.com"
    operation: str
    time_ms: int
    source_ip: str
    user_agent: str
    request_id: str
    request_parameters: dict[str, Any] | None
    response_elements: dict[str, Any] | None


def iso_seconds(ms: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ms // 1000))


def build_event(call: Call) -> NewEvent:
    """The record, its LookupEvents columns and the resources it names."""
    identity, username = call.caller.identity()
    event_id = str(uuid.uuid4())
    read_only = is_read_only(call.operation)
    source = f"{call.service}.amazonaws.com"
    name = event_name(call.service, call.operation)
    record = {
        "eventVersion": EVENT_VERSION,
        "userIdentity": identity,
        "eventTime": iso_seconds(call.time_ms),
        "eventSource": source,
        "eventName": name,
        "awsRegion": call.region,
        "sourceIPAddress": call.source_ip,
        "userAgent": call.user_agent,
        "requestParameters": call.request_parameters,
        "responseElements": call.response_elements,
        "requestID": call.request_id,
        "eventID": event_id,
        "readOnly": read_only,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": call.caller.account_id,
        "eventCategory": "Management",
    }
    return NewEvent(
        account_id=call.caller.account_id,
        region=call.region,
        event_id=event_id,
        event_time_ms=call.time_ms,
        event_source=source,
        event_name=name,
        read_only=read_only,
        username=username,
        access_key_id=call.caller.access_key_id,
        record=record,
        resources=resources(call.service, call.request_parameters, call.response_elements),
    )


def resources(service: str, *sections: Any) -> tuple[tuple[str, str], ...]:
    """(resourceType, resourceName) pairs named in the sections, first seen first."""
    members = _RESOURCE_MEMBERS.get(service, {})
    found: dict[tuple[str, str], None] = {}
    for section in sections:
        for pair in _walk(service, members, section, ""):
            found.setdefault(pair)
            if len(found) >= MAX_RESOURCES:
                return tuple(found)
    return tuple(found)


def _walk(
    service: str, members: dict[str, str], value: Any, parent: str
) -> Iterator[tuple[str, str]]:
    if isinstance(value, list):
        for item in value:
            yield from _walk(service, members, item, parent)
        return
    if not isinstance(value, dict):
        return
    for key, item in value.items():
        kind = members.get(f"{parent}.{key}") or members.get(key)
        if kind is not None:
            for name in _strings(item):
                yield kind, name
        elif service == "ec2" and key in _EC2_GENERIC:
            for name in _strings(item):
                prefix = name.split("-", 1)[0] + "-"
                if prefix in _EC2_ID_PREFIXES:
                    yield _EC2_ID_PREFIXES[prefix], name
        yield from _walk(service, members, item, key)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        if value:
            yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
