"""Aggregators, aggregation authorizations and the aggregate inventory reads (spec 2.9, 9.3).

Which partitions an aggregator may read is decided in one place,
``configledger.aggregation.scope``; every read below asks it first. Aggregators and
authorizations are taggable (their ARNs are registered with the tag operations here).
"""

from __future__ import annotations

import re
import secrets
import string
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection

from configledger.aggregation import inventory
from configledger.aggregation.pending import pending_requests
from configledger.aggregation.regions import is_known
from configledger.aggregation.scope import (
    SourceStatus,
    find_aggregator,
    no_such_aggregator,
    source_statuses,
)
from configledger.api.context import RequestContext
from configledger.api.paging import page_size
from configledger.errors import (
    InvalidParameterValueException,
    InvalidRoleException,
    LimitExceededException,
    NoAvailableOrganizationException,
    ResourceNotDiscoveredException,
)
from configledger.history.items import ResourceKey
from configledger.operations.registry import Request, Response, operation
from configledger.operations.tags import missing_key_errors, raise_validation, taggable
from configledger.store import aggregators as store
from configledger.store import recorders as recorder_store
from configledger.store import tags as tag_store
from configledger.store.aggregators import Aggregator, Authorization

# AWS's quotas (spec 10.1).
MAX_AGGREGATORS = 50
MAX_SOURCE_ACCOUNTS = 10_000
MAX_ACCOUNT_CHANGES_PER_WEEK = 1_000
WEEK_MS = 7 * 86_400_000

_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/.+$")
# The error a source that has not authorized the aggregator reports.
UNAUTHORIZED_CODE = "AccessDeniedException"


def _bound(ctx: RequestContext, *params: Any) -> list[Any]:
    """What a token is bound to: the caller's partition and the request's parameters."""
    return [ctx.account_id, ctx.region, *params]


def _seconds(ms: int) -> float:
    return ms / 1000


# -- aggregators ----------------------------------------------------------------------------


def _to_api(aggregator: Aggregator) -> dict[str, Any]:
    source: dict[str, Any] = {
        "AccountIds": list(aggregator.source_accounts),
        "AllAwsRegions": aggregator.all_regions,
    }
    if not aggregator.all_regions:
        source["AwsRegions"] = list(aggregator.regions)
    out: dict[str, Any] = {
        "ConfigurationAggregatorName": aggregator.name,
        "ConfigurationAggregatorArn": aggregator.arn,
        "AccountAggregationSources": [source],
        "CreationTime": _seconds(aggregator.created_ms),
        "LastUpdatedTime": _seconds(aggregator.updated_ms),
    }
    if aggregator.filters:
        out["AggregatorFilters"] = aggregator.filters
    return out


def _check_region(ctx: RequestContext, region: str) -> None:
    if not is_known(region) and region != ctx.region:
        raise InvalidParameterValueException(
            f"The region '{region}' is not a valid AWS region where AWS Config is available. "
            "Choose supported regions and try again."
        )


def _source_regions(ctx: RequestContext, source: dict[str, Any]) -> tuple[bool, tuple[str, ...]]:
    """(AllAwsRegions, AwsRegions) of a source, refused as AWS refuses them."""
    regions = source.get("AwsRegions") or []
    all_regions = bool(source.get("AllAwsRegions"))
    if regions and all_regions:
        raise InvalidParameterValueException(
            "Your configuration aggregator contains a list of regions and also specifies the "
            "use of all regions. You must choose one of these options."
        )
    if not regions and not all_regions:
        raise InvalidParameterValueException(
            "Your request does not specify any regions. Select AWS Config-supported regions "
            "and try again."
        )
    for region in regions:
        _check_region(ctx, region)
    return all_regions, tuple(dict.fromkeys(regions))


