"""REQUIRED_TAGS (required-tags).

The resource must carry every ``tagNKey`` given (``tag1Key`` is required; keys are
case-sensitive), and when ``tagNValue`` lists values, that tag's value must be one of
them.
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

SLOTS = range(1, 7)
RESOURCE_TYPES = (
    "AWS::ACM::Certificate",
    "AWS::AutoScaling::AutoScalingGroup",
    "AWS::CloudFormation::Stack",
    "AWS::CodeBuild::Project",
    "AWS::DynamoDB::Table",
    "AWS::EC2::CustomerGateway",
    "AWS::EC2::Instance",
    "AWS::EC2::InternetGateway",
    "AWS::EC2::NetworkAcl",
    "AWS::EC2::NetworkInterface",
    "AWS::EC2::RouteTable",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::Subnet",
    "AWS::EC2::Volume",
    "AWS::EC2::VPC",
    "AWS::EC2::VPNConnection",
    "AWS::EC2::VPNGateway",
    "AWS::ElasticLoadBalancing::LoadBalancer",
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::RDS::DBInstance",
    "AWS::RDS::DBSecurityGroup",
    "AWS::RDS::DBSnapshot",
    "AWS::RDS::DBSubnetGroup",
    "AWS::RDS::EventSubscription",
    "AWS::Redshift::Cluster",
    "AWS::Redshift::ClusterParameterGroup",
    "AWS::Redshift::ClusterSecurityGroup",
    "AWS::Redshift::ClusterSnapshot",
    "AWS::Redshift::ClusterSubnetGroup",
    "AWS::S3::Bucket",
)


def evaluate(rule_input: RuleInput) -> Verdict:
    tags = rule_input.tags
    for n in SLOTS:
        key = rule_input.params.get(f"tag{n}Key")
        if not key:
            continue
        if key not in tags:
            return non_compliant(f"The resource has no tag {key}.")
        allowed = rule_input.params.get(f"tag{n}Value") or []
        if allowed and tags[key] not in allowed:
            return non_compliant(f"Tag {key} has a value that is not allowed.")
    return compliant()


RULE = ManagedRule(
    identifier="REQUIRED_TAGS",
    default_name="required-tags",
    description="Checks that resources carry the required tags.",
    resource_types=RESOURCE_TYPES,
    triggers=frozenset({Trigger.CHANGE}),
    evaluate=evaluate,
    parameters=(
        Param("tag1Key", "String", optional=False, default="CostCenter"),
        Param("tag1Value", "CSV"),
        *(
            param
            for n in range(2, 7)
            for param in (Param(f"tag{n}Key", "String"), Param(f"tag{n}Value", "CSV"))
        ),
    ),
)
