"""The aggregate compliance reads (spec 2.9, 7.5): rules and conformance packs of every
partition an aggregator may see, each entry marked with its AccountId and AwsRegion.

Nothing is copied from the sources: each read asks ``scope.visible_partitions`` and
rolls up each partition's stored results with the single-account roll-ups
(``rules.compliance.rolled_up``, ``rules.conformance.rollup``), so an aggregate answer
and the source's own answer cannot disagree, and a revoked authorization hides the
partition at once. Pages are keyed by (account, region, name) under a signed token.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from configledger.aggregation.inventory import PartitionFilter
from configledger.aggregation.scope import find_aggregator, visible_partitions
from configledger.api.context import RequestContext
from configledger.api.paging import page_size
from configledger.errors import ValidationException
from configledger.operations.registry import Request, Response, operation
from configledger.rules.compliance import (
    RESOURCE_CAP,
    RULE_CAP,
    capped,
    evaluation_result,
    rolled_up,
)
from configledger.rules.conformance import rollup
from configledger.store import conformance as pack_store
from configledger.store import evaluations as results_store
from configledger.store import rules as rule_store
from configledger.store.aggregators import Partition
from configledger.store.evaluations import COMPLIANT, NON_COMPLIANT, NOT_APPLICABLE

GROUP_KEYS = {"ACCOUNT_ID": 0, "AWS_REGION": 1}
RULES_LIMIT = 1000
DETAILS_DEFAULT, DETAILS_MAX = 50, 100
PACKS_LIMIT = 100


def _bound(ctx: RequestContext, request: Request, *params: Any) -> list[Any]:
    """What a token is tied to: the caller, the aggregator and the request's filters."""
    return [ctx.account_id, ctx.region, request["ConfigurationAggregatorName"], *params]


def _after(ctx: RequestContext, request: Request, scope: str, bound: list[Any]) -> Any:
    token = request.get("NextToken")
    return ctx.runtime.tokens.open(token, scope, bound) if token else None


def _partitions(conn: Connection, ctx: RequestContext, request: Request) -> list[Partition]:
    """The visible partitions the request's AccountId / AwsRegion filters keep."""
    aggregator = find_aggregator(
        conn, ctx.account_id, ctx.region, request["ConfigurationAggregatorName"]
    )
    filters = request.get("Filters") or {}
    where = PartitionFilter(filters.get("AccountId"), filters.get("AwsRegion"))
    return where.keep(visible_partitions(conn, aggregator))


def _only_applicable(value: str | None, operation_name: str) -> None:
    """AWS takes only COMPLIANT and NON_COMPLIANT as these operations' ComplianceType."""
    if value is not None and value not in (COMPLIANT, NON_COMPLIANT):
        raise ValidationException(
            f"{operation_name} supports only the ComplianceType values COMPLIANT and "
            f"NON_COMPLIANT, not {value}."
        )


Entry = tuple[list[str], dict[str, Any]]  # (page key, response entry)


def _respond(
    ctx: RequestContext,
    request: Request,
    scope: str,
    bound: list[Any],
    limit: int,
    member: str,
    entries: Iterable[Entry | None],
) -> Response:
    """One page of ``entries`` (in key order; None: filtered out) after the request's
    token, under ``member``, with the token that resumes after its last entry."""
    after = _after(ctx, request, scope, bound)
    kept: list[Entry] = []
    for entry in entries:
        if entry is None or (after is not None and entry[0] <= after):
            continue
        kept.append(entry)
        if len(kept) > limit:
            break
    out: Response = {member: [body for _, body in kept[:limit]]}
    if "GroupByKey" in request:
        out["GroupByKey"] = request["GroupByKey"]
    if len(kept) > limit:
        out["NextToken"] = ctx.runtime.tokens.issue(scope, bound, kept[limit - 1][0])
    return out


def _grouped(
    request: Request, counted: Iterable[tuple[str, str, int, int]]
) -> list[tuple[str, int, int]]:
    """(group name, first count, second count) summed over (account, region, first,
    second) rows by the request's GroupByKey ("" when it names none), by name."""
    group = GROUP_KEYS[request["GroupByKey"]] if "GroupByKey" in request else None
    tally: dict[str, list[int]] = {}
    for account, region, first, second in counted:
        counts = tally.setdefault("" if group is None else (account, region)[group], [0, 0])
        counts[0] += first
        counts[1] += second
    return [(name, *tally[name]) for name in sorted(tally)]  # type: ignore[misc]


