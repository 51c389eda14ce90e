"""IAM_USER_UNUSED_CREDENTIALS_CHECK (iam-user-unused-credentials-check).

The user's console password and active access keys must each have been used (or, if
never used, created) within ``maxCredentialUsageAge`` days.
"""

from __future__ import annotations

from datetime import datetime

from configledger.rules.managed._account import pages
from configledger.rules.managed._iam import optional_call, user_name
from configledger.rules.managed._shared import brief, timestamp
from configledger.rules.types import (
    ManagedRule,
    Param,
    RuleInput,
    Trigger,
    Verdict,
    compliant,
    non_compliant,
)


def _stale(when: datetime | None, now: datetime, limit: int) -> bool:
    return when is not None and (now - when).days > limit


def evaluate(rule_input: RuleInput) -> Verdict:
    env = rule_input.env
    name = user_name(rule_input)
    limit = int(rule_input.params.get("maxCredentialUsageAge", 90))
    unused = []
    profile = optional_call(env, "get_login_profile", UserName=name)
    if profile is not None:
        user = env.call("iam", "get_user", UserName=name)["User"]
        last = timestamp(user.get("PasswordLastUsed")) or timestamp(
            profile["LoginProfile"].get("CreateDate")
        )
        if _stale(last, env.now, limit):
            unused.append("console password")
    for page in pages(env, "iam", "list_access_keys", token="Marker", UserName=name):
        for key in page.get("AccessKeyMetadata", []):
            if key.get("Status") != "Active":
                continue
            used = env.call("iam", "get_access_key_last_used", AccessKeyId=key["AccessKeyId"])
            last = timestamp((used.get("AccessKeyLastUsed") or {}).get("LastUsedDate"))
            if _stale(last or timestamp(key.get("CreateDate")), env.now, limit):
                unused.append(key["AccessKeyId"])
    if unused:
        return non_compliant(
            brief(f"Credentials unused for more than {limit} days: " + ", ".join(unused))
        )
    return compliant()


RULE = ManagedRule(
    identifier="IAM_USER_UNUSED_CREDENTIALS_CHECK",
    default_name="iam-user-unused-credentials-check",
    description="Checks that IAM users' passwords and active keys were used recently.",
    resource_types=("AWS::IAM::User",),
    triggers=frozenset({Trigger.PERIODIC}),
    evaluate=evaluate,
    parameters=(Param("maxCredentialUsageAge", "int", optional=False, default="90"),),
)
