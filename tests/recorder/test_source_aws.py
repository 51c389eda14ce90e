"""`--source aws`: the recorder describes "real AWS" — here a separate moto server process
standing in for it over HTTP — through the default credential chain, assuming the
recorder's roleARN through STS."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import urllib3

from tests.conftest import LiveServer, config_client, free_port, start_server

REGION = "us-east-1"
ACCOUNT = "111111111111"  # the account whose role the recorder assumes
OTHER = "222222222222"


@pytest.fixture(scope="module")
def fake_aws() -> Iterator[str]:
    port = free_port()
    script = Path(sys.executable).parent / "moto_server"
    process = subprocess.Popen(
        [str(script), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    http = urllib3.PoolManager()
    deadline = time.monotonic() + 30
    while True:
        try:
            http.request("GET", url + "/moto-api/", retries=False)
            break
        except urllib3.exceptions.HTTPError:
            assert time.monotonic() < deadline, "moto server did not start"
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture(scope="module")
def aws_env() -> Iterator[None]:
    """The default credential chain of the server process: environment variables."""
    patch = pytest.MonkeyPatch()
    patch.setenv("AWS_ACCESS_KEY_ID", "AKIAFAKEAWSCALLER000")
    patch.setenv("AWS_SECRET_ACCESS_KEY", "fake-aws-secret")
    patch.setenv("AWS_DEFAULT_REGION", REGION)
    yield
    patch.undo()


@pytest.fixture(scope="module")
def recorder_server(
    fake_aws: str, aws_env: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    path = tmp_path_factory.mktemp("aws") / "store.db"
    server = start_server(
        f"sqlite:///{path}", source="aws", aws_endpoint_url=fake_aws, sweep_interval=0
    )
    yield server
    server.stop()


def _as_account(fake_aws: str, account: str, service: str) -> Any:
    """A client of the fake AWS acting in ``account`` through an assumed role."""
    sts = boto3.client("sts", endpoint_url=fake_aws, region_name=REGION)
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/admin", RoleSessionName="setup")[
        "Credentials"
    ]
    return boto3.client(
        service,
        endpoint_url=fake_aws,
        region_name=REGION,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )


def _wait_for(check: Any, timeout: float = 15) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.1)


def _history(config: Any, resource_type: str, resource_id: str) -> list[dict[str, Any]]:
    return config.get_resource_config_history(  # type: ignore[no-any-return]
        resourceType=resource_type, resourceId=resource_id
    )["configurationItems"]


def test_records_the_assumed_accounts_resources_with_both_sided_relationships(
    fake_aws: str, recorder_server: LiveServer
) -> None:
    ec2 = _as_account(fake_aws, ACCOUNT, "ec2")
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.1.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    other_vpc = _as_account(fake_aws, OTHER, "ec2").create_vpc(CidrBlock="10.9.0.0/16")["Vpc"][
        "VpcId"
    ]

    config = config_client(recorder_server, ACCOUNT)
    config.put_configuration_recorder(
        ConfigurationRecorder={"name": "default", "roleARN": f"arn:aws:iam::{ACCOUNT}:role/config"}
    )
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "b"})
    config.start_configuration_recorder(ConfigurationRecorderName="default")

    def listed(resource_type: str) -> set[str]:
        found = config.list_discovered_resources(resourceType=resource_type)["resourceIdentifiers"]
        return {r["resourceId"] for r in found}

    def status() -> dict[str, Any]:
        return config.describe_configuration_recorder_status()[  # type: ignore[no-any-return]
            "ConfigurationRecordersStatus"
        ][0]

    _wait_for(lambda: status()["lastStatus"] != "PENDING", timeout=60)
    assert status()["lastStatus"] == "SUCCESS", status()
    assert group in listed("AWS::EC2::SecurityGroup")
    vpcs = listed("AWS::EC2::VPC")
    assert vpc in vpcs
    assert other_vpc not in vpcs  # the role's account only

    vpc_item = _history(config, "AWS::EC2::VPC", vpc)[0]
    names = {(r["relationshipName"], r["resourceId"]) for r in vpc_item["relationships"]}
    assert ("Contains Subnet", subnet) in names
    assert ("Contains SecurityGroup", group) in names
    subnet_item = _history(config, "AWS::EC2::Subnet", subnet)[0]
    assert {
        "relationshipName": "Is contained in Vpc",
        "resourceType": "AWS::EC2::VPC",
        "resourceId": vpc,
    } in subnet_item["relationships"]
    assert subnet_item["configurationItemStatus"] == "ResourceDiscovered"
    assert subnet_item["arn"] == f"arn:aws:ec2:{REGION}:{ACCOUNT}:subnet/{subnet}"


def test_stop_and_start_reconciles_what_changed_while_stopped(
    fake_aws: str, recorder_server: LiveServer
) -> None:
    ec2 = _as_account(fake_aws, ACCOUNT, "ec2")
    vpc = ec2.create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["VpcId"]
    group = ec2.create_security_group(GroupName="db", Description="db", VpcId=vpc)["GroupId"]
    config = config_client(recorder_server, ACCOUNT)
    if not config.describe_configuration_recorders()["ConfigurationRecorders"]:
        config.put_configuration_recorder(
            ConfigurationRecorder={
                "name": "default",
                "roleARN": f"arn:aws:iam::{ACCOUNT}:role/config",
            }
        )
        config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "b"})
    config.stop_configuration_recorder(ConfigurationRecorderName="default")
    config.start_configuration_recorder(ConfigurationRecorderName="default")
    _wait_for(lambda: _history_or_none(config, group))

    config.stop_configuration_recorder(ConfigurationRecorderName="default")
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 5432,
                "ToPort": 5432,
                "IpRanges": [{"CidrIp": "10.0.0.0/8"}],
            }
        ],
    )
    time.sleep(0.3)
    assert len(_history(config, "AWS::EC2::SecurityGroup", group)) == 1  # stopped: not recorded
    config.start_configuration_recorder(ConfigurationRecorderName="default")
    items = _wait_for(
        lambda: (h := _history(config, "AWS::EC2::SecurityGroup", group)) and len(h) == 2 and h
    )
    assert [i["configurationItemStatus"] for i in items] == ["OK", "ResourceDiscovered"]
    assert '"ipRanges":["10.0.0.0/8"]' in items[0]["configuration"]

    config.stop_configuration_recorder(ConfigurationRecorderName="default")
    ec2.delete_security_group(GroupId=group)
    config.start_configuration_recorder(ConfigurationRecorderName="default")
    deleted = _wait_for(
        lambda: (
            (h := _history(config, "AWS::EC2::SecurityGroup", group))[0]["configurationItemStatus"]
            == "ResourceDeleted"
            and h
        )
    )
    assert "configuration" not in deleted[0]


def _history_or_none(config: Any, group: str) -> list[dict[str, Any]] | None:
    try:
        return _history(config, "AWS::EC2::SecurityGroup", group)
    except config.exceptions.ResourceNotDiscoveredException:
        return None


def test_the_periodic_sweep_finds_a_change_no_event_announced(
    fake_aws: str, aws_env: None, tmp_path: Path
) -> None:
    """No change feed is on: only the full sweep every ``sweep_interval`` seconds can see
    a change made straight against the account."""
    account = "333333333333"
    server = start_server(
        f"sqlite:///{tmp_path / 'store.db'}",
        source="aws",
        aws_endpoint_url=fake_aws,
        sweep_interval=1,
        cloudtrail_poll_interval=0,
    )
    try:
        ec2 = _as_account(fake_aws, account, "ec2")
        vpc = ec2.create_vpc(CidrBlock="10.3.0.0/16")["Vpc"]["VpcId"]
        group = ec2.create_security_group(GroupName="app", Description="app", VpcId=vpc)["GroupId"]
        config = config_client(server, account)
        config.put_configuration_recorder(
            ConfigurationRecorder={
                "name": "default",
                "roleARN": f"arn:aws:iam::{account}:role/config",
                "recordingGroup": {
                    "allSupported": False,
                    "resourceTypes": ["AWS::EC2::SecurityGroup"],
                },
            }
        )
        config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "b"})
        config.start_configuration_recorder(ConfigurationRecorderName="default")
        # Each sweep also lists every type outside the group (for ResourceNotRecorded
        # items): on a loaded machine a pass takes seconds, hence the longer deadlines.
        _wait_for(lambda: _history_or_none(config, group), timeout=90)
        ec2.authorize_security_group_ingress(
            GroupId=group,
            IpPermissions=[
                {
                    "IpProtocol": "tcp",
                    "FromPort": 443,
                    "ToPort": 443,
                    "IpRanges": [{"CidrIp": "10.3.0.0/16"}],
                }
            ],
        )
        items = _wait_for(
            lambda: (h := _history(config, "AWS::EC2::SecurityGroup", group)) and len(h) == 2 and h,
            timeout=90,
        )
        assert [i["configurationItemStatus"] for i in items] == ["OK", "ResourceDiscovered"]
        assert items[0]["relatedEvents"] == []  # found by the sweep, named by no event
    finally:
        server.stop()
