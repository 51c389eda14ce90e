"""EC2_SECURITY_GROUP_ATTACHED_TO_ENI (ec2-security-group-attached-to-eni).

A non-default security group must be attached to a network interface. Default groups
are NOT_APPLICABLE.
"""

from __future__ import annotations

from configledger.rules.managed._ec2 import attached_to_interface
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
    if configuration.get("groupName") == "default":
        return not_applicable("Default security groups are not evaluated.")
    group_id = str(configuration.get("groupId") or rule_input.item.get("resourceId"))
    if attached_to_interface(rule_input.env, group_id):
        return compliant()
    return non_compliant("The security group is not attached to any network interface.")


RULE = ManagedRule(
    identifier="EC2_SECURITY_GROUP_ATTACHED_TO_ENI",
    default_name="ec2-security-group-attached-to-eni",
    description="Checks that non-default security groups are attached to network interfaces.",
    resource_types=("AWS::EC2::SecurityGroup",),
    triggers=frozenset({Trigger.CHANGE}),
    evaluate=evaluate,
)
