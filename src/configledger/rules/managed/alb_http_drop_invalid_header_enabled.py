"""ALB_HTTP_DROP_INVALID_HEADER_ENABLED (alb-http-drop-invalid-header-enabled).

An Application Load Balancer must drop invalid header fields
(``routing.http.drop_invalid_header_fields.enabled``). Other types are NOT_APPLICABLE.
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
    not_applicable,
)

ATTRIBUTE = "routing.http.drop_invalid_header_fields.enabled"


def evaluate(rule_input: RuleInput) -> Verdict:
    if rule_input.configuration.get("type") != "application":
        return not_applicable("Only Application Load Balancers are evaluated.")
    attributes = pairs(rule_input.supplementary.get("LoadBalancerAttributes"))
    if str(attributes.get(ATTRIBUTE, "")).lower() == "true":
        return compliant()
    return non_compliant("Invalid HTTP headers are not dropped.")


RULE = ManagedRule(
    identifier="ALB_HTTP_DROP_INVALID_HEADER_ENABLED",
    default_name="alb-http-drop-invalid-header-enabled",
    description="Checks that Application Load Balancers drop invalid HTTP headers.",
    resource_types=("AWS::ElasticLoadBalancingV2::LoadBalancer",),
    triggers=frozenset({Trigger.CHANGE}),
    evaluate=evaluate,
)
