"""Conformance packs from templates kept here: deployed, evaluated over custom resources,
reported, scored, updated and deleted, on both stores.

The estate is third-party resources (PutResourceConfig) judged by REQUIRED_TAGS scoped
to their type, and a process check whose result the test sets: results arrive quickly
and the expected compliance of every (rule, resource) pair is known by construction.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from botocore.exceptions import ClientError

from tests.conformance.helpers import (
    base_name,
    details,
    error_code,
    pack_rules,
    sandbox,
    score,
    summary,
    template_key,
    wait_for,
)
from tests.conftest import LiveServer, pack_deleted, pack_settled, start_custom_recording
from tests.rules.helpers import CUSTOM, put_custom

TAGGED = """
Parameters:
  RequiredTagKey:
    Type: String
    Default: CostCenter
  CheckOwner:
    Type: String
    Default: "no"
Conditions:
  checkOwner: !Equals [!Ref CheckOwner, "yes"]
Resources:
  AgentsTagged:
    Type: AWS::Config::ConfigRule
    Properties:
      ConfigRuleName: agents-tagged
      Description: !Sub "Agents carry ${RequiredTagKey} in ${AWS::Region}"
      Scope:
        ComplianceResourceTypes: [Acme::Fleet::Agent]
      InputParameters:
        tag1Key: !Ref RequiredTagKey
        tag2Key: !If [checkOwner, Owner, !Ref AWS::NoValue]
      Source:
        Owner: AWS
        SourceIdentifier: REQUIRED_TAGS
  ProcessCheck:
    Type: AWS::Config::ConfigRule
    Properties:
      ConfigRuleName: !Join ["-", [process, check]]
      Source: {Owner: AWS, SourceIdentifier: AWS_CONFIG_PROCESS_CHECK}
