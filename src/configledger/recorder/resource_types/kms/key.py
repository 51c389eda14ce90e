"""AWS::KMS::Key.

Every key of the account and region is recorded, AWS managed keys included: AWS Config
records them (the rdk example CI is the AWS managed ``aws/lambda`` key, keyManager
"AWS"). AWS Config identifies a key by its key id; keys have no name and no zone ("Not
Applicable"). The document is DescribeKey's KeyMetadata as AWS Config's Java-bean
serialiser writes it (the rdk example CI, awslabs/aws-config-resource-schema): a key's
leading run of capitals lowered whole (``AWSAccountId`` -> ``awsaccountId``), times as
epoch milliseconds, empty algorithm lists present.

Supplementary: ``KeyRotationStatus`` (GetKeyRotationStatus), asked only of the keys that
can rotate automatically (symmetric encryption keys with key material from KMS; for the
others KMS answers UnsupportedOperationException, so the entry is absent), and
``Policy``, the key policy text. Keys declare no relationships.
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


def _rotates(metadata: Raw) -> bool:
    return metadata.get("KeySpec") == "SYMMETRIC_DEFAULT" and metadata.get("Origin") == "AWS_KMS"


def fetch(client: Any, scope: Scope) -> Iterator[Raw]:
    for page in client.get_paginator("list_keys").paginate():
        for listed in page["Keys"]:
            key_id = listed["KeyId"]
            metadata = client.describe_key(KeyId=key_id)["KeyMetadata"]
            tags = [
                tag
                for tags_page in client.get_paginator("list_resource_tags").paginate(KeyId=key_id)
                for tag in tags_page.get("Tags", [])
            ]
            rotation = (
                client.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"]
                if _rotates(metadata)
                else None
            )
            policy = client.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"]
            yield {"KeyMetadata": metadata, "Tags": tags, "KeyRotation": rotation, "Policy": policy}


def _bean_key(key: str) -> str:
    run = len(key) - len(key.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    return key[:run].lower() + key[run:]


def _bean(value: Any) -> Any:
    if isinstance(value, dict):
        return {_bean_key(k): _bean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_bean(v) for v in value]
    if hasattr(value, "timestamp"):
        return epoch_ms(value)
    return value


def transform(raw: Raw, scope: Scope) -> Described:
    metadata = raw["KeyMetadata"]
    configuration: dict[str, Any] = _bean(metadata)
    configuration.setdefault("encryptionAlgorithms", [])
    configuration.setdefault("signingAlgorithms", [])
    supplementary: dict[str, Any] = {"Policy": raw.get("Policy")}
    if raw.get("KeyRotation") is not None:
        supplementary["KeyRotationStatus"] = raw["KeyRotation"]
    return Described(
        resource_id=metadata["KeyId"],
        arn=metadata["Arn"],
        availability_zone="Not Applicable",
        resource_creation_ms=epoch_ms(metadata.get("CreationDate")),
        configuration=configuration,
        tags=tags_from_list(raw.get("Tags"), key="TagKey", value="TagValue"),
        supplementary=supplementary,
    )


RESOURCE_TYPE = ResourceType(
    type_name="AWS::KMS::Key",
    service="kms",
    fetch=fetch,
    transform=transform,
    events=frozenset(
        {
            "CreateKey",
            "ReplicateKey",
            "EnableKey",
            "DisableKey",
            "ScheduleKeyDeletion",
            "CancelKeyDeletion",
            "EnableKeyRotation",
            "DisableKeyRotation",
            "PutKeyPolicy",
            "UpdateKeyDescription",
            "UpdatePrimaryRegion",
            "ImportKeyMaterial",
            "DeleteImportedKeyMaterial",
            "TagResource",
            "UntagResource",
        }
    ),
)
