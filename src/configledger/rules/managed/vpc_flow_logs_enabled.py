"""VPC_FLOW_LOGS_ENABLED (vpc-flow-logs-enabled).

The VPC must have an active flow log (DescribeFlowLogs for the VPC), of traffic type
``trafficType`` (ACCEPT, REJECT or ALL) when given.
"""

from __future__ import annotations

from configledger.rules.managed._account import pages
from configledger.rules.types import (
    ManagedRule,
    Param,
    RuleInput,
    Trigger,
    Verdict,
    compliant,
    non_compliant,
)


def evaluate(rule_input: RuleInput) -> Verdict:
    vpc = str(rule_input.configuration.get("vpcId") or rule_input.item.get("resourceId"))
    flow_logs = [
        log
        for page in pages(
            rule_input.env,
            "ec2",
            "describe_flow_logs",
            Filters=[{"Name": "resource-id", "Values": [vpc]}],
        )
        for log in page.get("FlowLogs", [])
        if log.get("ResourceId") == vpc and log.get("FlowLogStatus", "ACTIVE") == "ACTIVE"
    ]
    if not flow_logs:
        return non_compliant("The VPC has no flow log.")
    wanted = rule_input.params.get("trafficType")
    if wanted and not any(
        str(log.get("TrafficType", "")).upper() == wanted.upper() for log in flow_logs
    ):
        return non_compliant(f"The VPC has no flow log of traffic type {wanted}.")
    return compliant()


RULE = ManagedRule(
    identifier="VPC_FLOW_LOGS_ENABLED",
    default_name="vpc-flow-logs-enabled",
    description="Checks that VPC flow logs are enabled.",
    resource_types=("AWS::EC2::VPC",),
    triggers=frozenset({Trigger.PERIODIC}),
    evaluate=evaluate,
    parameters=(Param("trafficType", "String"),),
)
