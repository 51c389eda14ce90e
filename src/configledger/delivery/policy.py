"""Does a bucket or topic policy let Config deliver? (spec 12.2, 12.3)

Asked only of a bucket or topic in another account: there AWS Config writes as its
service principal ``config.amazonaws.com`` (or as the recorder's role), and the resource
policy decides. The sandbox's AWS does not enforce policies, so ConfigLedger reads the
policy and decides as IAM would for the statements such policies use: Allow/Deny,
Principal (Service, AWS account, root or role ARN, ``*``), Action and Resource with
wildcards, and String/Arn Equals/Like conditions. An explicit Deny wins; anything this
evaluator does not understand never grants.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

SERVICE_PRINCIPAL = "config.amazonaws.com"


@dataclass(frozen=True, slots=True)
class Request:
    action: str
    resource: str
    account_id: str  # the account whose configuration is delivered
    role_arn: str | None = None
    context: Mapping[str, str] | None = None  # condition keys (lower case) -> value


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _like(pattern: str, value: str, *, case: bool = True) -> bool:
    if not case:
        pattern, value = pattern.lower(), value.lower()
    return fnmatch.fnmatchcase(value, pattern.replace("[", "[[]"))


def _principal_matches(principal: Any, request: Request) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    if SERVICE_PRINCIPAL in _list(principal.get("Service")):
        return True
    ours = {request.account_id, f"arn:aws:iam::{request.account_id}:root"}
    if request.role_arn:
        ours.add(request.role_arn)
    return any(p == "*" or p in ours for p in _list(principal.get("AWS")))


def _condition_holds(conditions: Any, request: Request) -> bool:
    if not conditions:
        return True
    if not isinstance(conditions, dict):
        return False
    context = {
        "aws:sourceaccount": request.account_id,
        **{k.lower(): v for k, v in (request.context or {}).items()},
    }
    for operator, tests in conditions.items():
        if not isinstance(tests, dict):
            return False
        like = operator in ("StringLike", "ArnLike", "ArnEquals", "StringEqualsIgnoreCase")
        if operator not in ("StringEquals", "StringLike", "ArnLike", "ArnEquals"):
            return False
        for key, wanted in tests.items():
            actual = context.get(key.lower())
            if actual is None:
                return False
            values = [str(v) for v in _list(wanted)]
            if like and not any(_like(v, actual) for v in values):
                return False
            if not like and actual not in values:
                return False
    return True


def _statement_matches(statement: Mapping[str, Any], request: Request) -> bool:
    if not _principal_matches(statement.get("Principal"), request):
        return False
    if not any(_like(a, request.action, case=False) for a in _list(statement.get("Action"))):
        return False
    if not any(_like(r, request.resource) for r in _list(statement.get("Resource"))):
        return False
    return _condition_holds(statement.get("Condition"), request)


def allows(policy: Mapping[str, Any], requests: Iterable[Request]) -> bool:
    """Whether ``policy`` grants every request and denies none."""
    statements = [s for s in _list(policy.get("Statement")) if isinstance(s, dict)]
    for request in requests:
        matching = [s for s in statements if _statement_matches(s, request)]
        if any(s.get("Effect") == "Deny" for s in matching):
            return False
        if not any(s.get("Effect") == "Allow" for s in matching):
            return False
    return True