"""


def put_agents(config: Any) -> None:
    put_custom(config, "tagged", {"name": "tagged"}, Tags={"CostCenter": "42", "Owner": "ops"})
    put_custom(config, "untagged", {"name": "untagged"})


def external(config: Any, rule: str, account: str, compliance: str) -> None:
    config.put_external_evaluation(
        ConfigRuleName=rule,
        ExternalEvaluation={
            "ComplianceResourceType": "AWS::::Account",
            "ComplianceResourceId": account,
            "ComplianceType": compliance,
            "OrderingTimestamp": datetime.now(UTC),
        },
    )


def test_a_pack_deploys_evaluates_reports_and_deletes(config: Any, account: str) -> None:
    start_custom_recording(config)
    put_agents(config)
    arn = config.put_conformance_pack(ConformancePackName="fleet", TemplateBody=TAGGED)[
        "ConformancePackArn"
    ]
    found = pack_settled(config, "fleet")
    assert found["ConformancePackState"] == "CREATE_COMPLETE"
    pack_id = found["ConformancePackId"]
    assert re.fullmatch(r"conformance-pack-[a-z0-9]{8}", pack_id)
    assert arn == f"arn:aws:config:us-east-1:{account}:conformance-pack/fleet/{pack_id}"
    assert found["StackArn"].startswith(
        f"arn:aws:cloudformation:us-east-1:{account}:stack/awsconfigconforms-fleet-{pack_id}/"
    )
    assert "ConformancePackStatusReason" not in found

    # The rules are real config rules, named and owned as AWS names and owns them.
    tagged, process = f"agents-tagged-{pack_id}", f"process-check-{pack_id}"
    rules = {r["ConfigRuleName"]: r for r in config.describe_config_rules()["ConfigRules"]}
    assert set(rules) == {tagged, process}
    assert all(r["CreatedBy"] == "config-conforms.amazonaws.com" for r in rules.values())
    assert rules[tagged]["Description"] == "Agents carry CostCenter in us-east-1"
    assert orjson.loads(rules[tagged]["InputParameters"]) == {"tag1Key": "CostCenter"}
    assert (
        ":config-rule/aws-service-rule/config-conforms.amazonaws.com/config-rule-"
        in (rules[tagged]["ConfigRuleArn"])
    )

    # Evaluated: one agent fails, one passes; the process check has no result yet.
    wait_for(lambda: len(details(config, "fleet")) == 2, "the pack rule's two results")
    assert details(config, "fleet") == {
        (tagged, "tagged", "COMPLIANT"),
        (tagged, "untagged", "NON_COMPLIANT"),
    }
    assert pack_rules(config, "fleet") == {tagged: "NON_COMPLIANT", process: "INSUFFICIENT_DATA"}
    assert summary(config, "fleet") == "NON_COMPLIANT"
    assert score(config, "fleet") == "50.00"
    assert details(config, "fleet", ComplianceType="NON_COMPLIANT") == {
        (tagged, "untagged", "NON_COMPLIANT")
    }
    assert details(config, "fleet", ResourceType=CUSTOM, ResourceIds=["tagged"]) == {
        (tagged, "tagged", "COMPLIANT")
    }
    only_process = config.describe_conformance_pack_compliance(
        ConformancePackName="fleet", Filters={"ConfigRuleNames": [process]}
    )["ConformancePackRuleComplianceList"]
    assert only_process == [
        {"ConfigRuleName": process, "ComplianceType": "INSUFFICIENT_DATA", "Controls": []}
    ]

    # A result on the process check moves the score over rule x resource pairs.
    external(config, process, account, "COMPLIANT")
    assert score(config, "fleet") == "66.67"
    put_custom(config, "untagged", {"name": "untagged"}, Tags={"CostCenter": "7"})
    wait_for(lambda: summary(config, "fleet") == "COMPLIANT", "the pack to turn COMPLIANT")
    assert score(config, "fleet") == "100.00"

    # Deleting the pack deletes its rules and their results.
    config.delete_conformance_pack(ConformancePackName="fleet")
    pack_deleted(config, "fleet")
    assert config.describe_config_rules()["ConfigRules"] == []
    with pytest.raises(ClientError) as caught:
        config.get_compliance_details_by_config_rule(ConfigRuleName=tagged)
    assert error_code(caught.value) == "NoSuchConfigRuleException"
    assert (
        config.describe_compliance_by_resource(ResourceType=CUSTOM)["ComplianceByResources"] == []
    )
    with pytest.raises(ClientError) as caught:
        config.describe_conformance_packs(ConformancePackNames=["fleet"])
    assert error_code(caught.value) == "NoSuchConformancePackException"
    assert config.describe_conformance_pack_status()["ConformancePackStatusDetails"] == []
    with pytest.raises(ClientError) as caught:
        config.delete_conformance_pack(ConformancePackName="fleet")
    assert error_code(caught.value) == "NoSuchConformancePackException"


def test_input_parameters_override_defaults_and_conditions_follow(
    backend: LiveServer, config: Any, account: str
) -> None:
    start_custom_recording(config)
    put_agents(config)
    bucket = f"awsconfigconforms-{account}"
    sandbox(backend, account, "s3").create_bucket(Bucket=bucket)
    inputs = [
        {"ParameterName": "RequiredTagKey", "ParameterValue": "Owner"},
        {"ParameterName": "CheckOwner", "ParameterValue": "yes"},
    ]
    config.put_conformance_pack(
        ConformancePackName="owners",
        TemplateBody=TAGGED,
        ConformancePackInputParameters=inputs,
        DeliveryS3Bucket=bucket,
        DeliveryS3KeyPrefix="packs",
        Tags=[{"Key": "team", "Value": "platform"}],
    )
    [detail] = config.describe_conformance_packs(ConformancePackNames=["owners"])[
        "ConformancePackDetails"
    ]
    assert detail["ConformancePackInputParameters"] == inputs
    assert detail["DeliveryS3Bucket"] == bucket
    assert detail["DeliveryS3KeyPrefix"] == "packs"
    found = pack_settled(config, "owners")
    assert found["ConformancePackState"] == "CREATE_COMPLETE"
    assert config.list_tags_for_resource(ResourceArn=detail["ConformancePackArn"])["Tags"] == [
        {"Key": "team", "Value": "platform"}
    ]
    # The template is stored in the delivery bucket, as given.
    key = template_key(account, "owners", found["ConformancePackId"], prefix="packs")
    stored = sandbox(backend, account, "s3").get_object(Bucket=bucket, Key=key)
    assert stored["Body"].read().decode() == TAGGED
    rule = next(
        r
        for r in config.describe_config_rules()["ConfigRules"]
        if "agents-tagged" in r["ConfigRuleName"]
    )
    assert orjson.loads(rule["InputParameters"]) == {"tag1Key": "Owner", "tag2Key": "Owner"}
    assert rule["Description"] == "Agents carry Owner in us-east-1"
    # Both agents lack nothing but "untagged" has no Owner tag.
    wait_for(lambda: len(details(config, "owners")) == 2, "two results")
    assert {(base_name(r), i, c) for r, i, c in details(config, "owners")} == {
        ("agents-tagged", "tagged", "COMPLIANT"),
        ("agents-tagged", "untagged", "NON_COMPLIANT"),
    }


def test_json_templates_and_updates_keep_rule_names(config: Any) -> None:
    start_custom_recording(config)
    put_agents(config)
    template = {
        "Parameters": {"Key": {"Type": "String", "Default": "CostCenter"}},
        "Resources": {
            "Tagged": {
                "Type": "AWS::Config::ConfigRule",
                "Properties": {
                    "ConfigRuleName": "tagged",
                    "Scope": {"ComplianceResourceTypes": [CUSTOM]},
                    "InputParameters": {"tag1Key": {"Ref": "Key"}},
                    "Source": {"Owner": "AWS", "SourceIdentifier": "REQUIRED_TAGS"},
                },
            },
            "Check": {
                "Type": "AWS::Config::ConfigRule",
                "Properties": {
                    "Source": {"Owner": "AWS", "SourceIdentifier": "AWS_CONFIG_PROCESS_CHECK"}
                },
            },
        },
    }
    config.put_conformance_pack(
        ConformancePackName="json", TemplateBody=orjson.dumps(template).decode()
    )
    first = pack_settled(config, "json")
    assert first["ConformancePackState"] == "CREATE_COMPLETE"
    pack_id = first["ConformancePackId"]
    names = set(pack_rules(config, "json"))
    # A rule without ConfigRuleName is named after its logical id.
    assert names == {f"tagged-{pack_id}", f"Check-{pack_id}"}
    wait_for(lambda: len(details(config, "json")) == 2, "two results")

    # Update: the process check leaves the template, the tag key changes.
    del template["Resources"]["Check"]
    config.put_conformance_pack(
        ConformancePackName="json",
        TemplateBody=orjson.dumps(template).decode(),
        ConformancePackInputParameters=[{"ParameterName": "Key", "ParameterValue": "Owner"}],
    )
    second = pack_settled(config, "json")
    assert second["ConformancePackState"] == "UPDATE_COMPLETE"
    assert second["ConformancePackId"] == pack_id
    assert set(pack_rules(config, "json")) == {f"tagged-{pack_id}"}
    assert [r["ConfigRuleName"] for r in config.describe_config_rules()["ConfigRules"]] == [
        f"tagged-{pack_id}"
    ]
    wait_for(
        lambda: (
            details(config, "json")
            == {
                (f"tagged-{pack_id}", "tagged", "COMPLIANT"),
                (f"tagged-{pack_id}", "untagged", "NON_COMPLIANT"),
            }
        ),
        "the re-evaluation with the new key",
    )


def test_pack_rules_are_refused_to_put_config_rule_and_delete_config_rule(config: Any) -> None:
    start_custom_recording(config)
    config.put_conformance_pack(ConformancePackName="owned", TemplateBody=TAGGED)
    pack_settled(config, "owned")
    rule = next(
        r
        for r in config.describe_config_rules()["ConfigRules"]
        if "agents-tagged" in r["ConfigRuleName"]
    )
    with pytest.raises(ClientError) as caught:
        config.delete_config_rule(ConfigRuleName=rule["ConfigRuleName"])
    assert error_code(caught.value) == "AccessDeniedException"
    assert "An AWS service owns ServiceLinkedConfigRule" in str(caught.value)
    with pytest.raises(ClientError) as caught:
        config.put_config_rule(
            ConfigRule={
                "ConfigRuleName": rule["ConfigRuleName"],
                "Source": {"Owner": "AWS", "SourceIdentifier": "AWS_CONFIG_PROCESS_CHECK"},
            }
        )
    assert error_code(caught.value) == "AccessDeniedException"
    with pytest.raises(ClientError) as caught:
        config.put_config_rule(
            ConfigRule={
                "ConfigRuleName": "mine",
                "CreatedBy": "config-conforms.amazonaws.com",
                "Source": {"Owner": "AWS", "SourceIdentifier": "AWS_CONFIG_PROCESS_CHECK"},
            }
        )
    assert error_code(caught.value) == "InvalidParameterValueException"
    after = config.describe_config_rules(ConfigRuleNames=[rule["ConfigRuleName"]])["ConfigRules"]
    assert after == [rule]
