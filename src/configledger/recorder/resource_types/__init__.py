"""The registry of resource types: one module per type, one line per module here.

Each module defines ``RESOURCE_TYPE``; ``REGISTRY`` maps its AWS type name to it. A meta
test holds every entry to botocore's ResourceType enum.
"""

from __future__ import annotations

from importlib import import_module

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


def types_for_event(event_name: str) -> list[ResourceType]:
    """The resource types a CloudTrail event may have changed."""
    return [t for t in REGISTRY.values() if event_name in t.events]
