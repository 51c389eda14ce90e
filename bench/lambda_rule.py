"""Lambda-rule invocations per second and p99 trigger-to-evaluation latency.

A change-triggered CUSTOM_LAMBDA rule (a plain boto3 handler, zipped and created with
``lambda create-function`` in the sandbox) watches a custom resource type; the script
puts ``--resources`` resources with PutResourceConfig as fast as one client can, and
waits until the rule has a result for each. Per resource, the latency runs from the
moment its PutResourceConfig returned to the ResultRecordedTime of its evaluation (the
function's PutEvaluations landing); invocations/s is resources over the time from the
first put to the last result.

Every invocation is a fresh Python process that imports boto3, so the floor is printed
in the same run: a bare ``python -c pass`` start, and a process that imports boto3 and
builds a Config client (medians of 5). Invocations run ``--concurrency`` at a time
(``CONFIGLEDGER_LAMBDA_CONCURRENCY``, default 4); on a 2-core machine the ceiling is
about 2 / (floor) invocations per second.

Run: ``.venv/bin/python bench/lambda_rule.py [--resources 40] [--concurrency 4]``.
No target is set; the figure to read is the p99 next to the boto3-process floor.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from typing import Any

import boto3

from _harness import REGION, ServerProcess, config_client, machine_line, percentile

TYPE = "Bench::Fleet::Agent"
HANDLER = """
import json
import boto3


def lambda_handler(event, context):
    invoking = json.loads(event["invokingEvent"])
    item = invoking["configurationItem"]
    good = item["configuration"].get("state") == "on"
    boto3.client("config").put_evaluations(
        Evaluations=[{
            "ComplianceResourceType": item["resourceType"],
            "ComplianceResourceId": item["resourceId"],
            "ComplianceType": "COMPLIANT" if good else "NON_COMPLIANT",
            "OrderingTimestamp": item["configurationItemCaptureTime"],
        }],
        ResultToken=event["resultToken"],
    )
"""


def _start_seconds(code: str, runs: int = 5) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-I", "-c", code], check=True)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def _package() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("rule.py", HANDLER)
    return buffer.getvalue()


def _sandbox(url: str, account: str, service: str) -> Any:
    return boto3.client(
        service, endpoint_url=url, region_name=REGION, aws_access_key_id=account,
        aws_secret_access_key="test",
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--resources", type=int, default=40)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    os.environ["CONFIGLEDGER_LAMBDA_CONCURRENCY"] = str(args.concurrency)
    print(machine_line())
    bare = _start_seconds("pass")
    with_boto3 = _start_seconds("import boto3; boto3.client('config', region_name='us-east-1')")
    print(f"floor: python -c pass {bare * 1000:.0f} ms; "
          f"python importing boto3 + a client {with_boto3 * 1000:.0f} ms")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp, ServerProcess(f"sqlite:///{tmp}/bench.db") as server:
        account = "123456789012"
        config = config_client(server.url, account)
        config.put_configuration_recorder(
            ConfigurationRecorder={
                "name": "default",
                "roleARN": f"arn:aws:iam::{account}:role/config",
                "recordingGroup": {"allSupported": False, "resourceTypes": ["AWS::SNS::Topic"]},
            }
        )
        config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "b"})
        config.start_configuration_recorder(ConfigurationRecorderName="default")
        role = _sandbox(server.url, account, "iam").create_role(
            RoleName="rule", AssumeRolePolicyDocument="{}"
        )["Role"]["Arn"]
        lam = _sandbox(server.url, account, "lambda")
        arn = lam.create_function(
            FunctionName="bench-rule", Runtime="python3.12", Role=role,
            Handler="rule.lambda_handler", Code={"ZipFile": _package()}, Timeout=30,
        )["FunctionArn"]  # fmt: skip
        lam.add_permission(
            FunctionName="bench-rule", StatementId="config", Action="lambda:InvokeFunction",
            Principal="config.amazonaws.com",
        )  # fmt: skip
        config.put_config_rule(
            ConfigRule={
                "ConfigRuleName": "bench",
                "Scope": {"ComplianceResourceTypes": [TYPE]},
                "Source": {
                    "Owner": "CUSTOM_LAMBDA",
                    "SourceIdentifier": arn,
                    "SourceDetails": [{"EventSource": "aws.config",
                                       "MessageType": "ConfigurationItemChangeNotification"}],
                },
            }
        )  # fmt: skip
        put_at: dict[str, float] = {}
        first = time.time()
        for n in range(args.resources):
            resource = f"agent-{n}"
            config.put_resource_config(
                ResourceType=TYPE, SchemaVersionId="1", ResourceId=resource,
                Configuration=json.dumps({"state": "on" if n % 3 else "off"}),
            )  # fmt: skip
            put_at[resource] = time.time()
        recorded: dict[str, float] = {}
        deadline = time.monotonic() + 60 + args.resources * 5
        while len(recorded) < args.resources and time.monotonic() < deadline:
            pages = config.get_paginator("get_compliance_details_by_config_rule")
            for page in pages.paginate(ConfigRuleName="bench"):
                for result in page["EvaluationResults"]:
                    qualifier = result["EvaluationResultIdentifier"]["EvaluationResultQualifier"]
                    recorded[qualifier["ResourceId"]] = result["ResultRecordedTime"].timestamp()
            time.sleep(0.2)
        status = config.describe_config_rule_evaluation_status(ConfigRuleNames=["bench"])
        error = status["ConfigRulesEvaluationStatus"][0].get("LastErrorCode")
    if len(recorded) < args.resources:
        raise SystemExit(f"only {len(recorded)} of {args.resources} evaluated (error: {error})")
    latencies = sorted(recorded[r] - put_at[r] for r in put_at)
    span = max(recorded.values()) - first
    print(f"{args.resources} invocations at concurrency {args.concurrency}: "
          f"{args.resources / span:.2f} invocations/s; trigger-to-evaluation "
          f"p50 {percentile(latencies, 0.5) * 1000:.0f} ms, "
          f"p99 {percentile(latencies, 0.99) * 1000:.0f} ms")  # fmt: skip
    print(f"ceiling from the floor on {os.cpu_count()} cores: "
          f"{(os.cpu_count() or 1) / with_boto3:.2f} invocations/s")  # fmt: skip


if __name__ == "__main__":
    main()
