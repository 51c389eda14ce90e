"""S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC
(s3-account-level-public-access-blocks-periodic).

Reads the account's Block Public Access (S3 Control GetPublicAccessBlock). Each
parameter says whether its setting must be enforced ("True", AWS's default when it is
not given) or need not be ("False"). No account-level block at all is non-compliant.
"""

from __future__ import annotations

from configledger.rules.managed._shared import flag
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

SETTINGS = ("IgnorePublicAcls", "BlockPublicPolicy", "BlockPublicAcls", "RestrictPublicBuckets")


def evaluate(rule_input: RuleInput) -> Verdict:
    env = rule_input.env
    try:
        answer = env.call("s3control", "get_public_access_block", AccountId=env.account_id)
    except AwsCallFailed as failure:
        if failure.code == "NoSuchPublicAccessBlockConfiguration":
            return non_compliant("The account has no S3 public access block.")
        raise
    block = answer.get("PublicAccessBlockConfiguration") or {}
    required = [s for s in SETTINGS if flag(rule_input.params.get(s)) is not False]
    off = [s for s in required if not block.get(s)]
    if off:
        return non_compliant("Account-level public access block is off: " + ", ".join(off) + ".")
    return compliant()


RULE = ManagedRule(
    identifier="S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC",
    default_name="s3-account-level-public-access-blocks-periodic",
    description="Checks that the account-level S3 public access block settings are set.",
    resource_types=(ACCOUNT,),
    triggers=frozenset({Trigger.PERIODIC}),
    evaluate=evaluate,
    parameters=tuple(Param(name, "String") for name in SETTINGS),
)
