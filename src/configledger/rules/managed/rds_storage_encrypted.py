"""RDS_STORAGE_ENCRYPTED (rds-storage-encrypted).

The DB instance's storage must be encrypted, with the key ``kmsKeyId`` when given.
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
    configuration = rule_input.configuration
    if not configuration.get("storageEncrypted"):
        return non_compliant("The DB instance's storage is not encrypted.")
    wanted = rule_input.params.get("kmsKeyId")
    if wanted and not key_matches(configuration.get("kmsKeyId"), wanted):
        return non_compliant("The DB instance is not encrypted with the required KMS key.")
    return compliant()


RULE = ManagedRule(
    identifier="RDS_STORAGE_ENCRYPTED",
    default_name="rds-storage-encrypted",
    description="Checks that RDS DB instances have storage encryption enabled.",
    resource_types=("AWS::RDS::DBInstance",),
    triggers=frozenset({Trigger.CHANGE}),
    evaluate=evaluate,
    parameters=(Param("kmsKeyId", "String"),),
)
