"""AWS::SecretsManager::Secret.

AWS Config identifies a secret by its ARN and names it by its name. The document holds
the properties awslabs/aws-config-resource-schema lists for the type, from
DescribeSecret, under AWS Config's keys: ``ARN``, ``Name``, ``Description``,
``KMSKeyId``, ``RotationEnabled``, ``RotationLambdaARN``, ``RotationRules``
(``AutomaticallyAfterDays``, ``RotationDuration``, ``RotationScheduleExpression``) and
``Deleted``. Access and change dates and version stages are left out: they move on every
read or rotation and are not among the type's properties. Secrets scheduled for deletion
still exist (they can be restored) and are listed with ``Deleted: true``. The zone is
"Not Applicable"; secrets declare no relationships.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from configledger.recorder.types import (
    Described,
    Raw,
    ResourceType,
    Scope,
    epoch_ms,
    tags_from_list,
)

_ROTATION_RULES = {
    "AutomaticallyAfterDays": "AutomaticallyAfterDays",
    "Duration": "RotationDuration",
    "ScheduleExpression": "RotationScheduleExpression",
}


def fetch(client: Any, scope: Scope) -> Iterator[Raw]:
    for page in client.get_paginator("list_secrets").paginate(IncludePlannedDeletion=True):
        for listed in page["SecretList"]:
            secret: Raw = client.describe_secret(SecretId=listed["ARN"])
            secret.pop("ResponseMetadata", None)
            yield secret


def transform(raw: Raw, scope: Scope) -> Described:
    rules = raw.get("RotationRules")
    configuration = {
        "ARN": raw["ARN"],
        "Name": raw["Name"],
        "Description": raw.get("Description"),
        "KMSKeyId": raw.get("KmsKeyId"),
        "RotationEnabled": bool(raw.get("RotationEnabled", False)),
        "RotationLambdaARN": raw.get("RotationLambdaARN"),
        "RotationRules": (
            {name: rules[key] for key, name in _ROTATION_RULES.items() if key in rules}
            if rules
            else None
        ),
        "Deleted": raw.get("DeletedDate") is not None,
    }
    return Described(
        resource_id=raw["ARN"],
        resource_name=raw["Name"],
        arn=raw["ARN"],
        availability_zone="Not Applicable",
        resource_creation_ms=epoch_ms(raw.get("CreatedDate")),
        configuration=configuration,
        tags=tags_from_list(raw.get("Tags")),
    )


RESOURCE_TYPE = ResourceType(
    type_name="AWS::SecretsManager::Secret",
    service="secretsmanager",
    fetch=fetch,
    transform=transform,
    events=frozenset(
        {
            "CreateSecret",
            "UpdateSecret",
            "DeleteSecret",
            "RestoreSecret",
            "RotateSecret",
            "CancelRotateSecret",
            "TagResource",
            "UntagResource",
        }
    ),
)
