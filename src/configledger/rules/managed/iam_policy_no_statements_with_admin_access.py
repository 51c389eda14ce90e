"""IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS (iam-policy-no-statements-with-admin-access).

The default version of a customer managed policy must have no statement that allows
Action "*" on Resource "*". With ``excludePermissionBoundaryPolicy`` true, a policy used
as a permissions boundary is NOT_APPLICABLE.
"""

from __future__ import annotations

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
        if (
            statement.get("Effect") == "Allow"
            and "*" in as_list(statement.get("Action"))
            and "*" in as_list(statement.get("Resource"))
        ):
            return non_compliant("The policy allows all actions on all resources.")
    return compliant()


RULE = ManagedRule(
    identifier="IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS",
    default_name="iam-policy-no-statements-with-admin-access",
    description="Checks that customer managed policies do not grant full admin access.",
    resource_types=("AWS::IAM::Policy",),
    triggers=frozenset({Trigger.CHANGE}),
    evaluate=evaluate,
    parameters=(Param("excludePermissionBoundaryPolicy", "boolean"),),
)
