"""S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED (s3-bucket-level-public-access-prohibited).

Every bucket-level Block Public Access flag must be on, unless the bucket is one of
``excludedPublicBuckets``, the known public buckets AWS's rule lets through.
"""

from __future__ import annotations

from configledger.rules.managed._s3 import BLOCK_FLAGS, block_public_access
from configledger.rules.types import (
    ManagedRule,
    Param,
    RuleInput,
    Trigger,
    Verdict,
    compliant,
    non_compliant,
)


def evaluate(rule_input: RuleInput) -> Verdict:
    name = rule_input.item.get("resourceName") or rule_input.item.get("resourceId")
    if name in (rule_input.params.get("excludedPublicBuckets") or []):
        return compliant("The bucket is listed as a known public bucket.")
    block = block_public_access(rule_input.supplementary)
    off = [f for f in BLOCK_FLAGS if not block.get(f)]
    if off:
        return non_compliant("Bucket-level public access block is off: " + ", ".join(off) + ".")
    return compliant()


RULE = ManagedRule(
    identifier="S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED",
    default_name="s3-bucket-level-public-access-prohibited",
    description="Checks that S3 buckets block public access at the bucket level.",
    resource_types=("AWS::S3::Bucket",),
    triggers=frozenset({Trigger.CHANGE}),
    evaluate=evaluate,
    parameters=(Param("excludedPublicBuckets", "CSV"),),
)
