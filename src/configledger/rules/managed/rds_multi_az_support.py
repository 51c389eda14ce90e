"""RDS_MULTI_AZ_SUPPORT (rds-multi-az-support).

The DB instance must be a Multi-AZ deployment. Aurora, DocumentDB and Neptune
instances, and members of DB clusters, get their availability from the cluster and are
NOT_APPLICABLE.
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

CLUSTER_ENGINES = ("aurora", "docdb", "neptune")


def evaluate(rule_input: RuleInput) -> Verdict:
    configuration = rule_input.configuration
    engine = str(configuration.get("engine") or "")
    if engine.startswith(CLUSTER_ENGINES) or configuration.get("dBClusterIdentifier"):
        return not_applicable(f"Engine {engine} is not evaluated by this rule.")
    if configuration.get("multiAZ"):
        return compliant()
    return non_compliant("The DB instance is not a Multi-AZ deployment.")


RULE = ManagedRule(
    identifier="RDS_MULTI_AZ_SUPPORT",
    default_name="rds-multi-az-support",
    description="Checks that high availability (Multi-AZ) is enabled for RDS DB instances.",
    resource_types=("AWS::RDS::DBInstance",),
    triggers=frozenset({Trigger.CHANGE}),
    evaluate=evaluate,
)
