"""S3_BUCKET_SSL_REQUESTS_ONLY (s3-bucket-ssl-requests-only).

Compliant when the bucket policy explicitly denies, to everyone, the S3 requests made
without TLS: a Deny on ``s3:*`` (or ``*``) with ``Bool`` ``aws:SecureTransport`` false.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from configledger.rules.managed._s3 import bucket_policy
from configledger.rules.managed._shared import as_list, principal_is_everyone, statements
from configledger.rules.types import (
    ManagedRule,
    RuleInput,
    Trigger,
    Verdict,
    compliant,
    non_compliant,
)


def _insecure_transport(conditions: Any) -> bool:
    if not isinstance(conditions, Mapping):
        return False
    for operator, body in conditions.items():
        if not str(operator).startswith("Bool") or not isinstance(body, Mapping):
            continue
        for key, value in body.items():
            if str(key).lower() == "aws:securetransport" and any(
                str(v).lower() == "false" for v in as_list(value)
            ):
                return True
    return False


def evaluate(rule_input: RuleInput) -> Verdict:
    for statement in statements(bucket_policy(rule_input.supplementary)):
        actions = {str(a).lower() for a in as_list(statement.get("Action"))}
        if (
            statement.get("Effect") == "Deny"
            and principal_is_everyone(statement.get("Principal"))
            and actions & {"s3:*", "*"}
            and _insecure_transport(statement.get("Condition"))
        ):
            return compliant()
    return non_compliant("The bucket policy does not deny requests made without SSL.")


RULE = ManagedRule(
    identifier="S3_BUCKET_SSL_REQUESTS_ONLY",
    default_name="s3-bucket-ssl-requests-only",
    description="Checks that S3 bucket policies require requests to use SSL.",
    resource_types=("AWS::S3::Bucket",),
    triggers=frozenset({Trigger.CHANGE}),
    evaluate=evaluate,
)