def _filters(spec: dict[str, Any] | None) -> dict[str, Any] | None:
    if spec is None:
        return None
    kept = {key: spec[key] for key in ("ResourceType", "ServicePrincipal") if spec.get(key)}
    if not kept:
        raise InvalidParameterValueException(
            "AggregatorFilters must contain a ResourceType or a ServicePrincipal filter."
        )
    return kept


def _refuse_organization(ctx: RequestContext, source: dict[str, Any]) -> None:
    """ConfigLedger has no AWS Organizations organization to aggregate: after the
    checks AWS makes of the source itself, the answer AWS gives an account outside one."""
    _source_regions(ctx, source)
    if not _ROLE_ARN.match(source["RoleArn"]):
        raise InvalidRoleException(
            f"The role ARN '{source['RoleArn']}' is not valid. Provide the ARN of an IAM role "
            "that grants AWS Config the permissions of AWSConfigRoleForOrganizations."
        )
    raise NoAvailableOrganizationException(
        f"Organization is not available: account {ctx.account_id} is not in an organization "
        "ConfigLedger can aggregate. Use AccountAggregationSources to name the source "
        "accounts instead."
    )


@operation("PutConfigurationAggregator")
def put_configuration_aggregator(ctx: RequestContext, request: Request) -> Response:
    raise_validation(missing_key_errors(request.get("Tags") or []))
    name = request["ConfigurationAggregatorName"]
    account_sources = request.get("AccountAggregationSources") or []
    organization = request.get("OrganizationAggregationSource")
    if account_sources and organization is not None:
        raise InvalidParameterValueException(
            "The configuration aggregator cannot be created because your request contains "
            "both the AccountAggregationSource and the OrganizationAggregationSource. Include "
            "only one aggregation source and try again."
        )
    if organization is not None:
        _refuse_organization(ctx, organization)
    if not account_sources:
        raise InvalidParameterValueException(
            "The configuration aggregator cannot be created because your request is missing "
            "either the AccountAggregationSource or the OrganizationAggregationSource. Include "
            "the appropriate aggregation source and try again."
        )
    source = account_sources[0]  # the model allows one
    all_regions, regions = _source_regions(ctx, source)
    accounts = tuple(dict.fromkeys(source["AccountIds"]))
    if len(accounts) > MAX_SOURCE_ACCOUNTS:
        raise LimitExceededException(
            f"Failed to put configuration aggregator '{name}': it names {len(accounts)} source "
            f"accounts, more than the maximum of {MAX_SOURCE_ACCOUNTS} per aggregator."
        )
    filters = _filters(request.get("AggregatorFilters"))
    tags = {tag["Key"]: tag.get("Value", "") for tag in request.get("Tags") or []}

    with ctx.database.write() as conn:
        recorder_store.lock_configuration(conn, ctx.account_id, ctx.region)
        existing = store.get_aggregator(conn, ctx.account_id, ctx.region, name)
        if existing is None and (
            store.count_aggregators(conn, ctx.account_id, ctx.region) >= MAX_AGGREGATORS
        ):
            raise LimitExceededException(
                f"Failed to put configuration aggregator '{name}' because the maximum number "
                f"of configuration aggregators: {MAX_AGGREGATORS} is reached."
            )
        changes = len(set(existing.source_accounts if existing else ()) ^ set(accounts))
        recent = store.account_changes_since(conn, ctx.account_id, ctx.region, ctx.now_ms - WEEK_MS)
        if changes and recent + changes > MAX_ACCOUNT_CHANGES_PER_WEEK:
            raise LimitExceededException(
                f"Failed to put configuration aggregator '{name}': it adds or removes "
                f"{changes} source accounts, and {recent} were added or removed in the last "
                f"7 days; at most {MAX_ACCOUNT_CHANGES_PER_WEEK} may be in a week."
            )
        suffix = "".join(secrets.choice(string.ascii_lowercase) for _ in range(8))
        aggregator = Aggregator(
            account_id=ctx.account_id,
            region=ctx.region,
            name=name,
            arn=existing.arn
            if existing
            else ctx.arn(f"config-aggregator/config-aggregator-{suffix}"),
            source_accounts=accounts,
            all_regions=all_regions,
            regions=regions,
            filters=filters,
            created_ms=existing.created_ms if existing else ctx.now_ms,
            updated_ms=ctx.now_ms,
        )
        store.save_aggregator(conn, aggregator, exists=existing is not None)
        store.record_account_changes(
            conn,
            ctx.account_id,
            ctx.region,
            changes=changes,
            now_ms=ctx.now_ms,
            forget_before_ms=ctx.now_ms - WEEK_MS,
        )
        if existing is None and tags:  # tags apply only at creation
            tag_store.set_tags(conn, ctx.account_id, ctx.region, aggregator.arn, tags)
    return {"ConfigurationAggregator": _to_api(aggregator)}


