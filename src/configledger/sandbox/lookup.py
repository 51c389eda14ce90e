"""CloudTrail's LookupEvents, answered from ConfigLedger's store rather than moto.

Same endpoint, ``X-Amz-Target: com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.
LookupEvents``, signed for ``cloudtrail``. The request is checked against botocore's
cloudtrail model like any Config request; then the rules the model cannot state:
at most one lookup attribute, a start before the end, the last 90 days by default.
Events come newest first; the page token (TokenSigner) carries the position of the
last event returned and is bound to the account, region and filters it was issued for.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import botocore.session
import orjson
from botocore.model import OperationModel

from configledger.api.context import RequestContext
from configledger.api.validation import validate_request
from configledger.errors import ClientError, InvalidTimeRangeException, SerializationException
from configledger.store import cloudtrail

SERVICE = "cloudtrail"
OPERATION = "LookupEvents"
TARGET = f"com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.{OPERATION}"
DEFAULT_RESULTS = 50
RETENTION_MS = 90 * 24 * 3600 * 1000


class InvalidLookupAttributesException(ClientError):
    code = "InvalidLookupAttributesException"


@cache
def operation_model() -> OperationModel:
    model = botocore.session.get_session().get_service_model(SERVICE)
    return model.operation_model(OPERATION)


def decode_request(body: bytes) -> dict[str, Any]:
    """The validated request (SerializationException / ValidationException otherwise)."""
    try:
        parsed = orjson.loads(body) if body.strip() else {}
    except orjson.JSONDecodeError as exc:
        raise SerializationException(f"The request body is not valid JSON: {exc}") from None
    return validate_request(operation_model(), parsed)


def lookup_events(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    attributes = request.get("LookupAttributes") or []
    if len(attributes) > 1:
        raise InvalidLookupAttributesException("You cannot specify more than one lookup attribute.")
    attribute = None
    if attributes:
        attribute = (attributes[0]["AttributeKey"], attributes[0]["AttributeValue"])
    end_ms = request.get("EndTime", ctx.now_ms)
    start_ms = request.get("StartTime", end_ms - RETENTION_MS)
    if start_ms > end_ms:
        raise InvalidTimeRangeException("Start time must be earlier than end time.")
    limit = request.get("MaxResults") or DEFAULT_RESULTS
    if request.get("EventCategory") == "insight":
        return {"Events": []}  # Insights events are CloudTrail's analysis; we have none
    scope = f"{OPERATION}:{ctx.account_id}:{ctx.region}"
    bound = [attribute, request.get("StartTime"), request.get("EndTime")]
    before = None
    if request.get("NextToken"):
        time_ms, seq = ctx.runtime.tokens.open(request["NextToken"], scope, bound)
        before = (int(time_ms), int(seq))
    with ctx.database.read() as conn:
        found = cloudtrail.lookup(
            conn,
            cloudtrail.Lookup(
                account_id=ctx.account_id,
                region=ctx.region,
                start_ms=start_ms,
                end_ms=end_ms,
                limit=limit,
                attribute=attribute,
                before=before,
            ),
        )
    page = found[:limit]
    out: dict[str, Any] = {"Events": [_event(event) for event in page]}
    if len(found) > limit:
        last = page[-1]
        out["NextToken"] = ctx.runtime.tokens.issue(scope, bound, [last.event_time_ms, last.seq])
    return out


def _event(event: cloudtrail.StoredEvent) -> dict[str, Any]:
    return {
        "EventId": event.event_id,
        "EventName": event.event_name,
        "ReadOnly": "true" if event.read_only else "false",
        "AccessKeyId": event.access_key_id,
        "EventTime": event.event_time_ms / 1000,
        "EventSource": event.event_source,
        "Username": event.username,
        "Resources": [
            {"ResourceType": kind, "ResourceName": name} for kind, name in event.resources
        ],
        "CloudTrailEvent": event.document.decode(),
    }
