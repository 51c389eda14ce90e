"""Lambda-rule invocations per second and p99 trigger-to-evaluation latency.

A change-triggered CUSTOM_LAMBDA rule (a plain boto3 handler, zipped and created with
``lambda create-function`` in the sandbox) watches a custom resource type; the script
puts ``--resources`` resources with PutResourceConfig as fast as one client can, and
waits until the rule has a result for each. Per resource, the latency runs from the
moment its PutResourceConfig returned to the ResultRecordedTime of its evaluation (the
function's PutEvaluations landing); invocations/s is resources over the time from the
first put to the last result.

Every invocation runs in a separate Python process that imports boto3, so the floor is
printed in the same run: a bare ``python -c pass`` start, and a process that imports boto3 and
builds a Config client (medians of 5): a fresh process per invocation could not beat
cores / (boto3 floor) invocations per second; warm runners pay that start once per
function and concurrency slot. Invocations run ``--concurrency`` at a time
(``CONFIGLEDGER_LAMBDA_CONCURRENCY``, default 4).

Then ``--serial`` changes are made one at a time, each waiting for its evaluation: the
latency of one trigger on a warm function, without the queue of the burst.

Run: ``.venv/bin/python bench/lambda_rule.py [--resources 40] [--concurrency 4]
[--serial 10]``.
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


def _recorded_time(config: Any, resource: str) -> float | None:
    found = config.get_compliance_details_by_resource(ResourceType=TYPE, ResourceId=resource)[
        "EvaluationResults"
    ]
    return found[0]["ResultRecordedTime"].timestamp() if found else None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--resources", type=int, default=40)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--serial", type=int, default=10)
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
        _sandbox(server.url, account, "s3").create_bucket(Bucket="bench-lambda-rule")
        config.put_delivery_channel(
            DeliveryChannel={"name": "default", "s3BucketName": "bench-lambda-rule"}
        )
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
        # One change at a time: the trigger-to-evaluation latency of a warm function.
        serial: list[float] = []
        for n in range(args.serial):
            resource = f"agent-{n}"
            before = recorded[resource]
            config.put_resource_config(
                ResourceType=TYPE, SchemaVersionId="1", ResourceId=resource,
                Configuration=json.dumps({"state": "on", "round": n}),
            )  # fmt: skip
            put = time.time()
            while True:
                found = _recorded_time(config, resource)
                if found is not None and found > before:
                    serial.append(found - put)
                    break
                time.sleep(0.05)
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
    serial.sort()
    p50, p99 = percentile(serial, 0.5) * 1000, percentile(serial, 0.99) * 1000
    print(f"{args.serial} changes one at a time: trigger-to-evaluation "
          f"p50 {p50:.0f} ms, p99 {p99:.0f} ms")  # fmt: skip
    cold = (os.cpu_count() or 1) / with_boto3
    print(f"a fresh boto3 process per invocation would cap at {cold:.2f} invocations/s "
          f"on {os.cpu_count()} cores; warm runners pay the import once")  # fmt: skip


if __name__ == "__main__":
    main()
