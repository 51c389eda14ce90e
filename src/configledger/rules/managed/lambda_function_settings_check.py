"""LAMBDA_FUNCTION_SETTINGS_CHECK (lambda-function-settings-check).

The function's runtime must be one of ``runtime`` (required), its role ``role`` when
given, and its memory size and timeout exactly ``memorySize`` and ``timeout`` (AWS's
defaults: 128 MB and 3 seconds).
"""

from __future__ import annotations

from configledger.rules.types import (
    ManagedRule,
    Param,
    RuleInput,
    Trigger,
    Verdict,
    compliant,
    non_compliant,
)


def evaluate(rule_input: RuleInput) -> Verdict:
    configuration = rule_input.configuration
    params = rule_input.params
    off = []
    if configuration.get("runtime") not in (params.get("runtime") or []):
        off.append("runtime")
    if params.get("role") and configuration.get("role") != params["role"]:
        off.append("role")
    for name in ("memorySize", "timeout"):
        if params.get(name) is not None and configuration.get(name) != int(params[name]):
            off.append(name)
    if off:
        return non_compliant("Settings differ from the expected values: " + ", ".join(off))
    return compliant()


RULE = ManagedRule(
    identifier="LAMBDA_FUNCTION_SETTINGS_CHECK",
    default_name="lambda-function-settings-check",
    description="Checks that Lambda function settings match the expected values.",
    resource_types=("AWS::Lambda::Function",),
    triggers=frozenset({Trigger.CHANGE}),
    evaluate=evaluate,
    parameters=(
        Param("runtime", "CSV", optional=False),
        Param("role", "String"),
        Param("memorySize", "int", default="128"),
        Param("timeout", "int", default="3"),
    ),
)
