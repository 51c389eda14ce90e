"""S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED (s3-bucket-server-side-encryption-enabled).

Compliant when the bucket has default encryption (a rule with an algorithm in
``ServerSideEncryptionConfiguration``), or when its policy denies every PutObject that
does not ask for server-side encryption.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from configledger.rules.managed._s3 import bucket_policy
from configledger.rules.managed._shared import action_matches, as_list, statements
from configledger.rules.types import (
    ManagedRule,
    RuleInput,
    Trigger,
    Verdict,
    compliant,
    non_compliant,
)

ENCRYPTION_HEADER = "s3:x-amz-server-side-encryption"


def _default_encryption(supplementary: Mapping[str, Any]) -> bool:
    found = supplementary.get("ServerSideEncryptionConfiguration")
    rules = found.get("rules") if isinstance(found, Mapping) else None
    return any(
        (rule.get("applyServerSideEncryptionByDefault") or {}).get("sseAlgorithm")
        for rule in rules or []
    )


def _denies_unencrypted_puts(supplementary: Mapping[str, Any]) -> bool:
    for statement in statements(bucket_policy(supplementary)):
        if statement.get("Effect") != "Deny":
            continue
        if not action_matches([str(a) for a in as_list(statement.get("Action"))], "s3:PutObject"):
            continue
        conditions = statement.get("Condition") or {}
        if any(
            ENCRYPTION_HEADER in {str(k).lower() for k in (body or {})}
            for body in conditions.values()
            if isinstance(body, Mapping)
        ):
            return True
    return False


def evaluate(rule_input: RuleInput) -> Verdict:
    supplementary = rule_input.supplementary
    if _default_encryption(supplementary) or _denies_unencrypted_puts(supplementary):
        return compliant()
    return non_compliant(
        "The bucket has no default encryption and its policy does not deny unencrypted puts."
    )


RULE = ManagedRule(
    identifier="S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED",
    default_name="s3-bucket-server-side-encryption-enabled",
    description="Checks that S3 buckets have default encryption or deny unencrypted puts.",
    resource_types=("AWS::S3::Bucket",),
    triggers=frozenset({Trigger.CHANGE}),
    evaluate=evaluate,
)
