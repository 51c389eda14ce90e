"""Compliance: the roll-up rules of spec 7.5, the notification bodies of spec 6.7, and
the AWS::Config::ResourceCompliance items of spec 3.5.

Pure functions over evaluation results; the engine and the query operations share them
so what a notification says and what a query answers cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from configledger.clock import iso_ms as _iso_ms
from configledger.store.evaluations import COMPLIANT, NON_COMPLIANT, Result

RESOURCE_COMPLIANCE = "AWS::Config::ResourceCompliance"


@lru_cache(maxsize=4096)
def iso_ms(ms: int) -> str:
    """The clock's ISO rendering, remembered: a pass stamps thousands of notifications
    with the same few times."""
    return _iso_ms(ms)


INSUFFICIENT_DATA = "INSUFFICIENT_DATA"
# AWS caps contributor counts: rules at 25, resources at 100.
RULE_CAP = 25
RESOURCE_CAP = 100
COMPLIANCE_CHANGED = "ComplianceChanged"
EVALUATION_STARTED = "ConfigRulesEvaluationStarted"


def capped(count: int, cap: int) -> dict[str, Any]:
    return {"CappedCount": min(count, cap), "CapExceeded": count > cap}


def rolled_up(non_compliant: int, compliant: int, cap: int) -> dict[str, Any]:
    """A ``Compliance``: NON_COMPLIANT (with its capped count) if anything fails, else
    COMPLIANT if anything passes, else INSUFFICIENT_DATA."""
    if non_compliant:
        return {
            "ComplianceType": NON_COMPLIANT,
            "ComplianceContributorCount": capped(non_compliant, cap),
        }
    if compliant:
        return {"ComplianceType": COMPLIANT}
    return {"ComplianceType": INSUFFICIENT_DATA}


def roll_up_types(types: Iterable[str]) -> str:
    seen = set(types)
    if NON_COMPLIANT in seen:
        return NON_COMPLIANT
    if COMPLIANT in seen:
        return COMPLIANT
    return INSUFFICIENT_DATA


def evaluation_result(result: Result) -> dict[str, Any]:
    """The API's ``EvaluationResult``."""
    out: dict[str, Any] = {
        "EvaluationResultIdentifier": {
            "EvaluationResultQualifier": {
                "ConfigRuleName": result.rule_name,
                "ResourceType": result.resource_type,
                "ResourceId": result.resource_id,
                "EvaluationMode": "DETECTIVE",
            },
            "OrderingTimestamp": result.ordering_ms / 1000,
        },
        "ComplianceType": result.compliance,
        "ResultRecordedTime": result.recorded_ms / 1000,
        "ConfigRuleInvokedTime": result.invoked_ms / 1000,
    }
    if result.annotation is not None:
        out["Annotation"] = result.annotation
    if result.result_token is not None:
        out["ResultToken"] = result.result_token
    return out


def _stream_result(result: Result) -> dict[str, Any]:
    return {
        "evaluationResultIdentifier": {
            "evaluationResultQualifier": {
                "configRuleName": result.rule_name,
                "resourceType": result.resource_type,
                "resourceId": result.resource_id,
                "evaluationMode": "DETECTIVE",
            },
            "orderingTimestamp": iso_ms(result.ordering_ms),
        },
        "complianceType": result.compliance,
        "resultRecordedTime": iso_ms(result.recorded_ms),
        "configRuleInvokedTime": iso_ms(result.invoked_ms),
        "annotation": result.annotation,
        "resultToken": result.result_token,
    }


def change_notification(
    *,
    account_id: str,
    region: str,
    rule_arn: str,
    new: Result,
    old: Result | None,
    now_ms: int,
) -> dict[str, Any]:
    """The ``ComplianceChangeNotification`` body (spec 6.7)."""
    return {
        "awsAccountId": account_id,
        "configRuleName": new.rule_name,
        "configRuleARN": rule_arn,
        "resourceType": new.resource_type,
        "resourceId": new.resource_id,
        "awsRegion": region,
        "newEvaluationResult": _stream_result(new),
        "oldEvaluationResult": _stream_result(old) if old is not None else None,
        "notificationCreationTime": iso_ms(now_ms),
        "messageType": "ComplianceChangeNotification",
        "recordVersion": "1.0",
    }


def evaluation_started(
    *, account_id: str, region: str, rule_names: list[str], now_ms: int
) -> dict[str, Any]:
    """The ``ConfigRulesEvaluationStarted`` body (spec 6.7)."""
    return {
        "awsAccountId": account_id,
        "awsRegion": region,
        "configRuleNames": rule_names,
        "notificationCreationTime": iso_ms(now_ms),
        "messageType": "ConfigRulesEvaluationStarted",
        "recordVersion": "1.0",
    }


def resource_compliance_configuration(
    resource_type: str, resource_id: str, results: Iterable[tuple[Result, str, str]]
) -> dict[str, Any]:
    """The configuration of an AWS::Config::ResourceCompliance item (spec 3.5) from the
    resource's results, each with its rule's ARN and id."""
    ordered = sorted(results, key=lambda entry: entry[0].rule_name)
    return {
        "complianceType": roll_up_types(r.compliance for r, _, _ in ordered),
        "targetResourceId": resource_id,
        "targetResourceType": resource_type,
        "configRuleList": [
            {
                "configRuleArn": arn,
                "configRuleId": rule_id,
                "configRuleName": r.rule_name,
                "complianceType": r.compliance,
            }
            for r, arn, rule_id in ordered
        ],
    }