def _summary_entry(request: Request, name: str, summary: dict[str, Any]) -> Entry:
    entry: dict[str, Any] = {"ComplianceSummary": summary}
    if "GroupByKey" in request:
        entry["GroupName"] = name
    return [name], entry


# -- rules -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RuleCompliance:
    account_id: str
    region: str
    rule_name: str
    compliance: dict[str, Any]


def rule_compliances(
    conn: Connection, partitions: list[Partition], rule_name: str | None = None
) -> Iterator[RuleCompliance]:
    """Every rule of the partitions, by (account, region, name), rolled up as
    DescribeComplianceByConfigRule rolls it up in its own account."""
    for account, region in partitions:
        rules = rule_store.list_rules(conn, account, region, [rule_name] if rule_name else None)
        if not rules:
            continue
        counts = results_store.rule_counts(conn, account, region)
        for rule in rules:
            non, ok = counts.get(rule.name, (0, 0))
            yield RuleCompliance(account, region, rule.name, rolled_up(non, ok, RESOURCE_CAP))


@operation("DescribeAggregateComplianceByConfigRules")
def describe_aggregate_compliance_by_config_rules(
    ctx: RequestContext, request: Request
) -> Response:
    filters = request.get("Filters") or {}
    wanted = filters.get("ComplianceType")
    _only_applicable(wanted, "DescribeAggregateComplianceByConfigRules")
    limit = page_size(request.get("Limit"), default=RULES_LIMIT, maximum=RULES_LIMIT)

    def entry(found: RuleCompliance) -> Entry | None:
        if wanted is not None and found.compliance["ComplianceType"] != wanted:
            return None
        body = {
            "ConfigRuleName": found.rule_name,
            "Compliance": found.compliance,
            "AccountId": found.account_id,
            "AwsRegion": found.region,
        }
        return [found.account_id, found.region, found.rule_name], body

    scope = "DescribeAggregateComplianceByConfigRules"
    with ctx.database.read() as conn:
        found = rule_compliances(
            conn, _partitions(conn, ctx, request), filters.get("ConfigRuleName")
        )
        return _respond(
            ctx, request, scope, _bound(ctx, request, filters), limit,
            "AggregateComplianceByConfigRules", map(entry, found),
        )  # fmt: skip


@operation("GetAggregateComplianceDetailsByConfigRule")
def get_aggregate_compliance_details_by_config_rule(
    ctx: RequestContext, request: Request
) -> Response:
    wanted = request.get("ComplianceType")
    _only_applicable(wanted, "GetAggregateComplianceDetailsByConfigRule")
    account, region = request["AccountId"], request["AwsRegion"]
    name = request["ConfigRuleName"]
    limit = page_size(request.get("Limit"), default=DETAILS_DEFAULT, maximum=DETAILS_MAX)
    scope = "GetAggregateComplianceDetailsByConfigRule"
    bound = _bound(ctx, request, account, region, name, wanted)
    position = _after(ctx, request, scope, bound)
    after = (str(position[0]), str(position[1])) if position is not None else None
    with ctx.database.read() as conn:
        aggregator = find_aggregator(
            conn, ctx.account_id, ctx.region, request["ConfigurationAggregatorName"]
        )
        if (account, region) not in visible_partitions(conn, aggregator):
            return {"AggregateEvaluationResults": []}
        found = results_store.rule_page(
            conn,
            account,
            region,
            name,
            [wanted] if wanted else [COMPLIANT, NON_COMPLIANT, NOT_APPLICABLE],
            after,
            limit + 1,
        )
    results = []
    for result in found[:limit]:
        entry = evaluation_result(result)
        entry.pop("ResultToken", None)
        results.append({**entry, "AccountId": account, "AwsRegion": region})
    out: Response = {"AggregateEvaluationResults": results}
    if len(found) > limit:
        last = found[limit - 1]
        out["NextToken"] = ctx.runtime.tokens.issue(
            scope, bound, [last.resource_type, last.resource_id]
        )
    return out


