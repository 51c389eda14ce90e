"""S3_BUCKET_LOGGING_ENABLED (s3-bucket-logging-enabled).

Server access logging must be on (a destination bucket is set); ``targetBucket`` and
``targetPrefix``, when given, must be the destination bucket and log prefix.
"""

from __future__ import annotations

from collections.abc import Mapping

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
    found = rule_input.supplementary.get("BucketLoggingConfiguration")
    logging = found if isinstance(found, Mapping) else {}
    destination = logging.get("destinationBucketName")
    if not destination:
        return non_compliant("Server access logging is not enabled.")
    bucket = rule_input.params.get("targetBucket")
    if bucket and destination != bucket:
        return non_compliant(f"Access logs go to {destination}, not {bucket}.")
    prefix = rule_input.params.get("targetPrefix")
    if prefix and logging.get("logFilePrefix") != prefix:
        return non_compliant(f"The access log prefix is not {prefix}.")
    return compliant()


RULE = ManagedRule(
    identifier="S3_BUCKET_LOGGING_ENABLED",
    default_name="s3-bucket-logging-enabled",
    description="Checks that server access logging is enabled for S3 buckets.",
    resource_types=("AWS::S3::Bucket",),
    triggers=frozenset({Trigger.CHANGE}),
    evaluate=evaluate,
    parameters=(Param("targetPrefix", "String"), Param("targetBucket", "String")),
)
