"""DB_INSTANCE_BACKUP_ENABLED (db-instance-backup-enabled).

Automated backups must be on (a retention period above zero), with exactly
``backupRetentionPeriod`` days, at least ``backupRetentionMinimum`` days, and in
``preferredBackupWindow`` when those are given. Read replicas are evaluated only with
``checkReadReplicas`` true; otherwise they are NOT_APPLICABLE.
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
    configuration = rule_input.configuration
    params = rule_input.params
    if configuration.get("readReplicaSourceDBInstanceIdentifier") and not params.get(
        "checkReadReplicas"
    ):
        return not_applicable("Read replicas are not checked.")
    retention = int(configuration.get("backupRetentionPeriod") or 0)
    if retention <= 0:
        return non_compliant("Automated backups are disabled.")
    exact = params.get("backupRetentionPeriod")
    if exact is not None and retention != int(exact):
        return non_compliant(f"Backups are kept {retention} days, not {exact}.")
    minimum = params.get("backupRetentionMinimum")
    if minimum is not None and retention < int(minimum):
        return non_compliant(f"Backups are kept {retention} days, fewer than {minimum}.")
    window = params.get("preferredBackupWindow")
    if window and configuration.get("preferredBackupWindow") != window:
        return non_compliant(f"The backup window is not {window}.")
    return compliant()


RULE = ManagedRule(
    identifier="DB_INSTANCE_BACKUP_ENABLED",
    default_name="db-instance-backup-enabled",
    description="Checks that RDS DB instances have automated backups enabled.",
    resource_types=("AWS::RDS::DBInstance",),
    triggers=frozenset({Trigger.CHANGE}),
    evaluate=evaluate,
    parameters=(
        Param("backupRetentionMinimum", "int"),
        Param("backupRetentionPeriod", "int"),
        Param("checkReadReplicas", "boolean"),
        Param("preferredBackupWindow", "String"),
    ),
)
