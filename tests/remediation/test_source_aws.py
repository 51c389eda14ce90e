"""`--source aws`: a native document acts in the real account (a moto server standing
in for AWS) as the configuration's AutomationAssumeRole, through the same sessions the
recorder uses; any other document is accepted, to run as a real SSM automation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import LiveServer, config_client, start_server
from tests.e2e_sandbox.helpers import wait_for
from tests.recorder.test_source_aws import ACCOUNT, _as_account, aws_env, fake_aws
from tests.remediation.helpers import BUCKET, finished, managed_rule, remediation

__all__ = ["aws_env", "fake_aws"]


@pytest.fixture(scope="module")
def aws_server(
    fake_aws: str, aws_env: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    path = tmp_path_factory.mktemp("remediation-aws") / "store.db"
    server = start_server(
        f"sqlite:///{path}", source="aws", aws_endpoint_url=fake_aws, sweep_interval=0
    )
    yield server
    server.stop()


def test_native_document_acts_in_the_real_account(fake_aws: str, aws_server: LiveServer) -> None:
    s3 = _as_account(fake_aws, ACCOUNT, "s3")
    s3.create_bucket(Bucket="real-unversioned")
    config = config_client(aws_server, ACCOUNT)
    config.put_configuration_recorder(
        ConfigurationRecorder={"name": "default", "roleARN": f"arn:aws:iam::{ACCOUNT}:role/config"}
    )
    rule = "s3-bucket-versioning-enabled"
    managed_rule(config, rule, "S3_BUCKET_VERSIONING_ENABLED")
    fix = remediation(rule, "AWS-ConfigureS3BucketVersioning", "BucketName")
    fix["Parameters"]["AutomationAssumeRole"]["StaticValue"]["Values"] = [
        f"arn:aws:iam::{ACCOUNT}:role/remediation"
    ]
    assert (
        config.put_remediation_configurations(RemediationConfigurations=[fix])["FailedBatches"]
        == []
    )
    config.start_remediation_execution(
        ConfigRuleName=rule,
        ResourceKeys=[{"resourceType": BUCKET, "resourceId": "real-unversioned"}],
    )
    status = finished(config, rule, (BUCKET, "real-unversioned"))
    assert status["State"] == "SUCCEEDED", status
    wait_for(lambda: s3.get_bucket_versioning(Bucket="real-unversioned").get("Status"))
    assert s3.get_bucket_versioning(Bucket="real-unversioned")["Status"] == "Enabled"

    custom = remediation(rule, "Acme-RotateEverything", "BucketName")
    assert (
        config.put_remediation_configurations(RemediationConfigurations=[custom])["FailedBatches"]
        == []
    )
    [stored] = config.describe_remediation_configurations(ConfigRuleNames=[rule])[
        "RemediationConfigurations"
    ]
    assert stored["TargetId"] == "Acme-RotateEverything"
