"""Every example query of the AWS Config guide (spec 8.3) against a sandbox estate.

The estate is built in the sandbox (EC2 instances, network interfaces, security groups,
S3 buckets) and recorded by one sweep; the Config-only shapes no recorder of ours
produces (AWS::Config::ResourceCompliance, ConformancePackCompliance, and a volume in
Config's schema, whose ``state`` is an object) are written into the store like the
recorder writes items. Each example's expected rows come from the sandbox's own answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.conftest import LiveServer
from tests.e2e_sandbox.helpers import recording, sandbox
from tests.query.helpers import put_item, select_all

AMI = "ami-12c6146b"  # an image the sandbox ships
OTHER_AMI = "ami-03cf127a"


@dataclass
class Estate:
    account: str
    config: Any
    instances: list[dict[str, Any]] = field(default_factory=list)
    other_instance: str = ""
    group: str = ""  # the group the instance and a network interface use
    groups: dict[str, str] = field(default_factory=dict)  # name -> id
    eni_of_group: set[str] = field(default_factory=set)
    unversioned: list[str] = field(default_factory=list)
    versioned: str = ""


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def estate(request: pytest.FixtureRequest) -> Iterator[Estate]:
    server: LiveServer = request.getfixturevalue(f"{request.param}_server")
    config, aws = sandbox(server)
    account = aws("sts").get_caller_identity()["Account"]
    ec2, s3 = aws("ec2"), aws("s3")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1c")[
        "Subnet"
    ]["SubnetId"]
    e = Estate(account, config)
    for name, ranges in {
        "exact": ["10.0.0.0/24"],
        "wider": ["10.0.0.0/16"],
        "world": ["10.0.0.0/24", "0.0.0.0/0"],
    }.items():
        group = ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc)["GroupId"]
        ec2.authorize_security_group_ingress(
            GroupId=group,
            IpPermissions=[
                {
                    "IpProtocol": "tcp",
                    "FromPort": 22,
                    "ToPort": 22,
                    "IpRanges": [{"CidrIp": cidr} for cidr in ranges],
                }
            ],
        )
        e.groups[name] = group
    e.group = e.groups["exact"]
    for _ in range(2):
        e.instances.append(
            ec2.run_instances(
                ImageId=AMI,
                MinCount=1,
                MaxCount=1,
                InstanceType="t2.micro",
                SubnetId=subnet,
                SecurityGroupIds=[e.group],
            )["Instances"][0]
        )
    e.other_instance = ec2.run_instances(
        ImageId=OTHER_AMI, MinCount=1, MaxCount=1, InstanceType="t3.small", SubnetId=subnet
    )["Instances"][0]["InstanceId"]
    ec2.create_network_interface(SubnetId=subnet, Groups=[e.group])
    interfaces = ec2.describe_network_interfaces(
        Filters=[{"Name": "group-id", "Values": [e.group]}]
    )["NetworkInterfaces"]
    e.eni_of_group = {i["NetworkInterfaceId"] for i in interfaces}
    for index in range(2):
        name = f"plain-{account}-{index}"
        s3.create_bucket(Bucket=name)
        e.unversioned.append(name)
    e.versioned = f"versioned-{account}"
    s3.create_bucket(Bucket=e.versioned)
    s3.put_bucket_versioning(Bucket=e.versioned, VersioningConfiguration={"Status": "Enabled"})
    recording(config)
    config.stop_configuration_recorder(ConfigurationRecorderName="default")

    for target, compliance in (
        ("b1", "NON_COMPLIANT"),
        ("b2", "NON_COMPLIANT"),
        ("b3", "COMPLIANT"),
    ):
        put_item(
            server,
            account,
            "AWS::Config::ResourceCompliance",
            f"AWS::S3::Bucket/{target}",
            {"complianceType": compliance, "configRuleList": []},
        )
    put_item(
        server,
        account,
        "AWS::Config::ConformancePackCompliance",
        "conformance-pack-abc123",
        {"complianceType": "COMPLIANT", "conformancePackName": "pack"},
        resource_name="pack",
    )
    for volume, state in (("vol-available1", "available"), ("vol-inuse1", "in-use")):
        put_item(
            server,
            account,
            "AWS::EC2::Volume",
            volume,
            {
                "volumeType": "gp2",
                "size": 100.0,
                "encrypted": False,
                "availabilityZone": "us-east-1a",
                "state": {"value": state},
            },
            availability_zone="us-east-1a",
            resource_creation_ms=1_700_000_000_000,
        )
    yield e


def test_instances_by_image(estate: Estate) -> None:
    found = select_all(
        estate.config,
        "SELECT resourceId, resourceType, configuration.instanceType, "
        "configuration.placement.tenancy, configuration.imageId, availabilityZone "
        f"WHERE resourceType = 'AWS::EC2::Instance' AND configuration.imageId = '{AMI}'",
    )
    expected = [
        {
            "resourceId": i["InstanceId"],
            "resourceType": "AWS::EC2::Instance",
            "configuration": {
                "instanceType": "t2.micro",
                "placement": {"tenancy": i["Placement"]["Tenancy"]},
                "imageId": AMI,
            },
            "availabilityZone": "us-east-1c",
        }
        for i in sorted(estate.instances, key=lambda i: i["InstanceId"])
    ]
    assert found == expected


def test_compliance_counts_grouped(estate: Estate) -> None:
    found = select_all(
        estate.config,
        "SELECT configuration.complianceType, COUNT(*) "
        "WHERE resourceType = 'AWS::Config::ResourceCompliance' "
        "GROUP BY configuration.complianceType",
    )
    assert sorted(found, key=lambda r: r["COUNT(*)"]) == [
        {"configuration": {"complianceType": "COMPLIANT"}, "COUNT(*)": 1},
        {"configuration": {"complianceType": "NON_COMPLIANT"}, "COUNT(*)": 2},
    ]


def test_conformance_pack_compliance(estate: Estate) -> None:
    found = select_all(
        estate.config,
        "SELECT resourceId, resourceName, resourceType, configuration.complianceType "
        "WHERE resourceType = 'AWS::Config::ConformancePackCompliance'",
    )
    assert found == [
        {
            "resourceId": "conformance-pack-abc123",
            "resourceName": "pack",
            "resourceType": "AWS::Config::ConformancePackCompliance",
            "configuration": {"complianceType": "COMPLIANT"},
        }
    ]


def test_count_by_account(estate: Estate) -> None:
    page = estate.config.select_resource_config(
        Expression="SELECT COUNT(*), accountId GROUP BY accountId"
    )
    assert page["QueryInfo"]["SelectFields"] == [{"Name": "COUNT(*)"}, {"Name": "accountId"}]
    total = estate.config.get_discovered_resource_counts()["totalDiscoveredResources"]
    assert total > 10
    assert [__import__("json").loads(r) for r in page["Results"]] == [
        {"COUNT(*)": total, "accountId": estate.account}
    ]


def test_available_volumes(estate: Estate) -> None:
    found = select_all(
        estate.config,
        "SELECT resourceId, accountId, awsRegion, resourceType, configuration.volumeType, "
        "configuration.size, resourceCreationTime, tags, configuration.encrypted, "
        "configuration.availabilityZone, configuration.state.value "
        "WHERE resourceType = 'AWS::EC2::Volume' AND configuration.state.value = 'available'",
    )
    assert found == [
        {
            "resourceId": "vol-available1",
            "accountId": estate.account,
            "awsRegion": "us-east-1",
            "resourceType": "AWS::EC2::Volume",
            "configuration": {
                "volumeType": "gp2",
                "size": 100.0,
                "encrypted": False,
                "availabilityZone": "us-east-1a",
                "state": {"value": "available"},
            },
            "resourceCreationTime": "2023-11-14T22:13:20.000Z",
            "tags": [],
        }
    ]


def test_related_to_security_group(estate: Estate) -> None:
    found = select_all(
        estate.config,
        "SELECT resourceId WHERE resourceType IN ('AWS::EC2::Instance',"
        f"'AWS::EC2::NetworkInterface') AND relationships.resourceId = '{estate.group}'",
    )
    expected = {i["InstanceId"] for i in estate.instances} | estate.eni_of_group
    assert len(estate.eni_of_group) == 3  # the instances' own and the one created alone
    assert sorted(r["resourceId"] for r in found) == sorted(expected)


def test_buckets_without_versioning(estate: Estate) -> None:
    found = select_all(
        estate.config,
        "SELECT resourceId, resourceType, "
        "supplementaryConfiguration.BucketVersioningConfiguration.status "
        "WHERE resourceType = 'AWS::S3::Bucket' "
        "AND supplementaryConfiguration.BucketVersioningConfiguration.status = 'Off'",
    )
    assert found == [
        {
            "resourceId": name,
            "resourceType": "AWS::S3::Bucket",
            "supplementaryConfiguration": {"BucketVersioningConfiguration": {"status": "Off"}},
        }
        for name in sorted(estate.unversioned)
    ]


def test_security_group_with_exactly_one_range(estate: Estate) -> None:
    page = estate.config.select_resource_config(
        Expression="SELECT * WHERE resourceType = 'AWS::EC2::SecurityGroup' "
        "AND configuration.ipPermissions.ipRanges BETWEEN '10.0.0.0' AND '10.0.0.255' "
        "AND NOT configuration.ipPermissions.ipRanges < '10.0.0.0' "
        "AND NOT configuration.ipPermissions.ipRanges > '10.0.0.255'"
    )
    rows = [__import__("json").loads(r) for r in page["Results"]]
    assert [r["resourceId"] for r in rows] == [estate.groups["exact"]]
    assert set(rows[0]) <= {
        "accountId", "awsRegion", "arn", "availabilityZone", "configurationItemCaptureTime",
        "resourceCreationTime", "resourceId", "resourceName", "resourceType", "version",
    }  # fmt: skip
    assert rows[0]["accountId"] == estate.account
    assert [f["Name"] for f in page["QueryInfo"]["SelectFields"]][:3] == [
        "accountId",
        "awsRegion",
        "arn",
    ]
    # Without the NOT predicates the wider range matches too (it contains the span).
    wider = select_all(
        estate.config,
        "SELECT resourceId WHERE resourceType = 'AWS::EC2::SecurityGroup' "
        "AND configuration.ipPermissions.ipRanges BETWEEN '10.0.0.0' AND '10.0.0.255'",
    )
    assert sorted(r["resourceId"] for r in wider) == sorted(estate.groups.values())
