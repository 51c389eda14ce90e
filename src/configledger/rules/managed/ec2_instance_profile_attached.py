"""EC2_INSTANCE_PROFILE_ATTACHED (ec2-instance-profile-attached).

The instance must have an IAM instance profile, one of ``IamInstanceProfileArnList``
when given.
"""

from __future__ import annotations

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
    profile = (rule_input.configuration.get("iamInstanceProfile") or {}).get("arn")
    if not profile:
        return non_compliant("The instance has no IAM instance profile.")
    allowed = rule_input.params.get("IamInstanceProfileArnList") or []
    if allowed and profile not in allowed:
        return non_compliant("The instance profile is not an allowed one.")
    return compliant()


RULE = ManagedRule(
    identifier="EC2_INSTANCE_PROFILE_ATTACHED",
    default_name="ec2-instance-profile-attached",
    description="Checks that EC2 instances have an IAM instance profile.",
    resource_types=("AWS::EC2::Instance",),
    triggers=frozenset({Trigger.CHANGE}),
    evaluate=evaluate,
    parameters=(Param("IamInstanceProfileArnList", "CSV"),),
)