@operation("DescribeConfigurationAggregators")
def describe_configuration_aggregators(ctx: RequestContext, request: Request) -> Response:
    names = sorted(set(request.get("ConfigurationAggregatorNames") or []))
    limit = page_size(request.get("Limit"), default=100, maximum=100)
    bound = _bound(ctx, names)
    after = None
    if request.get("NextToken"):
        after = ctx.runtime.tokens.open(
            request["NextToken"], "DescribeConfigurationAggregators", bound
        )
    with ctx.database.read() as conn:
        existing = store.aggregator_names(conn, ctx.account_id, ctx.region)
        if names and not set(names) <= set(existing):
            raise no_such_aggregator(several=len(names) > 1)
        rest = [n for n in names or existing if after is None or n > after]
        # Only the page's aggregators are read whole: each may name 10,000 accounts.
        page = store.list_aggregators(conn, ctx.account_id, ctx.region, rest[:limit])
    out: Response = {"ConfigurationAggregators": [_to_api(a) for a in page]}
    if len(rest) > limit:
        out["NextToken"] = ctx.runtime.tokens.issue(
            "DescribeConfigurationAggregators", bound, rest[limit - 1]
        )
    return out


def _source_status_to_api(aggregator: Aggregator, status: SourceStatus) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "SourceId": status.account_id,
        "SourceType": "ACCOUNT",
        "AwsRegion": status.region,
        "LastUpdateStatus": "SUCCEEDED" if status.authorized else "FAILED",
        "LastUpdateTime": _seconds(status.updated_ms),
    }
    if not status.authorized:
        entry["LastErrorCode"] = UNAUTHORIZED_CODE
        entry["LastErrorMessage"] = (
            f"Authorization is not granted: account {status.account_id} has not authorized "
            f"aggregator account {aggregator.account_id} in region {aggregator.region} to "
            f"collect its data in region {status.region}."
        )
    return entry


@operation("DescribeConfigurationAggregatorSourcesStatus")
def describe_configuration_aggregator_sources_status(
    ctx: RequestContext, request: Request
) -> Response:
    name = request["ConfigurationAggregatorName"]
    wanted = sorted(set(request.get("UpdateStatus") or ["FAILED", "SUCCEEDED", "OUTDATED"]))
    limit = page_size(request.get("Limit"), default=100, maximum=100)
    bound = _bound(ctx, name, wanted)
    after = None
    if request.get("NextToken"):
        account, region = ctx.runtime.tokens.open(
            request["NextToken"], "DescribeConfigurationAggregatorSourcesStatus", bound
        )
        after = (account, region)
    entries: list[dict[str, Any]] = []
    more = False
    with ctx.database.read() as conn:
        aggregator = find_aggregator(conn, ctx.account_id, ctx.region, name)
        for status in source_statuses(conn, aggregator, after=after):
            state = "SUCCEEDED" if status.authorized else "FAILED"
            if state not in wanted:
                continue
            if len(entries) == limit:
                more = True
                break
            entries.append(_source_status_to_api(aggregator, status))
    out: Response = {"AggregatedSourceStatusList": entries}
    if more:
        last = entries[-1]
        out["NextToken"] = ctx.runtime.tokens.issue(
            "DescribeConfigurationAggregatorSourcesStatus",
            bound,
            [last["SourceId"], last["AwsRegion"]],
        )
    return out


