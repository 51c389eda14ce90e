"""ELB_DELETION_PROTECTION_ENABLED (elb-deletion-protection-enabled).

The load balancer's ``deletion_protection.enabled`` attribute must be true.
"""

from __future__ import annotations

from configledger.rules.managed._shared import pairs
from configledger.rules.types import (
    ManagedRule,
    RuleInput,
    Trigger,
    Verdict,
    compliant,
    non_compliant,
)


def evaluate(rule_input: RuleInput) -> Verdict:
    attributes = pairs(rule_input.supplementary.get("LoadBalancerAttributes"))
    if str(attributes.get("deletion_protection.enabled", "")).lower() == "true":
        return compliant()
    return non_compliant("Deletion protection is disabled.")


RULE = ManagedRule(
    identifier="ELB_DELETION_PROTECTION_ENABLED",
    default_name="elb-deletion-protection-enabled",
    description="Checks that load balancers have deletion protection enabled.",
    resource_types=("AWS::ElasticLoadBalancingV2::LoadBalancer",),
    triggers=frozenset({Trigger.CHANGE}),
    evaluate=evaluate,
)
