"""CMK_BACKING_KEY_ROTATION_ENABLED (cmk-backing-key-rotation-enabled).

A symmetric customer managed key whose material KMS made must rotate automatically
(the supplementary ``KeyRotationStatus``). AWS managed keys (rotated by AWS),
asymmetric and HMAC keys, keys with imported or external material, and keys pending
deletion are NOT_APPLICABLE.
"""

from __future__ import annotations

from configledger.rules.types import (
    ManagedRule,
    RuleInput,
    Trigger,
    Verdict,
    compliant,
    non_compliant,
    not_applicable,
)


def evaluate(rule_input: RuleInput) -> Verdict:
    configuration = rule_input.configuration
    if configuration.get("keyManager") != "CUSTOMER":
        return not_applicable("AWS managed keys are rotated by AWS.")
    spec = configuration.get("keySpec") or configuration.get("customerMasterKeySpec")
    if spec != "SYMMETRIC_DEFAULT" or configuration.get("origin") != "AWS_KMS":
        return not_applicable("Only symmetric keys with KMS-made material can rotate.")
    if configuration.get("keyState") in ("PendingDeletion", "PendingReplicaDeletion"):
        return not_applicable("The key is pending deletion.")
    if rule_input.supplementary.get("KeyRotationStatus") is True:
        return compliant()
    return non_compliant("Automatic key rotation is disabled.")


RULE = ManagedRule(
    identifier="CMK_BACKING_KEY_ROTATION_ENABLED",
    default_name="cmk-backing-key-rotation-enabled",
    description="Checks that automatic rotation is enabled for customer managed KMS keys.",
    resource_types=("AWS::KMS::Key",),
    triggers=frozenset({Trigger.PERIODIC}),
    evaluate=evaluate,
)