@operation("DeleteConfigurationAggregator")
def delete_configuration_aggregator(ctx: RequestContext, request: Request) -> Response:
    name = request["ConfigurationAggregatorName"]
    with ctx.database.write() as conn:
        recorder_store.lock_configuration(conn, ctx.account_id, ctx.region)
        aggregator = find_aggregator(conn, ctx.account_id, ctx.region, name)
        store.delete_aggregator(conn, ctx.account_id, ctx.region, name)
        tag_store.remove_tags(conn, ctx.account_id, ctx.region, aggregator.arn)
    return {}


@taggable("config-aggregator")
def _aggregator_exists(conn: Connection, ctx: RequestContext, arn: str) -> bool:
    return store.aggregator_arn_exists(conn, ctx.account_id, ctx.region, arn)


# -- authorizations -------------------------------------------------------------------------


def _authorization_to_api(authorization: Authorization) -> dict[str, Any]:
    return {
        "AggregationAuthorizationArn": authorization.arn,
        "AuthorizedAccountId": authorization.authorized_account_id,
        "AuthorizedAwsRegion": authorization.authorized_region,
        "CreationTime": _seconds(authorization.created_ms),
    }


@operation("PutAggregationAuthorization")
def put_aggregation_authorization(ctx: RequestContext, request: Request) -> Response:
    raise_validation(missing_key_errors(request.get("Tags") or []))
    account, region = request["AuthorizedAccountId"], request["AuthorizedAwsRegion"]
    _check_region(ctx, region)
    tags = {tag["Key"]: tag.get("Value", "") for tag in request.get("Tags") or []}
    with ctx.database.write() as conn:
        recorder_store.lock_configuration(conn, ctx.account_id, ctx.region)
        authorization = store.get_authorization(conn, ctx.account_id, ctx.region, account, region)
        if authorization is None:  # a repeated put changes nothing, tags included
            authorization = Authorization(
                ctx.account_id,
                ctx.region,
                account,
                region,
                ctx.arn(f"aggregation-authorization/{account}/{region}"),
                ctx.now_ms,
            )
            store.insert_authorization(conn, authorization)
            if tags:
                tag_store.set_tags(conn, ctx.account_id, ctx.region, authorization.arn, tags)
    return {"AggregationAuthorization": _authorization_to_api(authorization)}


@operation("DescribeAggregationAuthorizations")
def describe_aggregation_authorizations(ctx: RequestContext, request: Request) -> Response:
    limit = page_size(request.get("Limit"), default=100, maximum=100)
    bound = _bound(ctx)
    after = None
    if request.get("NextToken"):
        after = tuple(
            ctx.runtime.tokens.open(
                request["NextToken"], "DescribeAggregationAuthorizations", bound
            )
        )
    with ctx.database.read() as conn:
        found = store.list_authorizations(conn, ctx.account_id, ctx.region)
    rest = [
        a for a in found if after is None or (a.authorized_account_id, a.authorized_region) > after
    ]
    out: Response = {"AggregationAuthorizations": [_authorization_to_api(a) for a in rest[:limit]]}
    if len(rest) > limit:
        last = rest[limit - 1]
        out["NextToken"] = ctx.runtime.tokens.issue(
            "DescribeAggregationAuthorizations",
            bound,
            [last.authorized_account_id, last.authorized_region],
        )
    return out


