"""S3_BUCKET_PUBLIC_WRITE_PROHIBITED (s3-bucket-public-write-prohibited).

Compliant when Block Public Access restricts public policies or the policy grants no
public write, and restricts public ACLs or the ACL grants no public write. Only the
bucket's own settings are read (AWS's rule does not look at the account-level block).
"""

from __future__ import annotations

from configledger.rules.managed._s3 import WRITE_ACTIONS, WRITE_PERMISSIONS, publicly_granted
from configledger.rules.types import (
    ManagedRule,
    RuleInput,
    Trigger,
    Verdict,
    compliant,
    non_compliant,
)


def evaluate(rule_input: RuleInput) -> Verdict:
    reason = publicly_granted(rule_input.supplementary, WRITE_PERMISSIONS, WRITE_ACTIONS)
    return non_compliant(reason) if reason else compliant()


RULE = ManagedRule(
    identifier="S3_BUCKET_PUBLIC_WRITE_PROHIBITED",
    default_name="s3-bucket-public-write-prohibited",
    description="Checks that S3 buckets do not allow public write access.",
    resource_types=("AWS::S3::Bucket",),
    triggers=frozenset({Trigger.CHANGE, Trigger.PERIODIC}),
    evaluate=evaluate,
)
