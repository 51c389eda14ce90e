"""APPROVED_AMIS_BY_ID (approved-amis-by-id).

The instance's image must be one of ``amiIds`` (required).
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
    image = rule_input.configuration.get("imageId")
    if image in (rule_input.params.get("amiIds") or []):
        return compliant()
    return non_compliant(f"AMI {image} is not approved.")


RULE = ManagedRule(
    identifier="APPROVED_AMIS_BY_ID",
    default_name="approved-amis-by-id",
    description="Checks that running EC2 instances use approved AMIs.",
    resource_types=("AWS::EC2::Instance",),
    triggers=frozenset({Trigger.CHANGE}),
    evaluate=evaluate,
    parameters=(Param("amiIds", "CSV", optional=False),),
)