@operation("DeleteAggregationAuthorization")
def delete_aggregation_authorization(ctx: RequestContext, request: Request) -> Response:
    account, region = request["AuthorizedAccountId"], request["AuthorizedAwsRegion"]
    with ctx.database.write() as conn:
        recorder_store.lock_configuration(conn, ctx.account_id, ctx.region)
        authorization = store.get_authorization(conn, ctx.account_id, ctx.region, account, region)
        if authorization is not None:  # deleting what is not there succeeds, as on AWS
            store.delete_authorization(conn, ctx.account_id, ctx.region, account, region)
            tag_store.remove_tags(conn, ctx.account_id, ctx.region, authorization.arn)
    return {}


@taggable("aggregation-authorization")
def _authorization_exists(conn: Connection, ctx: RequestContext, arn: str) -> bool:
    parts = arn.split(":", 5)[5].split("/")
    if len(parts) != 3:
        return False
    found = store.get_authorization(conn, ctx.account_id, ctx.region, parts[1], parts[2])
    return found is not None and found.arn == arn


# -- pending requests -----------------------------------------------------------------------


@operation("DescribePendingAggregationRequests")
def describe_pending_aggregation_requests(ctx: RequestContext, request: Request) -> Response:
    limit = page_size(request.get("Limit"), default=20, maximum=20)
    bound = _bound(ctx)
    after = None
    if request.get("NextToken"):
        after = tuple(
            ctx.runtime.tokens.open(
                request["NextToken"], "DescribePendingAggregationRequests", bound
            )
        )
    with ctx.database.read() as conn:
        found = pending_requests(conn, ctx.account_id, ctx.region)
    rest = [requester for requester in found if after is None or requester > after]
    out: Response = {
        "PendingAggregationRequests": [
            {"RequesterAccountId": account, "RequesterAwsRegion": region}
            for account, region in rest[:limit]
        ]
    }
    if len(rest) > limit:
        out["NextToken"] = ctx.runtime.tokens.issue(
            "DescribePendingAggregationRequests", bound, list(rest[limit - 1])
        )
    return out


@operation("DeletePendingAggregationRequest")
def delete_pending_aggregation_request(ctx: RequestContext, request: Request) -> Response:
    requester = (request["RequesterAccountId"], request["RequesterAwsRegion"])
    with ctx.database.write() as conn:
        recorder_store.lock_configuration(conn, ctx.account_id, ctx.region)
        if requester in pending_requests(conn, ctx.account_id, ctx.region):
            store.dismiss_request(conn, ctx.account_id, ctx.region, *requester, now_ms=ctx.now_ms)
    return {}


# -- aggregate inventory reads --------------------------------------------------------------


def _not_discovered(resource_type: str, resource_id: str) -> ResourceNotDiscoveredException:
    return ResourceNotDiscoveredException(
        f"Resource {resource_id} of resourceType:{resource_type} is unknown or has not been "
        "discovered"
    )


def _key(identifier: dict[str, str]) -> ResourceKey:
    return ResourceKey(
        identifier["SourceAccountId"],
        identifier["SourceRegion"],
        identifier["ResourceType"],
        identifier["ResourceId"],
    )


@operation("ListAggregateDiscoveredResources")
def list_aggregate_discovered_resources(ctx: RequestContext, request: Request) -> Response:
    name, resource_type = request["ConfigurationAggregatorName"], request["ResourceType"]
    filters = request.get("Filters") or {}
    limit = page_size(request.get("Limit"), default=100, maximum=100)
    bound = _bound(ctx, name, resource_type, filters)
    after = None
    if request.get("NextToken"):
        account, region, resource_id = ctx.runtime.tokens.open(
            request["NextToken"], "ListAggregateDiscoveredResources", bound
        )
        after = (account, region, resource_id)
    with ctx.database.read() as conn:
        aggregator = find_aggregator(conn, ctx.account_id, ctx.region, name)
        found = inventory.list_resources(
            conn,
            aggregator,
            resource_type,
            inventory.PartitionFilter(filters.get("AccountId"), filters.get("Region")),
            resource_id=filters.get("ResourceId"),
            resource_name=filters.get("ResourceName"),
            after=after,
            limit=limit + 1,
        )
    identifiers = []
    for resource in found[:limit]:
        entry = {
            "SourceAccountId": resource.account_id,
            "SourceRegion": resource.region,
            "ResourceId": resource.resource_id,
            "ResourceType": resource.resource_type,
        }
        if resource.resource_name is not None:
            entry["ResourceName"] = resource.resource_name
        identifiers.append(entry)
    out: Response = {"ResourceIdentifiers": identifiers}
    if len(found) > limit:
        last = found[limit - 1]
        out["NextToken"] = ctx.runtime.tokens.issue(
            "ListAggregateDiscoveredResources",
            bound,
            [last.account_id, last.region, last.resource_id],
        )
    return out


