"""The S3 rules over named bucket items, shaped as the recorder records buckets
(recorder/resource_types/s3/bucket.py): settings in the supplementary configuration,
the ACL as JSON text with group grantees named AllUsers / AuthenticatedUsers."""

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

OWNER = {"id": "owner-canonical-id", "displayName": "owner"}
KMS_KEY = "arn:aws:kms:us-east-1:123456789012:key/1111aaaa-2222-bbbb-3333-cccc4444dddd"
ALL_BLOCKED = {
    "blockPublicAcls": True,
    "ignorePublicAcls": True,
    "blockPublicPolicy": True,
    "restrictPublicBuckets": True,
}


def grant(grantee: Any, permission: str) -> dict[str, Any]:
    return {"grantee": grantee, "permission": permission}


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def bucket(
    name: str = "ledger-bucket",
    *,
    grants: tuple[dict[str, Any], ...] = (),
    bucket_policy: str | None = None,
    versioning: str = "Off",
    mfa_delete: bool | None = None,
    log_to: str | None = None,
    log_prefix: str | None = None,
    encryption: dict[str, Any] | None = None,
    block: dict[str, bool] | None = None,
) -> dict[str, Any]:
    acl = {
        "grantSet": None,
        "grantList": [grant(OWNER, "FullControl"), *grants],
        "owner": OWNER,
        "isRequesterCharged": False,
    }
    supplementary: dict[str, Any] = {
        "AccessControlList": json.dumps(acl, separators=(",", ":")),
        "BucketAccelerateConfiguration": {"status": None},
        "BucketLoggingConfiguration": {
            "destinationBucketName": log_to,
            "logFilePrefix": log_prefix,
        },
        "BucketNotificationConfiguration": {"configurations": {}},
        "BucketPolicy": {"policyText": bucket_policy},
        "BucketVersioningConfiguration": {"status": versioning, "isMfaDeleteEnabled": mfa_delete},
        "IsRequesterPaysEnabled": False,
    }
    if encryption is not None:
        supplementary["ServerSideEncryptionConfiguration"] = {
            "rules": [{"applyServerSideEncryptionByDefault": encryption, "bucketKeyEnabled": None}]
        }
    if block is not None:
        supplementary["PublicAccessBlockConfiguration"] = block
    return stream_item(
        "AWS::S3::Bucket",
        name,
        {"name": name, "owner": OWNER, "creationDate": "2025-01-01T00:00:00.000Z"},
        supplementary=supplementary,
        name=name,
        arn=f"arn:aws:s3:::{name}",
    )


