"""What the security-group rules ask of the rest of the account: which groups are in use.

A group is in use when a network interface carries it (instances, load balancers,
Lambda functions and databases all reach the network through interfaces). The
interface's recorded document lists its groups under ``groups``.
"""

from __future__ import annotations

from configledger.rules.types import Environment

NETWORK_INTERFACE = "AWS::EC2::NetworkInterface"


def attached_to_interface(env: Environment, group_id: str) -> bool:
    for interface in env.items(NETWORK_INTERFACE):
        configuration = interface.get("configuration") or {}
        if any(g.get("groupId") == group_id for g in configuration.get("groups") or []):
            return True
    return False
