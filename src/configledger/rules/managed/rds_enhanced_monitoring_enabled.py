"""RDS_ENHANCED_MONITORING_ENABLED (rds-enhanced-monitoring-enabled).

The DB instance must collect enhanced monitoring metrics (a monitoring interval above
zero), every ``monitoringInterval`` seconds when that is given.
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


def evaluate(rule_input: RuleInput) -> Verdict:
    interval = int(rule_input.configuration.get("monitoringInterval") or 0)
    if interval <= 0:
        return non_compliant("Enhanced monitoring is disabled.")
    wanted = rule_input.params.get("monitoringInterval")
    if wanted is not None and interval != int(wanted):
        return non_compliant(f"Enhanced monitoring runs every {interval}s, not {wanted}s.")
    return compliant()


RULE = ManagedRule(
    identifier="RDS_ENHANCED_MONITORING_ENABLED",
    default_name="rds-enhanced-monitoring-enabled",
    description="Checks that RDS DB instances have enhanced monitoring enabled.",
    resource_types=("AWS::RDS::DBInstance",),
    triggers=frozenset({Trigger.CHANGE}),
    evaluate=evaluate,
    parameters=(Param("monitoringInterval", "int"),),
)
