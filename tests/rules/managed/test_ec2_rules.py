"""The EC2 and VPC rules over named items shaped as the recorder records them
(recorder/resource_types/ec2/*.py): DescribeX records in lowerCamel, security-group
permissions with both ``ipv4Ranges`` objects and the old ``ipRanges`` strings."""

from __future__ import annotations

from typing import Any

import pytest

from tests.rules.managed.support import (
    NA,
    NC,
    C,
    Case,
    DictEnvironment,
    account_item,
    ids,
    stream_item,
)

VPC = "vpc-0a1b2c3d"
KEY = "arn:aws:kms:us-east-1:123456789012:key/1111aaaa-2222-bbbb-3333-cccc4444dddd"


def permission(
    protocol: str = "tcp",
    low: int | None = 22,
    high: int | None = 22,
    cidr: str | None = "0.0.0.0/0",
    cidr6: str | None = None,
) -> dict[str, Any]:
    return {
        "ipProtocol": protocol,
        "fromPort": low,
        "toPort": high,
        "ipv4Ranges": [{"cidrIp": cidr}] if cidr else [],
        "ipRanges": [cidr] if cidr else [],
        "ipv6Ranges": [{"cidrIpv6": cidr6}] if cidr6 else [],
        "prefixListIds": [],
        "userIdGroupPairs": [],
    }


EGRESS_ALL = permission("-1", None, None)


def group(
    *ingress: dict[str, Any],
    group_id: str = "sg-0123456789abcdef0",
    name: str = "app",
    egress: tuple[dict[str, Any], ...] = (EGRESS_ALL,),
) -> dict[str, Any]:
    return stream_item(
        "AWS::EC2::SecurityGroup",
        group_id,
        {
            "description": name,
            "groupName": name,
            "ipPermissions": list(ingress),
            "ownerId": "123456789012",
            "groupId": group_id,
            "ipPermissionsEgress": list(egress),
            "vpcId": VPC,
            "tags": [],
        },
        name=name,
    )


def interface(*group_ids: str) -> dict[str, Any]:
    return stream_item(
        "AWS::EC2::NetworkInterface",
        "eni-0a1b2c3d4e5f",
        {
            "networkInterfaceId": "eni-0a1b2c3d4e5f",
            "groups": [{"groupId": g, "groupName": "app"} for g in group_ids],
            "vpcId": VPC,
            "tagSet": [],
        },
    )


IN_USE = DictEnvironment([interface("sg-0123456789abcdef0")])
UNUSED = DictEnvironment([interface("sg-ffffffffffffffff0")])


def instance(**configuration: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "instanceId": "i-0a1b2c3d4e5f",
        "imageId": "ami-12c6146b",
        "instanceType": "t3.micro",
        "state": {"code": 16, "name": "running"},
        "stateTransitionReason": "",
        "vpcId": VPC,
        "subnetId": "subnet-0a1b",
        "privateIpAddress": "10.0.0.12",
        "metadataOptions": {"httpTokens": "required", "httpEndpoint": "enabled"},
        "networkInterfaces": [
            {"networkInterfaceId": "eni-0a1b2c3d4e5f", "privateIpAddress": "10.0.0.12"}
        ],
        "tags": [],
    }
    base.update(configuration)
    return stream_item("AWS::EC2::Instance", "i-0a1b2c3d4e5f", base)


def volume(attached: bool = True, encrypted: bool = True, **extra: Any) -> dict[str, Any]:
    attachments = (
        [
            {
                "attachTime": "2025-05-01T00:00:00.000Z",
                "device": "/dev/sda1",
                "instanceId": "i-0a1b2c3d4e5f",
                "state": "attached",
                "volumeId": "vol-0a1b",
                "deleteOnTermination": extra.pop("delete_on_termination", True),
            }
        ]
        if attached
        else []
    )
    configuration = {
        "volumeId": "vol-0a1b",
        "size": 8,
        "state": "in-use" if attached else "available",
        "encrypted": encrypted,
        "attachments": attachments,
        "tags": [],
        **extra,
    }
    return stream_item("AWS::EC2::Volume", "vol-0a1b", configuration)


def address(**association: Any) -> dict[str, Any]:
    return stream_item(
        "AWS::EC2::EIP",
        "eipalloc-0a1b",
        {
            "publicIp": "54.1.2.3",
            "allocationId": "eipalloc-0a1b",
            "domain": "vpc",
            "tags": [],
            **association,
        },
    )


