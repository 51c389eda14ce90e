"""MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS (mfa-enabled-for-iam-console-access).

A user with a console password (a login profile) must have an MFA device. A user
without a console password has no console sign-in to protect: compliant.
"""

from __future__ import annotations

from configledger.rules.managed._iam import has_mfa, optional_call, user_name
from configledger.rules.types import (
    ManagedRule,
    RuleInput,
    Trigger,
    Verdict,
    compliant,
    non_compliant,
)


def evaluate(rule_input: RuleInput) -> Verdict:
    name = user_name(rule_input)
    if optional_call(rule_input.env, "get_login_profile", UserName=name) is None:
        return compliant("The user has no console password.")
    if has_mfa(rule_input.env, name):
        return compliant()
    return non_compliant("The user has a console password and no MFA device.")


RULE = ManagedRule(
    identifier="MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS",
    default_name="mfa-enabled-for-iam-console-access",
    description="Checks that IAM users with a console password have MFA enabled.",
    resource_types=("AWS::IAM::User",),
    triggers=frozenset({Trigger.PERIODIC}),
    evaluate=evaluate,
)
