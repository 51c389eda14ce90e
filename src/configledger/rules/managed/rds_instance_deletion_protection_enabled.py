"""RDS_INSTANCE_DELETION_PROTECTION_ENABLED (rds-instance-deletion-protection-enabled).

The DB instance must have deletion protection on. With ``databaseEngines`` given, only
instances of those engines are evaluated; the others are NOT_APPLICABLE.
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
    not_applicable,
)


def evaluate(rule_input: RuleInput) -> Verdict:
    engines = rule_input.params.get("databaseEngines") or []
    engine = rule_input.configuration.get("engine")
    if engines and engine not in engines:
        return not_applicable(f"Engine {engine} is not in databaseEngines.")
    if rule_input.configuration.get("deletionProtection"):
        return compliant()
    return non_compliant("Deletion protection is not enabled.")


RULE = ManagedRule(
    identifier="RDS_INSTANCE_DELETION_PROTECTION_ENABLED",
    default_name="rds-instance-deletion-protection-enabled",
    description="Checks that RDS DB instances have deletion protection enabled.",
    resource_types=("AWS::RDS::DBInstance",),
    triggers=frozenset({Trigger.CHANGE}),
    evaluate=evaluate,
    parameters=(Param("databaseEngines", "CSV"),),
)
