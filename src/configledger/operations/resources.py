"""Resource inventory, history and custom resources (spec 2.3, 2.4, 3)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import orjson
from sqlalchemy import Connection

from configledger.api.context import RequestContext
from configledger.api.paging import page_size
from configledger.errors import (
    InvalidTimeRangeException,
    NoRunningConfigurationRecorderException,
    ResourceNotDiscoveredException,
    ValidationException,
)
from configledger.history.items import ResourceKey
from configledger.history.recording import Observation, record, record_deletion
from configledger.operations.registry import Request, Response, operation
from configledger.store import items as item_store
from configledger.store import recorders as recorder_store
from configledger.store import retention as retention_store

# CloudFormation registry type names: Organization::Service::Resource.
_CUSTOM_TYPE = re.compile(r"^[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}$")
_RESERVED_ORGS = ("aws", "amzn", "amazon", "alexa", "custom")
MAX_CONFIGURATION_BYTES = 64 * 1024
# The model leaves ResourceName unbounded; the store indexes it, so it keeps a bound.
MAX_RESOURCE_NAME = 1024
DAY_MS = 86_400_000
_INT64 = 2**63 - 1


def _running_recorder_guard(ctx: RequestContext) -> Callable[[Connection], None]:
    """The check PutResourceConfig and DeleteResourceConfig run inside their write."""

    def guard(conn: Connection) -> None:
        if not recorder_store.is_recording(conn, ctx.account_id, ctx.region):
            raise _no_running_recorder()

    return guard


def _no_running_recorder() -> NoRunningConfigurationRecorderException:
    return NoRunningConfigurationRecorderException(
        "There is no configuration recorder running in this account and region. "
        "Start the configuration recorder before recording custom resources."
    )


def _check_custom_type(resource_type: str) -> None:
    if not _CUSTOM_TYPE.match(resource_type):
        raise ValidationException(
            f"The resource type '{resource_type}' is not valid: a custom resource type must "
            "have the form Organization::Service::Resource (letters and digits, 2 to 64 each)."
        )
    org = resource_type.split("::", 1)[0].lower()
    if org in _RESERVED_ORGS:
        raise ValidationException(
            f"The resource type '{resource_type}' is not valid: the organization name "
            f"'{resource_type.split('::', 1)[0]}' is reserved."
        )


def _scope(ctx: RequestContext) -> tuple[str, str]:
    """What every token is bound to besides the request: the caller's account and region,
    so a token never moves to another account's (or region's) listing."""
    return ctx.account_id, ctx.region


def _time_ms(value: int | None) -> int | None:
    """A request time as epoch ms within what the store compares (a signed 64-bit
    integer): a time beyond it means the same as the bound itself."""
    if value is None:
        return None
    return max(-_INT64, min(_INT64, value))


def _not_discovered(resource_type: str, resource_id: str) -> ResourceNotDiscoveredException:
    return ResourceNotDiscoveredException(
        f"Resource {resource_id} of resourceType:{resource_type} is unknown or has not been "
        "discovered"
    )


@operation("PutResourceConfig")
def put_resource_config(ctx: RequestContext, request: Request) -> Response:
    resource_type = request["ResourceType"]
    _check_custom_type(resource_type)
    configuration = request["Configuration"]
    if len(configuration.encode()) > MAX_CONFIGURATION_BYTES:
        raise ValidationException(
            f"The configuration is too large: it must be at most {MAX_CONFIGURATION_BYTES} bytes."
        )
    try:
        parsed = orjson.loads(configuration)
    except orjson.JSONDecodeError as exc:
        raise ValidationException(f"The configuration is not valid JSON: {exc}") from None
    if not isinstance(parsed, dict):
        raise ValidationException("The configuration must be a JSON object.")
    name = request.get("ResourceName")
    if name is not None and len(name) > MAX_RESOURCE_NAME:
        raise ValidationException(
            "1 validation error detected: Value at 'resourceName' failed to satisfy constraint: "
            f"Member must have length less than or equal to {MAX_RESOURCE_NAME}"
        )
    key = ResourceKey(ctx.account_id, ctx.region, resource_type, request["ResourceId"])
    record(
        ctx.database,
        Observation(
            key=key,
            configuration=configuration,
            resource_name=request.get("ResourceName"),
            tags=dict(request.get("Tags") or {}),
        ),
        now_ms=ctx.now_ms,
        custom=True,
        max_active_custom=ctx.runtime.settings.max_active_custom_resources,
        guard=_running_recorder_guard(ctx),
    )
    return {}


@operation("DeleteResourceConfig")
def delete_resource_config(ctx: RequestContext, request: Request) -> Response:
    resource_type, resource_id = request["ResourceType"], request["ResourceId"]
    _check_custom_type(resource_type)
    key = ResourceKey(ctx.account_id, ctx.region, resource_type, resource_id)
    guard = _running_recorder_guard(ctx)
    if record_deletion(ctx.database, key, now_ms=ctx.now_ms, guard=guard) is None:
        raise ValidationException(
            f"Resource {resource_id} of resourceType:{resource_type} is unknown or has already "
            "been deleted"
        )
    return {}


@operation("GetResourceConfigHistory")
def get_resource_config_history(ctx: RequestContext, request: Request) -> Response:
    key = ResourceKey(ctx.account_id, ctx.region, request["resourceType"], request["resourceId"])
    limit = page_size(request.get("limit"), default=10, maximum=100)
    order = request.get("chronologicalOrder") or "Reverse"
    forward = order == "Forward"
    requested_later = _time_ms(request.get("laterTime"))
    requested_earlier = _time_ms(request.get("earlierTime"))
    bound = [
        *_scope(ctx),
        key.resource_type,
        key.resource_id,
        requested_later,
        requested_earlier,
        order,
    ]
    with ctx.database.read() as conn:
        if item_store.resource_state(conn, key) is None:
            raise _not_discovered(key.resource_type, key.resource_id)
        if request.get("nextToken"):
            later_ms, lower, after = ctx.runtime.tokens.open(
                request["nextToken"], "GetResourceConfigHistory", bound
            )
        else:
            # No laterTime means "up to now", and now includes the current item even when
            # its state id ran ahead of the clock (several changes in one millisecond).
            later_ms = requested_later
            earlier_ms = requested_earlier
            if later_ms is not None and earlier_ms is not None and earlier_ms > later_ms:
                raise InvalidTimeRangeException(
                    "The specified time range is not valid. The earlier time is not "
                    "chronologically before the later time."
                )
            # Retention: a state that ended before the cutoff is gone; the one still
            # current at the cutoff stays (spec 9.4), exactly like a window's start.
            days = retention_store.retention_days(conn, ctx.account_id, ctx.region)
            cutoff_ms = ctx.now_ms - days * DAY_MS
            earlier_ms = cutoff_ms if earlier_ms is None else max(earlier_ms, cutoff_ms)
            lower = item_store.lower_bound(conn, key, earlier_ms)
            after = None
        items = item_store.history_page(
            conn,
            key,
            lower_state_id=lower,
            later_ms=later_ms,
            forward=forward,
            after_state_id=after,
            limit=limit + 1,
        )
    out: Response = {"configurationItems": [item.to_api() for item in items[:limit]]}
    if len(items) > limit:
        out["nextToken"] = ctx.runtime.tokens.issue(
            "GetResourceConfigHistory", bound, [later_ms, lower, items[limit - 1].state_id]
        )
    return out


@operation("ListDiscoveredResources")
def list_discovered_resources(ctx: RequestContext, request: Request) -> Response:
    resource_ids = request.get("resourceIds")
    resource_name = request.get("resourceName")
    if resource_ids and resource_name is not None:
        raise ValidationException(
            "Both Resource ID and Resource Name cannot be specified in the request"
        )
    if resource_ids is not None and len(resource_ids) > 20:
        raise ValidationException(
            "1 validation error detected: Value '[" + ", ".join(resource_ids) + "]' at "
            "'resourceIds' failed to satisfy constraint: "
            "Member must have length less than or equal to 20"
        )
    limit = page_size(request.get("limit"), default=100, maximum=100)
    include_deleted = bool(request.get("includeDeletedResources", False))
    bound = [*_scope(ctx), request["resourceType"], resource_ids, resource_name, include_deleted]
    after = None
    if request.get("nextToken"):
        after = ctx.runtime.tokens.open(request["nextToken"], "ListDiscoveredResources", bound)
    with ctx.database.read() as conn:
        found = item_store.list_resources(
            conn,
            ctx.account_id,
            ctx.region,
            request["resourceType"],
            resource_ids=resource_ids,
            resource_name=resource_name,
            include_deleted=include_deleted,
            after_resource_id=after,
            limit=limit + 1,
        )
    identifiers: list[dict[str, Any]] = []
    for resource in found[:limit]:
        entry: dict[str, Any] = {
            "resourceType": resource.resource_type,
            "resourceId": resource.resource_id,
        }
        if resource.resource_name is not None:
            entry["resourceName"] = resource.resource_name
        if resource.deleted_ms is not None:
            entry["resourceDeletionTime"] = resource.deleted_ms / 1000
        identifiers.append(entry)
    out: Response = {"resourceIdentifiers": identifiers}
    if len(found) > limit:
        out["nextToken"] = ctx.runtime.tokens.issue(
            "ListDiscoveredResources", bound, found[limit - 1].resource_id
        )
    return out


@operation("BatchGetResourceConfig")
def batch_get_resource_config(ctx: RequestContext, request: Request) -> Response:
    keys = [(k["resourceType"], k["resourceId"]) for k in request["resourceKeys"]]
    with ctx.database.read() as conn:
        items = item_store.current_items(conn, ctx.account_id, ctx.region, keys)
    order = {key: index for index, key in enumerate(dict.fromkeys(keys))}
    items.sort(key=lambda item: order[(item.resource_type, item.resource_id)])
    return {
        "baseConfigurationItems": [item.to_base_api() for item in items],
        "unprocessedResourceKeys": [],
    }


@operation("GetDiscoveredResourceCounts")
def get_discovered_resource_counts(ctx: RequestContext, request: Request) -> Response:
    resource_types = request.get("resourceTypes") or None
    limit = page_size(request.get("limit"), default=100, maximum=100)
    bound = [*_scope(ctx), resource_types]
    start = 0
    if request.get("nextToken"):
        start = int(
            ctx.runtime.tokens.open(request["nextToken"], "GetDiscoveredResourceCounts", bound)
        )
    with ctx.database.read() as conn:
        counts = item_store.resource_counts(conn, ctx.account_id, ctx.region, resource_types)
    page = counts[start : start + limit]
    out: Response = {
        "totalDiscoveredResources": sum(n for _, n in counts),
        "resourceCounts": [{"resourceType": t, "count": n} for t, n in page],
    }
    if start + limit < len(counts):
        out["nextToken"] = ctx.runtime.tokens.issue(
            "GetDiscoveredResourceCounts", bound, start + limit
        )
    return out