def gateway(*vpcs: str) -> dict[str, Any]:
    return stream_item(
        "AWS::EC2::InternetGateway",
        "igw-0a1b",
        {
            "internetGatewayId": "igw-0a1b",
            "attachments": [{"state": "available", "vpcId": v} for v in vpcs],
            "tags": [],
        },
    )


def flow_logs(*logs: dict[str, Any]) -> DictEnvironment:
    def answer(Filters: list[dict[str, Any]], **_: Any) -> dict[str, Any]:
        [wanted] = Filters[0]["Values"]
        return {"FlowLogs": [log for log in logs if log["ResourceId"] == wanted]}

    return DictEnvironment(calls={("ec2", "describe_flow_logs"): answer})


def flow_log(vpc: str = VPC, traffic: str = "ALL", status: str = "ACTIVE") -> dict[str, Any]:
    return {"FlowLogId": "fl-1", "ResourceId": vpc, "TrafficType": traffic, "FlowLogStatus": status}


VPC_ITEM = stream_item("AWS::EC2::VPC", VPC, {"vpcId": VPC, "cidrBlock": "10.0.0.0/16", "tags": []})


def snapshots(*public: bool) -> DictEnvironment:
    listed = [{"SnapshotId": f"snap-{n}", "OwnerId": "123456789012"} for n in range(len(public))]

    def attribute(SnapshotId: str, **_: Any) -> dict[str, Any]:
        n = int(SnapshotId.split("-")[1])
        groups = [{"Group": "all"}] if public[n] else []
        return {"SnapshotId": SnapshotId, "CreateVolumePermissions": groups}

    return DictEnvironment(
        calls={
            ("ec2", "describe_snapshots"): {"Snapshots": listed},
            ("ec2", "describe_snapshot_attribute"): attribute,
        }
    )


SSH = "INCOMING_SSH_DISABLED"
COMMON = "RESTRICTED_INCOMING_TRAFFIC"
DEFAULT_SG = "VPC_DEFAULT_SECURITY_GROUP_CLOSED"
AUTHORIZED = "VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS"
ATTACHED_SG = "EC2_SECURITY_GROUP_ATTACHED_TO_ENI"
FLOW = "VPC_FLOW_LOGS_ENABLED"
ENCRYPTED = "ENCRYPTED_VOLUMES"
BY_DEFAULT = "EC2_EBS_ENCRYPTION_BY_DEFAULT"
PUBLIC_IP = "EC2_INSTANCE_NO_PUBLIC_IP"
IN_VPC = "INSTANCES_IN_VPC"
IMDS = "EC2_IMDSV2_CHECK"
STOPPED = "EC2_STOPPED_INSTANCE"
INUSE = "EC2_VOLUME_INUSE_CHECK"
EIP = "EIP_ATTACHED"
TYPE = "DESIRED_INSTANCE_TYPE"
AMIS = "APPROVED_AMIS_BY_ID"
IGW = "INTERNET_GATEWAY_AUTHORIZED_VPC_ONLY"
SNAPSHOTS = "EBS_SNAPSHOT_PUBLIC_RESTORABLE_CHECK"

