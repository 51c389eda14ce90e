"""PutConfigRule's checks of custom rules' sources, before anything is stored.

* CUSTOM_POLICY: the policy must parse (InvalidParameterValueException naming the line
  and column where it does not).
* CUSTOM_LAMBDA: AWS Config must be able to invoke the function: it exists, and its
  resource policy lets ``config.amazonaws.com`` call ``lambda:InvokeFunction``
  (``aws lambda add-permission --principal config.amazonaws.com``), else AWS's
  InsufficientPermissionsException. A function in another account is not looked at:
  the rule's account cannot read another account's function or its policy.
"""

from __future__ import annotations

import threading
from typing import Any

import orjson
from botocore.exceptions import BotoCoreError, ClientError

from configledger.api.context import RequestContext, Runtime
from configledger.errors import InsufficientPermissionsException
from configledger.recorder.sessions import Sessions
from configledger.rules.definition import CUSTOM_LAMBDA
from configledger.rules.lambda_invoke import function_partition
from configledger.rules.policy_rules import check_policy, policy_text

CONFIG_PRINCIPAL = "config.amazonaws.com"
_INVOKE_ACTIONS = frozenset({"lambda:invokefunction", "lambda:*", "*"})
_sessions: dict[int, Sessions] = {}
_lock = threading.Lock()


def _sessions_of(runtime: Runtime) -> Sessions:
    with _lock:
        found = _sessions.get(id(runtime))
        if found is None:
            found = Sessions(runtime.settings, runtime.credentials)
            _sessions[id(runtime)] = found
        return found


def check_custom_source(ctx: RequestContext, document: dict[str, Any]) -> None:
    text = policy_text(document)
    if text is not None:
        check_policy(text)
    source = document["Source"]
    if source["Owner"] == CUSTOM_LAMBDA:
        check_function(ctx, str(source["SourceIdentifier"]))


def _cannot_invoke(arn: str) -> InsufficientPermissionsException:
    return InsufficientPermissionsException(
        f"The AWS Lambda function {arn} cannot be invoked. Check the specified function ARN, "
        "and check the function's permissions."
    )


def check_function(ctx: RequestContext, arn: str) -> None:
    account_id, region = function_partition(arn, ctx.account_id, ctx.region)
    if account_id != ctx.account_id:
        return
    client = _sessions_of(ctx.runtime).client("lambda", account_id, region)
    try:
        client.get_function_configuration(FunctionName=arn)
    except ClientError as exc:
        if _code(exc) in ("AccessDeniedException", "AccessDenied"):
            return  # not ours to look at: AWS Config's own principal decides there
        raise _cannot_invoke(arn) from None
    except BotoCoreError:
        return  # Lambda unreachable: the invocations will say so
    try:
        raw = client.get_policy(FunctionName=arn)["Policy"]
    except ClientError as exc:
        if _code(exc) in ("AccessDeniedException", "AccessDenied"):
            return
        raise _cannot_invoke(arn) from None  # no resource policy at all
    except BotoCoreError:
        return
    if not allows_config(orjson.loads(raw), ctx.account_id):
        raise _cannot_invoke(arn)


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def allows_config(policy: dict[str, Any], account_id: str) -> bool:
    """Whether a function's resource policy lets AWS Config (of ``account_id``) invoke it."""
    for statement in _listed(policy.get("Statement") or []):
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        actions = {str(a).lower() for a in _listed(statement.get("Action") or [])}
        if not actions & _INVOKE_ACTIONS:
            continue
        principal = statement.get("Principal")
        services = (
            _listed(principal.get("Service") or []) if isinstance(principal, dict) else [principal]
        )
        if CONFIG_PRINCIPAL not in services and "*" not in services:
            continue
        condition = statement.get("Condition") or {}
        source_account = (condition.get("StringEquals") or {}).get("AWS:SourceAccount")
        if source_account is not None and account_id not in _listed(source_account):
            continue
        return True
    return False
