"""CLOUDFORMATION_TERMINATION_PROTECTION_CHECK (cloudformation-termination-protection-check).

The stack must have termination protection on (DescribeStacks'
``EnableTerminationProtection``, in the document and the supplementary configuration).
"""

from __future__ import annotations

from configledger.rules.types import (
    ManagedRule,
    RuleInput,
    Trigger,
    Verdict,
    compliant,
    non_compliant,
)


def evaluate(rule_input: RuleInput) -> Verdict:
    enabled = rule_input.configuration.get("enableTerminationProtection")
    if enabled is None:
        enabled = rule_input.supplementary.get("EnableTerminationProtection")
    if enabled:
        return compliant()
    return non_compliant("Termination protection is disabled.")


RULE = ManagedRule(
    identifier="CLOUDFORMATION_TERMINATION_PROTECTION_CHECK",
    default_name="cloudformation-termination-protection-check",
    description="Checks that CloudFormation stacks have termination protection enabled.",
    resource_types=("AWS::CloudFormation::Stack",),
    triggers=frozenset({Trigger.CHANGE}),
    evaluate=evaluate,
)
