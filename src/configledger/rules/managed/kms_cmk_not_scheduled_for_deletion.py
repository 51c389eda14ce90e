"""KMS_CMK_NOT_SCHEDULED_FOR_DELETION (kms-cmk-not-scheduled-for-deletion).

A KMS key must not be pending deletion. ``kmsKeyIds`` (comma-separated key ids), when
given, limits the rule to those keys; the others are NOT_APPLICABLE.
"""

from __future__ import annotations

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


def evaluate(rule_input: RuleInput) -> Verdict:
    configuration = rule_input.configuration
    key = str(configuration.get("keyId") or rule_input.item.get("resourceId"))
    wanted = [k.strip() for k in str(rule_input.params.get("kmsKeyIds") or "").split(",")]
    wanted = [k for k in wanted if k]
    if wanted and not any(key_matches(key, w) or key == w for w in wanted):
        return not_applicable("The key is not in kmsKeyIds.")
    if configuration.get("keyState") in ("PendingDeletion", "PendingReplicaDeletion"):
        return non_compliant("The key is scheduled for deletion.")
    return compliant()


RULE = ManagedRule(
    identifier="KMS_CMK_NOT_SCHEDULED_FOR_DELETION",
    default_name="kms-cmk-not-scheduled-for-deletion",
    description="Checks that KMS keys are not scheduled for deletion.",
    resource_types=("AWS::KMS::Key",),
    triggers=frozenset({Trigger.PERIODIC}),
    evaluate=evaluate,
    parameters=(Param("kmsKeyIds", "String"),),
)
