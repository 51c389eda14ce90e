"""EC2_IMDSV2_CHECK (ec2-imdsv2-check).

Instance metadata must require session tokens (IMDSv2): ``metadataOptions.httpTokens``
"required"; "optional" is non-compliant. An item without metadata options (nothing to
judge) is NOT_APPLICABLE.
"""

from __future__ import annotations

from configledger.rules.types import (
    ManagedRule,
    RuleInput,
    Trigger,
    Verdict,
    compliant,
    non_compliant,
    not_applicable,
)


def evaluate(rule_input: RuleInput) -> Verdict:
    tokens = (rule_input.configuration.get("metadataOptions") or {}).get("httpTokens")
    if tokens is None:
        return not_applicable("The instance reports no metadata options.")
    if tokens == "required":
        return compliant()
    return non_compliant("Instance metadata does not require IMDSv2 tokens.")


RULE = ManagedRule(
    identifier="EC2_IMDSV2_CHECK",
    default_name="ec2-imdsv2-check",
    description="Checks that EC2 instance metadata requires IMDSv2.",
    resource_types=("AWS::EC2::Instance",),
    triggers=frozenset({Trigger.CHANGE}),
    evaluate=evaluate,
)
