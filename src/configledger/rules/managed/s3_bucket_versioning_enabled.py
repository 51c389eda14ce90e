"""S3_BUCKET_VERSIONING_ENABLED (s3-bucket-versioning-enabled).

Versioning must be ``Enabled`` (``Off`` and ``Suspended`` are not); with
``isMfaDeleteEnabled`` "true", MFA delete must be on too.
"""

from __future__ import annotations

from collections.abc import Mapping

from configledger.rules.managed._shared import flag
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
    found = rule_input.supplementary.get("BucketVersioningConfiguration")
    versioning = found if isinstance(found, Mapping) else {}
    if versioning.get("status") != "Enabled":
        return non_compliant("Versioning is not enabled on the bucket.")
    if flag(rule_input.params.get("isMfaDeleteEnabled")) and not versioning.get(
        "isMfaDeleteEnabled"
    ):
        return non_compliant("MFA delete is not enabled on the bucket.")
    return compliant()


RULE = ManagedRule(
    identifier="S3_BUCKET_VERSIONING_ENABLED",
    default_name="s3-bucket-versioning-enabled",
    description="Checks that versioning is enabled for S3 buckets.",
    resource_types=("AWS::S3::Bucket",),
    triggers=frozenset({Trigger.CHANGE}),
    evaluate=evaluate,
    parameters=(Param("isMfaDeleteEnabled", "String"),),
)
