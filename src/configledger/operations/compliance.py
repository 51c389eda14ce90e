"""Compliance queries (spec 2.6, 7.5): roll-ups computed from the stored results on read.

Counts are capped as AWS caps them: counts of resources at 100, counts of rules at 25.
NOT_APPLICABLE never takes part in a roll-up; INSUFFICIENT_DATA is what a rule or a
resource without a current applicable result rolls up to, and is never a filter of the
detail queries.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from configledger.api.context import RequestContext
from configledger.api.paging import page_size
from configledger.errors import InvalidParameterValueException
from configledger.operations.registry import Request, Response, operation
from configledger.operations.rules import find_rule, named_rules
from configledger.rules.compliance import (
    INSUFFICIENT_DATA,
    RESOURCE_CAP,
    RULE_CAP,
    capped,
    evaluation_result,
    rolled_up,
)
from configledger.store import evaluations as store
from configledger.store.evaluations import COMPLIANT, NON_COMPLIANT, NOT_APPLICABLE

ROLL_UP_TYPES = (COMPLIANT, NON_COMPLIANT, INSUFFICIENT_DATA)
DETAIL_TYPES = (COMPLIANT, NON_COMPLIANT, NOT_APPLICABLE)
RULES_PAGE = 25
DETAILS_PAGE = 100


def _filter(request: Request, allowed: Sequence[str]) -> list[str]:
    """The ComplianceTypes filter (all allowed ones when absent); AWS's error for one
    that the operation does not take."""
    given = request.get("ComplianceTypes") or []
    for value in given:
        if value not in allowed:
            raise InvalidParameterValueException(
                f"The ComplianceType {value} is not valid here. Valid values are: "
                + ", ".join(allowed)
            )
    return list(dict.fromkeys(given)) or list(allowed)


@operation("DescribeComplianceByConfigRule")
def describe_compliance_by_config_rule(ctx: RequestContext, request: Request) -> Response:
    wanted = _filter(request, ROLL_UP_TYPES)
    names = request.get("ConfigRuleNames") or None
    bound = [ctx.account_id, ctx.region, names, wanted]
    start = 0
    if request.get("NextToken"):
        start = int(
            ctx.runtime.tokens.open(request["NextToken"], "DescribeComplianceByConfigRule", bound)
        )
    with ctx.database.read() as conn:
        rules = named_rules(ctx, conn, names)
        counts = store.rule_counts(conn, ctx.account_id, ctx.region)
    entries = []
    for rule in rules:
        non, ok = counts.get(rule.name, (0, 0))
        found = rolled_up(non, ok, RESOURCE_CAP)
        if found["ComplianceType"] in wanted:
            entries.append({"ConfigRuleName": rule.name, "Compliance": found})
    out: Response = {"ComplianceByConfigRules": entries[start : start + RULES_PAGE]}
    if start + RULES_PAGE < len(entries):
        out["NextToken"] = ctx.runtime.tokens.issue(
            "DescribeComplianceByConfigRule", bound, start + RULES_PAGE
        )
    return out


@operation("DescribeComplianceByResource")
def describe_compliance_by_resource(ctx: RequestContext, request: Request) -> Response:
    wanted = _filter(request, ROLL_UP_TYPES)
    resource_type, resource_id = request.get("ResourceType"), request.get("ResourceId")
    if resource_id is not None and resource_type is None:
        raise InvalidParameterValueException(
            "The ResourceType is required when a ResourceId is provided."
        )
    limit = page_size(request.get("Limit"), default=10, maximum=100)
    bound = [ctx.account_id, ctx.region, resource_type, resource_id, wanted]
    after: tuple[str, str] | None = None
    if request.get("NextToken"):
        position = ctx.runtime.tokens.open(
            request["NextToken"], "DescribeComplianceByResource", bound
        )
        after = (str(position[0]), str(position[1]))
    with ctx.database.read() as conn:
        found = store.resource_page(
            conn,
            ctx.account_id,
            ctx.region,
            resource_type=resource_type,
            resource_id=resource_id,
            wanted=wanted,
            after=after,
            limit=limit + 1,
        )
        if resource_id is not None and not found and INSUFFICIENT_DATA in wanted and after is None:
            applicable = store.resource_page(
                conn, ctx.account_id, ctx.region, resource_type=resource_type,
                resource_id=resource_id, wanted=(COMPLIANT, NON_COMPLIANT), after=None, limit=1,
            )  # fmt: skip
            if not applicable:
                return {
                    "ComplianceByResources": [
                        {
                            "ResourceType": resource_type,
                            "ResourceId": resource_id,
                            "Compliance": {"ComplianceType": INSUFFICIENT_DATA},
                        }
                    ]
                }
    entries = [
        {
            "ResourceType": r.resource_type,
            "ResourceId": r.resource_id,
            "Compliance": rolled_up(r.non_compliant, r.compliant, RULE_CAP),
        }
        for r in found[:limit]
    ]
    out: Response = {"ComplianceByResources": entries}
    if len(found) > limit:
        last = found[limit - 1]
        out["NextToken"] = ctx.runtime.tokens.issue(
            "DescribeComplianceByResource", bound, [last.resource_type, last.resource_id]
        )
    return out


@operation("GetComplianceDetailsByConfigRule")
def get_compliance_details_by_config_rule(ctx: RequestContext, request: Request) -> Response:
    wanted = _filter(request, DETAIL_TYPES)
    name = request["ConfigRuleName"]
    limit = page_size(request.get("Limit"), default=10, maximum=100)
    bound = [ctx.account_id, ctx.region, name, wanted]
    after: tuple[str, str] | None = None
    if request.get("NextToken"):
        position = ctx.runtime.tokens.open(
            request["NextToken"], "GetComplianceDetailsByConfigRule", bound
        )
        after = (str(position[0]), str(position[1]))
    with ctx.database.read() as conn:
        find_rule(ctx, conn, name)
        found = store.rule_page(
            conn,
            ctx.account_id,
            ctx.region,
            name,
            wanted,
            after,
            limit + 1,
        )
    out: Response = {"EvaluationResults": [evaluation_result(r) for r in found[:limit]]}
    if len(found) > limit:
        last = found[limit - 1]
        out["NextToken"] = ctx.runtime.tokens.issue(
            "GetComplianceDetailsByConfigRule", bound, [last.resource_type, last.resource_id]
        )
    return out


@operation("GetComplianceDetailsByResource")
def get_compliance_details_by_resource(ctx: RequestContext, request: Request) -> Response:
    wanted = _filter(request, DETAIL_TYPES)
    resource_type, resource_id = request.get("ResourceType"), request.get("ResourceId")
    if request.get("ResourceEvaluationId") is not None:
        if resource_type is not None or resource_id is not None:
            raise InvalidParameterValueException(
                "Provide either ResourceEvaluationId or ResourceType and ResourceId, not both."
            )
        return {"EvaluationResults": []}  # no proactive evaluations are kept
    if resource_type is None or resource_id is None:
        raise InvalidParameterValueException(
            "Provide ResourceType and ResourceId, or a ResourceEvaluationId."
        )
    bound = [ctx.account_id, ctx.region, resource_type, resource_id, wanted]
    start = 0
    if request.get("NextToken"):
        start = int(
            ctx.runtime.tokens.open(request["NextToken"], "GetComplianceDetailsByResource", bound)
        )
    with ctx.database.read() as conn:
        found = store.resource_results(
            conn, ctx.account_id, ctx.region, resource_type, resource_id, wanted
        )
    page = found[start : start + DETAILS_PAGE]
    out: Response = {"EvaluationResults": [evaluation_result(r) for r in page]}
    if start + DETAILS_PAGE < len(found):
        out["NextToken"] = ctx.runtime.tokens.issue(
            "GetComplianceDetailsByResource", bound, start + DETAILS_PAGE
        )
    return out


def _summary(non: int, ok: int, cap: int, now_ms: int) -> dict[str, Any]:
    return {
        "CompliantResourceCount": capped(ok, cap),
        "NonCompliantResourceCount": capped(non, cap),
        "ComplianceSummaryTimestamp": now_ms / 1000,
    }


@operation("GetComplianceSummaryByConfigRule")
def get_compliance_summary_by_config_rule(ctx: RequestContext, request: Request) -> Response:
    with ctx.database.read() as conn:
        counts = store.rule_counts(conn, ctx.account_id, ctx.region)
    non = sum(1 for n, _ in counts.values() if n > 0)
    ok = sum(1 for n, k in counts.values() if n == 0 and k > 0)
    return {"ComplianceSummary": _summary(non, ok, RULE_CAP, ctx.now_ms)}


@operation("GetComplianceSummaryByResourceType")
def get_compliance_summary_by_resource_type(ctx: RequestContext, request: Request) -> Response:
    types = list(dict.fromkeys(request.get("ResourceTypes") or []))
    with ctx.database.read() as conn:
        counts = store.type_counts(conn, ctx.account_id, ctx.region, types or None)
    if not types:
        non = sum(n for n, _ in counts.values())
        ok = sum(k for _, k in counts.values())
        return {
            "ComplianceSummariesByResourceType": [
                {"ComplianceSummary": _summary(non, ok, RESOURCE_CAP, ctx.now_ms)}
            ]
        }
    return {
        "ComplianceSummariesByResourceType": [
            {
                "ResourceType": t,
                "ComplianceSummary": _summary(*counts.get(t, (0, 0)), RESOURCE_CAP, ctx.now_ms),
            }
            for t in types
        ]
    }
