"""ALB_HTTP_TO_HTTPS_REDIRECTION_CHECK (alb-http-to-https-redirection-check).

Every HTTP listener of an Application Load Balancer must redirect to HTTPS: its
default action and each of its rules' actions is a redirect with protocol HTTPS
(DescribeListeners, DescribeRules). Other load balancer types are NOT_APPLICABLE.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from configledger.rules.managed._account import pages
from configledger.rules.types import (
    ManagedRule,
    RuleInput,
    Trigger,
    Verdict,
    compliant,
    non_compliant,
    not_applicable,
)


def _redirects(actions: Iterable[Mapping[str, Any]]) -> bool:
    kinds = [
        a for a in actions if a.get("Type") not in ("authenticate-oidc", "authenticate-cognito")
    ]
    return bool(kinds) and all(
        a.get("Type") == "redirect"
        and str((a.get("RedirectConfig") or {}).get("Protocol", "")).upper() == "HTTPS"
        for a in kinds
    )


def evaluate(rule_input: RuleInput) -> Verdict:
    if rule_input.configuration.get("type") != "application":
        return not_applicable("Only Application Load Balancers are evaluated.")
    env = rule_input.env
    arn = rule_input.configuration.get("loadBalancerArn") or rule_input.item.get("resourceId")
    for page in pages(env, "elbv2", "describe_listeners", token="Marker", LoadBalancerArn=arn):
        for listener in page.get("Listeners", []):
            if listener.get("Protocol") != "HTTP":
                continue
            if not _redirects(listener.get("DefaultActions") or []):
                return non_compliant(
                    f"HTTP listener on port {listener.get('Port')} does not redirect to HTTPS."
                )
            rules = env.call("elbv2", "describe_rules", ListenerArn=listener["ListenerArn"])
            for rule in rules.get("Rules", []):
                if not rule.get("IsDefault") and not _redirects(rule.get("Actions") or []):
                    return non_compliant(
                        f"A rule of the HTTP listener on port {listener.get('Port')} "
                        "does not redirect to HTTPS."
                    )
    return compliant()


RULE = ManagedRule(
    identifier="ALB_HTTP_TO_HTTPS_REDIRECTION_CHECK",
    default_name="alb-http-to-https-redirection-check",
    description="Checks that HTTP listeners of Application Load Balancers redirect to HTTPS.",
    resource_types=("AWS::ElasticLoadBalancingV2::LoadBalancer",),
    triggers=frozenset({Trigger.PERIODIC}),
    evaluate=evaluate,
)
