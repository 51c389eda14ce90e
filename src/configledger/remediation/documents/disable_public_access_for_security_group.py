"""AWS-DisablePublicAccessForSecurityGroup: revoke ingress on the SSH and RDP ports
(22, 3389) open to 0.0.0.0/0 and ::/0, and to IpAddressToBlock when given.

Like AWS's runbook, it revokes the rules that match exactly (the port alone, from
the open ranges); a group with none of them fails the way AWS's does, with
InvalidPermission.NotFound."""

from __future__ import annotations

from typing import Any

from configledger.remediation.types import (
    ASSUME_ROLE,
    Clients,
    Document,
    DocumentFailed,
    Parameter,
    Step,
    Values,
    one,
)

_PORTS = (22, 3389)


def _matches(permission: dict[str, Any], port: int) -> bool:
    if permission.get("IpProtocol") == "-1":
        return True
    low, high = permission.get("FromPort"), permission.get("ToPort")
    return (
        permission.get("IpProtocol") in ("tcp", "6")
        and low is not None
        and low <= port <= (high if high is not None else low)
    )


def _revoke(clients: Clients, values: Values) -> None:
    ec2 = clients("ec2")
    group_id = one(values, "GroupId")
    extra = [str(v) for v in values.get("IpAddressToBlock") or () if v]
    v4 = {"0.0.0.0/0", *extra}
    group = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
    revoke: list[dict[str, Any]] = []
    for permission in group.get("IpPermissions", []):
        if not any(_matches(permission, port) for port in _PORTS):
            continue
        ranges = [r for r in permission.get("IpRanges", []) if r.get("CidrIp") in v4]
        ranges6 = [r for r in permission.get("Ipv6Ranges", []) if r.get("CidrIpv6") == "::/0"]
        if not ranges and not ranges6:
            continue
        entry: dict[str, Any] = {"IpProtocol": permission["IpProtocol"]}
        for key in ("FromPort", "ToPort"):
            if key in permission:
                entry[key] = permission[key]
        if ranges:
            entry["IpRanges"] = [{"CidrIp": r["CidrIp"]} for r in ranges]
        if ranges6:
            entry["Ipv6Ranges"] = [{"CidrIpv6": r["CidrIpv6"]} for r in ranges6]
        revoke.append(entry)
    if not revoke:
        raise DocumentFailed(
            "InvalidPermission.NotFound: the specified rule does not exist in this security group"
        )
    ec2.revoke_security_group_ingress(GroupId=group_id, IpPermissions=revoke)


DOCUMENT = Document(
    name="AWS-DisablePublicAccessForSecurityGroup",
    parameters=(
        ASSUME_ROLE,
        Parameter("GroupId", required=True),
        Parameter("IpAddressToBlock"),
    ),
    steps=(Step("DisableFromAllIp", _revoke),),
)
