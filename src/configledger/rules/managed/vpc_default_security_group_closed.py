"""VPC_DEFAULT_SECURITY_GROUP_CLOSED (vpc-default-security-group-closed).

A VPC's default security group must have no inbound and no outbound rule. Other groups
are NOT_APPLICABLE.
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
    if configuration.get("groupName") != "default":
        return not_applicable("Not a default security group.")
    if configuration.get("ipPermissions") or configuration.get("ipPermissionsEgress"):
        return non_compliant("The default security group has inbound or outbound rules.")
    return compliant()


RULE = ManagedRule(
    identifier="VPC_DEFAULT_SECURITY_GROUP_CLOSED",
    default_name="vpc-default-security-group-closed",
    description="Checks that the default security group of every VPC allows no traffic.",
    resource_types=("AWS::EC2::SecurityGroup",),
    triggers=frozenset({Trigger.CHANGE}),
    evaluate=evaluate,
)
