"""Shared steps of the remediation tests."""

from __future__ import annotations

from typing import Any

from tests.e2e_sandbox.helpers import wait_for

ROLE = "arn:aws:iam::123456789012:role/remediation"
BUCKET = "AWS::S3::Bucket"


def compliance_of(config: Any, rule: str, resource_id: str) -> str | None:
    results = config.get_compliance_details_by_config_rule(ConfigRuleName=rule)["EvaluationResults"]
    for result in results:
        qualifier = result["EvaluationResultIdentifier"]["EvaluationResultQualifier"]
        if qualifier["ResourceId"] == resource_id:
            return str(result["ComplianceType"])
    return None


def managed_rule(config: Any, name: str, identifier: str) -> None:
    config.put_config_rule(
        ConfigRule={
            "ConfigRuleName": name,
            "Source": {"Owner": "AWS", "SourceIdentifier": identifier},
        }
    )


def remediation(
    rule: str, document: str, resource_param: str | None, *, automatic: bool = False,
    resource_type: str | None = None, **static: list[str],
) -> dict[str, Any]:  # fmt: skip
    parameters: dict[str, Any] = {"AutomationAssumeRole": {"StaticValue": {"Values": [ROLE]}}}
    if resource_param:
        parameters[resource_param] = {"ResourceValue": {"Value": "RESOURCE_ID"}}
    for name, values in static.items():
        parameters[name] = {"StaticValue": {"Values": values}}
    config: dict[str, Any] = {
        "ConfigRuleName": rule,
        "TargetType": "SSM_DOCUMENT",
        "TargetId": document,
        "Parameters": parameters,
        "Automatic": automatic,
    }
    if resource_type:
        config["ResourceType"] = resource_type
    return config


def status_of(config: Any, rule: str, key: tuple[str, str]) -> dict[str, Any] | None:
    found = config.describe_remediation_execution_status(
        ConfigRuleName=rule, ResourceKeys=[{"resourceType": key[0], "resourceId": key[1]}]
    )["RemediationExecutionStatuses"]
    return found[0] if found else None


def finished(config: Any, rule: str, key: tuple[str, str], timeout: float = 20) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        status = status_of(config, rule, key)
        if status and status["State"] in ("SUCCEEDED", "FAILED"):
            return status
        return None

    return wait_for(done, timeout=timeout, interval=0.05)