@operation("GetAggregateResourceConfig")
def get_aggregate_resource_config(ctx: RequestContext, request: Request) -> Response:
    key = _key(request["ResourceIdentifier"])
    with ctx.database.read() as conn:
        aggregator = find_aggregator(
            conn, ctx.account_id, ctx.region, request["ConfigurationAggregatorName"]
        )
        item = inventory.current_item(conn, aggregator, key)
    if item is None:
        raise _not_discovered(key.resource_type, key.resource_id)
    return {"ConfigurationItem": item.to_api()}


@operation("BatchGetAggregateResourceConfig")
def batch_get_aggregate_resource_config(ctx: RequestContext, request: Request) -> Response:
    keys = [_key(identifier) for identifier in request["ResourceIdentifiers"]]
    with ctx.database.read() as conn:
        aggregator = find_aggregator(
            conn, ctx.account_id, ctx.region, request["ConfigurationAggregatorName"]
        )
        items = inventory.current_items(conn, aggregator, keys)
    # What is not there, or not visible, is left out, as BatchGetResourceConfig does.
    return {
        "BaseConfigurationItems": [item.to_base_api() for item in items],
        "UnprocessedResourceIdentifiers": [],
    }


_GROUPS: dict[str, Callable[[inventory.ResourceCount], str]] = {
    "ACCOUNT_ID": lambda count: count.account_id,
    "AWS_REGION": lambda count: count.region,
    "RESOURCE_TYPE": lambda count: count.resource_type,
}


@operation("GetAggregateDiscoveredResourceCounts")
def get_aggregate_discovered_resource_counts(ctx: RequestContext, request: Request) -> Response:
    name = request["ConfigurationAggregatorName"]
    filters = request.get("Filters") or {}
    group_by = request.get("GroupByKey")
    limit = page_size(request.get("Limit"), default=1000, maximum=1000)
    bound = _bound(ctx, name, filters, group_by)
    start = 0
    if request.get("NextToken"):
        start = int(
            ctx.runtime.tokens.open(
                request["NextToken"], "GetAggregateDiscoveredResourceCounts", bound
            )
        )
    with ctx.database.read() as conn:
        aggregator = find_aggregator(conn, ctx.account_id, ctx.region, name)
        counts = inventory.resource_counts(
            conn,
            aggregator,
            inventory.PartitionFilter(filters.get("AccountId"), filters.get("Region")),
            filters.get("ResourceType"),
        )
    out: Response = {"TotalDiscoveredResources": sum(c.count for c in counts)}
    if group_by is None:
        return out
    groups: dict[str, int] = {}
    for count in counts:
        group = _GROUPS[group_by](count)
        groups[group] = groups.get(group, 0) + count.count
    ordered = sorted(groups.items(), key=lambda group: (-group[1], group[0]))  # biggest first
    out["GroupByKey"] = group_by
    out["GroupedResourceCounts"] = [
        {"GroupName": group, "ResourceCount": n} for group, n in ordered[start : start + limit]
    ]
    if start + limit < len(ordered):
        out["NextToken"] = ctx.runtime.tokens.issue(
            "GetAggregateDiscoveredResourceCounts", bound, start + limit
        )
    return out
