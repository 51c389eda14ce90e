"""CUSTOM_POLICY (Guard) rules end to end over what the recorder records in the sandbox,
and PutConfigRule's answers for policies that do not parse."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import LiveServer, config_client, start_custom_recording
from tests.rules.custom.test_lambda_rules import results, wait_for
from tests.rules.managed.sandbox import RecordedAccount

SG = "AWS::EC2::SecurityGroup"
VOLUME = "AWS::EC2::Volume"
CHANGE = [{"EventSource": "aws.config", "MessageType": "ConfigurationItemChangeNotification"}]

OPEN_TO_WORLD = """
rule ec2LeastPrivilegeSecurityGroups when resourceType == 'AWS::EC2::SecurityGroup' {
    configuration.ipPermissions[ some ipv4Ranges[*].cidrIp == "0.0.0.0/0" or
                                 some ipv6Ranges[*].cidrIpv6 == "::/0" ] empty << IP Range overly permissive >>
}
"""  # noqa: E501

EBS = """
let volumestatus = 'available'
let volumetype = 'gp3'
let volumeencryptionstatus = true
rule compliancecheck when resourceType == "AWS::EC2::Volume" {
    configuration.state == %volumestatus
    configuration.encrypted == %volumeencryptionstatus
    configuration.volumeType == %volumetype
}
"""


def guard_rule(config: Any, name: str, text: str, *types: str) -> None:
    config.put_config_rule(
        ConfigRule={
            "ConfigRuleName": name,
            "Scope": {"ComplianceResourceTypes": list(types)},
            "Source": {
                "Owner": "CUSTOM_POLICY",
                "SourceDetails": CHANGE,
                "CustomPolicyDetails": {"PolicyRuntime": "guard-2.x.x", "PolicyText": text},
            },
        }
    )


def test_security_group_open_to_the_world_flips(server: LiveServer) -> None:
    recorded = RecordedAccount(server, SG)
    ec2 = recorded.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    group = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    guard_rule(recorded.config, "sg-open", OPEN_TO_WORLD, SG)
    wait_for(lambda: results(recorded.config, "sg-open").get(group, ("",))[0] == "COMPLIANT")
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
                        "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )  # fmt: skip
    found = wait_for(
        lambda: (
            (got := results(recorded.config, "sg-open").get(group))
            and got[0] == "NON_COMPLIANT"
            and got
        )
    )
    assert found == ("NON_COMPLIANT", "IP Range overly permissive")
    ec2.revoke_security_group_ingress(
        GroupId=group,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
                        "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )  # fmt: skip
    wait_for(lambda: results(recorded.config, "sg-open")[group][0] == "COMPLIANT")


def test_ebs_volume_policy(server: LiveServer) -> None:
    recorded = RecordedAccount(server, VOLUME)
    ec2 = recorded.client("ec2")
    good = ec2.create_volume(AvailabilityZone="us-east-1a", Size=8, VolumeType="gp3",
                             Encrypted=True)["VolumeId"]  # fmt: skip
    bad = ec2.create_volume(AvailabilityZone="us-east-1a", Size=8, VolumeType="gp2")["VolumeId"]
    guard_rule(recorded.config, "ebs", EBS, VOLUME)
    found = wait_for(lambda: {good, bad} <= set(got := results(recorded.config, "ebs")) and got)
    assert found[good] == ("COMPLIANT", None)
    assert found[bad][0] == "NON_COMPLIANT"
    assert found[bad][1] is not None and "configuration" in found[bad][1]
    # A policy about another type is NOT_APPLICABLE to volumes (every rule skipped).
    guard_rule(
        recorded.config, "other-type",
        "rule r when resourceType == 'AWS::S3::Bucket' { configuration.name exists }", VOLUME,
    )  # fmt: skip
    others = wait_for(lambda: len(got := results(recorded.config, "other-type")) >= 2 and got)
    assert {others[good][0], others[bad][0]} == {"NOT_APPLICABLE"}


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("rule r {\n    configuration.size >\n}", "line 3, column 1"),
        ("rule r when resourceType == 'x' {\n  configuration.a == 1\n", "line 3"),
        ("let x = \nrule r { %x exists }", "line 2"),
        ("rule r { %undefined exists }", "line 1"),
    ],
    ids=["missing-operand", "unclosed-block", "missing-value", "unknown-variable"],
)
def test_a_policy_that_does_not_parse_is_refused(
    backend: LiveServer, account: str, text: str, where: str
) -> None:
    config = config_client(backend, account)
    start_custom_recording(config)
    with pytest.raises(config.exceptions.InvalidParameterValueException) as error:
        guard_rule(config, "bad", text, "AWS::EC2::Volume")
    assert where in str(error.value)
    assert config.describe_config_rules()["ConfigRules"] == []


def test_get_custom_rule_policy(backend: LiveServer, account: str) -> None:
    config = config_client(backend, account)
    start_custom_recording(config)
    guard_rule(config, "ebs", EBS, VOLUME)
    assert config.get_custom_rule_policy(ConfigRuleName="ebs")["PolicyText"] == EBS
    described = config.describe_config_rules(ConfigRuleNames=["ebs"])["ConfigRules"][0]
    assert "PolicyText" not in described["Source"]["CustomPolicyDetails"]
    with pytest.raises(config.exceptions.NoSuchConfigRuleException):
        config.get_custom_rule_policy(ConfigRuleName="nothing")
    # Guard rules are change-triggered only.
    with pytest.raises(config.exceptions.InvalidParameterValueException):
        config.put_config_rule(
            ConfigRule={
                "ConfigRuleName": "periodic-guard",
                "Source": {
                    "Owner": "CUSTOM_POLICY",
                    "SourceDetails": [{"EventSource": "aws.config",
                                       "MessageType": "ScheduledNotification"}],
                    "CustomPolicyDetails": {"PolicyRuntime": "guard-2.x.x", "PolicyText": EBS},
                },
            }
        )  # fmt: skip
