"""Triggers end to end: change triggers within the scope (types, tag key/value, one
resource), eventLeftScope, deleted resources, deleted rules, re-evaluation on demand,
periodic evaluation as the clock moves, and the compliance history items.

The managed rule restricted-ssh is scoped here to a custom resource type whose
configurations look like security groups, so PutResourceConfig drives every change.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from configledger.clock import FrozenClock
from tests.conftest import LiveServer
from tests.e2e_sandbox.helpers import wait_for
from tests.rules.helpers import CUSTOM, outbox_messages, put_custom, record_only

OTHER = "Acme::Fleet::Queue"
SSH = {"Owner": "AWS", "SourceIdentifier": "INCOMING_SSH_DISABLED"}
OPEN = {"ipPermissions": [{"ipProtocol": "tcp", "fromPort": 22, "toPort": 22,
                           "ipv4Ranges": [{"cidrIp": "0.0.0.0/0"}]}]}  # fmt: skip
CLOSED: dict[str, Any] = {"ipPermissions": []}
HOUR = 3_600_000

Clocked = tuple[Any, FrozenClock, LiveServer, str]


def _rule(config: Any, name: str = "ssh", **extra: Any) -> None:
    config.put_config_rule(
        ConfigRule={
            "ConfigRuleName": name,
            "Scope": {"ComplianceResourceTypes": [CUSTOM]},
            "Source": SSH,
            **extra,
        }
    )


def _results(config: Any, rule: str = "ssh") -> dict[str, str]:
    found = config.get_compliance_details_by_config_rule(ConfigRuleName=rule, Limit=100)
    return {
        r["EvaluationResultIdentifier"]["EvaluationResultQualifier"]["ResourceId"]: r[
            "ComplianceType"
        ]
        for r in found["EvaluationResults"]
    }


def _status(config: Any, rule: str = "ssh") -> dict[str, Any]:
    found = config.describe_config_rule_evaluation_status(ConfigRuleNames=[rule])
    return found["ConfigRulesEvaluationStatus"][0]  # type: ignore[no-any-return]


def _until(config: Any, expected: dict[str, str], rule: str = "ssh") -> None:
    wait_for(lambda: _results(config, rule) == expected, timeout=10)


def test_change_trigger_follows_the_scope_of_types(clocked: Clocked) -> None:
    config, _, _, _ = clocked
    record_only(config, "AWS::SNS::Topic")
    put_custom(config, "a", OPEN)
    config.put_resource_config(
        ResourceType=OTHER, SchemaVersionId="1", ResourceId="q", Configuration=json.dumps(OPEN)
    )
    _rule(config)
    _until(config, {"a": "NON_COMPLIANT"})  # the initial evaluation; the queue is out of scope
    put_custom(config, "b", CLOSED)
    _until(config, {"a": "NON_COMPLIANT", "b": "COMPLIANT"})
    put_custom(config, "a", CLOSED)
    _until(config, {"a": "COMPLIANT", "b": "COMPLIANT"})
    status = _status(config)
    assert status["FirstEvaluationStarted"] is True
    assert "LastSuccessfulEvaluationTime" in status and "LastErrorCode" not in status


def test_a_managed_rule_scoped_by_tag_keeps_its_resource_types(clocked: Clocked) -> None:
    config, _, _, _ = clocked
    record_only(config, "AWS::SNS::Topic")
    put_custom(config, "prod-1", OPEN, Tags={"env": "prod"})
    put_custom(config, "dev-1", OPEN, Tags={"env": "dev"})
    put_custom(config, "untagged", OPEN)
    config.put_config_rule(
        ConfigRule={
            "ConfigRuleName": "ssh",
            "Scope": {"TagKey": "env", "TagValue": "prod"},
            "Source": SSH,
        }
    )
    # A managed rule scoped by tag keeps its own resource types: none of these is a
    # security group, so nothing is in scope.
    time.sleep(0.3)
    assert _results(config) == {}
    config.delete_config_rule(ConfigRuleName="ssh")

    config.put_config_rule(
        ConfigRule={"ConfigRuleName": "any-env", "Scope": {"TagKey": "env"}, "Source": {
            "Owner": "AWS", "SourceIdentifier": "INCOMING_SSH_DISABLED"}}
    )  # fmt: skip
    rule = config.describe_config_rules(ConfigRuleNames=["any-env"])["ConfigRules"][0]
    assert rule["Scope"] == {"TagKey": "env"}


def test_resource_id_scope_and_leaving_it(clocked: Clocked) -> None:
    config, _, _, _ = clocked
    record_only(config, "AWS::SNS::Topic")
    put_custom(config, "one", OPEN, Tags={"env": "prod"})
    put_custom(config, "two", OPEN)
    _rule(config, Scope={"ComplianceResourceTypes": [CUSTOM], "ComplianceResourceId": "one"})
    _until(config, {"one": "NON_COMPLIANT"})
    put_custom(config, "two", CLOSED)
    time.sleep(0.3)
    assert _results(config) == {"one": "NON_COMPLIANT"}

    # Narrow the rule to another resource: the first one's result goes NOT_APPLICABLE.
    _rule(config, Scope={"ComplianceResourceTypes": [CUSTOM], "ComplianceResourceId": "two"})
    _until(config, {"one": "NOT_APPLICABLE", "two": "COMPLIANT"})
    # A change of a resource that left the scope keeps it NOT_APPLICABLE (eventLeftScope).
    put_custom(config, "one", CLOSED)
    time.sleep(0.3)
    assert _results(config) == {"one": "NOT_APPLICABLE", "two": "COMPLIANT"}
    # NOT_APPLICABLE never counts: "one" is INSUFFICIENT_DATA, and absent from listings.
    listed = config.describe_compliance_by_resource(ResourceType=CUSTOM)["ComplianceByResources"]
    assert [(r["ResourceId"], r["Compliance"]["ComplianceType"]) for r in listed] == [
        ("two", "COMPLIANT")
    ]
    one = config.describe_compliance_by_resource(ResourceType=CUSTOM, ResourceId="one")
    assert one["ComplianceByResources"][0]["Compliance"] == {"ComplianceType": "INSUFFICIENT_DATA"}


def test_deleted_resource_becomes_not_applicable(clocked: Clocked) -> None:
    config, _, server, account = clocked
    record_only(config, "AWS::SNS::Topic")
    put_custom(config, "gone", OPEN)
    _rule(config)
    _until(config, {"gone": "NON_COMPLIANT"})
    config.delete_resource_config(ResourceType=CUSTOM, ResourceId="gone")
    _until(config, {"gone": "NOT_APPLICABLE"})
    by_rule = config.describe_compliance_by_config_rule(ConfigRuleNames=["ssh"])
    assert by_rule["ComplianceByConfigRules"][0]["Compliance"] == {
        "ComplianceType": "INSUFFICIENT_DATA"
    }
    flips = [
        m["newEvaluationResult"]["complianceType"]
        for m in outbox_messages(server, account, "ComplianceChanged")
    ]
    assert flips == ["NON_COMPLIANT", "NOT_APPLICABLE"]


def test_deleting_a_rule_takes_its_results(clocked: Clocked) -> None:
    config, clock, _, _ = clocked
    record_only(config, "AWS::SNS::Topic")
    put_custom(config, "x", OPEN)
    _rule(config, "keep")
    _rule(config, "drop")
    _until(config, {"x": "NON_COMPLIANT"}, "keep")
    _until(config, {"x": "NON_COMPLIANT"}, "drop")
    config.delete_config_rule(ConfigRuleName="drop")
    details = config.get_compliance_details_by_resource(ResourceType=CUSTOM, ResourceId="x")
    rules = [
        r["EvaluationResultIdentifier"]["EvaluationResultQualifier"]["ConfigRuleName"]
        for r in details["EvaluationResults"]
    ]
    assert rules == ["keep"]
    listed = config.describe_compliance_by_resource(ResourceType=CUSTOM, ResourceId="x")
    assert listed["ComplianceByResources"][0]["Compliance"] == {
        "ComplianceType": "NON_COMPLIANT",
        "ComplianceContributorCount": {"CappedCount": 1, "CapExceeded": False},
    }
    # The name is free again; the new rule starts from nothing and evaluates afresh.
    _rule(config, "drop")
    _until(config, {"x": "NON_COMPLIANT"}, "drop")
    config.delete_evaluation_results(ConfigRuleName="drop")
    assert _results(config, "drop") == {}
    by_rule = config.describe_compliance_by_config_rule(ConfigRuleNames=["drop"])
    assert by_rule["ComplianceByConfigRules"][0]["Compliance"] == {
        "ComplianceType": "INSUFFICIENT_DATA"
    }
    assert [r["ConfigRuleName"] for r in config.describe_config_rules()["ConfigRules"]] == [
        "drop",
        "keep",
    ]  # the rule itself stays
    _until(config, {"x": "NON_COMPLIANT"}, "keep")  # the other rule's results too
    # Evaluated again on request, the results come back.
    clock.advance(61_000)
    config.start_config_rules_evaluation(ConfigRuleNames=["drop"])
    _until(config, {"x": "NON_COMPLIANT"}, "drop")


def test_start_evaluation_reevaluates_once_a_minute(clocked: Clocked) -> None:
    config, clock, server, account = clocked
    record_only(config, "AWS::SNS::Topic")
    put_custom(config, "x", CLOSED)
    _rule(config)
    _until(config, {"x": "COMPLIANT"})
    first = _status(config)["LastSuccessfulInvocationTime"]
    clock.advance(5_000)
    config.start_config_rules_evaluation(ConfigRuleNames=["ssh"])
    wait_for(lambda: _status(config)["LastSuccessfulInvocationTime"] > first, timeout=10)
    wait_for(
        lambda: config.describe_config_rules()["ConfigRules"][0]["ConfigRuleState"] == "ACTIVE"
    )
    result = config.get_compliance_details_by_config_rule(ConfigRuleName="ssh")[
        "EvaluationResults"
    ][0]
    assert result["ConfigRuleInvokedTime"].timestamp() * 1000 == pytest.approx(clock.now_ms())
    with pytest.raises(ClientError) as error:
        config.start_config_rules_evaluation(ConfigRuleNames=["ssh"])
    assert error.value.response["Error"]["Code"] == "LimitExceededException"
    clock.advance(61_000)
    config.start_config_rules_evaluation(ConfigRuleNames=["ssh"])
    started = outbox_messages(server, account, "ConfigRulesEvaluationStarted")
    assert [m["configRuleNames"] for m in started] == [["ssh"], ["ssh"], ["ssh"]]
    assert started[-1]["messageType"] == "ConfigRulesEvaluationStarted"


def test_periodic_rule_runs_when_its_period_has_passed(clocked: Clocked) -> None:
    config, clock, _, _ = clocked
    record_only(config, "AWS::SNS::Topic")
    put_custom(config, "x", CLOSED)
    _rule(config, MaximumExecutionFrequency="One_Hour")
    _until(config, {"x": "COMPLIANT"})
    created = _status(config)["LastSuccessfulInvocationTime"]
    clock.advance(HOUR - 60_000)
    time.sleep(0.5)  # the worker looks at the clock every 50 ms
    assert _status(config)["LastSuccessfulInvocationTime"] == created
    clock.advance(2 * 60_000)
    wait_for(lambda: _status(config)["LastSuccessfulInvocationTime"] > created, timeout=10)
    ran = _status(config)["LastSuccessfulInvocationTime"]
    assert ran.timestamp() * 1000 == pytest.approx(clock.now_ms())
    # The next one is due an hour after the first was due (T0 + 2 h), not an hour after
    # it ran a minute late.
    clock.advance(HOUR - 60_000)
    wait_for(lambda: _status(config)["LastSuccessfulInvocationTime"] > ran, timeout=10)


def test_compliance_history_items(clocked: Clocked) -> None:
    config, _, _, _ = clocked
    record_only(config, "AWS::Config::ResourceCompliance")
    put_custom(config, "x", OPEN)
    _rule(config)
    _until(config, {"x": "NON_COMPLIANT"})
    put_custom(config, "x", CLOSED)
    _until(config, {"x": "COMPLIANT"})
    compliance_type = "AWS::Config::ResourceCompliance"

    def timeline() -> list[str]:
        try:
            items = config.get_resource_config_history(
                resourceType=compliance_type, resourceId=f"{CUSTOM}/x", chronologicalOrder="Forward"
            )["configurationItems"]
        except config.exceptions.ResourceNotDiscoveredException:
            return []
        return [json.loads(i["configuration"])["complianceType"] for i in items]

    wait_for(lambda: timeline() == ["NON_COMPLIANT", "COMPLIANT"], timeout=10)
    item = config.get_resource_config_history(
        resourceType=compliance_type, resourceId=f"{CUSTOM}/x", limit=1
    )["configurationItems"][0]
    assert item["relationships"] == [
        {"resourceType": CUSTOM, "resourceId": "x", "relationshipName": "Is associated with "}
    ]
    configuration = json.loads(item["configuration"])
    rule = config.describe_config_rules()["ConfigRules"][0]
    assert configuration == {
        "complianceType": "COMPLIANT",
        "targetResourceId": "x",
        "targetResourceType": CUSTOM,
        "configRuleList": [
            {
                "configRuleArn": rule["ConfigRuleArn"],
                "configRuleId": rule["ConfigRuleId"],
                "configRuleName": "ssh",
                "complianceType": "COMPLIANT",
            }
        ],
    }
    config.delete_config_rule(ConfigRuleName="ssh")
    wait_for(lambda: timeline()[-1:] == ["INSUFFICIENT_DATA"], timeout=10)


def test_no_compliance_history_when_the_type_is_not_recorded(clocked: Clocked) -> None:
    config, _, _, _ = clocked
    record_only(config, "AWS::SNS::Topic")
    put_custom(config, "x", OPEN)
    _rule(config)
    _until(config, {"x": "NON_COMPLIANT"})
    time.sleep(0.3)
    with pytest.raises(ClientError) as error:
        config.get_resource_config_history(
            resourceType="AWS::Config::ResourceCompliance", resourceId=f"{CUSTOM}/x"
        )
    assert error.value.response["Error"]["Code"] == "ResourceNotDiscoveredException"
