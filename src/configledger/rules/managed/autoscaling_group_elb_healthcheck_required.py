"""AUTOSCALING_GROUP_ELB_HEALTHCHECK_REQUIRED (autoscaling-group-elb-healthcheck-required).

A group that sends traffic through a load balancer (Classic load balancer names or
target groups) must use Elastic Load Balancing health checks. A group with no load
balancer is NOT_APPLICABLE. The recorder keeps the group in the Java-bean form
(``loadBalancerNames``, ``targetGroupARNs``, ``healthCheckType``).
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
    configuration = rule_input.configuration
    if not configuration.get("loadBalancerNames") and not configuration.get("targetGroupARNs"):
        return not_applicable("The group is not associated with a load balancer.")
    checks = str(configuration.get("healthCheckType") or "").split(",")
    if "ELB" in (c.strip() for c in checks):
        return compliant()
    return non_compliant("The group does not use ELB health checks.")


RULE = ManagedRule(
    identifier="AUTOSCALING_GROUP_ELB_HEALTHCHECK_REQUIRED",
    default_name="autoscaling-group-elb-healthcheck-required",
    description="Checks that Auto Scaling groups behind load balancers use ELB health checks.",
    resource_types=("AWS::AutoScaling::AutoScalingGroup",),
    triggers=frozenset({Trigger.CHANGE}),
    evaluate=evaluate,
)
