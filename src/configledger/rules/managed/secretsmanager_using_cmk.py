"""SECRETSMANAGER_USING_CMK (secretsmanager-using-cmk).

The secret must be encrypted with a customer managed key (not the default
aws/secretsmanager key), one of ``kmsKeyArns`` when given.
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

DEFAULT_KEY = "alias/aws/secretsmanager"


def evaluate(rule_input: RuleInput) -> Verdict:
    key = rule_input.configuration.get("KMSKeyId")
    if not key or key == DEFAULT_KEY:
        return non_compliant("The secret uses the AWS managed key.")
    wanted = rule_input.params.get("kmsKeyArns") or []
    if wanted and not any(key == w or key_matches(key, w) for w in wanted):
        return non_compliant("The secret is encrypted with a key not in kmsKeyArns.")
    return compliant()


RULE = ManagedRule(
    identifier="SECRETSMANAGER_USING_CMK",
    default_name="secretsmanager-using-cmk",
    description="Checks that secrets are encrypted with a customer managed KMS key.",
    resource_types=("AWS::SecretsManager::Secret",),
    triggers=frozenset({Trigger.CHANGE}),
    evaluate=evaluate,
    parameters=(Param("kmsKeyArns", "CSV"),),
)
