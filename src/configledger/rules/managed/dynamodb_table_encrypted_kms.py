"""DYNAMODB_TABLE_ENCRYPTED_KMS (dynamodb-table-encrypted-kms).

The table must be encrypted with a KMS key (an AWS owned key does not count), one of
``kmsKeyArns`` when given. The recorder keeps DescribeTable's SSEDescription in the
Java-bean form: ``ssedescription`` with ``status``, ``ssetype``, ``kmsmasterKeyArn``.
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
    sse = rule_input.configuration.get("ssedescription") or {}
    if sse.get("status") != "ENABLED" or sse.get("ssetype") != "KMS":
        return non_compliant("The table is not encrypted with a KMS key.")
    wanted = rule_input.params.get("kmsKeyArns") or []
    if wanted and not any(key_matches(sse.get("kmsmasterKeyArn"), arn) for arn in wanted):
        return non_compliant("The table is encrypted with a key not in kmsKeyArns.")
    return compliant()


RULE = ManagedRule(
    identifier="DYNAMODB_TABLE_ENCRYPTED_KMS",
    default_name="dynamodb-table-encrypted-kms",
    description="Checks that DynamoDB tables are encrypted with AWS KMS.",
    resource_types=("AWS::DynamoDB::Table",),
    triggers=frozenset({Trigger.CHANGE}),
    evaluate=evaluate,
    parameters=(Param("kmsKeyArns", "CSV"),),
)
