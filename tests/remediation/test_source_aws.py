"""`--source aws`: a native document acts in the real account (a moto server standing
in for AWS) as the configuration's AutomationAssumeRole, through the same sessions the
recorder uses; any other document is accepted, to run as a real SSM automation."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

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


class _Ssm:
    """A stand-in for SSM Automation over HTTP (the JSON protocol boto3 speaks): it
    records each StartAutomationExecution and reports an execution in progress, then
    done as ``outcome`` says (Success, or Failed with a step's FailureMessage)."""

    def __init__(self) -> None:
        self.started: list[dict[str, Any]] = []
        self.polls: dict[str, int] = {}
        self.outcome: dict[str, str] = {}  # execution id -> final status
        ssm = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                target = self.headers.get("X-Amz-Target", "")
                status, answer = ssm.answer(target.removeprefix("AmazonSSM."), body)
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def answer(self, operation: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if operation == "StartAutomationExecution":
            self.started.append(body)
            execution = str(uuid.uuid4())  # SSM's ids are 36 characters
            resource = body["Parameters"]["BucketName"][0]
            self.outcome[execution] = "Failed" if resource.startswith("broken") else "Success"
            return 200, {"AutomationExecutionId": execution}
        if operation == "GetAutomationExecution":
            execution = body["AutomationExecutionId"]
            self.polls[execution] = self.polls.get(execution, 0) + 1
            done = self.polls[execution] > 1
            final = self.outcome[execution]
            step: dict[str, Any] = {
                "StepName": "RotateEverything",
                "StepStatus": final if done else "InProgress",
                "ExecutionStartTime": 1_700_000_000.0,
            }
            if done:
                step["ExecutionEndTime"] = 1_700_000_030.0
                if final == "Failed":
                    step["FailureMessage"] = "Step fails when it is rotating everything."
            return 200, {
                "AutomationExecution": {
                    "AutomationExecutionId": execution,
                    "DocumentName": "Acme-RotateEverything",
                    "AutomationExecutionStatus": final if done else "InProgress",
                    "StepExecutions": [step],
                }
            }
        return 400, {"__type": "InvalidAction", "message": f"{operation} is not served here"}


@pytest.fixture
def ssm_server(aws_env: None, tmp_path: Path) -> Iterator[tuple[_Ssm, LiveServer]]:
    ssm = _Ssm()
    server = start_server(
        f"sqlite:///{tmp_path / 'ssm.db'}", source="aws", aws_endpoint_url=ssm.url,
        sweep_interval=0, cloudtrail_poll_interval=0,
    )  # fmt: skip
    yield ssm, server
    server.stop()
    ssm.close()


def test_any_other_document_runs_as_a_real_ssm_automation(
    ssm_server: tuple[_Ssm, LiveServer],
) -> None:
    ssm, server = ssm_server
    config = config_client(server, ACCOUNT)
    config.put_configuration_recorder(
        ConfigurationRecorder={"name": "default", "roleARN": f"arn:aws:iam::{ACCOUNT}:role/config"}
    )
    rule = "s3-bucket-versioning-enabled"
    managed_rule(config, rule, "S3_BUCKET_VERSIONING_ENABLED")
    custom = remediation(rule, "Acme-RotateEverything", "BucketName")
    custom["TargetVersion"] = "3"
    config.put_remediation_configurations(RemediationConfigurations=[custom])
    config.start_remediation_execution(
        ConfigRuleName=rule,
        ResourceKeys=[
            {"resourceType": BUCKET, "resourceId": "fine-bucket"},
            {"resourceType": BUCKET, "resourceId": "broken-bucket"},
        ],
    )

    fine = finished(config, rule, (BUCKET, "fine-bucket"), timeout=60)
    broken = finished(config, rule, (BUCKET, "broken-bucket"), timeout=60)
    started = {body["Parameters"]["BucketName"][0]: body for body in ssm.started}
    assert set(started) == {"fine-bucket", "broken-bucket"}
    assert started["fine-bucket"] == {
        "DocumentName": "Acme-RotateEverything",
        "DocumentVersion": "3",
        "Parameters": {
            "AutomationAssumeRole": ["arn:aws:iam::123456789012:role/remediation"],
            "BucketName": ["fine-bucket"],
        },
    }
    assert fine["State"] == "SUCCEEDED", fine
    [step] = fine["StepDetails"]
    assert (step["Name"], step["State"]) == ("RotateEverything", "SUCCEEDED")
    assert step["StartTime"].timestamp() == 1_700_000_000
    assert step["StopTime"].timestamp() == 1_700_000_030
    assert broken["State"] == "FAILED", broken
    assert broken["StepDetails"][0]["ErrorMessage"] == "Step fails when it is rotating everything."
    # Each execution was followed until it ended: polled in progress, then done.
    assert sorted(ssm.polls.values()) == [2, 2]
