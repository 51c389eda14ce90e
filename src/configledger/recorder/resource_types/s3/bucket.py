"""AWS::S3::Bucket.

S3 lists every bucket of the account from any region, but a bucket belongs to one
region: the listing keeps the buckets whose location is the scope's region (the
location of a us-east-1 bucket is empty, that of an old eu-west-1 bucket is "EU").

AWS Config identifies and names a bucket by its name, its zone is "Regional", and its
document is only ``{name, owner, creationDate}``. The bucket's settings are the
supplementary configuration, under AWS Config's names (spec 3.1) and in the shapes of
the S3 Java model AWS Config serialises (the rdk example CI and
awslabs/aws-config-resource-schema): ``AccessControlList`` stays a JSON string, the
others are objects. A setting S3 answers "not found" for (no policy, no tags, no public
access block, no default encryption) is absent, not an error. Buckets declare no
relationships (spec 4).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from configledger.recorder.types import (
    Described,
    Raw,
    ResourceType,
    Scope,
    Targeted,
    epoch_ms,
    lower_camel,
    tags_from_list,
)

# The "not found" answers of the optional settings, by the call that reads them.
_ABSENT = {
    "get_bucket_policy": "NoSuchBucketPolicy",
    "get_bucket_tagging": "NoSuchTagSet",
    "get_public_access_block": "NoSuchPublicAccessBlockConfiguration",
    "get_bucket_encryption": "ServerSideEncryptionConfigurationNotFoundError",
}
_ALWAYS = {
    "Acl": "get_bucket_acl",
    "Versioning": "get_bucket_versioning",
    "Logging": "get_bucket_logging",
    "Notification": "get_bucket_notification_configuration",
    "Accelerate": "get_bucket_accelerate_configuration",
    "RequestPayment": "get_bucket_request_payment",
}
_OPTIONAL = {
    "Policy": "get_bucket_policy",
    "Tagging": "get_bucket_tagging",
    "PublicAccessBlock": "get_public_access_block",
    "Encryption": "get_bucket_encryption",
}


def _call(client: Any, operation: str, bucket: str) -> Raw:
    response: Raw = getattr(client, operation)(Bucket=bucket)
    response.pop("ResponseMetadata", None)
    return response


def _optional(client: Any, operation: str, bucket: str) -> Raw | None:
    try:
        return _call(client, operation, bucket)
    except client.exceptions.ClientError as error:
        if error.response.get("Error", {}).get("Code") == _ABSENT[operation]:
            return None
        raise


def _region(location: str | None) -> str:
    if not location:
        return "us-east-1"
    return "eu-west-1" if location == "EU" else location


def fetch(client: Any, scope: Scope) -> Iterator[Raw]:
    yield from _buckets(client, scope, None)


def describe(client: Any, scope: Scope, names: list[str]) -> Iterator[Raw]:
    """The named buckets: ListBuckets (their creation date and owner are only there),
    then the per-bucket calls for these alone; a name it lacks is a deleted bucket."""
    yield from _buckets(client, scope, set(names))


def _buckets(client: Any, scope: Scope, names: set[str] | None) -> Iterator[Raw]:
    for page in client.get_paginator("list_buckets").paginate():
        for bucket in page["Buckets"]:
            name = bucket["Name"]
            if names is not None and name not in names:
                continue
            region = bucket.get("BucketRegion") or _region(
                client.get_bucket_location(Bucket=name).get("LocationConstraint")
            )
            if region != scope.region:
                continue
            raw: Raw = {**bucket, "Owner": page.get("Owner")}
            raw.update({key: _call(client, op, name) for key, op in _ALWAYS.items()})
            raw.update({key: _optional(client, op, name) for key, op in _OPTIONAL.items()})
            yield raw


def _grantee(grantee: Raw) -> Any:
    kind = grantee["Type"]
    if kind == "Group":  # the Java model's GroupGrantee: AllUsers, AuthenticatedUsers, ...
        return grantee["URI"].rsplit("/", 1)[-1]
    if kind == "AmazonCustomerByEmail":
        return {"identifier": grantee.get("EmailAddress"), "typeIdentifier": "emailAddress"}
    return {"id": grantee.get("ID"), "displayName": grantee.get("DisplayName")}


def _access_control_list(acl: Raw) -> str:
    owner = acl.get("Owner") or {}
    document = {
        "grantSet": None,
        "grantList": [
            {
                "grantee": _grantee(grant["Grantee"]),
                # S3's FULL_CONTROL / READ_ACP as the Java enum names FullControl / ReadAcp
                "permission": "".join(p.capitalize() for p in grant["Permission"].split("_")),
            }
            for grant in acl.get("Grants", [])
        ],
        "owner": {"displayName": owner.get("DisplayName"), "id": owner.get("ID")},
        "isRequesterCharged": False,
    }
    return json.dumps(document, separators=(",", ":"))


def _notifications(notification: Raw) -> dict[str, Any]:
    configurations: dict[str, Any] = {}
    kinds = (
        ("TopicConfigurations", "TopicConfiguration", "topicARN", "TopicArn"),
        ("QueueConfigurations", "QueueConfiguration", "queueARN", "QueueArn"),
        ("LambdaFunctionConfigurations", "LambdaConfiguration", "functionARN", "LambdaFunctionArn"),
    )
    for member, kind, arn_key, arn_member in kinds:
        for target in notification.get(member, []):
            rules = (target.get("Filter") or {}).get("Key", {}).get("FilterRules")
            configurations[target["Id"]] = {
                "events": list(target["Events"]),
                "filter": (
                    {
                        "s3KeyFilter": {
                            "filterRules": [{"name": r["Name"], "value": r["Value"]} for r in rules]
                        }
                    }
                    if rules
                    else None
                ),
                "objectPrefixes": [],
                "type": kind,
                arn_key: target[arn_member],
            }
    return {"configurations": configurations}


def _encryption(encryption: Raw) -> dict[str, Any]:
    rules = []
    for rule in encryption["ServerSideEncryptionConfiguration"]["Rules"]:
        default = rule.get("ApplyServerSideEncryptionByDefault")
        rules.append(
            {
                "applyServerSideEncryptionByDefault": (
                    {
                        "sseAlgorithm": default["SSEAlgorithm"],
                        "kmsMasterKeyID": default.get("KMSMasterKeyID"),
                    }
                    if default
                    else None
                ),
                "bucketKeyEnabled": rule.get("BucketKeyEnabled"),
            }
        )
    return {"rules": rules}


def _supplementary(raw: Raw) -> dict[str, Any]:
    versioning = raw["Versioning"]
    logging = raw["Logging"].get("LoggingEnabled") or {}
    policy = raw.get("Policy")
    out: dict[str, Any] = {
        "AccessControlList": _access_control_list(raw["Acl"]),
        "BucketAccelerateConfiguration": {"status": raw["Accelerate"].get("Status")},
        "BucketLoggingConfiguration": {
            "destinationBucketName": logging.get("TargetBucket"),
            "logFilePrefix": logging.get("TargetPrefix"),
        },
        "BucketNotificationConfiguration": _notifications(raw["Notification"]),
        "BucketPolicy": {"policyText": policy["Policy"] if policy else None},
        "BucketVersioningConfiguration": {
            "status": versioning.get("Status", "Off"),
            "isMfaDeleteEnabled": {"Enabled": True, "Disabled": False}.get(
                versioning.get("MFADelete", "")
            ),
        },
        "IsRequesterPaysEnabled": raw["RequestPayment"].get("Payer") == "Requester",
    }
    if raw.get("Encryption"):
        out["ServerSideEncryptionConfiguration"] = _encryption(raw["Encryption"])
    if raw.get("PublicAccessBlock"):
        out["PublicAccessBlockConfiguration"] = lower_camel(
            raw["PublicAccessBlock"]["PublicAccessBlockConfiguration"]
        )
    if raw.get("Tagging"):
        out["BucketTaggingConfiguration"] = {
            "tagSets": [{"tags": tags_from_list(raw["Tagging"]["TagSet"])}]
        }
    return out


def transform(raw: Raw, scope: Scope) -> Described:
    name = raw["Name"]
    owner = raw.get("Owner") or {}
    return Described(
        resource_id=name,
        resource_name=name,
        arn=f"arn:{scope.partition}:s3:::{name}",
        availability_zone="Regional",
        resource_creation_ms=epoch_ms(raw.get("CreationDate")),
        configuration={
            "name": name,
            "owner": {"displayName": owner.get("DisplayName"), "id": owner.get("ID")},
            "creationDate": lower_camel(raw.get("CreationDate")),
        },
        tags=tags_from_list(raw["Tagging"]["TagSet"]) if raw.get("Tagging") else {},
        supplementary=_supplementary(raw),
    )


RESOURCE_TYPE = ResourceType(
    type_name="AWS::S3::Bucket",
    service="s3",
    fetch=fetch,
    transform=transform,
    targeted=Targeted(
        paths=("requestParameters.bucketName",),
        describe=describe,
        not_found=frozenset({"NoSuchBucket"}),
        batch=100,
    ),
    events=frozenset(
        {
            "CreateBucket",
            "DeleteBucket",
            "PutBucketAcl",
            "PutBucketPolicy",
            "DeleteBucketPolicy",
            "PutBucketVersioning",
            "PutBucketLogging",
            "PutBucketNotification",  # PutBucketNotificationConfiguration, as CloudTrail logs it
            "PutBucketAccelerateConfiguration",
            "PutBucketRequestPayment",
            "PutBucketEncryption",
            "DeleteBucketEncryption",
            "PutBucketPublicAccessBlock",  # PutPublicAccessBlock, as CloudTrail logs it
            "DeleteBucketPublicAccessBlock",  # DeletePublicAccessBlock
            "PutBucketTagging",
            "DeleteBucketTagging",
        }
    ),
)
