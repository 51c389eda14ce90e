"""The README's AWS CLI walk-through, run with the real `aws` command."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import LiveServer, new_account


def _aws_command() -> list[str]:
    beside = Path(sys.executable).parent / "aws"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("aws")
    if found is None:
        pytest.skip("the AWS CLI is not installed")
    return [found]


def test_readme_cli_walkthrough(server: LiveServer, tmp_path: Path) -> None:
    account = new_account()
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": account,
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
    }

    def aws(*args: str) -> dict[str, object]:
        done = subprocess.run(
            [*_aws_command(), "configservice", *args, "--endpoint-url", server.url],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout) if done.stdout.strip() else {}

    aws(
        "put-configuration-recorder",
        "--configuration-recorder",
        "name=default,roleARN=arn:aws:iam::123456789012:role/config-role",
    )
    recorders = aws("describe-configuration-recorders")["ConfigurationRecorders"]
    assert [r["name"] for r in recorders] == ["default"]  # type: ignore[index]
    aws("put-delivery-channel", "--delivery-channel", "name=default,s3BucketName=config-bucket")
    aws("start-configuration-recorder", "--configuration-recorder-name", "default")
    aws(
        "put-resource-config",
        "--resource-type",
        "MyCompany::Build::Agent",
        "--schema-version-id",
        "00000001",
        "--resource-id",
        "agent-1",
        "--resource-name",
        "build agent 1",
        "--configuration",
        '{"os": "linux", "cpus": 8}',
    )
    history = aws(
        "get-resource-config-history",
        "--resource-type",
        "MyCompany::Build::Agent",
        "--resource-id",
        "agent-1",
    )["configurationItems"]
    assert len(history) == 1  # type: ignore[arg-type]
    item = history[0]  # type: ignore[index]
    assert item["configurationItemStatus"] == "ResourceDiscovered"
    assert item["resourceName"] == "build agent 1"
    assert json.loads(item["configuration"]) == {"os": "linux", "cpus": 8}
