"""Advanced query and stored queries (spec 2.10, 8, 9.5)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Connection

from configledger.api.context import RequestContext
from configledger.api.paging import page_size
from configledger.errors import (
    InvalidExpressionException,
    ResourceNotFoundException,
    TooManyTagsException,
    ValidationException,
)
from configledger.operations.registry import Request, Response, operation
from configledger.operations.tags import taggable
from configledger.query import QueryOptions, select
from configledger.query.parse import parse_time
from configledger.store import queries as store
from configledger.store import recorders as recorder_store
from configledger.store import tags as tag_store

MAX_STORED_QUERIES = 300
_AWS = QueryOptions()  # AWS's grammar, the current state


def run_select(
    ctx: RequestContext, request: Request, scope: str, options: QueryOptions = _AWS
) -> Response:
    """One page of a query over the caller's account and region."""
    ctx.runtime.query_ready()
    with ctx.database.read() as conn:
        result = select(
            conn,
            request["Expression"],
            [(ctx.account_id, ctx.region)],
            limit=request.get("Limit"),
            next_token=request.get("NextToken"),
            tokens=ctx.runtime.tokens,
            token_scope=scope,
            bound=[ctx.account_id, ctx.region],
            options=options,
        )
    return result.to_response()


@operation("SelectResourceConfig")
def select_resource_config(ctx: RequestContext, request: Request) -> Response:
    return run_select(ctx, request, "SelectResourceConfig")


# -- stored queries ---------------------------------------------------------------------


def _not_found(name: str) -> ResourceNotFoundException:
    return ResourceNotFoundException(f"The stored query '{name}' does not exist.")


@taggable("stored-query")
def _stored_query_exists(conn: Connection, ctx: RequestContext, arn: str) -> bool:
    return store.stored_query_arn_exists(conn, ctx.account_id, ctx.region, arn)


@operation("PutStoredQuery")
def put_stored_query(ctx: RequestContext, request: Request) -> Response:
    given = request["StoredQuery"]
    name = given["QueryName"]
    expression = given.get("Expression")
    if expression is None:
        raise ValidationException(
            "1 validation error detected: Value null at 'storedQuery.expression' failed to "
            "satisfy constraint: Member must not be null"
        )
    with ctx.database.write() as conn:
        recorder_store.lock_configuration(conn, ctx.account_id, ctx.region)
        existing = store.get_stored_query(conn, ctx.account_id, ctx.region, name)
        if existing is not None:
            updated = store.StoredQuery(
                name, existing.query_id, existing.arn, given.get("Description"), expression
            )
            store.update_stored_query(conn, ctx.account_id, ctx.region, updated)
            return {"QueryArn": existing.arn}
        if store.count_stored_queries(conn, ctx.account_id, ctx.region) >= MAX_STORED_QUERIES:
            raise ValidationException(
                f"Failed to put stored query '{name}': the maximum number of stored queries "
                f"({MAX_STORED_QUERIES}) in this account and region is reached."
            )
        query_id = str(uuid.uuid4())
        arn = ctx.arn(f"stored-query/{name}/query-{query_id}")
        created = store.StoredQuery(name, query_id, arn, given.get("Description"), expression)
        store.insert_stored_query(conn, ctx.account_id, ctx.region, created, ctx.now_ms)
        tags = {t["Key"]: t.get("Value", "") for t in request.get("Tags") or [] if "Key" in t}
        if len(tags) > 50:
            raise TooManyTagsException(f"Resource '{arn}' would have more than 50 tags.")
        if tags:
            tag_store.set_tags(conn, ctx.account_id, ctx.region, arn, tags)
    return {"QueryArn": arn}


@operation("GetStoredQuery")
def get_stored_query(ctx: RequestContext, request: Request) -> Response:
    name = request["QueryName"]
    with ctx.database.read() as conn:
        found = store.get_stored_query(conn, ctx.account_id, ctx.region, name)
    if found is None:
        raise _not_found(name)
    return {"StoredQuery": found.to_api()}


@operation("DeleteStoredQuery")
def delete_stored_query(ctx: RequestContext, request: Request) -> Response:
    name = request["QueryName"]
    with ctx.database.write() as conn:
        found = store.get_stored_query(conn, ctx.account_id, ctx.region, name)
        if found is None:
            raise _not_found(name)
        store.delete_stored_query(conn, ctx.account_id, ctx.region, name)
        tag_store.remove_tags(conn, ctx.account_id, ctx.region, found.arn)
    return {}


@operation("ListStoredQueries")
def list_stored_queries(ctx: RequestContext, request: Request) -> Response:
    limit = page_size(request.get("MaxResults"), default=100, maximum=100)
    bound = [ctx.account_id, ctx.region]
    after = None
    if request.get("NextToken"):
        after = ctx.runtime.tokens.open(request["NextToken"], "ListStoredQueries", bound)
    with ctx.database.read() as conn:
        found = store.list_stored_queries(
            conn, ctx.account_id, ctx.region, after=after, limit=limit + 1
        )
    metadata = []
    for query in found[:limit]:
        entry = {"QueryId": query.query_id, "QueryArn": query.arn, "QueryName": query.name}
        if query.description is not None:
            entry["Description"] = query.description
        metadata.append(entry)
    out: Response = {"StoredQueryMetadata": metadata}
    if len(found) > limit:
        out["NextToken"] = ctx.runtime.tokens.issue(
            "ListStoredQueries", bound, found[limit - 1].name
        )
    return out


# -- the extension endpoint (off the AWS wire) -------------------------------------------

EXTENSION_SCOPE = "ConfigLedgerQuery"


def extension_time(body: dict[str, Any], name: str) -> int | None:
    """An instant of the extension request: ISO-8601 text or epoch seconds, as ms."""
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValidationException(f"'{name}' must be an ISO-8601 time or epoch seconds.")
    if isinstance(value, str):
        try:
            return parse_time(value, name)
        except InvalidExpressionException:
            raise ValidationException(f"'{name}' is not an ISO-8601 time: '{value}'.") from None
    return round(value * 1000)


def extension_query(ctx: RequestContext, body: object) -> Response:
    """``POST /_configledger/query``: SelectResourceConfig's request and answer plus
    ``At`` (the state at an instant) or ``Since``/``Until`` (the changes of a window),
    with the extended grammar. Signed like any Config call; reads the caller's partition."""
    if not isinstance(body, dict):
        raise ValidationException("The request body must be a JSON object.")
    expression = body.get("Expression")
    if not isinstance(expression, str) or not expression.strip():
        raise ValidationException("'Expression' is required and must be a string.")
    limit = body.get("Limit")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)):
        raise ValidationException("'Limit' must be an integer.")
    token = body.get("NextToken")
    if token is not None and not isinstance(token, str):
        raise ValidationException("'NextToken' must be a string.")
    at_ms = extension_time(body, "At")
    since_ms, until_ms = extension_time(body, "Since"), extension_time(body, "Until")
    if at_ms is not None and (since_ms is not None or until_ms is not None):
        raise ValidationException("'At' cannot be combined with 'Since' or 'Until'.")
    if since_ms is not None and until_ms is not None and since_ms > until_ms:
        raise ValidationException("'Since' must not be after 'Until'.")
    options = QueryOptions(extensions=True, at_ms=at_ms, since_ms=since_ms, until_ms=until_ms)
    request = {"Expression": expression, "Limit": limit, "NextToken": token}
    return run_select(ctx, request, EXTENSION_SCOPE, options)
