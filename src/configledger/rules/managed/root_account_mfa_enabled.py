"""ROOT_ACCOUNT_MFA_ENABLED (root-account-mfa-enabled).

An account rule: the root user must have MFA (GetAccountSummary's ``AccountMFAEnabled``).
"""

from __future__ import annotations

from configledger.rules.types import (
    ACCOUNT,
    ManagedRule,
    RuleInput,
    Trigger,
    Verdict,
    compliant,
    non_compliant,
)


def evaluate(rule_input: RuleInput) -> Verdict:
    summary = rule_input.env.call("iam", "get_account_summary")["SummaryMap"]
    if summary.get("AccountMFAEnabled"):
        return compliant()
    return non_compliant("The root user has no MFA.")


RULE = ManagedRule(
    identifier="ROOT_ACCOUNT_MFA_ENABLED",
    default_name="root-account-mfa-enabled",
    description="Checks that the root user of the account requires MFA.",
    resource_types=(ACCOUNT,),
    triggers=frozenset({Trigger.PERIODIC}),
    evaluate=evaluate,
)
