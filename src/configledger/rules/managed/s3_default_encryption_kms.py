"""S3_DEFAULT_ENCRYPTION_KMS (s3-default-encryption-kms).

A bucket's default encryption must be SSE-KMS (``aws:kms`` or ``aws:kms:dsse``), with
one of ``kmsKeyArns`` when given. The rule's scope also lists KMS keys (AWS re-runs it
when keys change); a key itself is not what it judges, so key items are NOT_APPLICABLE.
"""

from __future__ import annotations

from collections.abc import Mapping

from configledger.rules.managed._shared import key_matches
from configledger.rules.types import (
    ManagedRule,
    Param,
    RuleInput,
    Trigger,
    Verdict,
    compliant,
    non_compliant,
    not_applicable,
)

BUCKET = "AWS::S3::Bucket"
KMS_ALGORITHMS = frozenset({"aws:kms", "aws:kms:dsse"})


def evaluate(rule_input: RuleInput) -> Verdict:
    if rule_input.item.get("resourceType") != BUCKET:
        return not_applicable()
    found = rule_input.supplementary.get("ServerSideEncryptionConfiguration")
    rules = found.get("rules") if isinstance(found, Mapping) else None
    defaults = [
        rule.get("applyServerSideEncryptionByDefault") or {}
        for rule in rules or []
        if isinstance(rule, Mapping)
    ]
    kms = [d for d in defaults if d.get("sseAlgorithm") in KMS_ALGORITHMS]
    if not kms:
        return non_compliant("The bucket's default encryption is not SSE-KMS.")
    wanted = rule_input.params.get("kmsKeyArns") or []
    if wanted and not any(key_matches(d.get("kmsMasterKeyID"), arn) for d in kms for arn in wanted):
        return non_compliant("The bucket is encrypted with a key not in kmsKeyArns.")
    return compliant()


RULE = ManagedRule(
    identifier="S3_DEFAULT_ENCRYPTION_KMS",
    default_name="s3-default-encryption-kms",
    description="Checks that S3 buckets are encrypted by default with AWS KMS.",
    resource_types=(BUCKET, "AWS::KMS::Key"),
    triggers=frozenset({Trigger.CHANGE}),
    evaluate=evaluate,
    parameters=(Param("kmsKeyArns", "CSV"),),
)
