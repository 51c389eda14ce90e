"""Retention configuration operations (spec 2.11, 9.4)."""

from __future__ import annotations

from configledger.api.context import RequestContext
from configledger.errors import NoSuchRetentionConfigurationException, ValidationException
from configledger.operations.registry import Request, Response, operation
from configledger.store import recorders as recorder_store
from configledger.store import retention as store

NAME = "default"


def _no_such(name: str) -> NoSuchRetentionConfigurationException:
    return NoSuchRetentionConfigurationException(
        f"Cannot find retention configuration with the specified name '{name}'."
    )


@operation("PutRetentionConfiguration")
def put_retention_configuration(ctx: RequestContext, request: Request) -> Response:
    days = request["RetentionPeriodInDays"]
    with ctx.database.write() as conn:
        recorder_store.lock_configuration(conn, ctx.account_id, ctx.region)
        store.put_retention(conn, ctx.account_id, ctx.region, NAME, days)
    return {"RetentionConfiguration": {"Name": NAME, "RetentionPeriodInDays": days}}


@operation("DescribeRetentionConfigurations")
def describe_retention_configurations(ctx: RequestContext, request: Request) -> Response:
    names = request.get("RetentionConfigurationNames") or []
    if len(names) > 1:
        raise ValidationException(
            "1 validation error detected: Value '["
            + ", ".join(names)
            + "]' at 'retentionConfigurationNames' failed to satisfy constraint: "
            "Member must have length less than or equal to 1"
        )
    if request.get("NextToken"):
        # There is at most one configuration, so no page ever follows the first.
        ctx.runtime.tokens.open(request["NextToken"], "DescribeRetentionConfigurations", names)
    with ctx.database.read() as conn:
        found = store.list_retention(conn, ctx.account_id, ctx.region)
    if names:
        found = [f for f in found if f[0] == names[0]]
        if not found:
            raise _no_such(names[0])
    return {
        "RetentionConfigurations": [
            {"Name": name, "RetentionPeriodInDays": days} for name, days in found
        ]
    }


@operation("DeleteRetentionConfiguration")
def delete_retention_configuration(ctx: RequestContext, request: Request) -> Response:
    name = request["RetentionConfigurationName"]
    with ctx.database.write() as conn:
        recorder_store.lock_configuration(conn, ctx.account_id, ctx.region)
        if all(f[0] != name for f in store.list_retention(conn, ctx.account_id, ctx.region)):
            raise _no_such(name)
        store.delete_retention(conn, ctx.account_id, ctx.region, name)
    return {}
