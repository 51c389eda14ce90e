"""The EC2 resource types against moto's EC2 (standing in for AWS), in process.

Each test builds real resources with boto3, lists them with the type's ``fetch`` and
reads the ``transform`` output: ids, ARNs, zones, configuration, tags and edges as AWS
Config records them. botocore's Stubber stands in for AWS where moto cannot show a
behaviour (a second page, a failed call).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from moto import mock_aws

from configledger.recorder.resource_types.ec2 import (
    eip,
    instance,
    internet_gateway,
    nat_gateway,
    network_acl,
    network_interface,
    route_table,
    security_group,
    subnet,
    volume,
    vpc,
)
from configledger.recorder.types import Described, Scope

ACCOUNT = "123456789012"  # moto's account
REGION = "us-east-1"
AMI = "ami-12c6146b"  # an image moto ships (describing its whole catalogue costs seconds)
SCOPE = Scope(ACCOUNT, REGION)
MODULES = [
    instance,
    vpc,
    subnet,
    network_acl,
    route_table,
    internet_gateway,
    nat_gateway,
    volume,
    network_interface,
    eip,
]
Edge = tuple[str, str, str | None, str | None]  # name, target type, target id, inverse


def tag(resource_type: str, **tags: str) -> list[dict[str, Any]]:
    return [
        {"ResourceType": resource_type, "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}
    ]


def listing(module: ModuleType, client: Any) -> dict[str, Described]:
    described = (module.transform(raw, SCOPE) for raw in module.fetch(client, SCOPE))
    return {d.resource_id: d for d in described}


def edges(item: Described) -> set[Edge]:
    return {(r.name, r.target_type, r.target_id, r.inverse) for r in item.relations}


def arn(kind: str, resource_id: str) -> str:
    return f"arn:aws:ec2:{REGION}:{ACCOUNT}:{kind}/{resource_id}"


@pytest.fixture
def ec2(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        yield boto3.client("ec2", region_name=REGION)


@dataclass
class World:
    vpc: str
    subnet_a: str
    subnet_b: str
    group: str
    instance: str
    root_volume: str
    data_volume: str
    primary_eni: str
    extra_eni: str
    eip: str
    nat_eip: str
    igw: str
    route_table: str
    acl: str
    default_acl: str
    nat: str


@pytest.fixture
def world(ec2: Any) -> World:
    """A VPC with two subnets, a group, an instance (extra volume, extra interface, an
    Elastic IP), an attached internet gateway, a route table, a custom ACL and a NAT."""
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=tag("vpc", Name="main"))[
        "Vpc"
    ]["VpcId"]
    subnet_a = ec2.create_subnet(
        VpcId=vpc_id,
        CidrBlock="10.0.1.0/24",
        AvailabilityZone="us-east-1a",
        TagSpecifications=tag("subnet", Name="a"),
    )["Subnet"]["SubnetId"]
    subnet_b = ec2.create_subnet(
        VpcId=vpc_id, CidrBlock="10.0.2.0/24", AvailabilityZone="us-east-1b"
    )["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc_id)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
    )
    instance_id = ec2.run_instances(
        ImageId=AMI,
        MinCount=1,
        MaxCount=1,
        InstanceType="t3.micro",
        SubnetId=subnet_a,
        SecurityGroupIds=[group],
        TagSpecifications=tag("instance", Name="web", Team="core"),
    )["Instances"][0]["InstanceId"]
    data_volume = ec2.create_volume(
        AvailabilityZone="us-east-1a", Size=5, TagSpecifications=tag("volume", Name="data")
    )["VolumeId"]
    ec2.attach_volume(VolumeId=data_volume, InstanceId=instance_id, Device="/dev/sdf")
    extra_eni = ec2.create_network_interface(
        SubnetId=subnet_a, Groups=[group], TagSpecifications=tag("network-interface", Name="extra")
    )["NetworkInterface"]["NetworkInterfaceId"]
    ec2.attach_network_interface(
        NetworkInterfaceId=extra_eni, InstanceId=instance_id, DeviceIndex=1
    )
    eip_id = ec2.allocate_address(Domain="vpc", TagSpecifications=tag("elastic-ip", Name="ip"))[
        "AllocationId"
    ]
    ec2.associate_address(AllocationId=eip_id, InstanceId=instance_id)
    igw = ec2.create_internet_gateway(TagSpecifications=tag("internet-gateway", Name="gw"))[
        "InternetGateway"
    ]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    table = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=table, SubnetId=subnet_a)
    acl = ec2.create_network_acl(VpcId=vpc_id, TagSpecifications=tag("network-acl", Name="acl"))[
        "NetworkAcl"
    ]["NetworkAclId"]
    ec2.create_network_acl_entry(
        NetworkAclId=acl,
        RuleNumber=110,
        Protocol="6",
        RuleAction="allow",
        Egress=False,
        CidrBlock="203.0.113.0/24",
        PortRange={"From": 443, "To": 443},
    )
    default_acl = ec2.describe_network_acls(
        Filters=[{"Name": "association.subnet-id", "Values": [subnet_b]}]
    )["NetworkAcls"][0]
    association = next(a for a in default_acl["Associations"] if a["SubnetId"] == subnet_b)
    ec2.replace_network_acl_association(
        AssociationId=association["NetworkAclAssociationId"], NetworkAclId=acl
    )
    nat_eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(
        SubnetId=subnet_b, AllocationId=nat_eip, TagSpecifications=tag("natgateway", Name="nat")
    )["NatGateway"]["NatGatewayId"]
    described = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
    root = next(
        m["Ebs"]["VolumeId"]
        for m in described["BlockDeviceMappings"]
        if m["DeviceName"] == described["RootDeviceName"]
    )
    primary = next(
        n["NetworkInterfaceId"]
        for n in described["NetworkInterfaces"]
        if n["Attachment"]["DeviceIndex"] == 0
    )
    return World(
        vpc=vpc_id,
        subnet_a=subnet_a,
        subnet_b=subnet_b,
        group=group,
        instance=instance_id,
        root_volume=root,
        data_volume=data_volume,
        primary_eni=primary,
        extra_eni=extra_eni,
        eip=eip_id,
        nat_eip=nat_eip,
        igw=igw,
        route_table=table,
        acl=acl,
        default_acl=default_acl["NetworkAclId"],
        nat=nat,
    )


# -- the declarations ------------------------------------------------------------------


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[1])
def test_type_name_is_in_botocores_resource_type_enum(module: ModuleType) -> None:
    model = botocore.session.get_session().get_service_model("config")
    declared = module.RESOURCE_TYPE
    assert declared.type_name in model.shape_for("ResourceType").enum
    assert declared.service == "ec2"
    assert declared.fetch is module.fetch
    assert declared.transform is module.transform
    assert not declared.global_type


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[1])
def test_events_are_ec2_operations_and_include_tagging(module: ModuleType) -> None:
    operations = set(botocore.session.get_session().get_service_model("ec2").operation_names)
    events = module.RESOURCE_TYPE.events
    assert sorted(events - operations) == []
    assert {"CreateTags", "DeleteTags"} <= events


CREATE_DELETE_EVENTS = {
    instance: {"RunInstances", "TerminateInstances"},
    vpc: {"CreateVpc", "DeleteVpc", "CreateSubnet", "AttachInternetGateway"},
    subnet: {"CreateSubnet", "DeleteSubnet", "ReplaceNetworkAclAssociation"},
    network_acl: {"CreateNetworkAcl", "DeleteNetworkAcl", "ReplaceNetworkAclAssociation"},
    route_table: {"CreateRouteTable", "DeleteRouteTable", "CreateRoute", "AssociateRouteTable"},
    internet_gateway: {"CreateInternetGateway", "DeleteInternetGateway", "AttachInternetGateway"},
    nat_gateway: {"CreateNatGateway", "DeleteNatGateway"},
    volume: {"CreateVolume", "DeleteVolume", "AttachVolume", "DetachVolume"},
    network_interface: {
        "CreateNetworkInterface",
        "DeleteNetworkInterface",
        "AttachNetworkInterface",
    },
    eip: {"AllocateAddress", "ReleaseAddress", "AssociateAddress", "DisassociateAddress"},
}


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[1])
def test_events_include_the_calls_that_create_change_and_delete(module: ModuleType) -> None:
    assert CREATE_DELETE_EVENTS[module] <= module.RESOURCE_TYPE.events


# The least record each transform accepts: its required keys.
MINIMAL: dict[ModuleType, dict[str, Any]] = {
    instance: {"InstanceId": "i-1", "Placement": {"AvailabilityZone": "cn-north-1a"}},
    vpc: {"VpcId": "vpc-1"},
    subnet: {"SubnetId": "subnet-1", "AvailabilityZone": "cn-north-1a", "VpcId": "vpc-1"},
    network_acl: {"NetworkAclId": "acl-1", "VpcId": "vpc-1"},
    route_table: {"RouteTableId": "rtb-1", "VpcId": "vpc-1"},
    internet_gateway: {"InternetGatewayId": "igw-1"},
    nat_gateway: {"NatGatewayId": "nat-1", "SubnetId": "subnet-1", "VpcId": "vpc-1"},
    volume: {"VolumeId": "vol-1", "AvailabilityZone": "cn-north-1a"},
    network_interface: {
        "NetworkInterfaceId": "eni-1",
        "SubnetId": "subnet-1",
        "VpcId": "vpc-1",
        "AvailabilityZone": "cn-north-1a",
    },
    eip: {"AllocationId": "eipalloc-1"},
}
CHINA = Scope("210987654321", "cn-north-1", partition="aws-cn")


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[1])
def test_minimal_record_has_empty_tags_and_the_scopes_arn(module: ModuleType) -> None:
    raw = MINIMAL[module]
    item = module.transform(raw, CHINA)
    assert item.resource_id == next(iter(raw.values()))
    assert item.arn is not None
    assert item.arn.startswith("arn:aws-cn:ec2:cn-north-1:210987654321:")
    assert item.arn.endswith("/" + item.resource_id)
    assert item.tags == {}
    assert item.resource_name is None
    assert item.configuration["tagSet" if module is network_interface else "tags"] == []


@pytest.mark.parametrize(
    ("module", "key"),
    [(m, k) for m, raw in MINIMAL.items() for k in raw],
    ids=lambda v: v if isinstance(v, str) else v.__name__.rsplit(".", 1)[1],
)
def test_a_record_missing_a_required_key_fails_loudly(module: ModuleType, key: str) -> None:
    raw = {k: v for k, v in MINIMAL[module].items() if k != key}
    with pytest.raises(KeyError):
        module.transform(raw, SCOPE)


# -- fetch: pages and errors (botocore's Stubber stands in for AWS) -----------------------

PAGED: dict[ModuleType, tuple[str, Callable[[str], dict[str, Any]]]] = {
    instance: (
        "describe_instances",
        lambda n: {
            "Reservations": [{"Instances": [{"InstanceId": n, "State": {"Name": "running"}}]}]
        },
    ),
    vpc: ("describe_vpcs", lambda n: {"Vpcs": [{"VpcId": n}]}),
    subnet: ("describe_subnets", lambda n: {"Subnets": [{"SubnetId": n}]}),
    network_acl: ("describe_network_acls", lambda n: {"NetworkAcls": [{"NetworkAclId": n}]}),
    route_table: ("describe_route_tables", lambda n: {"RouteTables": [{"RouteTableId": n}]}),
    internet_gateway: (
        "describe_internet_gateways",
        lambda n: {"InternetGateways": [{"InternetGatewayId": n}]},
    ),
    nat_gateway: (
        "describe_nat_gateways",
        lambda n: {"NatGateways": [{"NatGatewayId": n, "State": "available"}]},
    ),
    volume: ("describe_volumes", lambda n: {"Volumes": [{"VolumeId": n, "State": "available"}]}),
    network_interface: (
        "describe_network_interfaces",
        lambda n: {"NetworkInterfaces": [{"NetworkInterfaceId": n}]},
    ),
}


def stubbed_client() -> Any:
    return boto3.client("ec2", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")


def _ids(records: list[dict[str, Any]]) -> list[str]:
    return [next(v for k, v in r.items() if k.endswith("Id")) for r in records]


@pytest.mark.parametrize("module", list(PAGED), ids=lambda m: m.__name__.rsplit(".", 1)[1])
def test_fetch_follows_every_page(module: ModuleType) -> None:
    operation, page = PAGED[module]
    client = stubbed_client()
    with Stubber(client) as stub:
        stub.add_response(operation, {**page("r-1"), "NextToken": "page-2"})
        stub.add_response(operation, page("r-2"), {"NextToken": "page-2"})
        records = list(module.fetch(client, SCOPE))
        stub.assert_no_pending_responses()
    assert _ids(records) == ["r-1", "r-2"]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[1])
def test_fetch_raises_when_aws_refuses(module: ModuleType) -> None:
    operation = PAGED[module][0] if module in PAGED else "describe_addresses"
    client = stubbed_client()
    with Stubber(client) as stub:
        stub.add_client_error(operation, "RequestLimitExceeded", http_status_code=503)
        with pytest.raises(ClientError) as raised:
            list(module.fetch(client, SCOPE))
    assert raised.value.response["Error"]["Code"] == "RequestLimitExceeded"


# -- each type against moto --------------------------------------------------------------


def test_instance(ec2: Any, world: World) -> None:
    item = listing(instance, ec2)[world.instance]
    raw = ec2.describe_instances(InstanceIds=[world.instance])["Reservations"][0]["Instances"][0]
    assert item.arn == arn("instance", world.instance)
    assert item.availability_zone == "us-east-1a"
    assert item.resource_creation_ms == int(raw["LaunchTime"].timestamp() * 1000)
    assert item.tags == {"Name": "web", "Team": "core"}
    config = item.configuration
    assert config["instanceId"] == world.instance
    assert config["instanceType"] == "t3.micro"
    assert config["state"]["name"] == "running"
    assert config["securityGroups"] == [{"groupId": world.group, "groupName": "web"}]
    assert config["subnetId"] == world.subnet_a
    assert config["placement"]["availabilityZone"] == "us-east-1a"
    assert config["launchTime"].endswith("Z")
    assert {"key": "Team", "value": "core"} in config["tags"]
    assert edges(item) == {
        ("Is contained in Subnet", "AWS::EC2::Subnet", world.subnet_a, "Contains Instance"),
        ("Is contained in Vpc", "AWS::EC2::VPC", world.vpc, "Contains Instance"),
        ("Is associated with SecurityGroup", "AWS::EC2::SecurityGroup", world.group, None),
        ("Is attached to Volume", "AWS::EC2::Volume", world.root_volume, "Is attached to Instance"),
        ("Is attached to Volume", "AWS::EC2::Volume", world.data_volume, "Is attached to Instance"),
        (
            "Contains NetworkInterface",
            "AWS::EC2::NetworkInterface",
            world.primary_eni,
            "Is attached to Instance",
        ),
        (
            "Contains NetworkInterface",
            "AWS::EC2::NetworkInterface",
            world.extra_eni,
            "Is attached to Instance",
        ),
    }
    assert len(item.relations) == len(edges(item))


def test_stopped_instance_is_listed_and_terminated_one_is_not(ec2: Any, world: World) -> None:
    ec2.stop_instances(InstanceIds=[world.instance])
    assert listing(instance, ec2)[world.instance].configuration["state"]["name"] == "stopped"
    ec2.terminate_instances(InstanceIds=[world.instance])
    state = ec2.describe_instances(InstanceIds=[world.instance])["Reservations"][0]["Instances"][0]
    assert state["State"]["Name"] == "terminated"  # EC2 still shows it ...
    assert world.instance not in listing(instance, ec2)  # ... AWS Config has it deleted


def test_vpc(ec2: Any, world: World) -> None:
    items = listing(vpc, ec2)
    item = items[world.vpc]
    assert item.arn == arn("vpc", world.vpc)
    assert item.availability_zone == "Multiple Availability Zones"
    assert item.resource_creation_ms is None
    assert item.tags == {"Name": "main"}
    assert item.configuration["cidrBlock"] == "10.0.0.0/16"
    assert item.configuration["isDefault"] is False
    assert item.configuration["cidrBlockAssociationSet"][0]["cidrBlock"] == "10.0.0.0/16"
    assert item.relations == ()  # every VPC edge is the inverse of another type's
    defaults = [i for i in items.values() if i.configuration["isDefault"]]
    assert len(defaults) == 1  # the region's default VPC is recorded too


def test_subnet(ec2: Any, world: World) -> None:
    items = listing(subnet, ec2)
    item = items[world.subnet_a]
    assert item.arn == arn("subnet", world.subnet_a)
    assert item.availability_zone == "us-east-1a"
    assert items[world.subnet_b].availability_zone == "us-east-1b"
    assert item.tags == {"Name": "a"}
    assert item.configuration["cidrBlock"] == "10.0.1.0/24"
    assert item.configuration["vpcId"] == world.vpc
    assert edges(item) == {("Is contained in Vpc", "AWS::EC2::VPC", world.vpc, "Contains Subnet")}


def test_network_acl(ec2: Any, world: World) -> None:
    items = listing(network_acl, ec2)
    item = items[world.acl]
    assert item.arn == arn("network-acl", world.acl)
    assert item.availability_zone == "Multiple Availability Zones"
    assert item.tags == {"Name": "acl"}
    assert item.configuration["isDefault"] is False
    assert {
        "ruleNumber": 110,
        "protocol": "6",
        "ruleAction": "allow",
        "egress": False,
        "cidrBlock": "203.0.113.0/24",
        "portRange": {"from": 443, "to": 443},
    } in item.configuration["entries"]
    assert [a["subnetId"] for a in item.configuration["associations"]] == [world.subnet_b]
    assert edges(item) == {
        ("Is attached to Subnet", "AWS::EC2::Subnet", world.subnet_b, "Is attached to NetworkAcl"),
        ("Is contained in Vpc", "AWS::EC2::VPC", world.vpc, "Contains NetworkAcl"),
    }
    default = edges(items[world.default_acl])
    assert (
        "Is attached to Subnet",
        "AWS::EC2::Subnet",
        world.subnet_a,
        "Is attached to NetworkAcl",
    ) in default
    assert not any(target == world.subnet_b for _, _, target, _ in default)


def test_route_table(ec2: Any, world: World) -> None:
    item = listing(route_table, ec2)[world.route_table]
    assert item.arn == arn("route-table", world.route_table)
    assert item.availability_zone == "Not Applicable"
    assert item.configuration["vpcId"] == world.vpc
    routes = {r["destinationCidrBlock"]: r.get("gatewayId") for r in item.configuration["routes"]}
    assert routes == {"10.0.0.0/16": "local", "0.0.0.0/0": world.igw}
    assert [a["subnetId"] for a in item.configuration["associations"]] == [world.subnet_a]
    assert item.configuration["propagatingVgws"] == []
    assert edges(item) == {
        ("Is contained in Vpc", "AWS::EC2::VPC", world.vpc, "Contains RouteTable")
    }


def test_internet_gateway_and_its_detachment(ec2: Any, world: World) -> None:
    item = listing(internet_gateway, ec2)[world.igw]
    assert item.arn == arn("internet-gateway", world.igw)
    assert item.availability_zone == "Multiple Availability Zones"
    assert item.tags == {"Name": "gw"}
    assert [a["vpcId"] for a in item.configuration["attachments"]] == [world.vpc]
    assert edges(item) == {
        ("Is attached to Vpc", "AWS::EC2::VPC", world.vpc, "Is attached to InternetGateway")
    }
    ec2.detach_internet_gateway(InternetGatewayId=world.igw, VpcId=world.vpc)
    detached = listing(internet_gateway, ec2)[world.igw]
    assert detached.relations == ()
    assert detached.configuration["attachments"] == []


def test_nat_gateway(ec2: Any, world: World) -> None:
    item = listing(nat_gateway, ec2)[world.nat]
    assert item.arn == arn("natgateway", world.nat)
    assert item.availability_zone == "Not Applicable"
    assert item.tags == {"Name": "nat"}
    config = item.configuration
    assert config["state"] == "available"
    assert config["natGatewayAddresses"][0]["allocationId"] == world.nat_eip
    assert isinstance(config["createTime"], int)  # AWS Config's epoch-millisecond quirk
    assert config["createTime"] == item.resource_creation_ms
    assert edges(item) == {
        ("Is contained in ", "AWS::EC2::Subnet", world.subnet_b, None),
        ("Is contained in ", "AWS::EC2::VPC", world.vpc, None),
    }


def test_volume(ec2: Any, world: World) -> None:
    items = listing(volume, ec2)
    item = items[world.data_volume]
    raw = ec2.describe_volumes(VolumeIds=[world.data_volume])["Volumes"][0]
    assert item.arn == arn("volume", world.data_volume)
    assert item.availability_zone == "us-east-1a"
    assert item.resource_creation_ms == int(raw["CreateTime"].timestamp() * 1000)
    assert item.tags == {"Name": "data"}
    config = item.configuration
    assert config["size"] == 5
    assert config["state"] == "in-use"
    assert config["encrypted"] is False
    assert [(a["instanceId"], a["device"]) for a in config["attachments"]] == [
        (world.instance, "/dev/sdf")
    ]
    assert isinstance(config["createTime"], str)
    assert item.relations == ()  # "Is attached to Instance" is the instance's edge's inverse
    assert world.root_volume in items


def test_network_interface(ec2: Any, world: World) -> None:
    items = listing(network_interface, ec2)
    item = items[world.extra_eni]
    assert item.arn == arn("network-interface", world.extra_eni)
    assert item.availability_zone == "us-east-1a"
    assert item.tags == {"Name": "extra"}
    config = item.configuration
    assert config["attachment"]["instanceId"] == world.instance
    assert config["attachment"]["deviceIndex"] == 1
    assert config["groups"] == [{"groupId": world.group, "groupName": "web"}]
    assert config["tagSet"] == [{"key": "Name", "value": "extra"}]
    assert edges(item) == {
        ("Is contained in Subnet", "AWS::EC2::Subnet", world.subnet_a, "Contains NetworkInterface"),
        ("Is contained in Vpc", "AWS::EC2::VPC", world.vpc, "Contains NetworkInterface"),
        ("Is associated with SecurityGroup", "AWS::EC2::SecurityGroup", world.group, None),
    }
    nat_eni = next(
        d
        for d in items.values()
        if d.configuration.get("association", {}).get("allocationId") == world.nat_eip
    )
    assert nat_eni.availability_zone == "us-east-1b"


def test_eip(ec2: Any, world: World) -> None:
    items = listing(eip, ec2)
    item = items[world.eip]
    assert item.resource_id == world.eip
    assert item.arn == arn("elastic-ip", world.eip)
    assert item.availability_zone == "Not Applicable"
    assert item.tags == {"Name": "ip"}
    assert item.configuration["allocationId"] == world.eip
    assert item.configuration["domain"] == "vpc"
    assert item.configuration["instanceId"] == world.instance
    assert item.configuration["publicIp"]
    assert edges(item) == {
        (
            "Is attached to Instance",
            "AWS::EC2::Instance",
            world.instance,
            "Is attached to ElasticIp",
        ),
        ("Is attached to NetworkInterface", "AWS::EC2::NetworkInterface", world.primary_eni, None),
    }
    nat_address = edges(items[world.nat_eip])  # taken by the NAT's interface, no instance
    assert [name for name, *_ in nat_address] == ["Is attached to NetworkInterface"]
    ec2.disassociate_address(
        AssociationId=ec2.describe_addresses(AllocationIds=[world.eip])["Addresses"][0][
            "AssociationId"
        ]
    )
    assert listing(eip, ec2)[world.eip].relations == ()


# -- deletion: a deleted resource leaves the listing ---------------------------------------


def _instance(ec2: Any, w: World) -> str:
    made = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=w.subnet_a)
    return str(made["Instances"][0]["InstanceId"])


def _nat(ec2: Any, w: World) -> str:
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    return str(
        ec2.create_nat_gateway(SubnetId=w.subnet_a, AllocationId=allocation)["NatGateway"][
            "NatGatewayId"
        ]
    )


Make = Callable[[Any, World], str]
Drop = Callable[[Any, str], Any]
LIFECYCLES: list[tuple[ModuleType, Make, Drop]] = [
    (instance, _instance, lambda c, i: c.terminate_instances(InstanceIds=[i])),
    (
        vpc,
        lambda c, w: c.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"],
        lambda c, i: c.delete_vpc(VpcId=i),
    ),
    (
        subnet,
        lambda c, w: c.create_subnet(VpcId=w.vpc, CidrBlock="10.0.9.0/24")["Subnet"]["SubnetId"],
        lambda c, i: c.delete_subnet(SubnetId=i),
    ),
    (
        network_acl,
        lambda c, w: c.create_network_acl(VpcId=w.vpc)["NetworkAcl"]["NetworkAclId"],
        lambda c, i: c.delete_network_acl(NetworkAclId=i),
    ),
    (
        route_table,
        lambda c, w: c.create_route_table(VpcId=w.vpc)["RouteTable"]["RouteTableId"],
        lambda c, i: c.delete_route_table(RouteTableId=i),
    ),
    (
        internet_gateway,
        lambda c, w: c.create_internet_gateway()["InternetGateway"]["InternetGatewayId"],
        lambda c, i: c.delete_internet_gateway(InternetGatewayId=i),
    ),
    (nat_gateway, _nat, lambda c, i: c.delete_nat_gateway(NatGatewayId=i)),
    (
        volume,
        lambda c, w: c.create_volume(AvailabilityZone="us-east-1a", Size=1)["VolumeId"],
        lambda c, i: c.delete_volume(VolumeId=i),
    ),
    (
        network_interface,
        lambda c, w: c.create_network_interface(SubnetId=w.subnet_a)["NetworkInterface"][
            "NetworkInterfaceId"
        ],
        lambda c, i: c.delete_network_interface(NetworkInterfaceId=i),
    ),
    (
        eip,
        lambda c, w: c.allocate_address(Domain="vpc")["AllocationId"],
        lambda c, i: c.release_address(AllocationId=i),
    ),
]


@pytest.mark.parametrize(
    ("module", "make", "drop"),
    LIFECYCLES,
    ids=[m.__name__.rsplit(".", 1)[1] for m, _, _ in LIFECYCLES],
)
def test_deleting_a_resource_removes_it_from_fetch(
    ec2: Any, world: World, module: ModuleType, make: Make, drop: Drop
) -> None:
    resource_id = make(ec2, world)
    before = listing(module, ec2)
    assert resource_id in before
    drop(ec2, resource_id)
    after = listing(module, ec2)
    assert resource_id not in after
    assert set(after) == set(before) - {resource_id}


# -- the edges as a whole: spec section 4 -------------------------------------------------

DECLARED = {
    ("AWS::EC2::Instance", "Is contained in Subnet", "AWS::EC2::Subnet", "Contains Instance"),
    ("AWS::EC2::Instance", "Is contained in Vpc", "AWS::EC2::VPC", "Contains Instance"),
    ("AWS::EC2::Instance", "Is associated with SecurityGroup", "AWS::EC2::SecurityGroup", None),
    ("AWS::EC2::Instance", "Is attached to Volume", "AWS::EC2::Volume", "Is attached to Instance"),
    (
        "AWS::EC2::Instance",
        "Contains NetworkInterface",
        "AWS::EC2::NetworkInterface",
        "Is attached to Instance",
    ),
    ("AWS::EC2::Subnet", "Is contained in Vpc", "AWS::EC2::VPC", "Contains Subnet"),
    (
        "AWS::EC2::NetworkAcl",
        "Is attached to Subnet",
        "AWS::EC2::Subnet",
        "Is attached to NetworkAcl",
    ),
    ("AWS::EC2::NetworkAcl", "Is contained in Vpc", "AWS::EC2::VPC", "Contains NetworkAcl"),
    ("AWS::EC2::RouteTable", "Is contained in Vpc", "AWS::EC2::VPC", "Contains RouteTable"),
    (
        "AWS::EC2::InternetGateway",
        "Is attached to Vpc",
        "AWS::EC2::VPC",
        "Is attached to InternetGateway",
    ),
    ("AWS::EC2::NatGateway", "Is contained in ", "AWS::EC2::Subnet", None),
    ("AWS::EC2::NatGateway", "Is contained in ", "AWS::EC2::VPC", None),
    (
        "AWS::EC2::NetworkInterface",
        "Is contained in Subnet",
        "AWS::EC2::Subnet",
        "Contains NetworkInterface",
    ),
    (
        "AWS::EC2::NetworkInterface",
        "Is contained in Vpc",
        "AWS::EC2::VPC",
        "Contains NetworkInterface",
    ),
    (
        "AWS::EC2::NetworkInterface",
        "Is associated with SecurityGroup",
        "AWS::EC2::SecurityGroup",
        None,
    ),
    ("AWS::EC2::EIP", "Is attached to Instance", "AWS::EC2::Instance", "Is attached to ElasticIp"),
    ("AWS::EC2::EIP", "Is attached to NetworkInterface", "AWS::EC2::NetworkInterface", None),
    ("AWS::EC2::SecurityGroup", "Is contained in Vpc", "AWS::EC2::VPC", "Contains SecurityGroup"),
}

# The relationship names each type's items show (spec section 4), both directions.
SPEC_NAMES = {
    "AWS::EC2::Instance": {
        "Contains NetworkInterface",
        "Is associated with SecurityGroup",
        "Is attached to Volume",
        "Is contained in Subnet",
        "Is contained in Vpc",
        "Is attached to ElasticIp",
    },
    "AWS::EC2::Volume": {"Is attached to Instance"},
    "AWS::EC2::NetworkInterface": {
        "Is associated with SecurityGroup",
        "Is attached to Instance",
        "Is contained in Subnet",
        "Is contained in Vpc",
    },
    "AWS::EC2::SecurityGroup": {"Is contained in Vpc"},
    "AWS::EC2::Subnet": {
        "Is contained in Vpc",
        "Is attached to NetworkAcl",
        "Contains Instance",
        "Contains NetworkInterface",
    },
    "AWS::EC2::VPC": {
        "Contains Instance",
        "Contains NetworkAcl",
        "Contains NetworkInterface",
        "Contains RouteTable",
        "Contains SecurityGroup",
        "Contains Subnet",
        "Is attached to InternetGateway",
    },
    "AWS::EC2::RouteTable": {"Is contained in Vpc"},
    "AWS::EC2::NetworkAcl": {"Is attached to Subnet", "Is contained in Vpc"},
    "AWS::EC2::InternetGateway": {"Is attached to Vpc"},
    "AWS::EC2::NatGateway": {"Is contained in "},
    "AWS::EC2::EIP": {"Is attached to Instance", "Is attached to NetworkInterface"},
}


def test_edges_follow_spec_section_4_and_are_declared_once(ec2: Any, world: World) -> None:
    declared: set[tuple[str, str, str, str | None]] = set()
    shown: dict[str, set[str]] = {}
    pairs = set()
    for module in [*MODULES, security_group]:
        source = module.RESOURCE_TYPE.type_name
        for item in listing(module, ec2).values():
            for r in item.relations:
                declared.add((source, r.name, r.target_type, r.inverse))
                shown.setdefault(source, set()).add(r.name)
                if r.inverse is not None:
                    shown.setdefault(r.target_type, set()).add(r.inverse)
                pairs.add((source, item.resource_id, r.name, r.target_type, r.target_id, r.inverse))
    assert declared == DECLARED
    assert shown == SPEC_NAMES
    # No edge is declared from both ends: its inverse is never also declared forward.
    for source, source_id, _, target_type, target_id, inverse in pairs:
        if inverse is not None:
            assert not any(
                p[:3] == (target_type, target_id, inverse) and p[3:5] == (source, source_id)
                for p in pairs
            )


def test_every_document_is_plain_json(ec2: Any, world: World) -> None:
    for module in MODULES:
        for item in listing(module, ec2).values():
            document = json.loads(json.dumps(item.configuration))  # no datetimes left behind
            assert document == item.configuration
            assert item.resource_id in json.dumps(document)
