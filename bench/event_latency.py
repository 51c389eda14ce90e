"""From a mutating sandbox call returning to its new item being readable.

For each of N changes (default 500) to a security group (alternately tagging and
untagging it), time from the EC2 call's return until GetResourceConfigHistory shows
the new item. Target (issue 3): p99 under 1 second.

    .venv/bin/python bench/event_latency.py [--changes 500]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import boto3

from _harness import REGION, ServerProcess, config_client, machine_line, percentile

ACCOUNT = "666666666666"


def main() -> None:
    # The bench names a channel bucket it never creates: no bucket check (delivery is not measured).
    os.environ.setdefault("CONFIGLEDGER_DELIVERY_CHANNEL_CHECKS", "0")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=500)
    args = parser.parse_args()
    print(machine_line())
    with (
        tempfile.TemporaryDirectory() as folder,
        ServerProcess(f"sqlite:///{Path(folder) / 'latency.db'}") as server,
    ):
        ec2 = boto3.client(
            "ec2",
            endpoint_url=server.url,
            region_name=REGION,
            aws_access_key_id=ACCOUNT,
            aws_secret_access_key="test",
        )
        config = config_client(server.url, ACCOUNT)
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        group = ec2.create_security_group(GroupName="lat", Description="d", VpcId=vpc)["GroupId"]
        config.put_configuration_recorder(
            ConfigurationRecorder={"name": "default", "roleARN": "arn:aws:iam::1:role/c"}
        )
        config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "b"})
        config.start_configuration_recorder(ConfigurationRecorderName="default")
        while (
            config.describe_configuration_recorder_status()["ConfigurationRecordersStatus"][0][
                "lastStatus"
            ]
            == "PENDING"
        ):
            time.sleep(0.02)

        def newest() -> str:
            items = config.get_resource_config_history(
                resourceType="AWS::EC2::SecurityGroup", resourceId=group, limit=1
            )["configurationItems"]
            return str(items[0]["configurationStateId"])

        latencies = []
        last = newest()
        for change in range(args.changes):
            if change % 2 == 0:
                ec2.create_tags(Resources=[group], Tags=[{"Key": "n", "Value": str(change)}])
            else:
                ec2.delete_tags(Resources=[group], Tags=[{"Key": "n"}])
            returned = time.perf_counter()
            while True:
                current = newest()
                if current != last:
                    break
                if time.perf_counter() - returned > 30:
                    raise RuntimeError("no new item within 30 s")
                time.sleep(0.002)
            latencies.append(time.perf_counter() - returned)
            last = current
    latencies.sort()
    p50, p99 = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000
    worst = latencies[-1] * 1000
    print(f"{len(latencies)} changes: p50 {p50:.0f} ms, p99 {p99:.0f} ms, max {worst:.0f} ms")
    print(f"target p99 < 1000 ms: {'PASS' if p99 < 1000 else 'FAIL'}")


if __name__ == "__main__":
    main()
