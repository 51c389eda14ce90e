"""LAMBDA_FUNCTION_PUBLIC_ACCESS_PROHIBITED (lambda-function-public-access-prohibited).

The function's resource-based policy must not allow everyone (``*``) to invoke it
without a condition. The policy is the supplementary ``Policy`` when the item carries
one, otherwise Lambda's GetPolicy; a function with no policy is not public.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from configledger.rules.managed._shared import (
    as_list,
    policy_document,
    principal_is_everyone,
    statements,
)
from configledger.rules.types import (
    AwsCallFailed,
    ManagedRule,
    RuleInput,
    Trigger,
    Verdict,
    compliant,
    non_compliant,
)


def _policy(rule_input: RuleInput) -> dict[str, Any] | None:
    if "Policy" in rule_input.supplementary:
        return policy_document(rule_input.supplementary["Policy"])
    name = rule_input.configuration.get("functionName") or rule_input.item.get("resourceId")
    try:
        answer = rule_input.env.call("lambda", "get_policy", FunctionName=name)
    except AwsCallFailed as failure:
        if failure.code == "ResourceNotFoundException":
            return None
        raise
    return policy_document(answer.get("Policy"))


def _public(statement: Mapping[str, Any]) -> bool:
    principal = statement.get("Principal")
    everyone = principal_is_everyone(principal) or (
        isinstance(principal, Mapping) and "*" in as_list(principal.get("Service"))
    )
    return statement.get("Effect") == "Allow" and everyone and not statement.get("Condition")


def evaluate(rule_input: RuleInput) -> Verdict:
    if any(_public(s) for s in statements(_policy(rule_input))):
        return non_compliant("The function policy allows public access.")
    return compliant()


RULE = ManagedRule(
    identifier="LAMBDA_FUNCTION_PUBLIC_ACCESS_PROHIBITED",
    default_name="lambda-function-public-access-prohibited",
    description="Checks that Lambda function policies prohibit public access.",
    resource_types=("AWS::Lambda::Function",),
    triggers=frozenset({Trigger.CHANGE}),
    evaluate=evaluate,
)
