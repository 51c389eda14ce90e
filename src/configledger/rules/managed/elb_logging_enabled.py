"""ELB_LOGGING_ENABLED (elb-logging-enabled).

An Application or Classic Load Balancer must write access logs, to one of
``s3BucketNames`` when given. Network and Gateway Load Balancers are NOT_APPLICABLE.
An ELBv2 item keeps its attributes as the supplementary ``LoadBalancerAttributes``
[{key, value}] list; a Classic one as ``{accessLog: {enabled, s3BucketName}}``.
"""

from __future__ import annotations

from collections.abc import Mapping

from configledger.rules.managed._shared import pairs
from configledger.rules.types import (
    ManagedRule,
    Param,
    RuleInput,
    Trigger,
    Verdict,
    compliant,
    non_compliant,
    not_applicable,
)

V2 = "AWS::ElasticLoadBalancingV2::LoadBalancer"


def _access_log(rule_input: RuleInput) -> tuple[bool, str | None]:
    attributes = rule_input.supplementary.get("LoadBalancerAttributes")
    if isinstance(attributes, Mapping):
        log = attributes.get("accessLog") or {}
        return bool(log.get("enabled")), log.get("s3BucketName")
    found = pairs(attributes)
    enabled = str(found.get("access_logs.s3.enabled", "false")).lower() == "true"
    return enabled, found.get("access_logs.s3.bucket")


def evaluate(rule_input: RuleInput) -> Verdict:
    kind = rule_input.configuration.get("type")
    if rule_input.item.get("resourceType") == V2 and kind != "application":
        return not_applicable(f"A {kind} load balancer is not evaluated.")
    enabled, bucket = _access_log(rule_input)
    if not enabled:
        return non_compliant("Access logging is disabled.")
    buckets = rule_input.params.get("s3BucketNames") or []
    if buckets and bucket not in buckets:
        return non_compliant(f"Access logs go to {bucket}, not one of s3BucketNames.")
    return compliant()


RULE = ManagedRule(
    identifier="ELB_LOGGING_ENABLED",
    default_name="elb-logging-enabled",
    description="Checks that Application and Classic Load Balancers have logging enabled.",
    resource_types=("AWS::ElasticLoadBalancing::LoadBalancer", V2),
    triggers=frozenset({Trigger.CHANGE}),
    evaluate=evaluate,
    parameters=(Param("s3BucketNames", "CSV"),),
)
