"""IAM_POLICY_NO_STATEMENTS_WITH_FULL_ACCESS (iam-policy-no-statements-with-full-access).

The default version of a customer managed policy must not allow every action of a
service (``s3:*``, or ``*``). With ``excludePermissionBoundaryPolicy`` true, a policy used as a
permissions boundary is NOT_APPLICABLE.
"""

from __future__ import annotations

from typing import Any

from configledger.rules.managed._shared import as_list, policy_document, statements
from configledger.rules.types import (
    ManagedRule,
    Param,
    RuleInput,
    Trigger,
    Verdict,
    compliant,
    non_compliant,
    not_applicable,
)


def _full_access(action: Any) -> bool:
    text = str(action)
    return text == "*" or text.endswith(":*")


def evaluate(rule_input: RuleInput) -> Verdict:
    configuration = rule_input.configuration
    if (
        rule_input.params.get("excludePermissionBoundaryPolicy")
        and int(configuration.get("permissionsBoundaryUsageCount") or 0) > 0
    ):
        return not_applicable("The policy is used as a permissions boundary.")
    versions = configuration.get("policyVersionList") or []
    default = next((v for v in versions if v.get("isDefaultVersion")), None)
    document = policy_document(default.get("document")) if default else None
    for statement in statements(document):
        if statement.get("Effect") == "Allow" and any(
            _full_access(a) for a in as_list(statement.get("Action"))
        ):
            return non_compliant("The policy allows full access to a service.")
    return compliant()


RULE = ManagedRule(
    identifier="IAM_POLICY_NO_STATEMENTS_WITH_FULL_ACCESS",
    default_name="iam-policy-no-statements-with-full-access",
    description="Checks that customer managed policies grant no full access to a service.",
    resource_types=("AWS::IAM::Policy",),
    triggers=frozenset({Trigger.CHANGE}),
    evaluate=evaluate,
    parameters=(Param("excludePermissionBoundaryPolicy", "boolean"),),
)
