"""SelectAggregateResourceConfig (spec 2.9, 8): the advanced query over an aggregator.

The query reads exactly the partitions ``scope.visible_partitions`` gives back, keeping
the aggregator's resource-type filter, so an unauthorized source is as absent here as
from the inventory reads. ``accountId`` and ``awsRegion`` are ordinary properties of the
rows: selectable, filterable and groupable.
"""

from __future__ import annotations

from configledger.aggregation.scope import (
    find_aggregator,
    resource_type_filter,
    visible_partitions,
)
from configledger.api.context import RequestContext
from configledger.operations.registry import Request, Response, operation
from configledger.query import QueryOptions, select

SCOPE = "SelectAggregateResourceConfig"
# AWS's page size for aggregation queries when the request names none.
DEFAULT_LIMIT = 500


@operation("SelectAggregateResourceConfig")
def select_aggregate_resource_config(ctx: RequestContext, request: Request) -> Response:
    name = request["ConfigurationAggregatorName"]
    # Limit and MaxResults are the same page size under two names; Limit wins when both.
    limit = request.get("Limit") or request.get("MaxResults")
    ctx.runtime.query_ready()
    with ctx.database.read() as conn:
        aggregator = find_aggregator(conn, ctx.account_id, ctx.region, name)
        kept = resource_type_filter(aggregator)
        options = QueryOptions(resource_types=tuple(sorted(kept)) if kept is not None else None)
        result = select(
            conn,
            request["Expression"],
            visible_partitions(conn, aggregator),
            limit=limit,
            next_token=request.get("NextToken"),
            tokens=ctx.runtime.tokens,
            token_scope=SCOPE,
            bound=[ctx.account_id, ctx.region, name],
            default_limit=DEFAULT_LIMIT,
            options=options,
        )
    return result.to_response()
