"""IAM_PASSWORD_POLICY (iam-password-policy).

An account rule: the account password policy must exist and be at least as strict as
each parameter (required character classes, minimum length, reuse prevention, and a
maximum age no longer than ``MaxPasswordAge``).
"""

from __future__ import annotations

from configledger.rules.types import (
    ACCOUNT,
    AwsCallFailed,
    ManagedRule,
    Param,
    RuleInput,
    Trigger,
    Verdict,
    compliant,
    non_compliant,
)

REQUIRED = (
    "RequireUppercaseCharacters",
    "RequireLowercaseCharacters",
    "RequireSymbols",
    "RequireNumbers",
)
AT_LEAST = ("MinimumPasswordLength", "PasswordReusePrevention")


def evaluate(rule_input: RuleInput) -> Verdict:
    try:
        policy = rule_input.env.call("iam", "get_account_password_policy")["PasswordPolicy"]
    except AwsCallFailed as failure:
        if failure.code == "NoSuchEntity":
            return non_compliant("The account has no password policy.")
        raise
    params = rule_input.params
    weak = [name for name in REQUIRED if params.get(name) and not policy.get(name)]
    weak += [
        name
        for name in AT_LEAST
        if params.get(name) is not None and int(policy.get(name) or 0) < int(params[name])
    ]
    age = params.get("MaxPasswordAge")
    if age is not None and not 0 < int(policy.get("MaxPasswordAge") or 0) <= int(age):
        weak.append("MaxPasswordAge")
    if weak:
        return non_compliant("The password policy is weaker than required: " + ", ".join(weak))
    return compliant()


RULE = ManagedRule(
    identifier="IAM_PASSWORD_POLICY",
    default_name="iam-password-policy",
    description="Checks that the account password policy meets the specified requirements.",
    resource_types=(ACCOUNT,),
    triggers=frozenset({Trigger.PERIODIC}),
    evaluate=evaluate,
    parameters=(
        *(Param(name, "boolean", default="true") for name in REQUIRED),
        Param("MinimumPasswordLength", "int", default="14"),
        Param("PasswordReusePrevention", "int", default="24"),
        Param("MaxPasswordAge", "int", default="90"),
    ),
)
