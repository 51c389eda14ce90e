"""EC2_VOLUME_INUSE_CHECK (ec2-volume-inuse-check).

An EBS volume must be attached to an instance; with ``deleteOnTermination`` given, its
attachments must also carry that deleteOnTermination flag.
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
    attachments = rule_input.configuration.get("attachments") or []
    if not attachments:
        return non_compliant("The volume is not attached to an instance.")
    wanted = rule_input.params.get("deleteOnTermination")
    if wanted is not None and any(
        bool(a.get("deleteOnTermination")) != wanted for a in attachments
    ):
        return non_compliant(f"The volume's deleteOnTermination is not {str(wanted).lower()}.")
    return compliant()


RULE = ManagedRule(
    identifier="EC2_VOLUME_INUSE_CHECK",
    default_name="ec2-volume-inuse-check",
    description="Checks that EBS volumes are attached to EC2 instances.",
    resource_types=("AWS::EC2::Volume",),
    triggers=frozenset({Trigger.CHANGE}),
    evaluate=evaluate,
    parameters=(Param("deleteOnTermination", "boolean"),),
)
