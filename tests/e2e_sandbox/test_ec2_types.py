"""The EC2 resource types end to end: boto3 over HTTP against the embedded sandbox.

Each test acts as a fresh account with its recorder recording: it creates, modifies and
deletes resources through the sandbox and reads what the recorder made of each call —
items, statuses, configuration, attributes, relationships on both sides, and the
relatedEvents link to the CloudTrail event that LookupEvents returns for the call.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REGION, ROLE_ARN, LiveServer, new_account, start_server
from tests.e2e_sandbox.helpers import (
    history,
    lookup_event,
    recorder_status,
    recording,
    sandbox,
    wait_for,
    wait_for_items,
)

AMI = "ami-12c6146b"  # an image the sandbox ships
Rel = tuple[str, str, str]  # relationshipName, resourceType, resourceId

SG = "AWS::EC2::SecurityGroup"
VPC = "AWS::EC2::VPC"
SUBNET = "AWS::EC2::Subnet"
ACL = "AWS::EC2::NetworkAcl"
RTB = "AWS::EC2::RouteTable"
IGW = "AWS::EC2::InternetGateway"
NAT = "AWS::EC2::NatGateway"
VOLUME = "AWS::EC2::Volume"
ENI = "AWS::EC2::NetworkInterface"
EIP = "AWS::EC2::EIP"
INSTANCE = "AWS::EC2::Instance"

# Resource deletions that take inverse edges with them (a VPC with its main route table;
# an instance with the root volume it deletes on termination) write
# two items with one configurationStateId for the deleted resource: its ResourceDeleted
# item, and an OK item from reconcile's "resources outside the sweep whose inverse
# relationships changed" step, which takes the just-deleted resource for a live one. The
# insert fails on the items' unique key, the recorder's worker retries the batch forever,
# and nothing more is recorded for any account of the server.


class Account:
    """A fresh account on one server, recording: its Config, EC2 and CloudTrail clients."""

    def __init__(self, server: LiveServer, only: str | None = None) -> None:
        """``only``: record that one resource type (a quicker sweep) instead of all."""
        self.id = new_account()
        self.config, self.aws = sandbox(server, self.id)
        self.ec2 = self.aws("ec2")
        self.cloudtrail = self.aws("cloudtrail")
        if only is not None:
            self.config.put_configuration_recorder(
                ConfigurationRecorder={
                    "name": "default",
                    "roleARN": ROLE_ARN,
                    "recordingGroup": {
                        "allSupported": False,
                        "resourceTypes": [only],
                        "recordingStrategy": {"useOnly": "INCLUSION_BY_RESOURCE_TYPES"},
                    },
                }
            )
            self.config.put_delivery_channel(
                DeliveryChannel={"name": "default", "s3BucketName": "config-bucket"}
            )
        recording(self.config)

    def event_id(self, event_name: str) -> str:
        """The id of the newest CloudTrail event of ``event_name`` in this account."""
        events = self.cloudtrail.lookup_events(
            LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": event_name}]
        )["Events"]
        assert events, f"no {event_name} event"
        return events[0]["EventId"]  # type: ignore[no-any-return]

    def item(
        self, resource_type: str, resource_id: str, event_name: str, timeout: float = 5.0
    ) -> dict[str, Any]:
        """The resource's item caused by the newest ``event_name`` call: it is written (in
        time), its relatedEvents name that call's event, and LookupEvents (by EventId)
        returns the event with that name."""
        event_id = self.event_id(event_name)

        def caused() -> dict[str, Any] | None:
            found = history(self.config, resource_type, resource_id)
            return next((i for i in found if event_id in i["relatedEvents"]), None)

        found = wait_for(caused, timeout)
        assert lookup_event(self.cloudtrail, event_id)["EventName"] == event_name
        return found

    def latest(self, resource_type: str, resource_id: str) -> dict[str, Any]:
        return history(self.config, resource_type, resource_id)[0]

    def discovered(self, resource_type: str, resource_id: str) -> dict[str, Any]:
        return wait_for_items(self.config, resource_type, resource_id, 1)[0]

    def vpc(self, cidr: str = "10.0.0.0/16") -> str:
        vpc_id: str = self.ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
        self.discovered(VPC, vpc_id)
        return vpc_id

    def subnet(self, vpc_id: str, cidr: str = "10.0.1.0/24", zone: str = "us-east-1a") -> str:
        subnet_id: str = self.ec2.create_subnet(
            VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=zone
        )["Subnet"]["SubnetId"]
        self.discovered(SUBNET, subnet_id)
        return subnet_id

    def group(self, vpc_id: str, name: str = "web") -> str:
        group_id: str = self.ec2.create_security_group(
            GroupName=name, Description=name, VpcId=vpc_id
        )["GroupId"]
        self.discovered(SG, group_id)
        return group_id

    def instance(self, **kwargs: Any) -> dict[str, Any]:
        instance_id = self.ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, **kwargs)[
            "Instances"
        ][0]["InstanceId"]
        self.discovered(INSTANCE, instance_id)
        reservations = self.ec2.describe_instances(InstanceIds=[instance_id])["Reservations"]
        return reservations[0]["Instances"][0]  # type: ignore[no-any-return]

    def default_acl(self, vpc_id: str) -> str:
        acls = self.ec2.describe_network_acls(
            Filters=[
                {"Name": "vpc-id", "Values": [vpc_id]},
                {"Name": "default", "Values": ["true"]},
            ]
        )["NetworkAcls"]
        return acls[0]["NetworkAclId"]  # type: ignore[no-any-return]


@pytest.fixture
def acct(server: LiveServer) -> Account:
    return Account(server)


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[tuple[LiveServer, list[Account]]]:
    """A server of the test's own, for tests that wedge the recorder (WEDGE): the shared
    server must keep recording for the rest of the session. Stopping the test's
    recorders on the way out lets the worker pass the batch it is stuck on."""
    server = start_server(f"sqlite:///{tmp_path / 'store.db'}")
    accounts: list[Account] = []
    yield server, accounts
    for account in accounts:
        account.config.stop_configuration_recorder(ConfigurationRecorderName="default")
    server.stop()


def rels(item: dict[str, Any]) -> set[Rel]:
    return {
        (r["relationshipName"], r["resourceType"], r["resourceId"]) for r in item["relationships"]
    }


def conf(item: dict[str, Any]) -> dict[str, Any]:
    return json.loads(item["configuration"])  # type: ignore[no-any-return]


def assert_ec2_arn(acct: Account, item: dict[str, Any], kind: str) -> None:
    """The item is the account's, in the region, with the resource's EC2 ARN."""
    assert (item["accountId"], item["awsRegion"]) == (acct.id, REGION)
    assert item["arn"] == f"arn:aws:ec2:{REGION}:{acct.id}:{kind}/{item['resourceId']}"


def tagged(resource_type: str, **tags: str) -> list[dict[str, Any]]:
    return [
        {"ResourceType": resource_type, "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}
    ]


def statuses(items: list[dict[str, Any]]) -> list[str]:
    return [i["configurationItemStatus"] for i in items]


def assert_deleted(item: dict[str, Any], resource_type: str, resource_id: str) -> None:
    assert item["configurationItemStatus"] == "ResourceDeleted"
    assert (item["resourceType"], item["resourceId"]) == (resource_type, resource_id)
    assert item.get("configuration") in (None, "null")
    assert item["relationships"] == []


# --------------------------------------------------------------------------------------
# AWS::EC2::SecurityGroup


def test_security_group_create_authorize_tag_delete(acct: Account) -> None:
    vpc_id = acct.vpc()
    group_id = acct.ec2.create_security_group(
        GroupName="web",
        Description="web tier",
        VpcId=vpc_id,
        TagSpecifications=tagged("security-group", team="blue"),
    )["GroupId"]

    item = acct.item(SG, group_id, "CreateSecurityGroup")
    assert item["configurationItemStatus"] == "ResourceDiscovered"
    assert item["resourceName"] == "web"
    assert_ec2_arn(acct, item, "security-group")
    assert item["availabilityZone"] == "Not Applicable"
    assert item["tags"] == {"team": "blue"}
    config = conf(item)
    assert config["groupId"] == group_id
    assert config["groupName"] == "web"
    assert config["description"] == "web tier"
    assert config["vpcId"] == vpc_id
    assert config["ipPermissions"] == []
    [egress] = config["ipPermissionsEgress"]
    assert (egress["ipProtocol"], egress["ipRanges"]) == ("-1", ["0.0.0.0/0"])
    assert rels(item) == {("Is contained in Vpc", VPC, vpc_id)}
    # The other side: the VPC contains the group.
    assert ("Contains SecurityGroup", SG, group_id) in rels(
        acct.item(VPC, vpc_id, "CreateSecurityGroup")
    )

    acct.ec2.authorize_security_group_ingress(
        GroupId=group_id,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "https"}],
            }
        ],
    )
    authorized = acct.item(SG, group_id, "AuthorizeSecurityGroupIngress", timeout=1.0)
    assert authorized["configurationItemStatus"] == "OK"
    [rule] = conf(authorized)["ipPermissions"]
    assert (rule["ipProtocol"], rule["fromPort"], rule["toPort"]) == ("tcp", 443, 443)
    assert rule["ipRanges"] == ["0.0.0.0/0"]  # AWS Config's list of CIDR strings
    assert rule["ipv4Ranges"] == [{"cidrIp": "0.0.0.0/0", "description": "https"}]
    assert int(authorized["configurationStateId"]) > int(item["configurationStateId"])

    acct.ec2.create_tags(Resources=[group_id], Tags=[{"Key": "env", "Value": "prod"}])
    retagged = acct.item(SG, group_id, "CreateTags")
    assert retagged["configurationItemStatus"] == "OK"
    assert retagged["tags"] == {"team": "blue", "env": "prod"}

    acct.ec2.delete_security_group(GroupId=group_id)
    deleted = acct.item(SG, group_id, "DeleteSecurityGroup")
    assert_deleted(deleted, SG, group_id)
    assert ("Contains SecurityGroup", SG, group_id) not in rels(
        acct.item(VPC, vpc_id, "DeleteSecurityGroup")
    )
    assert statuses(history(acct.config, SG, group_id)) == [
        "ResourceDeleted",
        "OK",
        "OK",
        "ResourceDiscovered",
    ]


# --------------------------------------------------------------------------------------
# AWS::EC2::VPC


def test_vpc_create_with_its_default_acl_and_main_route_table_then_modify(acct: Account) -> None:
    vpc_id = acct.ec2.create_vpc(
        CidrBlock="10.20.0.0/16", TagSpecifications=tagged("vpc", Name="main")
    )["Vpc"]["VpcId"]
    acl_id = acct.default_acl(vpc_id)
    [table] = acct.ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])[
        "RouteTables"
    ]

    item = acct.item(VPC, vpc_id, "CreateVpc")
    assert item["configurationItemStatus"] == "ResourceDiscovered"
    assert_ec2_arn(acct, item, "vpc")
    assert item["availabilityZone"] == "Multiple Availability Zones"
    assert item["tags"] == {"Name": "main"}
    config = conf(item)
    assert (config["vpcId"], config["cidrBlock"]) == (vpc_id, "10.20.0.0/16")
    assert config["isDefault"] is False
    assert config["state"] == "available"
    assert {
        ("Contains NetworkAcl", ACL, acl_id),
        ("Contains RouteTable", RTB, table["RouteTableId"]),
    } <= rels(item)
    # The other sides, discovered by the same call.
    acl_item = acct.item(ACL, acl_id, "CreateVpc")
    assert acl_item["configurationItemStatus"] == "ResourceDiscovered"
    assert conf(acl_item)["isDefault"] is True
    assert rels(acl_item) == {("Is contained in Vpc", VPC, vpc_id)}
    table_item = acct.item(RTB, table["RouteTableId"], "CreateVpc")
    assert rels(table_item) == {("Is contained in Vpc", VPC, vpc_id)}

    association = acct.ec2.associate_vpc_cidr_block(VpcId=vpc_id, CidrBlock="10.21.0.0/16")
    widened = acct.item(VPC, vpc_id, "AssociateVpcCidrBlock")
    assert widened["configurationItemStatus"] == "OK"
    blocks = {a["cidrBlock"]: a for a in conf(widened)["cidrBlockAssociationSet"]}
    assert set(blocks) == {"10.20.0.0/16", "10.21.0.0/16"}
    assert (
        blocks["10.21.0.0/16"]["associationId"]
        == association["CidrBlockAssociation"]["AssociationId"]
    )

    acct.ec2.create_tags(Resources=[vpc_id], Tags=[{"Key": "env", "Value": "prod"}])
    retagged = acct.item(VPC, vpc_id, "CreateTags")
    assert retagged["configurationItemStatus"] == "OK"
    assert retagged["tags"] == {"Name": "main", "env": "prod"}
    assert sorted(conf(retagged)["tags"], key=lambda t: t["key"]) == [
        {"key": "Name", "value": "main"},
        {"key": "env", "value": "prod"},
    ]


def test_vpc_default_security_group_is_recorded_with_the_vpc(acct: Account) -> None:
    vpc_id = acct.ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    [default] = acct.ec2.describe_security_groups(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]},
            {"Name": "group-name", "Values": ["default"]},
        ]
    )["SecurityGroups"]
    vpc_item = acct.item(VPC, vpc_id, "CreateVpc")
    group_item = acct.item(SG, default["GroupId"], "CreateVpc", timeout=2.0)
    assert group_item["configurationItemStatus"] == "ResourceDiscovered"
    assert rels(group_item) == {("Is contained in Vpc", VPC, vpc_id)}
    assert ("Contains SecurityGroup", SG, default["GroupId"]) in rels(vpc_item)


def test_vpc_delete_records_it_and_its_main_route_table_deleted(
    own_server: tuple[LiveServer, list[Account]],
) -> None:
    server, accounts = own_server
    acct = Account(server)
    accounts.append(acct)
    vpc_id = acct.vpc()
    [table] = acct.ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])[
        "RouteTables"
    ]

    acct.ec2.delete_vpc(VpcId=vpc_id)
    assert_deleted(acct.item(VPC, vpc_id, "DeleteVpc", timeout=3.0), VPC, vpc_id)
    # (The sandbox keeps the default ACL of a deleted VPC, where AWS deletes it.)
    assert_deleted(acct.item(RTB, table["RouteTableId"], "DeleteVpc"), RTB, table["RouteTableId"])
    assert statuses(history(acct.config, VPC, vpc_id)) == ["ResourceDeleted", "ResourceDiscovered"]


# --------------------------------------------------------------------------------------
# AWS::EC2::Subnet


def test_subnet_create_modify_delete(acct: Account) -> None:
    vpc_id = acct.vpc()
    acl_id = acct.default_acl(vpc_id)
    subnet_id = acct.ec2.create_subnet(
        VpcId=vpc_id,
        CidrBlock="10.0.1.0/24",
        AvailabilityZone="us-east-1b",
        TagSpecifications=tagged("subnet", tier="app"),
    )["Subnet"]["SubnetId"]

    item = acct.item(SUBNET, subnet_id, "CreateSubnet")
    assert item["configurationItemStatus"] == "ResourceDiscovered"
    assert_ec2_arn(acct, item, "subnet")
    assert item["availabilityZone"] == "us-east-1b"
    assert item["tags"] == {"tier": "app"}
    config = conf(item)
    assert (config["subnetId"], config["vpcId"]) == (subnet_id, vpc_id)
    assert (config["cidrBlock"], config["availabilityZone"]) == ("10.0.1.0/24", "us-east-1b")
    assert config["mapPublicIpOnLaunch"] is False
    assert rels(item) == {
        ("Is contained in Vpc", VPC, vpc_id),
        ("Is attached to NetworkAcl", ACL, acl_id),  # the VPC's default ACL
    }
    assert ("Contains Subnet", SUBNET, subnet_id) in rels(acct.item(VPC, vpc_id, "CreateSubnet"))
    assert ("Is attached to Subnet", SUBNET, subnet_id) in rels(
        acct.item(ACL, acl_id, "CreateSubnet")
    )

    acct.ec2.modify_subnet_attribute(SubnetId=subnet_id, MapPublicIpOnLaunch={"Value": True})
    modified = acct.item(SUBNET, subnet_id, "ModifySubnetAttribute")
    assert modified["configurationItemStatus"] == "OK"
    assert conf(modified)["mapPublicIpOnLaunch"] is True
    assert rels(modified) == rels(item)

    acct.ec2.delete_subnet(SubnetId=subnet_id)
    assert_deleted(acct.item(SUBNET, subnet_id, "DeleteSubnet"), SUBNET, subnet_id)
    assert ("Contains Subnet", SUBNET, subnet_id) not in rels(
        acct.item(VPC, vpc_id, "DeleteSubnet")
    )
    assert statuses(history(acct.config, SUBNET, subnet_id)) == [
        "ResourceDeleted",
        "OK",
        "ResourceDiscovered",
    ]


# --------------------------------------------------------------------------------------
# AWS::EC2::NetworkAcl


def test_network_acl_create_add_entry_associate_delete(acct: Account) -> None:
    vpc_id = acct.vpc()
    subnet_id = acct.subnet(vpc_id)
    default_acl = acct.default_acl(vpc_id)
    acl_id = acct.ec2.create_network_acl(
        VpcId=vpc_id, TagSpecifications=tagged("network-acl", Name="strict")
    )["NetworkAcl"]["NetworkAclId"]

    item = acct.item(ACL, acl_id, "CreateNetworkAcl")
    assert item["configurationItemStatus"] == "ResourceDiscovered"
    assert_ec2_arn(acct, item, "network-acl")
    assert item["availabilityZone"] == "Multiple Availability Zones"
    assert item["tags"] == {"Name": "strict"}
    config = conf(item)
    assert (config["networkAclId"], config["vpcId"], config["isDefault"]) == (
        acl_id,
        vpc_id,
        False,
    )
    assert config["associations"] == []
    assert rels(item) == {("Is contained in Vpc", VPC, vpc_id)}
    assert ("Contains NetworkAcl", ACL, acl_id) in rels(acct.item(VPC, vpc_id, "CreateNetworkAcl"))

    acct.ec2.create_network_acl_entry(
        NetworkAclId=acl_id,
        RuleNumber=100,
        Protocol="6",
        RuleAction="allow",
        Egress=False,
        CidrBlock="10.0.0.0/8",
        PortRange={"From": 443, "To": 443},
    )
    entry_item = acct.item(ACL, acl_id, "CreateNetworkAclEntry")
    assert entry_item["configurationItemStatus"] == "OK"
    [entry] = [e for e in conf(entry_item)["entries"] if e["ruleNumber"] == 100]
    assert (entry["protocol"], entry["ruleAction"], entry["egress"]) == ("6", "allow", False)
    assert (entry["cidrBlock"], entry["portRange"]) == ("10.0.0.0/8", {"from": 443, "to": 443})

    # Move the subnet from the default ACL to this one: three resources' edges change.
    [association] = [
        a
        for a in acct.ec2.describe_network_acls(NetworkAclIds=[default_acl])["NetworkAcls"][0][
            "Associations"
        ]
        if a["SubnetId"] == subnet_id
    ]
    new_association = acct.ec2.replace_network_acl_association(
        AssociationId=association["NetworkAclAssociationId"], NetworkAclId=acl_id
    )["NewAssociationId"]
    attached = acct.item(ACL, acl_id, "ReplaceNetworkAclAssociation")
    assert attached["configurationItemStatus"] == "OK"
    assert rels(attached) == {
        ("Is contained in Vpc", VPC, vpc_id),
        ("Is attached to Subnet", SUBNET, subnet_id),
    }
    assert [a["subnetId"] for a in conf(attached)["associations"]] == [subnet_id]
    subnet_item = acct.item(SUBNET, subnet_id, "ReplaceNetworkAclAssociation")
    assert ("Is attached to NetworkAcl", ACL, acl_id) in rels(subnet_item)
    assert ("Is attached to NetworkAcl", ACL, default_acl) not in rels(subnet_item)
    default_item = acct.item(ACL, default_acl, "ReplaceNetworkAclAssociation")
    assert ("Is attached to Subnet", SUBNET, subnet_id) not in rels(default_item)

    # Give the subnet back, then delete the ACL.
    acct.ec2.replace_network_acl_association(
        AssociationId=new_association, NetworkAclId=default_acl
    )
    acct.item(ACL, acl_id, "ReplaceNetworkAclAssociation")
    acct.ec2.delete_network_acl(NetworkAclId=acl_id)
    assert_deleted(acct.item(ACL, acl_id, "DeleteNetworkAcl"), ACL, acl_id)
    assert ("Contains NetworkAcl", ACL, acl_id) not in rels(
        acct.item(VPC, vpc_id, "DeleteNetworkAcl")
    )


# --------------------------------------------------------------------------------------
# AWS::EC2::RouteTable


def test_route_table_create_associate_route_delete(acct: Account) -> None:
    vpc_id = acct.vpc()
    subnet_id = acct.subnet(vpc_id)
    gateway_id = acct.ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    acct.ec2.attach_internet_gateway(InternetGatewayId=gateway_id, VpcId=vpc_id)
    table_id = acct.ec2.create_route_table(
        VpcId=vpc_id, TagSpecifications=tagged("route-table", Name="public")
    )["RouteTable"]["RouteTableId"]

    item = acct.item(RTB, table_id, "CreateRouteTable")
    assert item["configurationItemStatus"] == "ResourceDiscovered"
    assert_ec2_arn(acct, item, "route-table")
    assert item["availabilityZone"] == "Not Applicable"
    assert item["tags"] == {"Name": "public"}
    config = conf(item)
    assert (config["routeTableId"], config["vpcId"]) == (table_id, vpc_id)
    assert [(r["destinationCidrBlock"], r["gatewayId"]) for r in config["routes"]] == [
        ("10.0.0.0/16", "local")
    ]
    assert config["associations"] == []
    assert config["propagatingVgws"] == []
    assert rels(item) == {("Is contained in Vpc", VPC, vpc_id)}
    assert ("Contains RouteTable", RTB, table_id) in rels(
        acct.item(VPC, vpc_id, "CreateRouteTable")
    )

    association_id = acct.ec2.associate_route_table(RouteTableId=table_id, SubnetId=subnet_id)[
        "AssociationId"
    ]
    associated = acct.item(RTB, table_id, "AssociateRouteTable")
    assert associated["configurationItemStatus"] == "OK"
    [association] = conf(associated)["associations"]
    assert (association["subnetId"], association["routeTableAssociationId"]) == (
        subnet_id,
        association_id,
    )
    # Subnet associations stay in the configuration, not in the edges (spec 4).
    assert rels(associated) == {("Is contained in Vpc", VPC, vpc_id)}

    acct.ec2.create_route(
        RouteTableId=table_id, DestinationCidrBlock="0.0.0.0/0", GatewayId=gateway_id
    )
    routed = acct.item(RTB, table_id, "CreateRoute")
    assert routed["configurationItemStatus"] == "OK"
    assert ("0.0.0.0/0", gateway_id) in {
        (r["destinationCidrBlock"], r["gatewayId"]) for r in conf(routed)["routes"]
    }

    acct.ec2.disassociate_route_table(AssociationId=association_id)
    assert conf(acct.item(RTB, table_id, "DisassociateRouteTable"))["associations"] == []
    acct.ec2.delete_route_table(RouteTableId=table_id)
    assert_deleted(acct.item(RTB, table_id, "DeleteRouteTable"), RTB, table_id)
    assert ("Contains RouteTable", RTB, table_id) not in rels(
        acct.item(VPC, vpc_id, "DeleteRouteTable")
    )
    assert statuses(history(acct.config, RTB, table_id)) == [
        "ResourceDeleted",
        "OK",
        "OK",
        "OK",
        "ResourceDiscovered",
    ]


# --------------------------------------------------------------------------------------
# AWS::EC2::InternetGateway


def test_internet_gateway_create_attach_detach_delete(acct: Account) -> None:
    vpc_id = acct.vpc()
    gateway_id = acct.ec2.create_internet_gateway(
        TagSpecifications=tagged("internet-gateway", Name="edge")
    )["InternetGateway"]["InternetGatewayId"]

    item = acct.item(IGW, gateway_id, "CreateInternetGateway")
    assert item["configurationItemStatus"] == "ResourceDiscovered"
    assert_ec2_arn(acct, item, "internet-gateway")
    assert item["availabilityZone"] == "Multiple Availability Zones"
    assert item["tags"] == {"Name": "edge"}
    assert conf(item)["internetGatewayId"] == gateway_id
    assert conf(item)["attachments"] == []
    assert item["relationships"] == []

    acct.ec2.attach_internet_gateway(InternetGatewayId=gateway_id, VpcId=vpc_id)
    attached = acct.item(IGW, gateway_id, "AttachInternetGateway")
    assert attached["configurationItemStatus"] == "OK"
    assert [(a["vpcId"], a["state"]) for a in conf(attached)["attachments"]] == [
        (vpc_id, "available")
    ]
    assert rels(attached) == {("Is attached to Vpc", VPC, vpc_id)}
    assert ("Is attached to InternetGateway", IGW, gateway_id) in rels(
        acct.item(VPC, vpc_id, "AttachInternetGateway")
    )

    acct.ec2.detach_internet_gateway(InternetGatewayId=gateway_id, VpcId=vpc_id)
    detached = acct.item(IGW, gateway_id, "DetachInternetGateway")
    assert detached["configurationItemStatus"] == "OK"
    assert detached["relationships"] == []
    assert conf(detached)["attachments"] == []
    assert ("Is attached to InternetGateway", IGW, gateway_id) not in rels(
        acct.item(VPC, vpc_id, "DetachInternetGateway")
    )

    acct.ec2.delete_internet_gateway(InternetGatewayId=gateway_id)
    assert_deleted(acct.item(IGW, gateway_id, "DeleteInternetGateway"), IGW, gateway_id)
    assert statuses(history(acct.config, IGW, gateway_id)) == [
        "ResourceDeleted",
        "OK",
        "OK",
        "ResourceDiscovered",
    ]


# --------------------------------------------------------------------------------------
# AWS::EC2::NatGateway


def test_nat_gateway_create_tag_delete(acct: Account) -> None:
    vpc_id = acct.vpc()
    subnet_id = acct.subnet(vpc_id)
    allocation_id = acct.ec2.allocate_address(Domain="vpc")["AllocationId"]
    acct.discovered(EIP, allocation_id)
    gateway_id = acct.ec2.create_nat_gateway(
        SubnetId=subnet_id,
        AllocationId=allocation_id,
        TagSpecifications=tagged("natgateway", Name="egress"),
    )["NatGateway"]["NatGatewayId"]

    item = acct.item(NAT, gateway_id, "CreateNatGateway")
    assert item["configurationItemStatus"] == "ResourceDiscovered"
    assert_ec2_arn(acct, item, "natgateway")
    assert item["availabilityZone"] == "Not Applicable"
    assert item["tags"] == {"Name": "egress"}
    config = conf(item)
    assert (config["natGatewayId"], config["subnetId"], config["vpcId"]) == (
        gateway_id,
        subnet_id,
        vpc_id,
    )
    assert isinstance(config["createTime"], int)  # epoch milliseconds, AWS Config's quirk
    assert [a["allocationId"] for a in config["natGatewayAddresses"]] == [allocation_id]
    # Type-less names, and no reverse edge on the subnet or the VPC (spec 4).
    assert rels(item) == {
        ("Is contained in ", SUBNET, subnet_id),
        ("Is contained in ", VPC, vpc_id),
    }
    for resource_type, resource_id in ((SUBNET, subnet_id), (VPC, vpc_id)):
        assert gateway_id not in {r[2] for r in rels(acct.latest(resource_type, resource_id))}

    acct.ec2.create_tags(Resources=[gateway_id], Tags=[{"Key": "env", "Value": "prod"}])
    retagged = acct.item(NAT, gateway_id, "CreateTags")
    assert retagged["configurationItemStatus"] == "OK"
    assert retagged["tags"] == {"Name": "egress", "env": "prod"}

    acct.ec2.delete_nat_gateway(NatGatewayId=gateway_id)
    assert_deleted(acct.item(NAT, gateway_id, "DeleteNatGateway"), NAT, gateway_id)
    assert statuses(history(acct.config, NAT, gateway_id)) == [
        "ResourceDeleted",
        "OK",
        "ResourceDiscovered",
    ]


# --------------------------------------------------------------------------------------
# AWS::EC2::Volume


def test_volume_create_attach_detach_delete(acct: Account) -> None:
    volume_id = acct.ec2.create_volume(
        AvailabilityZone="us-east-1a",
        Size=10,
        TagSpecifications=tagged("volume", Name="data"),
    )["VolumeId"]

    item = acct.item(VOLUME, volume_id, "CreateVolume")
    assert item["configurationItemStatus"] == "ResourceDiscovered"
    assert_ec2_arn(acct, item, "volume")
    assert item["availabilityZone"] == "us-east-1a"
    assert item["tags"] == {"Name": "data"}
    assert item["resourceCreationTime"]
    config = conf(item)
    assert (config["volumeId"], config["size"], config["state"]) == (volume_id, 10, "available")
    assert config["attachments"] == []
    assert item["relationships"] == []

    instance_id = acct.instance(Placement={"AvailabilityZone": "us-east-1a"})["InstanceId"]
    acct.ec2.attach_volume(VolumeId=volume_id, InstanceId=instance_id, Device="/dev/sdf")
    attached = acct.item(VOLUME, volume_id, "AttachVolume")
    assert attached["configurationItemStatus"] == "OK"
    assert conf(attached)["state"] == "in-use"
    assert [(a["instanceId"], a["device"]) for a in conf(attached)["attachments"]] == [
        (instance_id, "/dev/sdf")
    ]
    assert rels(attached) == {("Is attached to Instance", INSTANCE, instance_id)}
    assert ("Is attached to Volume", VOLUME, volume_id) in rels(
        acct.item(INSTANCE, instance_id, "AttachVolume")
    )

    acct.ec2.detach_volume(VolumeId=volume_id, InstanceId=instance_id)
    detached = acct.item(VOLUME, volume_id, "DetachVolume")
    assert (detached["configurationItemStatus"], conf(detached)["state"]) == ("OK", "available")
    assert detached["relationships"] == []
    assert ("Is attached to Volume", VOLUME, volume_id) not in rels(
        acct.item(INSTANCE, instance_id, "DetachVolume")
    )

    acct.ec2.delete_volume(VolumeId=volume_id)
    assert_deleted(acct.item(VOLUME, volume_id, "DeleteVolume"), VOLUME, volume_id)
    assert statuses(history(acct.config, VOLUME, volume_id)) == [
        "ResourceDeleted",
        "OK",
        "OK",
        "ResourceDiscovered",
    ]


# --------------------------------------------------------------------------------------
# AWS::EC2::NetworkInterface


def test_network_interface_create_attach_detach_delete(acct: Account) -> None:
    vpc_id = acct.vpc()
    subnet_id = acct.subnet(vpc_id, zone="us-east-1c")
    group_id = acct.group(vpc_id)
    eni_id = acct.ec2.create_network_interface(
        SubnetId=subnet_id,
        Groups=[group_id],
        Description="sidecar",
        TagSpecifications=tagged("network-interface", Name="side"),
    )["NetworkInterface"]["NetworkInterfaceId"]

    item = acct.item(ENI, eni_id, "CreateNetworkInterface")
    assert item["configurationItemStatus"] == "ResourceDiscovered"
    assert_ec2_arn(acct, item, "network-interface")
    assert item["availabilityZone"] == "us-east-1c"
    assert item["tags"] == {"Name": "side"}
    config = conf(item)
    assert (config["networkInterfaceId"], config["subnetId"], config["vpcId"]) == (
        eni_id,
        subnet_id,
        vpc_id,
    )
    assert (config["description"], config["status"]) == ("sidecar", "available")
    assert config["tagSet"] == [{"key": "Name", "value": "side"}]
    assert rels(item) == {
        ("Is contained in Subnet", SUBNET, subnet_id),
        ("Is contained in Vpc", VPC, vpc_id),
        ("Is associated with SecurityGroup", SG, group_id),
    }
    assert ("Contains NetworkInterface", ENI, eni_id) in rels(
        acct.item(SUBNET, subnet_id, "CreateNetworkInterface")
    )
    assert ("Contains NetworkInterface", ENI, eni_id) in rels(
        acct.item(VPC, vpc_id, "CreateNetworkInterface")
    )
    # The group's reverse edge is a deprecated indirect relationship: not recorded.
    assert eni_id not in {r[2] for r in rels(acct.latest(SG, group_id))}

    instance_id = acct.instance(SubnetId=subnet_id)["InstanceId"]
    attachment_id = acct.ec2.attach_network_interface(
        NetworkInterfaceId=eni_id, InstanceId=instance_id, DeviceIndex=1
    )["AttachmentId"]
    attached = acct.item(ENI, eni_id, "AttachNetworkInterface")
    assert attached["configurationItemStatus"] == "OK"
    assert conf(attached)["status"] == "in-use"
    assert conf(attached)["attachment"]["instanceId"] == instance_id
    assert ("Is attached to Instance", INSTANCE, instance_id) in rels(attached)
    assert ("Contains NetworkInterface", ENI, eni_id) in rels(
        acct.item(INSTANCE, instance_id, "AttachNetworkInterface")
    )

    acct.ec2.detach_network_interface(AttachmentId=attachment_id)
    detached = acct.item(ENI, eni_id, "DetachNetworkInterface")
    assert (detached["configurationItemStatus"], conf(detached)["status"]) == ("OK", "available")
    assert rels(detached) == rels(item)
    assert ("Contains NetworkInterface", ENI, eni_id) not in rels(
        acct.item(INSTANCE, instance_id, "DetachNetworkInterface")
    )

    acct.ec2.delete_network_interface(NetworkInterfaceId=eni_id)
    assert_deleted(acct.item(ENI, eni_id, "DeleteNetworkInterface"), ENI, eni_id)
    for resource_type, resource_id in ((SUBNET, subnet_id), (VPC, vpc_id)):
        after = acct.item(resource_type, resource_id, "DeleteNetworkInterface")
        assert ("Contains NetworkInterface", ENI, eni_id) not in rels(after)


# --------------------------------------------------------------------------------------
# AWS::EC2::EIP


def test_eip_allocate_associate_disassociate_release(acct: Account) -> None:
    allocation = acct.ec2.allocate_address(
        Domain="vpc", TagSpecifications=tagged("elastic-ip", Name="front")
    )
    allocation_id = allocation["AllocationId"]

    item = acct.item(EIP, allocation_id, "AllocateAddress")
    assert item["configurationItemStatus"] == "ResourceDiscovered"
    assert item["resourceId"] == allocation_id
    assert_ec2_arn(acct, item, "elastic-ip")
    assert item["availabilityZone"] == "Not Applicable"
    assert item["tags"] == {"Name": "front"}
    config = conf(item)
    assert (config["allocationId"], config["publicIp"], config["domain"]) == (
        allocation_id,
        allocation["PublicIp"],
        "vpc",
    )
    assert item["relationships"] == []

    instance = acct.instance()
    instance_id = instance["InstanceId"]
    eni_id = instance["NetworkInterfaces"][0]["NetworkInterfaceId"]
    association_id = acct.ec2.associate_address(AllocationId=allocation_id, InstanceId=instance_id)[
        "AssociationId"
    ]
    associated = acct.item(EIP, allocation_id, "AssociateAddress")
    assert associated["configurationItemStatus"] == "OK"
    assert (conf(associated)["instanceId"], conf(associated)["associationId"]) == (
        instance_id,
        association_id,
    )
    assert rels(associated) == {
        ("Is attached to Instance", INSTANCE, instance_id),
        ("Is attached to NetworkInterface", ENI, eni_id),
    }
    assert ("Is attached to ElasticIp", EIP, allocation_id) in rels(
        acct.item(INSTANCE, instance_id, "AssociateAddress")
    )
    # No reverse edge is documented on the interface.
    assert allocation_id not in {r[2] for r in rels(acct.latest(ENI, eni_id))}

    acct.ec2.disassociate_address(AssociationId=association_id)
    disassociated = acct.item(EIP, allocation_id, "DisassociateAddress")
    assert disassociated["configurationItemStatus"] == "OK"
    assert disassociated["relationships"] == []
    assert ("Is attached to ElasticIp", EIP, allocation_id) not in rels(
        acct.item(INSTANCE, instance_id, "DisassociateAddress")
    )

    acct.ec2.release_address(AllocationId=allocation_id)
    assert_deleted(acct.item(EIP, allocation_id, "ReleaseAddress"), EIP, allocation_id)
    assert statuses(history(acct.config, EIP, allocation_id)) == [
        "ResourceDeleted",
        "OK",
        "OK",
        "ResourceDiscovered",
    ]


# --------------------------------------------------------------------------------------
# AWS::EC2::Instance


def test_instance_run_stop_terminate_with_every_edge_on_both_sides(acct: Account) -> None:
    vpc_id = acct.vpc()
    subnet_id = acct.subnet(vpc_id, zone="us-east-1b")
    group_id = acct.group(vpc_id)
    # The root volume outlives the instance here (the default, deleting it on
    # termination, is the walk-through's case).
    reservation = acct.ec2.run_instances(
        ImageId=AMI,
        MinCount=1,
        MaxCount=1,
        InstanceType="t3.micro",
        SubnetId=subnet_id,
        SecurityGroupIds=[group_id],
        TagSpecifications=tagged("instance", Name="app"),
        BlockDeviceMappings=[
            {"DeviceName": "/dev/sda1", "Ebs": {"VolumeSize": 8, "DeleteOnTermination": False}}
        ],
    )
    instance_id = reservation["Instances"][0]["InstanceId"]
    described = acct.ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0][
        "Instances"
    ][0]
    [volume_id] = [m["Ebs"]["VolumeId"] for m in described["BlockDeviceMappings"]]
    [eni_id] = [n["NetworkInterfaceId"] for n in described["NetworkInterfaces"]]

    item = acct.item(INSTANCE, instance_id, "RunInstances")
    assert item["configurationItemStatus"] == "ResourceDiscovered"
    assert_ec2_arn(acct, item, "instance")
    assert item["availabilityZone"] == "us-east-1b"
    assert item["tags"] == {"Name": "app"}
    assert item["resourceCreationTime"]
    config = conf(item)
    assert (config["instanceId"], config["instanceType"], config["imageId"]) == (
        instance_id,
        "t3.micro",
        AMI,
    )
    assert config["state"]["name"] == "running"
    assert (config["subnetId"], config["vpcId"]) == (subnet_id, vpc_id)
    assert rels(item) == {
        ("Is contained in Subnet", SUBNET, subnet_id),
        ("Is contained in Vpc", VPC, vpc_id),
        ("Is associated with SecurityGroup", SG, group_id),
        ("Is attached to Volume", VOLUME, volume_id),
        ("Contains NetworkInterface", ENI, eni_id),
    }
    # The other sides, each written by the same RunInstances call.
    subnet_item = acct.item(SUBNET, subnet_id, "RunInstances")
    assert {
        ("Contains Instance", INSTANCE, instance_id),
        ("Contains NetworkInterface", ENI, eni_id),
    } <= rels(subnet_item)
    assert ("Contains Instance", INSTANCE, instance_id) in rels(
        acct.item(VPC, vpc_id, "RunInstances")
    )
    volume_item = acct.item(VOLUME, volume_id, "RunInstances")
    assert volume_item["configurationItemStatus"] == "ResourceDiscovered"
    assert rels(volume_item) == {("Is attached to Instance", INSTANCE, instance_id)}
    eni_item = acct.item(ENI, eni_id, "RunInstances")
    assert eni_item["configurationItemStatus"] == "ResourceDiscovered"
    assert ("Is attached to Instance", INSTANCE, instance_id) in rels(eni_item)
    # No reverse edge on the group (deprecated indirect relationship).
    assert instance_id not in {r[2] for r in rels(acct.latest(SG, group_id))}

    acct.ec2.stop_instances(InstanceIds=[instance_id])
    stopped = acct.item(INSTANCE, instance_id, "StopInstances")
    assert stopped["configurationItemStatus"] == "OK"
    assert conf(stopped)["state"]["name"] == "stopped"
    assert rels(stopped) == rels(item)

    acct.ec2.terminate_instances(InstanceIds=[instance_id])
    assert_deleted(acct.item(INSTANCE, instance_id, "TerminateInstances"), INSTANCE, instance_id)
    subnet_after = acct.item(SUBNET, subnet_id, "TerminateInstances")
    assert subnet_after["configurationItemStatus"] == "OK"
    assert ("Contains Instance", INSTANCE, instance_id) not in rels(subnet_after)
    vpc_after = acct.item(VPC, vpc_id, "TerminateInstances")
    assert ("Contains Instance", INSTANCE, instance_id) not in rels(vpc_after)
    volume_after = acct.item(VOLUME, volume_id, "TerminateInstances")
    assert (volume_after["configurationItemStatus"], conf(volume_after)["state"]) == (
        "OK",
        "available",
    )
    assert volume_after["relationships"] == []
    eni_after = acct.item(ENI, eni_id, "TerminateInstances")
    assert ("Is attached to Instance", INSTANCE, instance_id) not in rels(eni_after)
    # Exactly the resources with an inverse edge to the instance got an item: not its
    # group, nor the VPC's other resources.
    [table] = acct.ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])[
        "RouteTables"
    ]
    bystanders = {
        (SG, group_id),
        (ACL, acct.default_acl(vpc_id)),
        (RTB, table["RouteTableId"]),
    }
    terminate = acct.event_id("TerminateInstances")
    assert {
        key
        for key in bystanders
        | {(SUBNET, subnet_id), (VPC, vpc_id), (VOLUME, volume_id), (ENI, eni_id)}
        if any(terminate in i["relatedEvents"] for i in history(acct.config, *key))
    } == {(SUBNET, subnet_id), (VPC, vpc_id), (VOLUME, volume_id), (ENI, eni_id)}
    assert statuses(history(acct.config, INSTANCE, instance_id)) == [
        "ResourceDeleted",
        "OK",
        "ResourceDiscovered",
    ]


# --------------------------------------------------------------------------------------
# The walk-through


def test_walkthrough_vpc_subnet_group_instance_ingress_terminate_timeline(
    own_server: tuple[LiveServer, list[Account]],
) -> None:
    server, accounts = own_server
    acct = Account(server)
    accounts.append(acct)
    ec2 = acct.ec2
    # Each call's items are awaited before the next call, so each item has one cause.
    vpc_id = acct.vpc()
    subnet_id = acct.subnet(vpc_id)
    group_id = acct.group(vpc_id)
    instance_id = ec2.run_instances(
        ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet_id, SecurityGroupIds=[group_id]
    )["Instances"][0]["InstanceId"]
    described = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
    [volume_id] = [m["Ebs"]["VolumeId"] for m in described["BlockDeviceMappings"]]
    [eni_id] = [n["NetworkInterfaceId"] for n in described["NetworkInterfaces"]]
    resources = {
        (VPC, vpc_id),
        (SUBNET, subnet_id),
        (SG, group_id),
        (INSTANCE, instance_id),
        (VOLUME, volume_id),
        (ENI, eni_id),
    }
    for resource_type, resource_id in resources:
        acct.discovered(resource_type, resource_id)
        listed = acct.config.list_discovered_resources(resourceType=resource_type)
        assert resource_id in {r["resourceId"] for r in listed["resourceIdentifiers"]}

    ec2.authorize_security_group_ingress(
        GroupId=group_id,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "IpRanges": [{"CidrIp": "203.0.113.0/24"}],
            }
        ],
    )
    authorized = acct.item(SG, group_id, "AuthorizeSecurityGroupIngress", timeout=1.0)
    assert authorized["configurationItemStatus"] == "OK"
    assert conf(authorized)["ipPermissions"][0]["ipRanges"] == ["203.0.113.0/24"]

    ec2.terminate_instances(InstanceIds=[instance_id])
    assert_deleted(
        acct.item(INSTANCE, instance_id, "TerminateInstances", timeout=3.0), INSTANCE, instance_id
    )
    terminate = acct.event_id("TerminateInstances")
    changed = {
        (resource_type, resource_id)
        for resource_type, resource_id in resources
        if any(
            terminate in i["relatedEvents"]
            for i in history(acct.config, resource_type, resource_id)
        )
    }
    # Those carrying an edge with an inverse to the instance (subnet, VPC, volume, ENI);
    # the group's reverse edge is not recorded, so the group gets no item.
    assert changed == resources - {(SG, group_id)}
    assert_deleted(acct.latest(VOLUME, volume_id), VOLUME, volume_id)  # deleted on termination
    for resource_type, resource_id in ((SUBNET, subnet_id), (VPC, vpc_id)):
        assert ("Contains Instance", INSTANCE, instance_id) not in rels(
            acct.latest(resource_type, resource_id)
        )
    eni_after = acct.latest(ENI, eni_id)
    assert eni_after["configurationItemStatus"] == "OK"
    assert ("Is attached to Instance", INSTANCE, instance_id) not in rels(eni_after)

    # The whole timeline of each: statuses, and the call behind each item.
    def timeline(resource_type: str, resource_id: str) -> list[tuple[str, list[str]]]:
        items = history(acct.config, resource_type, resource_id)
        ids = [int(i["configurationStateId"]) for i in items]
        assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids)
        forward = acct.config.get_resource_config_history(
            resourceType=resource_type, resourceId=resource_id, chronologicalOrder="Forward"
        )["configurationItems"]
        assert [i["configurationStateId"] for i in forward] == [
            i["configurationStateId"] for i in reversed(items)
        ]
        return [
            (
                i["configurationItemStatus"],
                sorted(lookup_event(acct.cloudtrail, e)["EventName"] for e in i["relatedEvents"]),
            )
            for i in items
        ]

    assert timeline(SG, group_id) == [
        ("OK", ["AuthorizeSecurityGroupIngress"]),
        ("ResourceDiscovered", ["CreateSecurityGroup"]),
    ]
    assert timeline(INSTANCE, instance_id) == [
        ("ResourceDeleted", ["TerminateInstances"]),
        ("ResourceDiscovered", ["RunInstances"]),
    ]
    assert timeline(VOLUME, volume_id) == [
        ("ResourceDeleted", ["TerminateInstances"]),
        ("ResourceDiscovered", ["RunInstances"]),
    ]
    assert timeline(ENI, eni_id) == [
        ("OK", ["TerminateInstances"]),
        ("ResourceDiscovered", ["RunInstances"]),
    ]
    assert timeline(SUBNET, subnet_id) == [
        ("OK", ["TerminateInstances"]),
        ("OK", ["RunInstances"]),
        ("ResourceDiscovered", ["CreateSubnet"]),
    ]
    assert timeline(VPC, vpc_id) == [
        ("OK", ["TerminateInstances"]),
        ("OK", ["RunInstances"]),
        ("OK", ["CreateSecurityGroup"]),
        ("OK", ["CreateSubnet"]),
        ("ResourceDiscovered", ["CreateVpc"]),
    ]


# --------------------------------------------------------------------------------------
# Stop and start


def test_stopped_recorder_records_nothing_and_restarting_reconciles(server: LiveServer) -> None:
    acct = Account(server)
    ec2 = acct.ec2
    vpc_id = acct.vpc()
    kept = acct.group(vpc_id, "kept")
    dropped = acct.group(vpc_id, "dropped")
    vpc_items = len(history(acct.config, VPC, vpc_id))

    acct.config.stop_configuration_recorder(ConfigurationRecorderName="default")
    assert recorder_status(acct.config)["recording"] is False
    ec2.authorize_security_group_ingress(
        GroupId=kept,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 5432,
                "ToPort": 5432,
                "IpRanges": [{"CidrIp": "10.0.0.0/8"}],
            }
        ],
    )
    ec2.delete_security_group(GroupId=dropped)
    added = ec2.create_security_group(GroupName="added", Description="added", VpcId=vpc_id)[
        "GroupId"
    ]
    ec2.create_tags(Resources=[vpc_id], Tags=[{"Key": "env", "Value": "prod"}])
    # The sandbox still records the calls as CloudTrail events ...
    for name in ("AuthorizeSecurityGroupIngress", "DeleteSecurityGroup", "CreateSecurityGroup"):
        assert lookup_event(acct.cloudtrail, acct.event_id(name))["EventName"] == name

    # ... and the recorder has passed them by once it has recorded a later call of a
    # recording account (one worker takes the events in order).
    other = Account(server, only=VPC)
    marker = other.ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    other.item(VPC, marker, "CreateVpc")
    assert statuses(history(acct.config, SG, kept)) == ["ResourceDiscovered"]
    assert statuses(history(acct.config, SG, dropped)) == ["ResourceDiscovered"]
    assert history(acct.config, SG, added) == []
    assert len(history(acct.config, VPC, vpc_id)) == vpc_items
    assert acct.latest(VPC, vpc_id)["tags"] == {}

    recording(acct.config)  # start again; its sweep reconciles what changed meanwhile
    kept_items = history(acct.config, SG, kept)
    assert statuses(kept_items) == ["OK", "ResourceDiscovered"]
    assert conf(kept_items[0])["ipPermissions"][0]["ipRanges"] == ["10.0.0.0/8"]
    dropped_items = history(acct.config, SG, dropped)
    assert statuses(dropped_items) == ["ResourceDeleted", "ResourceDiscovered"]
    assert_deleted(dropped_items[0], SG, dropped)
    added_items = history(acct.config, SG, added)
    assert statuses(added_items) == ["ResourceDiscovered"]
    assert rels(added_items[0]) == {("Is contained in Vpc", VPC, vpc_id)}
    vpc_after = acct.latest(VPC, vpc_id)
    assert vpc_after["configurationItemStatus"] == "OK"
    assert vpc_after["tags"] == {"env": "prod"}
    assert ("Contains SecurityGroup", SG, added) in rels(vpc_after)
    assert ("Contains SecurityGroup", SG, dropped) not in rels(vpc_after)
    assert len(history(acct.config, VPC, vpc_id)) == vpc_items + 1