@operation("GetAggregateConfigRuleComplianceSummary")
def get_aggregate_config_rule_compliance_summary(ctx: RequestContext, request: Request) -> Response:
    limit = page_size(request.get("Limit"), default=RULES_LIMIT, maximum=RULES_LIMIT)
    scope = "GetAggregateConfigRuleComplianceSummary"
    bound = _bound(ctx, request, request.get("Filters") or {}, request.get("GroupByKey"))
    with ctx.database.read() as conn:
        counted = [
            (found.account_id, found.region, kind == NON_COMPLIANT, kind == COMPLIANT)
            for found in rule_compliances(conn, _partitions(conn, ctx, request))
            for kind in [found.compliance["ComplianceType"]]
        ]
    entries = (
        _summary_entry(
            request,
            name,
            {
                "CompliantResourceCount": capped(ok, RULE_CAP),
                "NonCompliantResourceCount": capped(non, RULE_CAP),
                "ComplianceSummaryTimestamp": ctx.now_ms / 1000,
            },
        )
        for name, non, ok in _grouped(request, counted)
    )
    return _respond(
        ctx, request, scope, bound, limit, "AggregateComplianceCounts", entries
    )  # fmt: skip


# -- conformance packs ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PackCompliance:
    account_id: str
    region: str
    pack_name: str
    compliance: str
    compliant_rules: int
    non_compliant_rules: int
    total_rules: int


def pack_compliances(
    conn: Connection, partitions: list[Partition], pack_name: str | None = None
) -> Iterator[PackCompliance]:
    """Every conformance pack of the partitions, by (account, region, name), rolled up as
    GetConformancePackComplianceSummary rolls it up in its own account."""
    for account, region in partitions:
        packs = pack_store.list_packs(conn, account, region, [pack_name] if pack_name else None)
        if not packs:
            continue
        counts = results_store.rule_counts(conn, account, region)
        rules: dict[str, list[str]] = {pack.name: [] for pack in packs}
        for resource in pack_store.resources(conn, account, region, list(rules)):
            if resource.resource_type == pack_store.RULE:
                rules[resource.pack_name].append(resource.rule_name)
        for pack in packs:
            names = sorted(rules[pack.name])
            ok, non, total = rollup.rule_tally(names, counts)
            compliance = rollup.pack_compliance(names, counts)
            yield PackCompliance(account, region, pack.name, compliance, ok, non, total)


@operation("DescribeAggregateComplianceByConformancePacks")
def describe_aggregate_compliance_by_conformance_packs(
    ctx: RequestContext, request: Request
) -> Response:
    filters = request.get("Filters") or {}
    wanted = filters.get("ComplianceType")
    limit = page_size(request.get("Limit"), default=PACKS_LIMIT, maximum=PACKS_LIMIT)

    def entry(found: PackCompliance) -> Entry | None:
        if wanted is not None and found.compliance != wanted:
            return None
        body = {
            "ConformancePackName": found.pack_name,
            "Compliance": {
                "ComplianceType": found.compliance,
                "CompliantRuleCount": found.compliant_rules,
                "NonCompliantRuleCount": found.non_compliant_rules,
                "TotalRuleCount": found.total_rules,
            },
            "AccountId": found.account_id,
            "AwsRegion": found.region,
        }
        return [found.account_id, found.region, found.pack_name], body

    scope = "DescribeAggregateComplianceByConformancePacks"
    with ctx.database.read() as conn:
        partitions = _partitions(conn, ctx, request)
        found = pack_compliances(conn, partitions, filters.get("ConformancePackName"))
        return _respond(
            ctx, request, scope, _bound(ctx, request, filters), limit,
            "AggregateComplianceByConformancePacks", map(entry, found),
        )  # fmt: skip


@operation("GetAggregateConformancePackComplianceSummary")
def get_aggregate_conformance_pack_compliance_summary(
    ctx: RequestContext, request: Request
) -> Response:
    limit = page_size(request.get("Limit"), default=PACKS_LIMIT, maximum=PACKS_LIMIT)
    scope = "GetAggregateConformancePackComplianceSummary"
    bound = _bound(ctx, request, request.get("Filters") or {}, request.get("GroupByKey"))
    with ctx.database.read() as conn:
        counted = [
            (found.account_id, found.region, found.compliance == COMPLIANT,
             found.compliance == NON_COMPLIANT)
            for found in pack_compliances(conn, _partitions(conn, ctx, request))
        ]  # fmt: skip
    entries = (
        _summary_entry(
            request,
            name,
            {"CompliantConformancePackCount": ok, "NonCompliantConformancePackCount": non},
        )
        for name, ok, non in _grouped(request, counted)
    )
    return _respond(
        ctx, request, scope, bound, limit, "AggregateConformancePackComplianceSummaries", entries
    )
