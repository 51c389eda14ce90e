"""`configledger record --once` as a user runs it next to a running server."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import boto3

from tests.conftest import config_client, new_account, start_server


def test_record_once_sweeps_and_prints_a_summary(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'store.db'}"
    server = start_server(store, sweep_interval=0)
    try:
        account = new_account()
        ec2 = boto3.client(
            "ec2",
            endpoint_url=server.url,
            region_name="us-east-1",
            aws_access_key_id=account,
            aws_secret_access_key="test",
        )
        config = config_client(server, account)
        config.put_configuration_recorder(
            ConfigurationRecorder={
                "name": "default",
                "roleARN": "arn:aws:iam::123456789012:role/config-role",
                "recordingGroup": {"allSupported": False, "resourceTypes": ["AWS::EC2::VPC"]},
            }
        )
        config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "b"})
        config.start_configuration_recorder(ConfigurationRecorderName="default")
        vpc = ec2.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]
        port = server.url.rsplit(":", 1)[1]
        done = subprocess.run(
            [sys.executable, "-m", "configledger.cli.main", "record", "--once",
             "--db", store, "--port", port, "--account", account],
            capture_output=True, text=True, timeout=120, check=False,
            env={"COLUMNS": "160", "PATH": "/usr/bin:/bin"},
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        assert "Sweep summary" in done.stdout
        assert "AWS::EC2::VPC" in done.stdout
        listed = config.list_discovered_resources(resourceType="AWS::EC2::VPC")[
            "resourceIdentifiers"
        ]
        assert vpc in {r["resourceId"] for r in listed}

        nobody = subprocess.run(
            [sys.executable, "-m", "configledger.cli.main", "record", "--once",
             "--db", store, "--port", port, "--account", "999999999999"],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert nobody.returncode == 1
        assert "nothing to sweep" in nobody.stdout
    finally:
        server.stop()
