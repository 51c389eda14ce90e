"""IAM_ROOT_ACCESS_KEY_CHECK (iam-root-access-key-check).

An account rule: the root user must have no access key (GetAccountSummary's
``AccountAccessKeysPresent``).
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
    if summary.get("AccountAccessKeysPresent"):
        return non_compliant("The root user has an access key.")
    return compliant()


RULE = ManagedRule(
    identifier="IAM_ROOT_ACCESS_KEY_CHECK",
    default_name="iam-root-access-key-check",
    description="Checks that the root user has no access key.",
    resource_types=(ACCOUNT,),
    triggers=frozenset({Trigger.PERIODIC}),
    evaluate=evaluate,
)
