"""AWS::Lambda::Function.

AWS Config identifies and names a function by its function name (rdk example CI). The
document is GetFunction's ``Configuration`` as AWS Config's Java-bean serialiser writes
it (awslabs/aws-config-resource-schema): keys lowerCamel with a leading run of capitals
lowered whole (``KMSKeyArn`` -> ``kmskeyArn``), ``state`` and ``stateReason`` as
``{"value": ...}``; environment variable names are data and keep their case. GetFunction's
``Code`` (a presigned download URL) is not configuration and is left out. The tags are
also the supplementary ``Tags``; reserved concurrency, when set, is the supplementary
``Concurrency``. The zone is "Not Applicable"; Lambda reports no creation time.

Relationships (spec 4, rdk example CI): "Is associated with " -> AWS::IAM::Role by name
only (no id), "Is associated with " -> each AWS::EC2::SecurityGroup and "Is contained in "
-> each AWS::EC2::Subnet of the VPC configuration. AWS Config shows these edges on the
function's item only (no inverse on the role, group or subnet items).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from configledger.recorder.types import (
    Described,
    Raw,
    Relation,
    ResourceType,
    Scope,
    Targeted,
)

_VALUE_OBJECTS = frozenset({"State", "StateReason"})


def fetch(client: Any, scope: Scope) -> Iterator[Raw]:
    for page in client.get_paginator("list_functions").paginate():
        for listed in page["Functions"]:
            yield _function(client, listed["FunctionName"])


def describe(client: Any, scope: Scope, names: list[str]) -> Iterator[Raw]:
    for name in names:
        yield _function(client, name)


def _function(client: Any, name: str) -> Raw:
    function: Raw = client.get_function(FunctionName=name)
    function.pop("ResponseMetadata", None)
    function.pop("Code", None)
    return function


def _function_name(candidate: str, scope: Scope) -> str | None:
    """A function's name, from its name or its (qualified) ARN; None for the ARN of
    anything else (a layer, an event source mapping)."""
    if not candidate.startswith("arn:"):
        return candidate
    parts = candidate.split(":")
    return parts[6] if len(parts) >= 7 and parts[5] == "function" else None


def _bean_key(key: str) -> str:
    run = len(key) - len(key.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    return key[:run].lower() + key[run:]


def _bean(value: Any) -> Any:
    if isinstance(value, dict):
        return {_bean_key(k): _bean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_bean(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat().replace("+00:00", "Z")
    return value


def _configuration(function: Raw) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in function.items():
        if key == "Environment":
            environment = _bean({k: v for k, v in value.items() if k != "Variables"})
            environment["variables"] = dict(value.get("Variables", {}))
            out["environment"] = environment
        elif key in _VALUE_OBJECTS:
            out[_bean_key(key)] = {"value": value}
        else:
            out[_bean_key(key)] = _bean(value)
    return out


def transform(raw: Raw, scope: Scope) -> Described:
    function = raw["Configuration"]
    name = function["FunctionName"]
    relations = [
        Relation(
            "Is associated with ",
            "AWS::IAM::Role",
            target_name=function["Role"].rsplit("/", 1)[-1],
        )
    ]
    vpc = function.get("VpcConfig") or {}
    relations += [
        Relation("Is associated with ", "AWS::EC2::SecurityGroup", target_id=group)
        for group in vpc.get("SecurityGroupIds", [])
    ]
    relations += [
        Relation("Is contained in ", "AWS::EC2::Subnet", target_id=subnet)
        for subnet in vpc.get("SubnetIds", [])
    ]
    tags = dict(raw.get("Tags") or {})
    supplementary: dict[str, Any] = {"Tags": tags}
    concurrency = (raw.get("Concurrency") or {}).get("ReservedConcurrentExecutions")
    if concurrency is not None:
        supplementary["Concurrency"] = {"reservedConcurrentExecutions": concurrency}
    return Described(
        resource_id=name,
        resource_name=name,
        arn=function["FunctionArn"],
        availability_zone="Not Applicable",
        configuration=_configuration(function),
        tags=tags,
        supplementary=supplementary,
        relations=tuple(relations),
    )


RESOURCE_TYPE = ResourceType(
    type_name="AWS::Lambda::Function",
    service="lambda",
    fetch=fetch,
    transform=transform,
    targeted=Targeted(
        paths=(
            "requestParameters.functionName",
            "responseElements.functionName",
            "requestParameters.resource",  # TagResource / UntagResource: the function's ARN
            "requestParameters.aRN",
        ),
        describe=describe,
        not_found=frozenset({"ResourceNotFoundException"}),
        key=_function_name,
    ),
    # CloudTrail logs Lambda's management calls with the API version appended.
    events=frozenset(
        {
            "CreateFunction20150331",
            "DeleteFunction20150331",
            "UpdateFunctionConfiguration20150331v2",
            "UpdateFunctionCode20150331v2",
            "TagResource20170331v2",
            "UntagResource20170331v2",
            "PutFunctionConcurrency20171031",
            "DeleteFunctionConcurrency20171031",
        }
    ),
)
