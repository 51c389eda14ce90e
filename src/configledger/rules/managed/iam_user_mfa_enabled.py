"""IAM_USER_MFA_ENABLED (iam-user-mfa-enabled).

Every IAM user must have an MFA device.
"""

from __future__ import annotations

from configledger.rules.managed._iam import has_mfa, user_name
from configledger.rules.types import (
    ManagedRule,
    RuleInput,
    Trigger,
    Verdict,
    compliant,
    non_compliant,
)


def evaluate(rule_input: RuleInput) -> Verdict:
    if has_mfa(rule_input.env, user_name(rule_input)):
        return compliant()
    return non_compliant("The user has no MFA device.")


RULE = ManagedRule(
    identifier="IAM_USER_MFA_ENABLED",
    default_name="iam-user-mfa-enabled",
    description="Checks that IAM users have MFA enabled.",
    resource_types=("AWS::IAM::User",),
    triggers=frozenset({Trigger.PERIODIC}),
    evaluate=evaluate,
)
