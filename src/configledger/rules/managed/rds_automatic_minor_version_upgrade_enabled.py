"""RDS_AUTOMATIC_MINOR_VERSION_UPGRADE_ENABLED (rds-automatic-minor-version-upgrade-enabled).

The DB instance must have automatic minor version upgrades on.
"""

from __future__ import annotations

from configledger.rules.types import (
    ManagedRule,
    RuleInput,
    Trigger,
    Verdict,
    compliant,
    non_compliant,
)


def evaluate(rule_input: RuleInput) -> Verdict:
    if rule_input.configuration.get("autoMinorVersionUpgrade"):
        return compliant()
    return non_compliant("Automatic minor version upgrade is disabled.")


RULE = ManagedRule(
    identifier="RDS_AUTOMATIC_MINOR_VERSION_UPGRADE_ENABLED",
    default_name="rds-automatic-minor-version-upgrade-enabled",
    description="Checks that RDS DB instances upgrade minor versions automatically.",
    resource_types=("AWS::RDS::DBInstance",),
    triggers=frozenset({Trigger.CHANGE}),
    evaluate=evaluate,
)
