"""Automatic attempts under a moved clock, exceptions honoured, and the operations'
AWS errors. Bad cases tried: a rule that does not exist, an automatic configuration
without AutomationAssumeRole, a parameter with both value kinds, a document the
sandbox does not have, deleting or starting without a configuration, deleting an
exception that does not exist, a forged NextToken."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from configledger.clock import FrozenClock
from tests.conftest import LiveServer
from tests.e2e_sandbox.helpers import sandbox, wait_for
from tests.helpers import row_counts
from tests.remediation.helpers import BUCKET, compliance_of, managed_rule, remediation, status_of
from tests.rules.helpers import record_only

VERSIONING = "s3-bucket-versioning-enabled"


def _non_compliant_bucket(config: Any, s3: Any) -> str:
    name = f"b-{uuid.uuid4().hex[:12]}"
    record_only(config, BUCKET)
    s3.create_bucket(Bucket=name)
    managed_rule(config, VERSIONING, "S3_BUCKET_VERSIONING_ENABLED")
    wait_for(lambda: compliance_of(config, VERSIONING, name) == "NON_COMPLIANT", timeout=30)
    return name


def test_failed_attempts_retry_then_except(
    clocked: tuple[Any, FrozenClock, LiveServer, str],
) -> None:
    config, clock, server, account = clocked
    _, aws = sandbox(server, account)
    bucket = _non_compliant_bucket(config, aws("s3"))
    broken = remediation(VERSIONING, "AWS-ConfigureS3BucketVersioning", "BucketName",
                         automatic=True, VersioningState=["Sometimes"])  # fmt: skip
    broken.update(MaximumAutomaticAttempts=3, RetryAttemptSeconds=30)
    config.put_remediation_configurations(RemediationConfigurations=[broken])
    key = (BUCKET, bucket)

    def attempt_failed() -> Any:
        status = status_of(config, VERSIONING, key)
        return status if status and status["LastUpdatedTime"] and status["StepDetails"] else None

    first = wait_for(attempt_failed, timeout=15)
    assert first["State"] == "QUEUED"  # failed, retried after RetryAttemptSeconds / attempts
    assert "Sometimes" in first["StepDetails"][0]["ErrorMessage"]
    assert (
        config.describe_remediation_exceptions(ConfigRuleName=VERSIONING)["RemediationExceptions"]
        == []
    )
    # A retry is pending: the configuration cannot go, the key cannot start again.
    assert (
        _code(config.delete_remediation_configuration, ConfigRuleName=VERSIONING)
        == "RemediationInProgressException"
    )
    again = config.start_remediation_execution(
        ConfigRuleName=VERSIONING, ResourceKeys=[{"resourceType": BUCKET, "resourceId": bucket}]
    )
    assert again["FailedItems"] == [{"resourceType": BUCKET, "resourceId": bucket}]
    last = first["LastUpdatedTime"]
    for _ in range(2):
        clock.advance(10_000)
        config.describe_remediation_configurations(ConfigRuleNames=[VERSIONING])

        def moved(since: float = last) -> bool:
            found = status_of(config, VERSIONING, key) or {}
            return bool(found.get("LastUpdatedTime", since) > since)

        assert wait_for(moved, timeout=15)
        last = status_of(config, VERSIONING, key)["LastUpdatedTime"]
    exceptions = wait_for(
        lambda: config.describe_remediation_exceptions(ConfigRuleName=VERSIONING)[
            "RemediationExceptions"
        ],
        timeout=15,
    )
    assert [(e["ResourceType"], e["ResourceId"]) for e in exceptions] == [key]
    assert status_of(config, VERSIONING, key)["State"] == "FAILED"


def test_excepted_resource_not_remediated(server: LiveServer) -> None:
    config, aws = sandbox(server)
    s3 = aws("s3")
    bucket = _non_compliant_bucket(config, s3)
    answer = config.put_remediation_exceptions(
        ConfigRuleName=VERSIONING,
        ResourceKeys=[{"ResourceType": BUCKET, "ResourceId": bucket}],
        Message="kept unversioned on purpose",
    )
    assert answer["FailedBatches"] == []
    config.put_remediation_configurations(
        RemediationConfigurations=[
            remediation(VERSIONING, "AWS-ConfigureS3BucketVersioning", "BucketName", automatic=True)
        ]
    )
    assert (
        config.describe_remediation_execution_status(ConfigRuleName=VERSIONING)[
            "RemediationExecutionStatuses"
        ]
        == []
    )
    assert s3.get_bucket_versioning(Bucket=bucket).get("Status") is None
    found = config.describe_remediation_exceptions(ConfigRuleName=VERSIONING)
    assert found["RemediationExceptions"][0]["Message"] == "kept unversioned on purpose"
    config.delete_remediation_exceptions(
        ConfigRuleName=VERSIONING, ResourceKeys=[{"ResourceType": BUCKET, "ResourceId": bucket}]
    )
    assert (
        config.describe_remediation_exceptions(ConfigRuleName=VERSIONING)["RemediationExceptions"]
        == []
    )


def _code(call: Any, **kwargs: Any) -> str:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return str(caught.value.response["Error"]["Code"])


def test_operations_and_errors(server: LiveServer) -> None:
    config, _ = sandbox(server)
    record_only(config, BUCKET)
    managed_rule(config, VERSIONING, "S3_BUCKET_VERSIONING_ENABLED")
    good = remediation(VERSIONING, "AWS-ConfigureS3BucketVersioning", "BucketName")
    missing_rule = remediation("no-such-rule", "AWS-ConfigureS3BucketVersioning", "BucketName")
    answer = config.put_remediation_configurations(RemediationConfigurations=[good, missing_rule])
    assert [b["FailedItems"][0]["ConfigRuleName"] for b in answer["FailedBatches"]] == [
        "no-such-rule"
    ]
    unknown = remediation(VERSIONING, "Acme-FixEverything", "BucketName")
    assert config.put_remediation_configurations(RemediationConfigurations=[unknown])[
        "FailedBatches"
    ][0]["FailureMessage"]
    described = config.describe_remediation_configurations(ConfigRuleNames=[VERSIONING, "x"])
    [stored] = described["RemediationConfigurations"]
    assert stored["TargetId"] == "AWS-ConfigureS3BucketVersioning"
    assert stored["Arn"].startswith("arn:aws:config:us-east-1:")

    no_role = remediation(VERSIONING, "AWS-ConfigureS3BucketVersioning", "BucketName",
                          automatic=True)  # fmt: skip
    del no_role["Parameters"]["AutomationAssumeRole"]
    put = config.put_remediation_configurations
    account = stored["Arn"].split(":")[4]
    before = row_counts(server.db_url, account)
    # Refused whole, even beside a good entry: nothing written.
    fine = remediation("other", "AWS-ConfigureS3BucketVersioning", "BucketName")
    assert _code(put, RemediationConfigurations=[fine, no_role]) == "InvalidParameterValueException"
    both = remediation(VERSIONING, "AWS-ConfigureS3BucketVersioning", "BucketName")
    both["Parameters"]["BucketName"]["StaticValue"] = {"Values": ["x"]}
    assert _code(put, RemediationConfigurations=[both]) == "InvalidParameterValueException"
    twice = [good, good]
    assert _code(put, RemediationConfigurations=twice) == "InvalidParameterValueException"
    assert row_counts(server.db_url, account) == before

    keys = [{"ResourceType": BUCKET, "ResourceId": f"b{i}"} for i in range(3)]
    config.put_remediation_exceptions(ConfigRuleName=VERSIONING, ResourceKeys=keys)
    first = config.describe_remediation_exceptions(ConfigRuleName=VERSIONING, Limit=2)
    assert len(first["RemediationExceptions"]) == 2
    second = config.describe_remediation_exceptions(
        ConfigRuleName=VERSIONING, Limit=2, NextToken=first["NextToken"]
    )
    assert [e["ResourceId"] for e in second["RemediationExceptions"]] == ["b2"]
    assert (
        _code(config.describe_remediation_exceptions, ConfigRuleName=VERSIONING, NextToken="forged")
        == "InvalidNextTokenException"
    )
    config.delete_remediation_exceptions(ConfigRuleName=VERSIONING, ResourceKeys=keys)
    assert (
        _code(config.delete_remediation_exceptions, ConfigRuleName=VERSIONING, ResourceKeys=keys)
        == "NoSuchRemediationExceptionException"
    )

    # A rule that a remediation action names cannot be deleted before the action.
    assert _code(config.delete_config_rule, ConfigRuleName=VERSIONING) == "ResourceInUseException"
    assert config.describe_config_rules(ConfigRuleNames=[VERSIONING])["ConfigRules"]
    config.delete_remediation_configuration(ConfigRuleName=VERSIONING)
    assert (
        config.describe_remediation_configurations(ConfigRuleNames=[VERSIONING])[
            "RemediationConfigurations"
        ]
        == []
    )
    delete = config.delete_remediation_configuration
    assert _code(delete, ConfigRuleName=VERSIONING) == "NoSuchRemediationConfigurationException"
    start = config.start_remediation_execution
    keys_lower = [{"resourceType": BUCKET, "resourceId": "b0"}]
    assert (
        _code(start, ConfigRuleName=VERSIONING, ResourceKeys=keys_lower)
        == "NoSuchRemediationConfigurationException"
    )
    status = config.describe_remediation_execution_status
    assert _code(status, ConfigRuleName=VERSIONING) == "NoSuchRemediationConfigurationException"


def test_expired_exception_does_not_block(server: LiveServer) -> None:
    config, aws = sandbox(server)
    s3 = aws("s3")
    bucket = _non_compliant_bucket(config, s3)
    config.put_remediation_exceptions(
        ConfigRuleName=VERSIONING,
        ResourceKeys=[{"ResourceType": BUCKET, "ResourceId": bucket}],
        ExpirationTime=datetime(2001, 1, 1, tzinfo=UTC),
    )
    [found] = config.describe_remediation_exceptions(ConfigRuleName=VERSIONING)[
        "RemediationExceptions"
    ]
    assert found["ExpirationTime"] == datetime(2001, 1, 1, tzinfo=UTC)
    config.put_remediation_configurations(
        RemediationConfigurations=[
            remediation(VERSIONING, "AWS-ConfigureS3BucketVersioning", "BucketName", automatic=True)
        ]
    )
    wait_for(lambda: compliance_of(config, VERSIONING, bucket) == "COMPLIANT", timeout=30)
