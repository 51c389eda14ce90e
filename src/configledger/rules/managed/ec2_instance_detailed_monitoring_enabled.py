"""EC2_INSTANCE_DETAILED_MONITORING_ENABLED (ec2-instance-detailed-monitoring-enabled).

The instance must have detailed monitoring on (``monitoring.state`` enabled).
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
    if (rule_input.configuration.get("monitoring") or {}).get("state") == "enabled":
        return compliant()
    return non_compliant("Detailed monitoring is disabled.")


RULE = ManagedRule(
    identifier="EC2_INSTANCE_DETAILED_MONITORING_ENABLED",
    default_name="ec2-instance-detailed-monitoring-enabled",
    description="Checks that EC2 instances have detailed monitoring enabled.",
    resource_types=("AWS::EC2::Instance",),
    triggers=frozenset({Trigger.CHANGE}),
    evaluate=evaluate,
)
