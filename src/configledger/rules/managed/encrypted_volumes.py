"""ENCRYPTED_VOLUMES (encrypted-volumes).

An attached EBS volume must be encrypted, with the key ``kmsId`` (id or ARN) when given.
A volume attached to nothing is NOT_APPLICABLE.
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
    if not configuration.get("attachments"):
        return not_applicable("The volume is not attached.")
    if not configuration.get("encrypted"):
        return non_compliant("The attached volume is not encrypted.")
    wanted = rule_input.params.get("kmsId")
    if wanted and not key_matches(configuration.get("kmsKeyId"), wanted):
        return non_compliant("The volume is not encrypted with the required KMS key.")
    return compliant()


RULE = ManagedRule(
    identifier="ENCRYPTED_VOLUMES",
    default_name="encrypted-volumes",
    description="Checks that attached EBS volumes are encrypted.",
    resource_types=("AWS::EC2::Volume",),
    triggers=frozenset({Trigger.CHANGE}),
    evaluate=evaluate,
    parameters=(Param("kmsId", "String"),),
)
