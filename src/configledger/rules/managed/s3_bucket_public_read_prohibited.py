"""S3_BUCKET_PUBLIC_READ_PROHIBITED (s3-bucket-public-read-prohibited).

Compliant when Block Public Access restricts public policies or the policy grants no
public read, and restricts public ACLs or the ACL grants no public read. Only the
bucket's own settings are read (AWS's rule does not look at the account-level block).
"""

from __future__ import annotations

from configledger.rules.managed._s3 import READ_ACTIONS, READ_PERMISSIONS, publicly_granted
from configledger.rules.types import (
    ManagedRule,
    RuleInput,
    Trigger,
    Verdict,
    compliant,
    non_compliant,
)


def evaluate(rule_input: RuleInput) -> Verdict:
    reason = publicly_granted(rule_input.supplementary, READ_PERMISSIONS, READ_ACTIONS)
    return non_compliant(reason) if reason else compliant()


RULE = ManagedRule(
    identifier="S3_BUCKET_PUBLIC_READ_PROHIBITED",
    default_name="s3-bucket-public-read-prohibited",
    description="Checks that S3 buckets do not allow public read access.",
    resource_types=("AWS::S3::Bucket",),
    triggers=frozenset({Trigger.CHANGE, Trigger.PERIODIC}),
    evaluate=evaluate,
)
