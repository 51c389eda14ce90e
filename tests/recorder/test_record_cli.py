"""`configledger record --once` as a user runs it next to a running server: a progress
bar per resource type, then a summary table per type (failed, listed, discovered,
changed, deleted), and an exit code that says whether every type was listed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import boto3

from tests.conftest import config_client, new_account, start_server
from tests.e2e_sandbox.helpers import wait_for_items
from tests.recorder.test_throttling import REFUSED, Gate

VPC = "AWS::EC2::VPC"


def _record_once(store: str, port: str, account: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "configledger.cli.main", "record", "--once",
         "--db", store, "--port", port, "--account", account],
        capture_output=True, text=True, timeout=300, check=False,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", **_pythonpath()},
    )  # fmt: skip


def _pythonpath() -> dict[str, str]:
    import os

    found = os.environ.get("PYTHONPATH")
    return {"PYTHONPATH": found} if found else {}


def _summary(stdout: str, account: str) -> dict[str, dict[str, str]]:
    """The summary table's rows by resource type: failed, listed, discovered, changed,
    deleted."""
    rows = {}
    for line in stdout.splitlines():
        cells = [cell.strip() for cell in line.split("│")[1:-1]]
        if len(cells) == 8 and cells[0] == account:
            failed, listed, discovered, changed, deleted = cells[3:]
            rows[cells[2]] = {
                "failed": failed, "listed": listed, "discovered": discovered,
                "changed": changed, "deleted": deleted,
            }  # fmt: skip
    return rows


def test_record_once_sweeps_and_prints_a_summary(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'store.db'}"
    server = start_server(store, sweep_interval=0)
    gate = Gate(server.url)
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
                "recordingGroup": {"allSupported": False, "resourceTypes": [VPC]},
            }
        )
        config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "b"})
        config.start_configuration_recorder(ConfigurationRecorderName="default")
        vpc = ec2.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]
        wait_for_items(config, VPC, vpc, 1, timeout=60)  # the server has recorded it
        vpcs = len(ec2.describe_vpcs()["Vpcs"])
        port = server.url.rsplit(":", 1)[1]

        done = _record_once(store, port, account)
        assert done.returncode == 0, done.stdout + done.stderr
        # A progress bar per type, each done with the count it listed.
        progress = next(
            line for line in done.stdout.splitlines() if f"{account}/us-east-1 {VPC}" in line
        )
        assert f"{vpcs} listed" in progress
        assert "Sweep summary" in done.stdout
        rows = _summary(done.stdout, account)
        assert len(rows) > 20  # every type, recorded or not (ResourceNotRecorded)
        # Nothing changed since the server recorded it: listed, nothing new.
        assert rows[VPC] == {
            "failed": "", "listed": str(vpcs), "discovered": "0", "changed": "0", "deleted": "0",
        }  # fmt: skip
        assert all(row["failed"] == "" for row in rows.values())
        listed = config.list_discovered_resources(resourceType=VPC)["resourceIdentifiers"]
        assert vpc in {r["resourceId"] for r in listed}

        # Through a gate that refuses to list VPCs: that row fails, the others are listed,
        # nothing is deleted, and the exit code says so.
        gate.always["DescribeVpcs"] = REFUSED
        refused = _record_once(store, gate.url.rsplit(":", 1)[1], account)
        assert refused.returncode == 2, refused.stdout + refused.stderr
        rows = _summary(refused.stdout, account)
        assert "UnauthorizedOperation" in rows[VPC]["failed"]
        assert (rows[VPC]["listed"], rows[VPC]["deleted"]) == ("0", "0")
        assert [t for t, row in rows.items() if row["failed"]] == [VPC]
        assert rows["AWS::EC2::Subnet"]["listed"] != "0"
        items = config.get_resource_config_history(resourceType=VPC, resourceId=vpc)
        assert [i["configurationItemStatus"] for i in items["configurationItems"]] == [
            "ResourceDiscovered"
        ]

        nobody = _record_once(store, port, "999999999999")
        assert nobody.returncode == 1
        assert "nothing to sweep" in nobody.stdout
    finally:
        gate.close()
        server.stop()
