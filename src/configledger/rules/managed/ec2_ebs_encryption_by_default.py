"""EC2_EBS_ENCRYPTION_BY_DEFAULT (ec2-ebs-encryption-by-default).

An account rule: EBS encryption by default must be on in the region
(GetEbsEncryptionByDefault).
"""

from __future__ import annotations

from configledger.rules.types import (
    ACCOUNT,
    ManagedRule,
    RuleInput,
    Trigger,
    Verdict,
    compliant,
    non_compliant,
)


def evaluate(rule_input: RuleInput) -> Verdict:
    answer = rule_input.env.call("ec2", "get_ebs_encryption_by_default")
    if answer.get("EbsEncryptionByDefault"):
        return compliant()
    return non_compliant("EBS encryption by default is disabled in this region.")


RULE = ManagedRule(
    identifier="EC2_EBS_ENCRYPTION_BY_DEFAULT",
    default_name="ec2-ebs-encryption-by-default",
    description="Checks that EBS encryption is enabled by default.",
    resource_types=(ACCOUNT,),
    triggers=frozenset({Trigger.PERIODIC}),
    evaluate=evaluate,
)
