"""The README's ``aws configservice select-resource-config`` commands, run with the real
AWS CLI against sandbox instances: Results as JSON strings, QueryInfo.SelectFields, and
the CLI's paging (``--page-size`` is the Limit, ``--max-items`` / ``--starting-token``
follow NextToken)."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import LiveServer
from tests.e2e.test_aws_cli import _aws_command
from tests.e2e_sandbox.helpers import recording, sandbox, wait_for

RUNNING_QUERY = (
    "SELECT resourceId, configuration.instanceType WHERE resourceType = 'AWS::EC2::Instance' "
    "AND configuration.state.name = 'running'"
)
COUNT_QUERY = (
    "SELECT configuration.instanceType, COUNT(*) WHERE resourceType = 'AWS::EC2::Instance' "
    "GROUP BY configuration.instanceType ORDER BY COUNT(*) DESC"
)


@dataclass
class Estate:
    server: LiveServer
    account: str
    running: dict[str, str]  # instance id -> type
    stopped: str


@pytest.fixture(scope="module")
def estate(sqlite_server: LiveServer) -> Iterator[Estate]:
    config, aws = sandbox(sqlite_server)
    account = aws("sts").get_caller_identity()["Account"]
    ec2 = aws("ec2")
    running: dict[str, str] = {}
    for instance_type, count in (("t2.micro", 3), ("m5.large", 1)):
        for instance in ec2.run_instances(
            ImageId="ami-12c6146b", MinCount=count, MaxCount=count, InstanceType=instance_type
        )["Instances"]:
            running[instance["InstanceId"]] = instance_type
    stopped = ec2.run_instances(
        ImageId="ami-12c6146b", MinCount=1, MaxCount=1, InstanceType="m5.large"
    )["Instances"][0]["InstanceId"]
    ec2.stop_instances(InstanceIds=[stopped])
    recording(config)

    def stopped_recorded() -> bool:
        items = config.get_resource_config_history(
            resourceType="AWS::EC2::Instance", resourceId=stopped, limit=1
        )["configurationItems"]
        return bool(items) and json.loads(items[0]["configuration"])["state"]["name"] == "stopped"

    wait_for(stopped_recorded, timeout=60)
    yield Estate(sqlite_server, account, running, stopped)
    config.stop_configuration_recorder(ConfigurationRecorderName="default")


def _aws(estate: Estate, tmp_path: Path, *args: str) -> dict[str, Any]:
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": estate.account,
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
    }
    done = subprocess.run(
        [*_aws_command(), "configservice", "select-resource-config", *args,
         "--endpoint-url", estate.server.url, "--output", "json"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_running_instances_as_aws_answers(estate: Estate, tmp_path: Path) -> None:
    answer = _aws(estate, tmp_path, "--expression", RUNNING_QUERY)
    assert answer["QueryInfo"] == {
        "SelectFields": [{"Name": "resourceId"}, {"Name": "configuration.instanceType"}]
    }
    assert all(isinstance(r, str) for r in answer["Results"])  # JSON strings, as AWS sends
    assert sorted(answer["Results"]) == sorted(
        json.dumps({"resourceId": i, "configuration": {"instanceType": t}}, separators=(",", ":"))
        for i, t in estate.running.items()
    )
    assert "NextToken" not in answer


def test_the_cli_pages_through_next_token(estate: Estate, tmp_path: Path) -> None:
    first = _aws(estate, tmp_path, "--expression", RUNNING_QUERY, "--max-items", "3",
                 "--page-size", "2")  # fmt: skip
    assert len(first["Results"]) == 3 and first["NextToken"]
    rest = _aws(estate, tmp_path, "--expression", RUNNING_QUERY, "--page-size", "2",
                "--starting-token", first["NextToken"])  # fmt: skip
    assert "NextToken" not in rest
    ids = [json.loads(r)["resourceId"] for r in first["Results"] + rest["Results"]]
    assert sorted(ids) == sorted(estate.running)  # every row once, across pages


def test_counts_by_type_ordered_by_count(estate: Estate, tmp_path: Path) -> None:
    answer = _aws(estate, tmp_path, "--expression", COUNT_QUERY)
    assert answer["QueryInfo"]["SelectFields"] == [
        {"Name": "configuration.instanceType"},
        {"Name": "COUNT(*)"},
    ]
    assert [json.loads(r) for r in answer["Results"]] == [
        {"configuration": {"instanceType": "t2.micro"}, "COUNT(*)": 3},
        {"configuration": {"instanceType": "m5.large"}, "COUNT(*)": 2},
    ]
