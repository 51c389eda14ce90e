"""``--source aws``: a Lambda rule invokes the real function asynchronously (lambda
Invoke, InvocationType Event) instead of running it locally. A moto server process
stands in for AWS; it accepts the invocation (202) without running it."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from tests.conftest import LiveServer, config_client, start_custom_recording, start_server
from tests.recorder.test_source_aws import aws_env, fake_aws  # noqa: F401 - fixtures
from tests.rules.custom.test_lambda_rules import put_lambda_rule, status, wait_for
from tests.rules.helpers import put_custom

REGION = "us-east-1"
ACCOUNT = "123456789012"  # the stand-in's account of the default credential chain


@pytest.fixture
def aws_server(
    fake_aws: str,  # noqa: F811
    aws_env: None,  # noqa: F811
    tmp_path: Any,
) -> Iterator[LiveServer]:
    server = start_server(
        f"sqlite:///{tmp_path / 'aws.db'}", source="aws", aws_endpoint_url=fake_aws,
        sweep_interval=0, cloudtrail_poll_interval=0,
    )  # fmt: skip
    yield server
    server.stop()


def _function(endpoint: str, name: str) -> str:
    iam = boto3.client("iam", endpoint_url=endpoint, region_name=REGION)
    role = iam.create_role(RoleName=f"{name}-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("rule.py", "def lambda_handler(event, context):\n    pass\n")
    lam = boto3.client("lambda", endpoint_url=endpoint, region_name=REGION)
    arn: str = lam.create_function(
        FunctionName=name, Runtime="python3.12", Role=role, Handler="rule.lambda_handler",
        Code={"ZipFile": buffer.getvalue()},
    )["FunctionArn"]  # fmt: skip
    lam.add_permission(
        FunctionName=name, StatementId="config", Action="lambda:InvokeFunction",
        Principal="config.amazonaws.com",
    )  # fmt: skip
    return arn


def test_the_real_function_is_invoked_asynchronously(
    aws_server: LiveServer,
    fake_aws: str,  # noqa: F811
) -> None:
    config = config_client(aws_server, ACCOUNT)
    start_custom_recording(config)
    arn = _function(fake_aws, "aws-rule")
    put_custom(config, "thing", {"n": 1})
    put_lambda_rule(config, "aws-rule", arn)
    state = wait_for(lambda: "LastSuccessfulInvocationTime" in (got := status(config, "aws-rule"))
                     and got)  # fmt: skip
    assert "LastErrorCode" not in state
    # The function goes away: the next invocation fails with Lambda's own error.
    boto3.client("lambda", endpoint_url=fake_aws, region_name=REGION).delete_function(
        FunctionName="aws-rule"
    )
    put_custom(config, "thing", {"n": 2})
    failed = wait_for(lambda: "LastErrorCode" in (got := status(config, "aws-rule")) and got)
    assert failed["LastErrorCode"] == "ResourceNotFoundException"
    # PutConfigRule looks at the real function too.
    with pytest.raises(config.exceptions.InsufficientPermissionsException):
        put_lambda_rule(config, "gone", arn)
