"""The registry of resource types: one module per type, one line per module here.

Each module defines ``RESOURCE_TYPE``; ``REGISTRY`` maps its AWS type name to it. A meta
test holds every entry to botocore's ResourceType enum.
"""

from __future__ import annotations

from functools import cache
from importlib import import_module

import botocore.session

from configledger.recorder.types import ResourceType

_MODULES = [
    "ec2.security_group",
    "ec2.instance",
    "ec2.vpc",
    "ec2.subnet",
    "ec2.network_acl",
    "ec2.route_table",
    "ec2.internet_gateway",
    "ec2.nat_gateway",
    "ec2.volume",
    "ec2.network_interface",
    "ec2.eip",
    "s3.bucket",
    "iam.user",
    "iam.group",
    "iam.role",
    "iam.policy",
    "sns.topic",
    "sqs.queue",
    "lambda_.function",
    "kms.key",
    "secretsmanager.secret",
    "rds.db_instance",
    "rds.db_subnet_group",
    "dynamodb.table",
    "cloudtrail.trail",
    "elbv2.load_balancer",
    "autoscaling.auto_scaling_group",
    "cloudformation.stack",
]

REGISTRY: dict[str, ResourceType] = {}
for _name in _MODULES:
    _type: ResourceType = import_module(f"{__name__}.{_name}").RESOURCE_TYPE
    REGISTRY[_type.type_name] = _type


@cache
def event_source(service: str) -> str:
    """CloudTrail's eventSource for a boto3 service: its signing name's domain."""
    model = botocore.session.get_session().get_service_model(service)
    return f"{model.signing_name}.amazonaws.com"


def types_for_event(event_name: str, source: str | None = None) -> list[ResourceType]:
    """The resource types a CloudTrail event may have changed: same event name, and
    (when known) the same service, since TagResource and the like exist in many."""
    return [
        t
        for t in REGISTRY.values()
        if event_name in t.events and (source is None or event_source(t.service) == source)
    ]
