"""Every managed rule held to AWS's managed-rule catalogue (moto ships it as data,
scraped from AWS's developer guide): identifier, parameters (name, type, optional flag,
default, in the catalogue's order), resource types and trigger types; and the registry
held to its one-module-per-identifier layout."""

from __future__ import annotations

import gzip
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import moto
import pytest

from configledger.recorder.resource_types import REGISTRY
from configledger.rules import managed
from configledger.rules.managed import MANAGED_RULES
from configledger.rules.types import ACCOUNT, ManagedRule, Trigger

CATALOGUE = Path(moto.__file__).parent / "config" / "resources" / "aws_managed_rules.json.gz"
TRIGGERS = {
    "Configuration changes": {Trigger.CHANGE},
    "Periodic": {Trigger.PERIODIC},
    "Configuration changes and Periodic": {Trigger.CHANGE, Trigger.PERIODIC},
}
# The 64 identifiers of spec 7.9's table.
_SPEC_TABLE = """
S3_BUCKET_PUBLIC_READ_PROHIBITED S3_BUCKET_PUBLIC_WRITE_PROHIBITED
S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED S3_BUCKET_SSL_REQUESTS_ONLY
S3_BUCKET_VERSIONING_ENABLED S3_BUCKET_LOGGING_ENABLED
S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC
S3_DEFAULT_ENCRYPTION_KMS INCOMING_SSH_DISABLED RESTRICTED_INCOMING_TRAFFIC
VPC_DEFAULT_SECURITY_GROUP_CLOSED VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS VPC_FLOW_LOGS_ENABLED
ENCRYPTED_VOLUMES EC2_EBS_ENCRYPTION_BY_DEFAULT EC2_INSTANCE_NO_PUBLIC_IP INSTANCES_IN_VPC
EC2_IMDSV2_CHECK EC2_STOPPED_INSTANCE EC2_VOLUME_INUSE_CHECK EIP_ATTACHED
DESIRED_INSTANCE_TYPE APPROVED_AMIS_BY_ID REQUIRED_TAGS RDS_STORAGE_ENCRYPTED
RDS_INSTANCE_PUBLIC_ACCESS_CHECK RDS_MULTI_AZ_SUPPORT RDS_SNAPSHOTS_PUBLIC_PROHIBITED
DB_INSTANCE_BACKUP_ENABLED RDS_INSTANCE_DELETION_PROTECTION_ENABLED IAM_PASSWORD_POLICY
IAM_ROOT_ACCESS_KEY_CHECK ROOT_ACCOUNT_MFA_ENABLED MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS
IAM_USER_MFA_ENABLED ACCESS_KEYS_ROTATED IAM_USER_UNUSED_CREDENTIALS_CHECK
IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS IAM_USER_NO_POLICIES_CHECK
IAM_NO_INLINE_POLICY_CHECK CLOUD_TRAIL_ENABLED MULTI_REGION_CLOUD_TRAIL_ENABLED
CLOUD_TRAIL_ENCRYPTION_ENABLED CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED
CLOUDWATCH_ALARM_ACTION_CHECK LAMBDA_FUNCTION_PUBLIC_ACCESS_PROHIBITED LAMBDA_INSIDE_VPC
DYNAMODB_PITR_ENABLED DYNAMODB_TABLE_ENCRYPTED_KMS ELB_LOGGING_ENABLED
ALB_HTTP_TO_HTTPS_REDIRECTION_CHECK ACM_CERTIFICATE_EXPIRATION_CHECK
KMS_CMK_NOT_SCHEDULED_FOR_DELETION CMK_BACKING_KEY_ROTATION_ENABLED
GUARDDUTY_ENABLED_CENTRALIZED SECURITYHUB_ENABLED SNS_ENCRYPTED_KMS
EBS_SNAPSHOT_PUBLIC_RESTORABLE_CHECK AUTOSCALING_GROUP_ELB_HEALTHCHECK_REQUIRED
ELASTICSEARCH_ENCRYPTED_AT_REST SECRETSMANAGER_ROTATION_ENABLED_CHECK
INTERNET_GATEWAY_AUTHORIZED_VPC_ONLY EC2_SECURITY_GROUP_ATTACHED_TO_ENI
"""
SPEC_RULES = _SPEC_TABLE.split()


@cache
def catalogue() -> dict[str, dict[str, Any]]:
    with gzip.open(CATALOGUE) as stream:
        rules: dict[str, dict[str, Any]] = json.load(stream)["ManagedRules"]
    return rules


def catalogue_types(identifier: str) -> set[str]:
    listed = catalogue()[identifier].get("Resource Types")
    if not listed:
        return {ACCOUNT}
    return {t.strip() for t in listed.split(",") if t.strip()}


RULES = sorted(MANAGED_RULES.values(), key=lambda r: r.identifier)
by_identifier = pytest.mark.parametrize("rule", RULES, ids=[r.identifier for r in RULES])


def test_at_least_fifty_rules_are_registered() -> None:
    assert len(MANAGED_RULES) >= 50


@by_identifier
def test_identifier_is_in_the_catalogue(rule: ManagedRule) -> None:
    assert rule.identifier in catalogue()


@by_identifier
def test_parameters_match_the_catalogue_exactly(rule: ManagedRule) -> None:
    expected = [
        (p["Name"], p["Type"], p["Optional"], p.get("Default"))
        for p in catalogue()[rule.identifier].get("Parameters", [])
    ]
    assert [(p.name, p.type, p.optional, p.default) for p in rule.parameters] == expected


@by_identifier
def test_resource_types_match_the_catalogue(rule: ManagedRule) -> None:
    assert len(set(rule.resource_types)) == len(rule.resource_types)
    assert set(rule.resource_types) == catalogue_types(rule.identifier)


@by_identifier
def test_triggers_match_the_catalogue(rule: ManagedRule) -> None:
    assert rule.triggers == TRIGGERS[catalogue()[rule.identifier]["Trigger type"]]


@by_identifier
def test_rule_can_see_something_configledger_records(rule: ManagedRule) -> None:
    assert set(rule.resource_types) & (set(REGISTRY) | {ACCOUNT})


@by_identifier
def test_module_is_named_after_the_identifier_and_default_name_is_kebab(rule: ManagedRule) -> None:
    module = rule.evaluate.__module__
    assert module == f"{managed.__name__}.{rule.identifier.lower()}"
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.default_name)
    assert rule.description


def test_every_rule_module_is_registered() -> None:
    folder = Path(managed.__file__).parent
    modules = {p.stem.upper() for p in folder.glob("*.py") if not p.stem.startswith("_")}
    assert modules == set(MANAGED_RULES)


def test_spec_rules_are_all_registered_but_those_configledger_never_sees() -> None:
    """A spec 7.9 rule may be left out only when no resource type it applies to is one
    the recorder records (so it could never evaluate anything)."""
    assert len(SPEC_RULES) == len(set(SPEC_RULES)) == 64
    missing = [i for i in SPEC_RULES if i not in MANAGED_RULES]
    assert sorted(missing) == [
        "ACM_CERTIFICATE_EXPIRATION_CHECK",
        "CLOUDWATCH_ALARM_ACTION_CHECK",
        "ELASTICSEARCH_ENCRYPTED_AT_REST",
        "RDS_SNAPSHOTS_PUBLIC_PROHIBITED",
    ]
    for identifier in missing:
        assert not catalogue_types(identifier) & (set(REGISTRY) | {ACCOUNT}), identifier
