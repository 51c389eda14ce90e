"""ConfigLedger's own Config API calls, audited as CloudTrail audits AWS Config (spec 11).

Every successful call becomes an event with eventSource ``config.amazonaws.com``,
sandbox or not, so an auditor can ask LookupEvents who stopped the recorder and when.
Reads (Describe/Get/List/BatchGet/Select: ``trail.is_read_only``) cost one INSERT in their own
short transaction after the handler succeeded; writes also name their resources. They are
not announced on the outbox: announcements make the recorder describe AWS resources again,
and Config's own calls change none of those (PutResourceConfig records its item itself).
responseElements is null except for DeliverConfigSnapshot, as in AWS's own records.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from botocore.model import OperationModel

from configledger.api.context import RequestContext
from configledger.sandbox import decode, trail
from configledger.store import cloudtrail

SERVICE = "config"
_RESPONSE_RECORDED = frozenset({"DeliverConfigSnapshot"})


def _java_date(value: Any) -> Any:
    """Epoch ms as CloudTrail prints Config's timestamps: ``Dec 11, 2014 4:58:42 PM``."""
    if not isinstance(value, int):
        return value
    moment = time.gmtime(value // 1000)
    hour = moment.tm_hour % 12 or 12
    meridiem = "AM" if moment.tm_hour < 12 else "PM"
    return (
        f"{time.strftime('%b', moment)} {moment.tm_mday}, {moment.tm_year} "
        f"{hour}:{moment.tm_min:02d}:{moment.tm_sec:02d} {meridiem}"
    )


def record_config_call(
    ctx: RequestContext,
    operation: OperationModel,
    params: dict[str, Any],
    result: dict[str, Any],
    *,
    source_ip: str,
    user_agent: str,
) -> None:
    """Store the event of one successful Config call (raises on a store error)."""
    name = str(operation.name)
    response = None
    if name in _RESPONSE_RECORDED:
        response = decode.bounded(decode.camelize(operation.output_shape, result))
    event = trail.build_event(
        trail.Call(
            caller=trail.Caller(ctx.account_id, ctx.principal_arn, ctx.access_key_id),
            region=ctx.region,
            service=SERVICE,
            operation=name,
            time_ms=ctx.now_ms,
            source_ip=source_ip,
            user_agent=user_agent,
            request_id=ctx.request_id,
            request_parameters=decode.bounded(
                decode.camelize(operation.input_shape, params, _java_date)
            ),
            response_elements=response,
        )
    )
    if event.read_only:
        # A read names no resources, so it costs exactly one INSERT.
        event = replace(event, resources=())
    with ctx.database.write() as conn:
        cloudtrail.append(conn, event, announce=False, now_ms=ctx.now_ms)
