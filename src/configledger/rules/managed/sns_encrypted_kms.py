"""SNS_ENCRYPTED_KMS (sns-encrypted-kms).

The topic must be encrypted with a KMS key (``KmsMasterKeyId`` among its attributes),
one of ``kmsKeyIds`` when given.
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
)


def evaluate(rule_input: RuleInput) -> Verdict:
    key = rule_input.configuration.get("KmsMasterKeyId")
    if not key:
        return non_compliant("The topic is not encrypted with a KMS key.")
    wanted = rule_input.params.get("kmsKeyIds") or []
    if wanted and not any(key == w or key_matches(key, w) for w in wanted):
        return non_compliant("The topic is encrypted with a key not in kmsKeyIds.")
    return compliant()


RULE = ManagedRule(
    identifier="SNS_ENCRYPTED_KMS",
    default_name="sns-encrypted-kms",
    description="Checks that SNS topics are encrypted with AWS KMS.",
    resource_types=("AWS::SNS::Topic",),
    triggers=frozenset({Trigger.CHANGE}),
    evaluate=evaluate,
    parameters=(Param("kmsKeyIds", "CSV"),),
)
