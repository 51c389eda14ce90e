"""How the account-level CloudTrail rules see trails: DescribeTrails (shadow trails
included, so a multi-region trail made elsewhere counts here), each with its logging
status, matched against the rule's optional bucket, topic and log-group parameters."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from configledger.rules.types import RuleInput

MATCHED = (
    ("s3BucketName", "S3BucketName"),
    ("snsTopicArn", "SnsTopicARN"),
    ("cloudWatchLogsLogGroupArn", "CloudWatchLogsLogGroupArn"),
)


def logging_trails(rule_input: RuleInput) -> Iterator[dict[str, Any]]:
    """The trails that are logging and match every given parameter."""
    env = rule_input.env
    for trail in env.call("cloudtrail", "describe_trails").get("trailList", []):
        if any(
            rule_input.params.get(param) and trail.get(field) != rule_input.params[param]
            for param, field in MATCHED
        ):
            continue
        status = env.call("cloudtrail", "get_trail_status", Name=trail["TrailARN"])
        if status.get("IsLogging"):
            yield trail
