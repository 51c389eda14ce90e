"""restricted-ssh through the sandbox, as a new user would try it: open port 22 to the
world on a security group and see it NON_COMPLIANT everywhere within a second; close it
and see it COMPLIANT again, with a ComplianceChangeNotification for each flip."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import (
    LiveServer,
    own_server,
)
from tests.e2e_sandbox.helpers import sandbox, wait_for
from tests.rules.helpers import SG, outbox_messages, record_only

OPEN_SSH = [
    {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
]


def _by_rule(config: Any, group_id: str) -> str | None:
    results = config.get_compliance_details_by_config_rule(ConfigRuleName="restricted-ssh")[
        "EvaluationResults"
    ]
    for result in results:
        qualifier = result["EvaluationResultIdentifier"]["EvaluationResultQualifier"]
        if qualifier["ResourceId"] == group_id:
            return str(result["ComplianceType"])
    return None


def _by_resource(config: Any, group_id: str) -> str:
    found = config.describe_compliance_by_resource(ResourceType=SG, ResourceId=group_id)
    return str(found["ComplianceByResources"][0]["Compliance"]["ComplianceType"])


def _soon(check: Any) -> None:
    """Within a second on an idle machine (bench/evaluate.py measures it); the deadline
    here leaves room for a loaded test machine."""
    wait_for(check, timeout=3, interval=0.02)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """A server of this module's own: the walkthrough times what a new user sees, so its
    changes must not queue behind the sweeps of other tests' accounts on a shared one."""
    with own_server(request.param, tmp_path_factory.mktemp("walkthrough")) as server:
        yield server


def test_restricted_ssh_flips_with_port_22(backend: LiveServer) -> None:
    config, aws = sandbox(backend)
    ec2 = aws("ec2")
    record_only(config, SG)
    group_id = ec2.create_security_group(GroupName="web", Description="web")["GroupId"]
    wait_for(
        lambda: config.list_discovered_resources(resourceType=SG, resourceIds=[group_id])[
            "resourceIdentifiers"
        ],
        timeout=30,
    )
    config.put_config_rule(
        ConfigRule={
            "ConfigRuleName": "restricted-ssh",
            "Source": {"Owner": "AWS", "SourceIdentifier": "INCOMING_SSH_DISABLED"},
        }
    )
    wait_for(lambda: _by_rule(config, group_id) == "COMPLIANT", timeout=10)

    ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=OPEN_SSH)
    _soon(lambda: _by_rule(config, group_id) == "NON_COMPLIANT")
    assert _by_resource(config, group_id) == "NON_COMPLIANT"
    by_rule = config.describe_compliance_by_config_rule(ConfigRuleNames=["restricted-ssh"])
    assert by_rule["ComplianceByConfigRules"][0]["Compliance"]["ComplianceType"] == "NON_COMPLIANT"
    summary = config.get_compliance_summary_by_config_rule()["ComplianceSummary"]
    assert summary["NonCompliantResourceCount"]["CappedCount"] == 1
    by_type = config.get_compliance_summary_by_resource_type(ResourceTypes=[SG])
    assert (
        by_type["ComplianceSummariesByResourceType"][0]["ComplianceSummary"][
            "NonCompliantResourceCount"
        ]["CappedCount"]
        >= 1
    )

    ec2.revoke_security_group_ingress(GroupId=group_id, IpPermissions=OPEN_SSH)
    _soon(lambda: _by_rule(config, group_id) == "COMPLIANT")
    assert _by_resource(config, group_id) == "COMPLIANT"

    account = config.describe_config_rules()["ConfigRules"][0]["ConfigRuleArn"].split(":")[4]
    messages = [
        m
        for m in outbox_messages(backend, account, "ComplianceChanged")
        if m["resourceId"] == group_id
    ]
    flips = [
        (
            (m["oldEvaluationResult"] or {}).get("complianceType"),
            m["newEvaluationResult"]["complianceType"],
        )
        for m in messages
    ]
    assert flips == [
        (None, "COMPLIANT"),
        ("COMPLIANT", "NON_COMPLIANT"),
        ("NON_COMPLIANT", "COMPLIANT"),
    ]
    last = messages[-1]
    assert last["messageType"] == "ComplianceChangeNotification"
    assert last["configRuleName"] == "restricted-ssh"
    assert last["resourceType"] == SG
    assert last["awsAccountId"] == account
    started = outbox_messages(backend, account, "ConfigRulesEvaluationStarted")
    assert started[0]["configRuleNames"] == ["restricted-ssh"]


def test_tag_scope_on_sandbox_security_groups(backend: LiveServer) -> None:
    config, aws = sandbox(backend)
    ec2 = aws("ec2")
    record_only(config, SG)

    def group(name: str, env: str) -> str:
        group_id: str = ec2.create_security_group(
            GroupName=name,
            Description=name,
            TagSpecifications=[
                {"ResourceType": "security-group", "Tags": [{"Key": "env", "Value": env}]}
            ],
        )["GroupId"]
        ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=OPEN_SSH)
        return group_id

    prod, dev = group("prod", "prod"), group("dev", "dev")
    wait_for(
        lambda: (
            len(
                config.list_discovered_resources(resourceType=SG, resourceIds=[prod, dev])[
                    "resourceIdentifiers"
                ]
            )
            == 2
        ),
        timeout=30,
    )
    config.put_config_rule(
        ConfigRule={
            "ConfigRuleName": "restricted-ssh",
            "Scope": {"TagKey": "env", "TagValue": "prod"},
            "Source": {"Owner": "AWS", "SourceIdentifier": "INCOMING_SSH_DISABLED"},
        }
    )
    wait_for(lambda: _by_rule(config, prod) == "NON_COMPLIANT", timeout=10)
    assert _by_rule(config, dev) is None
    # Retagged out of the scope: NOT_APPLICABLE (eventLeftScope); into it: evaluated.
    ec2.create_tags(Resources=[prod], Tags=[{"Key": "env", "Value": "staging"}])
    ec2.create_tags(Resources=[dev], Tags=[{"Key": "env", "Value": "prod"}])
    wait_for(lambda: _by_rule(config, prod) == "NOT_APPLICABLE", timeout=10)
    wait_for(lambda: _by_rule(config, dev) == "NON_COMPLIANT", timeout=10)
