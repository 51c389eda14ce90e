"""Advanced query: AWS Config's SQL subset over the recorded resources (spec 8).

Layers: ``parse`` (sqlglot's tree -> a checked ``ast.Query``, refusing what AWS refuses
with InvalidExpressionException) -> ``compile`` (the query as SQLAlchemy Core over
``query_resources``: columns for top-level properties, JSON1 / jsonb for paths, with
"any element" and CIDR-contains semantics) -> ``engine`` (one page, offset paging under a
signed token) -> ``results`` (AWS's JSON strings).

The entry point, for every caller (SelectResourceConfig, SelectAggregateResourceConfig,
the CLI, the extension endpoint)::

    from configledger.query import QueryOptions, select

    result = select(
        conn,                       # a connection from Database.read()
        expression,                 # "SELECT resourceId, COUNT(*) ... GROUP BY ..."
        partitions,                 # [(account_id, region), ...] the query reads
        limit=request.get("Limit"),           # None/0 -> default_limit; >100 refused
        next_token=request.get("NextToken"),
        tokens=ctx.runtime.tokens,            # the server's TokenSigner
        token_scope="SelectAggregateResourceConfig",
        bound=[ctx.account_id, ctx.region, aggregator_name],  # what a token is tied to
        default_limit=25,
        options=QueryOptions(resource_types=None),  # e.g. an aggregator's type filter
    )
    response = result.to_response()  # {"Results": [...], "QueryInfo": {...}, "NextToken"?}

Over several partitions the rows of all of them are one table: ``accountId`` and
``awsRegion`` are ordinary properties, so ``SELECT COUNT(*), accountId GROUP BY
accountId`` and ``SELECT resourceId, accountId, awsRegion ...`` work as AWS documents for
aggregators. ``awsRegion`` is the item's own region ("global" for IAM), the partition's
region is what ``partitions`` names.

Beyond AWS, through ``QueryOptions`` only (never on the AWS wire): ``extensions`` allows
LIKE patterns of any shape, DISTINCT and ``tags.<key>``; ``at_ms`` evaluates over the
state at a past instant; ``since_ms``/``until_ms`` over every item captured in a window.
"""

from configledger.query.engine import QueryOptions, SelectResult, run, select
from configledger.query.parse import parse

__all__ = ["QueryOptions", "SelectResult", "parse", "run", "select"]
