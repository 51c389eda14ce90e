"""EBS_SNAPSHOT_PUBLIC_RESTORABLE_CHECK (ebs-snapshot-public-restorable-check).

An account rule: none of the account's EBS snapshots may be restorable by everyone
(a ``createVolumePermission`` for the group ``all``).
"""

from __future__ import annotations

from configledger.rules.managed._account import pages
from configledger.rules.managed._shared import brief
from configledger.rules.types import (
    ACCOUNT,
    ManagedRule,
    RuleInput,
    Trigger,
    Verdict,
    compliant,
    non_compliant,
)


def evaluate(rule_input: RuleInput) -> Verdict:
    env = rule_input.env
    public = []
    for page in pages(env, "ec2", "describe_snapshots", OwnerIds=["self"]):
        for snapshot in page.get("Snapshots", []):
            if snapshot.get("OwnerId") not in (None, env.account_id):
                continue
            attribute = env.call(
                "ec2",
                "describe_snapshot_attribute",
                Attribute="createVolumePermission",
                SnapshotId=snapshot["SnapshotId"],
            )
            permissions = attribute.get("CreateVolumePermissions", [])
            if any(p.get("Group") == "all" for p in permissions):
                public.append(snapshot["SnapshotId"])
    if public:
        return non_compliant(brief("Publicly restorable snapshots: " + ", ".join(sorted(public))))
    return compliant()


RULE = ManagedRule(
    identifier="EBS_SNAPSHOT_PUBLIC_RESTORABLE_CHECK",
    default_name="ebs-snapshot-public-restorable-check",
    description="Checks that EBS snapshots are not publicly restorable.",
    resource_types=(ACCOUNT,),
    triggers=frozenset({Trigger.PERIODIC}),
    evaluate=evaluate,
)