PUBLIC_READ_POLICY = policy(
    {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
)
PUBLIC_WRITE_POLICY = policy(
    {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["s3:Put*"], "Resource": "*"}
)
CONDITIONAL_READ_POLICY = policy(
    {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::b/*",
        "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}},
    }
)
ACCOUNT_READ_POLICY = policy(
    {
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
        "Action": "s3:*",
        "Resource": "*",
    }
)
SSL_ONLY_POLICY = policy(
    {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
)
DENY_UNENCRYPTED_PUTS = policy(
    {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:PutObject",
        "Resource": "arn:aws:s3:::b/*",
        "Condition": {"Null": {"s3:x-amz-server-side-encryption": "true"}},
    }
)

READ = "S3_BUCKET_PUBLIC_READ_PROHIBITED"
WRITE = "S3_BUCKET_PUBLIC_WRITE_PROHIBITED"
SSE = "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED"
SSL = "S3_BUCKET_SSL_REQUESTS_ONLY"
VERSIONING = "S3_BUCKET_VERSIONING_ENABLED"
LOGGING = "S3_BUCKET_LOGGING_ENABLED"
LEVEL = "S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED"
ACCOUNT_BLOCK = "S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC"
KMS = "S3_DEFAULT_ENCRYPTION_KMS"


def account_block(**settings: bool) -> DictEnvironment:
    block = {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
        **settings,
    }
    answer = {"PublicAccessBlockConfiguration": block}
    return DictEnvironment(calls={("s3control", "get_public_access_block"): answer})


CASES = [
    Case("private bucket", READ, bucket(), C),
    Case("AllUsers may read", READ, bucket(grants=(grant("AllUsers", "Read"),)), NC),
    Case(
        "AuthenticatedUsers full control",
        READ,
        bucket(grants=(grant("AuthenticatedUsers", "FullControl"),)),
        NC,
    ),
    Case("policy lets everyone get objects", READ, bucket(bucket_policy=PUBLIC_READ_POLICY), NC),
    Case("policy narrowed by a condition", READ, bucket(bucket_policy=CONDITIONAL_READ_POLICY), C),
    Case("policy for one account", READ, bucket(bucket_policy=ACCOUNT_READ_POLICY), C),
    Case("AllUsers may write only", READ, bucket(grants=(grant("AllUsers", "Write"),)), C),
    Case(
        "public ACL and policy behind Block Public Access",
        READ,
        bucket(
            grants=(grant("AllUsers", "Read"),),
            bucket_policy=PUBLIC_READ_POLICY,
            block={**ALL_BLOCKED, "blockPublicAcls": False, "blockPublicPolicy": False},
        ),
        C,
    ),
    Case(
        "public ACL with only policies restricted",
        READ,
        bucket(
            grants=(grant("AllUsers", "Read"),),
            block={**ALL_BLOCKED, "ignorePublicAcls": False},
        ),
        NC,
    ),
    Case("private bucket", WRITE, bucket(), C),
    Case("AllUsers may write", WRITE, bucket(grants=(grant("AllUsers", "Write"),)), NC),
    Case("AllUsers may read only", WRITE, bucket(grants=(grant("AllUsers", "Read"),)), C),
    Case("policy lets everyone put", WRITE, bucket(bucket_policy=PUBLIC_WRITE_POLICY), NC),
    Case("public read policy only", WRITE, bucket(bucket_policy=PUBLIC_READ_POLICY), C),
    Case(
        "public write policy with restricted public buckets",
        WRITE,
        bucket(bucket_policy=PUBLIC_WRITE_POLICY, block={**ALL_BLOCKED, "ignorePublicAcls": False}),
        C,
    ),
    Case(
        "SSE-S3 default encryption",
        SSE,
        bucket(encryption={"sseAlgorithm": "AES256", "kmsMasterKeyID": None}),
        C,
    ),
    Case("no default encryption", SSE, bucket(), NC),
    Case("policy denies unencrypted puts", SSE, bucket(bucket_policy=DENY_UNENCRYPTED_PUTS), C),
    Case("policy without an encryption deny", SSE, bucket(bucket_policy=ACCOUNT_READ_POLICY), NC),
    Case("denies insecure transport", SSL, bucket(bucket_policy=SSL_ONLY_POLICY), C),
    Case("no policy", SSL, bucket(), NC),
    Case("policy that does not deny plain HTTP", SSL, bucket(bucket_policy=PUBLIC_READ_POLICY), NC),
    Case("versioning enabled", VERSIONING, bucket(versioning="Enabled"), C),
    Case("versioning never enabled", VERSIONING, bucket(), NC),
    Case("versioning suspended", VERSIONING, bucket(versioning="Suspended"), NC),
    Case(
        "MFA delete required and off",
        VERSIONING,
        bucket(versioning="Enabled", mfa_delete=False),
        NC,
        {"isMfaDeleteEnabled": "true"},
    ),
    Case(
        "MFA delete required and on",
        VERSIONING,
        bucket(versioning="Enabled", mfa_delete=True),
        C,
        {"isMfaDeleteEnabled": "true"},
    ),
    Case("logging on", LOGGING, bucket(log_to="logs-bucket", log_prefix="access/"), C),
    Case("logging off", LOGGING, bucket(), NC),
    Case(
        "logging to another bucket",
        LOGGING,
        bucket(log_to="other"),
        NC,
        {"targetBucket": "logs-bucket"},
    ),
    Case(
        "logging with the wrong prefix",
        LOGGING,
        bucket(log_to="logs-bucket", log_prefix="x/"),
        NC,
        {"targetBucket": "logs-bucket", "targetPrefix": "access/"},
    ),
    Case(
        "logging as required",
        LOGGING,
        bucket(log_to="logs-bucket", log_prefix="access/"),
        C,
        {"targetBucket": "logs-bucket", "targetPrefix": "access/"},
    ),
    Case("all four blocks on", LEVEL, bucket(block=ALL_BLOCKED), C),
    Case("no block public access", LEVEL, bucket(), NC),
    Case("one block off", LEVEL, bucket(block={**ALL_BLOCKED, "restrictPublicBuckets": False}), NC),
    Case(
        "known public bucket",
        LEVEL,
        bucket("website", block=None),
        C,
        {"excludedPublicBuckets": "website,assets"},
    ),
    Case("all account blocks on", ACCOUNT_BLOCK, account_item(), C, env=account_block()),
    Case(
        "an account block off",
        ACCOUNT_BLOCK,
        account_item(),
        NC,
        env=account_block(RestrictPublicBuckets=False),
    ),
    Case(
        "an account block off but not required",
        ACCOUNT_BLOCK,
        account_item(),
        C,
        {"RestrictPublicBuckets": "False"},
        account_block(RestrictPublicBuckets=False),
    ),
    Case(
        "no account block",
        ACCOUNT_BLOCK,
        account_item(),
        NC,
        env=DictEnvironment(
            calls={
                ("s3control", "get_public_access_block"): AwsCallFailed(
                    "NoSuchPublicAccessBlockConfiguration"
                )
            }
        ),
    ),
    Case(
        "SSE-KMS", KMS, bucket(encryption={"sseAlgorithm": "aws:kms", "kmsMasterKeyID": KMS_KEY}), C
    ),
    Case("SSE-S3", KMS, bucket(encryption={"sseAlgorithm": "AES256", "kmsMasterKeyID": None}), NC),
    Case("no default encryption", KMS, bucket(), NC),
    Case(
        "SSE-KMS with a listed key",
        KMS,
        bucket(encryption={"sseAlgorithm": "aws:kms", "kmsMasterKeyID": KMS_KEY}),
        C,
        {"kmsKeyArns": KMS_KEY},
    ),
    Case(
        "SSE-KMS with another key",
        KMS,
        bucket(encryption={"sseAlgorithm": "aws:kms", "kmsMasterKeyID": KMS_KEY}),
        NC,
        {"kmsKeyArns": KMS_KEY.replace("1111", "9999")},
    ),
    Case(
        "a KMS key item", KMS, stream_item("AWS::KMS::Key", "1111aaaa", {"keyId": "1111aaaa"}), NA
    ),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_case(case: Case) -> None:
    case.run()


def test_account_rule_asks_s3_control_for_this_account() -> None:
    env = account_block()
    Case("", ACCOUNT_BLOCK, account_item(), C, env=env).run()
    assert env.made == [("s3control", "get_public_access_block", {"AccountId": env.account_id})]


def test_an_unexpected_s3_control_error_is_not_a_verdict() -> None:
    env = DictEnvironment(
        calls={("s3control", "get_public_access_block"): AwsCallFailed("AccessDenied")}
    )
    with pytest.raises(AwsCallFailed):
        Case("", ACCOUNT_BLOCK, account_item(), NC, env=env).run()
