"""Remediation configurations, exceptions and executions (spec 2.8, 9.2)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from configledger.api.context import RequestContext
from configledger.api.paging import page_size
from configledger.errors import (
    InvalidParameterValueException,
    NoSuchRemediationConfigurationException,
    NoSuchRemediationExceptionException,
    RemediationInProgressException,
)
from configledger.operations.registry import Request, Response, operation
from configledger.remediation.configuration import check
from configledger.remediation.documents import NATIVE
from configledger.remediation.engine import new_execution, non_compliant_keys, queue_automatic
from configledger.store import remediation as store
from configledger.store import rules as rule_store
from configledger.store.remediation import RUNNING, Key, StoredException

EXCEPTIONS_PAGE = 25
EXCEPTIONS_MAX = 100
STATUS_PAGE = 100
_INT64 = 2**63 - 1


def _no_configuration(name: str) -> NoSuchRemediationConfigurationException:
    return NoSuchRemediationConfigurationException(
        f"No RemediationConfiguration for rule exists: {name}"
    )


@operation("PutRemediationConfigurations")
def put_remediation_configurations(ctx: RequestContext, request: Request) -> Response:
    given: list[dict[str, Any]] = request["RemediationConfigurations"]
    names = [c["ConfigRuleName"] for c in given]
    if len(set(names)) != len(names):
        raise InvalidParameterValueException(
            "The request names a ConfigRule more than once; put one remediation configuration "
            "per rule."
        )
    for config in given:
        check(config)
    failed: list[dict[str, Any]] = []
    with ctx.database.write() as conn:
        stored = store.configurations(conn, ctx.account_id, ctx.region, names)
        for config in given:
            name = config["ConfigRuleName"]
            problem = None
            if rule_store.get_rule(conn, ctx.account_id, ctx.region, name) is None:
                problem = f"The ConfigRule '{name}' does not exist."
            elif config["TargetId"] not in NATIVE and ctx.runtime.settings.source != "aws":
                problem = f"The SSM document {config['TargetId']} does not exist."
            if problem is not None:
                failed.append({"FailureMessage": problem, "FailedItems": [config]})
                continue
            document = {k: v for k, v in config.items() if k not in ("Arn", "CreatedByService")}
            before = stored.get(name)
            document["Arn"] = (
                before["Arn"]
                if before is not None
                else ctx.arn(f"remediation-configuration/{name}/{uuid.uuid4()}")
            )
            store.put_configuration(conn, ctx.account_id, ctx.region, document, ctx.now_ms)
            if document.get("Automatic"):
                keys = non_compliant_keys(conn, ctx.account_id, ctx.region, name)
                queue_automatic(conn, ctx.account_id, ctx.region, name, keys, ctx.now_ms)
    return {"FailedBatches": failed}


@operation("DescribeRemediationConfigurations")
def describe_remediation_configurations(ctx: RequestContext, request: Request) -> Response:
    names: list[str] = request["ConfigRuleNames"]
    with ctx.database.read() as conn:
        found = store.configurations(conn, ctx.account_id, ctx.region, names)
    return {"RemediationConfigurations": [found[n] for n in dict.fromkeys(names) if n in found]}


@operation("DeleteRemediationConfiguration")
def delete_remediation_configuration(ctx: RequestContext, request: Request) -> Response:
    name = request["ConfigRuleName"]
    with ctx.database.write() as conn:
        found = store.configurations(conn, ctx.account_id, ctx.region, [name]).get(name)
        wanted_type = request.get("ResourceType")
        if found is None or (
            wanted_type and found.get("ResourceType") and found["ResourceType"] != wanted_type
        ):
            raise _no_configuration(name)
        if store.running(conn, ctx.account_id, ctx.region, name):
            raise RemediationInProgressException(
                f"Remediation is in progress for rule {name}; delete it when the running "
                "executions have finished."
            )
        store.delete_configuration(conn, ctx.account_id, ctx.region, name)
    return {}


def _resource_keys(request: Request, lower: bool) -> list[Key]:
    type_key, id_key = ("resourceType", "resourceId") if lower else ("ResourceType", "ResourceId")
    keys: list[Key] = []
    for key in request.get("ResourceKeys") or []:
        if not key.get(type_key) or not key.get(id_key):
            raise InvalidParameterValueException(
                f"Each resource key needs a {type_key} and a {id_key}."
            )
        keys.append((key[type_key], key[id_key]))
    return list(dict.fromkeys(keys))


@operation("StartRemediationExecution")
def start_remediation_execution(ctx: RequestContext, request: Request) -> Response:
    name = request["ConfigRuleName"]
    keys = _resource_keys(request, lower=True)
    failed: list[dict[str, str]] = []
    with ctx.database.write() as conn:
        config = store.configurations(conn, ctx.account_id, ctx.region, [name]).get(name)
        if config is None:
            raise _no_configuration(name)
        current = {e.key: e for e in store.executions(conn, ctx.account_id, ctx.region, name, keys)}
        for key in keys:
            before = current.get(key)
            wrong_type = config.get("ResourceType") and config["ResourceType"] != key[0]
            if wrong_type or (before is not None and before.state in RUNNING):
                failed.append({"resourceType": key[0], "resourceId": key[1]})
                continue
            store.save_execution(
                conn,
                new_execution(
                    ctx.account_id, ctx.region, name, key, automatic=False, now_ms=ctx.now_ms
                ),
            )
    if not failed:
        return {"FailedItems": []}
    return {
        "FailureMessage": "A remediation is already running for these resources, or they are "
        "not of the configuration's resource type.",
        "FailedItems": failed,
    }


def _seconds(ms: int | None) -> float | None:
    return None if ms is None else ms / 1000


@operation("DescribeRemediationExecutionStatus")
def describe_remediation_execution_status(ctx: RequestContext, request: Request) -> Response:
    name = request["ConfigRuleName"]
    keys = _resource_keys(request, lower=True)
    limit = page_size(request.get("Limit"), default=STATUS_PAGE, maximum=STATUS_PAGE)
    bound = [name, keys, limit]
    start = 0
    if request.get("NextToken"):
        start = int(ctx.runtime.tokens.open(request["NextToken"], "RemediationStatus", bound))
    with ctx.database.read() as conn:
        if store.configurations(conn, ctx.account_id, ctx.region, [name]).get(name) is None:
            raise _no_configuration(name)
        found = store.executions(conn, ctx.account_id, ctx.region, name, keys)
    page = found[start : start + limit]
    statuses = []
    for execution in page:
        steps = []
        for step in execution.steps:
            out = {k: v for k, v in step.items() if k not in ("StartTime", "StopTime")}
            for k in ("StartTime", "StopTime"):
                if step.get(k) is not None:
                    out[k] = _seconds(step[k])
            steps.append(out)
        statuses.append(
            {
                "ResourceKey": {
                    "resourceType": execution.resource_type,
                    "resourceId": execution.resource_id,
                },
                "State": execution.state,
                "StepDetails": steps,
                "InvocationTime": _seconds(execution.invocation_ms),
                "LastUpdatedTime": _seconds(execution.updated_ms),
            }
        )
    response: Response = {"RemediationExecutionStatuses": statuses}
    if start + limit < len(found):
        response["NextToken"] = ctx.runtime.tokens.issue("RemediationStatus", bound, start + limit)
    return response


def _expiration_ms(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return int(value.timestamp() * 1000)
    # The decoder gives epoch milliseconds; a time beyond what the store holds is clamped.
    return max(-_INT64, min(_INT64, int(value)))


@operation("PutRemediationExceptions")
def put_remediation_exceptions(ctx: RequestContext, request: Request) -> Response:
    name = request["ConfigRuleName"]
    keys = _resource_keys(request, lower=False)
    message = request.get("Message")
    expiration = _expiration_ms(request.get("ExpirationTime"))
    with ctx.database.write() as conn:
        if rule_store.get_rule(conn, ctx.account_id, ctx.region, name) is None:
            return {
                "FailedBatches": [
                    {
                        "FailureMessage": f"The ConfigRule '{name}' does not exist.",
                        "FailedItems": [
                            _exception_to_api(StoredException(name, t, i, message, expiration))
                            for t, i in keys
                        ],
                    }
                ]
            }
        for resource_type, resource_id in keys:
            store.put_exception(
                conn, ctx.account_id, ctx.region,
                StoredException(name, resource_type, resource_id, message, expiration),
            )  # fmt: skip
    return {"FailedBatches": []}


def _exception_to_api(found: StoredException) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ConfigRuleName": found.rule_name,
        "ResourceType": found.resource_type,
        "ResourceId": found.resource_id,
    }
    if found.message is not None:
        out["Message"] = found.message
    if found.expiration_ms is not None:
        out["ExpirationTime"] = found.expiration_ms / 1000
    return out


@operation("DescribeRemediationExceptions")
def describe_remediation_exceptions(ctx: RequestContext, request: Request) -> Response:
    name = request["ConfigRuleName"]
    keys = _resource_keys(request, lower=False)
    limit = page_size(request.get("Limit"), default=EXCEPTIONS_PAGE, maximum=EXCEPTIONS_MAX)
    bound = [name, keys, limit]
    start = 0
    if request.get("NextToken"):
        start = int(ctx.runtime.tokens.open(request["NextToken"], "RemediationExceptions", bound))
    with ctx.database.read() as conn:
        found = store.exceptions(conn, ctx.account_id, ctx.region, name, keys)
    response: Response = {
        "RemediationExceptions": [_exception_to_api(e) for e in found[start : start + limit]]
    }
    if start + limit < len(found):
        response["NextToken"] = ctx.runtime.tokens.issue(
            "RemediationExceptions", bound, start + limit
        )
    return response


@operation("DeleteRemediationExceptions")
def delete_remediation_exceptions(ctx: RequestContext, request: Request) -> Response:
    name = request["ConfigRuleName"]
    keys = _resource_keys(request, lower=False)
    missing: list[dict[str, str]] = []
    with ctx.database.write() as conn:
        for key in keys:
            if not store.delete_exception(conn, ctx.account_id, ctx.region, name, key):
                missing.append({"ResourceType": key[0], "ResourceId": key[1]})
        if missing and len(missing) == len(keys):
            raise NoSuchRemediationExceptionException(
                f"No remediation exception exists for rule {name} and the resources given."
            )
    if not missing:
        return {"FailedBatches": []}
    return {
        "FailedBatches": [
            {
                "FailureMessage": "No remediation exception exists for these resources.",
                "FailedItems": missing,
            }
        ]
    }
