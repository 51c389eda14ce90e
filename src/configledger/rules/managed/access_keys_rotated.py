"""ACCESS_KEYS_ROTATED (access-keys-rotated).

Every active access key of the user must be younger than ``maxAccessKeyAge`` days.
"""

from __future__ import annotations

from configledger.rules.managed._account import pages
from configledger.rules.managed._iam import user_name
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


def evaluate(rule_input: RuleInput) -> Verdict:
    limit = int(rule_input.params.get("maxAccessKeyAge", 90))
    now = rule_input.env.now
    stale = []
    for page in pages(
        rule_input.env, "iam", "list_access_keys", token="Marker", UserName=user_name(rule_input)
    ):
        for key in page.get("AccessKeyMetadata", []):
            created = timestamp(key.get("CreateDate"))
            if key.get("Status") == "Active" and created and (now - created).days > limit:
                stale.append(key["AccessKeyId"])
    if stale:
        return non_compliant(
            brief(f"Active access keys older than {limit} days: " + ", ".join(stale))
        )
    return compliant()


RULE = ManagedRule(
    identifier="ACCESS_KEYS_ROTATED",
    default_name="access-keys-rotated",
    description="Checks that active IAM access keys are rotated within the given days.",
    resource_types=("AWS::IAM::User",),
    triggers=frozenset({Trigger.PERIODIC}),
    evaluate=evaluate,
    parameters=(Param("maxAccessKeyAge", "int", optional=False, default="90"),),
)
