"""The README's sandbox walk-through, run with the real `aws` command and AWS_ENDPOINT_URL."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tests.conftest import LiveServer, new_account
from tests.e2e.test_aws_cli import _aws_command


def test_readme_sandbox_walkthrough(server: LiveServer, tmp_path: Path) -> None:
    account = new_account()
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": account,
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": server.url,
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
    }

    def aws(*args: str) -> dict[str, object]:
        done = subprocess.run(
            [*_aws_command(), *args, "--output", "json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout) if done.stdout.strip() else {}

    group_id = aws("ec2", "create-security-group", "--group-name", "web", "--description", "web")[
        "GroupId"
    ]
    aws(
        "ec2", "authorize-security-group-ingress", "--group-name", "web",
        "--protocol", "tcp", "--port", "443", "--cidr", "0.0.0.0/0",
    )  # fmt: skip
    found = aws(
        "cloudtrail", "lookup-events", "--lookup-attributes",
        "AttributeKey=EventName,AttributeValue=AuthorizeSecurityGroupIngress",
    )  # fmt: skip
    [event] = found["Events"]  # type: ignore[misc]
    assert event["Username"] == "root"
    assert event["Resources"] == [
        {"ResourceType": "AWS::EC2::SecurityGroup", "ResourceName": group_id}
    ]
    record = json.loads(event["CloudTrailEvent"])
    assert record["requestParameters"]["groupName"] == "web"
    assert record["userAgent"].startswith("aws-cli/")
    assert aws("configservice", "describe-configuration-recorders") == {
        "ConfigurationRecorders": []
    }
