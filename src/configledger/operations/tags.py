"""Tags on AWS Config's own resources (spec 2.13).

Which ARNs can be tagged is a registry: each area that owns taggable resources adds a
function that says whether an ARN names one of its live resources. Tags on a resource
that does not exist are refused with ResourceNotFoundException, as AWS does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection

from configledger.api.context import RequestContext
from configledger.api.paging import page_size
from configledger.errors import (
    ResourceNotFoundException,
    TooManyTagsException,
    ValidationException,
)
from configledger.operations.registry import Request, Response, operation
from configledger.store import recorders as recorder_store
from configledger.store import tags as store

MAX_TAGS = 50

Exists = Callable[[Connection, RequestContext, str], bool]
TAGGABLE: dict[str, Exists] = {}


def taggable(resource_kind: str) -> Callable[[Exists], Exists]:
    """Register the existence check for ARNs whose resource part starts ``<kind>/``."""

    def register(check: Exists) -> Exists:
        TAGGABLE[resource_kind] = check
        return check

    return register


@taggable("configuration-recorder")
def _recorder_exists(conn: Connection, ctx: RequestContext, arn: str) -> bool:
    return any(
        r.arn == arn for r in recorder_store.list_recorders(conn, ctx.account_id, ctx.region)
    )


def _require_existing(conn: Connection, ctx: RequestContext, arn: str) -> None:
    parts = arn.split(":", 5)
    exists = False
    if (
        len(parts) == 6
        and parts[2] == "config"
        and parts[3] == ctx.region
        and parts[4] == ctx.account_id
    ):
        check = TAGGABLE.get(parts[5].split("/", 1)[0])
        exists = check is not None and check(conn, ctx, arn)
    if not exists:
        raise ResourceNotFoundException(f"ResourceArn '{arn}' does not exist")


def missing_key_errors(tags: list[dict[str, Any]]) -> list[str]:
    """``Key`` is optional in the model's Tag shape, yet a tag without one is no tag: AWS
    answers as for a required member. The failures, in the validator's words."""
    return [
        f"Value null at 'tags.{index}.member.key' failed to satisfy constraint: "
        "Member must not be null"
        for index, tag in enumerate(tags, start=1)
        if tag.get("Key") is None
    ]


def raise_validation(errors: list[str]) -> None:
    """One ValidationException listing ``errors``, if there are any."""
    if errors:
        noun = "validation error" if len(errors) == 1 else "validation errors"
        raise ValidationException(f"{len(errors)} {noun} detected: " + "; ".join(errors))


@operation("TagResource")
def tag_resource(ctx: RequestContext, request: Request) -> Response:
    arn = request["ResourceArn"]
    raise_validation(missing_key_errors(request["Tags"]))
    new = {tag["Key"]: tag.get("Value", "") for tag in request["Tags"]}
    with ctx.database.write() as conn:
        recorder_store.lock_configuration(conn, ctx.account_id, ctx.region)
        _require_existing(conn, ctx, arn)
        current = store.get_tags(conn, ctx.account_id, ctx.region, arn)
        if len(current.keys() | new.keys()) > MAX_TAGS:
            raise TooManyTagsException(
                f"Resource '{arn}' would have more than {MAX_TAGS} tags after this request."
            )
        store.set_tags(conn, ctx.account_id, ctx.region, arn, new)
    return {}


@operation("UntagResource")
def untag_resource(ctx: RequestContext, request: Request) -> Response:
    arn = request["ResourceArn"]
    with ctx.database.write() as conn:
        recorder_store.lock_configuration(conn, ctx.account_id, ctx.region)
        _require_existing(conn, ctx, arn)
        store.remove_tags(conn, ctx.account_id, ctx.region, arn, request["TagKeys"])
    return {}


@operation("ListTagsForResource")
def list_tags_for_resource(ctx: RequestContext, request: Request) -> Response:
    arn = request["ResourceArn"]
    limit = page_size(request.get("Limit"), default=50, maximum=50)
    start = 0
    if request.get("NextToken"):
        start = int(ctx.runtime.tokens.open(request["NextToken"], "ListTagsForResource", arn))
    with ctx.database.read() as conn:
        _require_existing(conn, ctx, arn)
        found = sorted(store.get_tags(conn, ctx.account_id, ctx.region, arn).items())
    out: Response = {
        "Tags": [{"Key": key, "Value": value} for key, value in found[start : start + limit]]
    }
    if start + limit < len(found):
        out["NextToken"] = ctx.runtime.tokens.issue("ListTagsForResource", arn, start + limit)
    return out