CASES = [
    Case("SSH from one network", SSH, group(permission(cidr="10.0.0.0/8")), C),
    Case("SSH from anywhere", SSH, group(permission()), NC),
    Case("all traffic from anywhere", SSH, group(permission("-1", None, None)), NC),
    Case("a TCP range spanning 22", SSH, group(permission(low=0, high=1024)), NC),
    Case("HTTPS from anywhere", SSH, group(permission(low=443, high=443)), C),
    Case("no inbound rules", COMMON, group(), C, env=IN_USE),
    Case("RDP from anywhere", COMMON, group(permission(low=3389, high=3389)), NC, env=IN_USE),
    Case(
        "MySQL from anywhere over IPv6",
        COMMON,
        group(permission(low=3306, high=3306, cidr=None, cidr6="::/0")),
        NC,
        env=IN_USE,
    ),
    Case(
        "RDP from one network",
        COMMON,
        group(permission(low=3389, high=3389, cidr="10.0.0.0/8")),
        C,
        env=IN_USE,
    ),
    Case("HTTPS from anywhere", COMMON, group(permission(low=443, high=443)), C, env=IN_USE),
    Case(
        "a port listed in blockedPorts",
        COMMON,
        group(permission(low=8080, high=8080)),
        NC,
        {"blockedPorts": "8000-8100,9000"},
        IN_USE,
    ),
    Case(
        "RDP from anywhere on an unused group",
        COMMON,
        group(permission(low=3389, high=3389)),
        NA,
        env=UNUSED,
    ),
    Case("closed default group", DEFAULT_SG, group(name="default", egress=()), C),
    Case("default group with the default egress", DEFAULT_SG, group(name="default"), NC),
    Case(
        "default group with inbound",
        DEFAULT_SG,
        group(permission(cidr="10.0.0.0/8"), name="default", egress=()),
        NC,
    ),
    Case("a non-default group", DEFAULT_SG, group(permission()), NA),
    Case(
        "HTTPS to the world, authorized",
        AUTHORIZED,
        group(permission(low=443, high=443)),
        C,
        {"authorizedTcpPorts": "443"},
    ),
    Case(
        "a range inside an authorized range",
        AUTHORIZED,
        group(permission(low=1021, high=1024)),
        C,
        {"authorizedTcpPorts": "443,1020-1025"},
    ),
    Case(
        "a range beyond the authorized range",
        AUTHORIZED,
        group(permission(low=1021, high=1030)),
        NC,
        {"authorizedTcpPorts": "443,1020-1025"},
    ),
    Case(
        "SSH to the world, unauthorized",
        AUTHORIZED,
        group(permission()),
        NC,
        {"authorizedTcpPorts": "443"},
    ),
    Case(
        "UDP to the world, unauthorized",
        AUTHORIZED,
        group(permission("udp", 53, 53)),
        NC,
        {"authorizedTcpPorts": "53"},
    ),
    Case(
        "UDP to the world, authorized",
        AUTHORIZED,
        group(permission("udp", 53, 53)),
        C,
        {"authorizedUdpPorts": "53"},
    ),
    Case(
        "all traffic to the world",
        AUTHORIZED,
        group(permission("-1", None, None)),
        NC,
        {"authorizedTcpPorts": "443"},
    ),
    Case("SSH from a private range", AUTHORIZED, group(permission(cidr="10.0.0.0/8")), C),
    Case("group on an interface", ATTACHED_SG, group(), C, env=IN_USE),
    Case("group on no interface", ATTACHED_SG, group(), NC, env=UNUSED),
    Case("default group", ATTACHED_SG, group(name="default"), NA, env=UNUSED),
    Case("VPC with an active flow log", FLOW, VPC_ITEM, C, env=flow_logs(flow_log())),
    Case("VPC without a flow log", FLOW, VPC_ITEM, NC, env=flow_logs(flow_log("vpc-other"))),
    Case(
        "VPC with a flow log of rejects only",
        FLOW,
        VPC_ITEM,
        NC,
        {"trafficType": "ACCEPT"},
        flow_logs(flow_log(traffic="REJECT")),
    ),
    Case(
        "VPC with a flow log of the wanted type",
        FLOW,
        VPC_ITEM,
        C,
        {"trafficType": "reject"},
        flow_logs(flow_log(traffic="REJECT")),
    ),
    Case("encrypted attached volume", ENCRYPTED, volume(kmsKeyId=KEY), C),
    Case("unencrypted attached volume", ENCRYPTED, volume(encrypted=False), NC),
    Case(
        "encrypted with another key",
        ENCRYPTED,
        volume(kmsKeyId=KEY),
        NC,
        {"kmsId": "9999aaaa-2222-bbbb-3333-cccc4444dddd"},
    ),
    Case(
        "encrypted with the key, named by id",
        ENCRYPTED,
        volume(kmsKeyId=KEY),
        C,
        {"kmsId": "1111aaaa-2222-bbbb-3333-cccc4444dddd"},
    ),
    Case("unattached unencrypted volume", ENCRYPTED, volume(attached=False, encrypted=False), NA),
    Case(
        "encryption by default on",
        BY_DEFAULT,
        account_item(),
        C,
        env=DictEnvironment(
            calls={("ec2", "get_ebs_encryption_by_default"): {"EbsEncryptionByDefault": True}}
        ),
    ),
    Case(
        "encryption by default off",
        BY_DEFAULT,
        account_item(),
        NC,
        env=DictEnvironment(
            calls={("ec2", "get_ebs_encryption_by_default"): {"EbsEncryptionByDefault": False}}
        ),
    ),
    Case("private instance", PUBLIC_IP, instance(), C),
    Case("instance with a public IP", PUBLIC_IP, instance(publicIpAddress="54.1.2.3"), NC),
    Case(
        "interface with a public IP",
        PUBLIC_IP,
        instance(
            networkInterfaces=[
                {"networkInterfaceId": "eni-1", "association": {"publicIp": "54.1.2.3"}}
            ]
        ),
        NC,
    ),
    Case("instance in a VPC", IN_VPC, instance(), C),
    Case("EC2-Classic instance", IN_VPC, instance(vpcId=None), NC),
    Case("instance in another VPC", IN_VPC, instance(), NC, {"vpcId": "vpc-other"}),
    Case("instance in the wanted VPC", IN_VPC, instance(), C, {"vpcId": VPC}),
    Case("tokens required", IMDS, instance(), C),
    Case("tokens optional", IMDS, instance(metadataOptions={"httpTokens": "optional"}), NC),
    Case("no metadata options", IMDS, instance(metadataOptions=None), NA),
    Case("running instance", STOPPED, instance(), C),
    Case(
        "stopped for two days",
        STOPPED,
        instance(
            state={"name": "stopped"},
            stateTransitionReason="User initiated (2025-05-30 12:00:00 GMT)",
        ),
        C,
    ),
    Case(
        "stopped for sixty days",
        STOPPED,
        instance(
            state={"name": "stopped"},
            stateTransitionReason="User initiated (2025-04-01 12:00:00 GMT)",
        ),
        NC,
    ),
    Case(
        "stopped ten days, five allowed",
        STOPPED,
        instance(
            state={"name": "stopped"},
            stateTransitionReason="User initiated (2025-05-22 12:00:00 GMT)",
        ),
        NC,
        {"AllowedDays": "5"},
    ),
    Case("attached volume", INUSE, volume(), C),
    Case("available volume", INUSE, volume(attached=False), NC),
    Case(
        "attached, deleteOnTermination mismatch",
        INUSE,
        volume(delete_on_termination=False),
        NC,
        {"deleteOnTermination": "true"},
    ),
    Case(
        "attached, deleteOnTermination as wanted",
        INUSE,
        volume(delete_on_termination=True),
        C,
        {"deleteOnTermination": "true"},
    ),
    Case(
        "address on an instance", EIP, address(instanceId="i-0a1b", associationId="eipassoc-1"), C
    ),
    Case(
        "address on an interface",
        EIP,
        address(networkInterfaceId="eni-1", associationId="eipassoc-1"),
        C,
    ),
    Case("idle address", EIP, address(), NC),
    Case("desired type", TYPE, instance(), C, {"instanceType": "t3.micro,m5.large"}),
    Case(
        "other type",
        TYPE,
        instance(instanceType="m5.24xlarge"),
        NC,
        {"instanceType": "t3.micro,m5.large"},
    ),
    Case("approved AMI", AMIS, instance(), C, {"amiIds": "ami-12c6146b"}),
    Case(
        "unapproved AMI", AMIS, instance(imageId="ami-evil"), NC, {"amiIds": "ami-12c6146b,ami-2"}
    ),
    Case("authorized VPC", IGW, gateway(VPC), C, {"AuthorizedVpcIds": VPC}),
    Case("unauthorized VPC", IGW, gateway("vpc-other"), NC, {"AuthorizedVpcIds": VPC}),
    Case("attached and nothing authorized", IGW, gateway(VPC), NC),
    Case("detached gateway", IGW, gateway(), C),
    Case(
        "attached to many VPCs: the annotation stays within 256 characters",
        IGW,
        gateway(*(f"vpc-{n:017d}" for n in range(30))),
        NC,
    ),
    Case("private snapshots", SNAPSHOTS, account_item(), C, env=snapshots(False, False)),
    Case("a public snapshot", SNAPSHOTS, account_item(), NC, env=snapshots(False, True)),
    Case("no snapshots", SNAPSHOTS, account_item(), C, env=snapshots()),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_case(case: Case) -> None:
    case.run()


def test_stopped_time_falls_back_to_when_the_stop_was_recorded() -> None:
    item = instance(state={"name": "stopped"}, stateTransitionReason="")
    item["configurationItemCaptureTime"] = "2025-01-01T00:00:00.000Z"
    Case("", STOPPED, item, NC).run()
    item["configurationItemCaptureTime"] = "2025-05-31T00:00:00.000Z"
    Case("", STOPPED, item, C).run()
