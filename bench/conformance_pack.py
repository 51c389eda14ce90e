"""PutConformancePack latency: a pack of 130 rules (AWS's per-pack maximum) and a
14-rule pack written as AWS's samples are, each deployed and deleted N times.

Deployment runs in the background, as in AWS: PutConformancePack checks the template
and returns with the pack CREATE_IN_PROGRESS, and the conformance worker resolves the
template, checks every rule as PutConfigRule checks it and writes the rules with their
first evaluations queued, in one transaction. The latency measured is from the call to
the first DescribeConformancePackStatus that answers CREATE_COMPLETE (polled every
``POLL`` seconds). Target: a 130-rule pack is CREATE_COMPLETE in under 2 seconds (p50),
printed as PASS/FAIL.

    .venv/bin/python bench/conformance_pack.py [--repeats 7] [--db sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _harness import (
    ServerProcess,
    config_client,
    drop_postgres_schema,
    fresh_postgres_url,
    machine_line,
    percentile,
)

ACCOUNT = "777777777777"
TARGET_SECONDS = 2.0
POLL = 0.01  # seconds between two DescribeConformancePackStatus calls
TIMEOUT_SECONDS = 120.0
IDENTIFIERS = [
    "S3_BUCKET_VERSIONING_ENABLED", "S3_BUCKET_PUBLIC_READ_PROHIBITED",
    "S3_BUCKET_PUBLIC_WRITE_PROHIBITED", "S3_BUCKET_SSL_REQUESTS_ONLY",
    "S3_BUCKET_LOGGING_ENABLED", "S3_DEFAULT_ENCRYPTION_KMS", "ENCRYPTED_VOLUMES",
    "EC2_IMDSV2_CHECK", "INCOMING_SSH_DISABLED", "RDS_STORAGE_ENCRYPTED",
    "LAMBDA_INSIDE_VPC", "DYNAMODB_PITR_ENABLED", "IAM_USER_MFA_ENABLED",
    "S3_BUCKET_REPLICATION_ENABLED",
]  # fmt: skip


def template(rules: int) -> str:
    """A sample-style template: a parameter, a condition and Fn::If / Fn::Sub in every
    rule, as AWS's packs write them (kept under TemplateBody's 51,200 characters)."""
    head = (
        "Parameters:\n  Note: {Type: String, Default: ''}\n"
        "Conditions:\n  hasNote: !Not [!Equals ['', !Ref Note]]\nResources:\n"
    )
    resources = []
    for i in range(rules):
        identifier = IDENTIFIERS[i % len(IDENTIFIERS)]
        resources.append(
            f"  Rule{i}:\n    Type: AWS::Config::ConfigRule\n    Properties:\n"
            f"      ConfigRuleName: {identifier.lower().replace('_', '-')}-{i}\n"
            f"      Description: !If [hasNote, !Ref Note, !Sub 'Rule {i} in ${{AWS::Region}}']\n"
            f"      Source: {{Owner: AWS, SourceIdentifier: {identifier}}}\n"
        )
    return head + "".join(resources)


def wait_state(config: Any, name: str, done: Callable[[list[Any]], bool]) -> list[Any]:
    """Poll DescribeConformancePackStatus until ``done`` holds for its details."""
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while True:
        details = config.describe_conformance_pack_status(ConformancePackNames=[name])[
            "ConformancePackStatusDetails"
        ]
        if done(details):
            return list(details)
        if time.monotonic() > deadline:
            raise RuntimeError(f"pack {name} did not get there: {details!r}")
        time.sleep(POLL)


def measure(config: Any, body: str, repeats: int) -> tuple[list[float], list[float]]:
    """Per run: seconds to CREATE_COMPLETE, and seconds the PutConformancePack call took."""
    complete, calls = [], []
    for i in range(repeats):
        name = f"bench-{i}"
        start = time.perf_counter()
        config.put_conformance_pack(ConformancePackName=name, TemplateBody=body)
        calls.append(time.perf_counter() - start)
        [status] = wait_state(
            config,
            name,
            lambda found: (
                bool(found) and not found[0]["ConformancePackState"].endswith("_IN_PROGRESS")
            ),
        )
        complete.append(time.perf_counter() - start)
        assert status["ConformancePackState"] == "CREATE_COMPLETE", status
        config.delete_conformance_pack(ConformancePackName=name)
        wait_state(config, name, lambda found: not found)
    return sorted(complete), sorted(calls)


def run(db_url: str, repeats: int) -> bool:
    with ServerProcess(db_url) as server:
        config = config_client(server.url, ACCOUNT)
        config.put_configuration_recorder(
            ConfigurationRecorder={
                "name": "default",
                "roleARN": "arn:aws:iam::1:role/c",
                "recordingGroup": {"allSupported": False, "resourceTypes": ["AWS::SNS::Topic"]},
            }
        )
        ok = True
        for rules in (14, 130):
            body = template(rules)
            found, calls = measure(config, body, repeats)
            p50, worst = percentile(found, 0.5), found[-1]
            line = (
                f"{rules:>3} rules ({len(body) / 1024:.0f} KB): to CREATE_COMPLETE p50 "
                f"{p50 * 1000:.0f} ms, max {worst * 1000:.0f} ms (the call itself: p50 "
                f"{percentile(calls, 0.5) * 1000:.0f} ms)"
            )
            if rules == 130:
                ok = p50 < TARGET_SECONDS
                line += (
                    f"  target < {TARGET_SECONDS:.0f} s: {'PASS' if ok else 'FAIL'} "
                    f"({p50 / TARGET_SECONDS:.2f} of the target)"
                )
            print(line)
        return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    print(machine_line())
    if args.db == "postgresql":
        url = fresh_postgres_url()
        try:
            run(url, args.repeats)
        finally:
            drop_postgres_schema(url)
        return
    with tempfile.TemporaryDirectory() as folder:
        run(f"sqlite:///{Path(folder) / 'packs.db'}", args.repeats)


if __name__ == "__main__":
    main()
