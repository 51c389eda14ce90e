"""PutConfigRule, DescribeConfigRules, DeleteConfigRule and friends: AWS's shapes, and
AWS's answers to bad input with nothing written."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from configledger.errors import InvalidParameterValueException
from configledger.rules.definition import parse_parameters
from configledger.rules.types import ManagedRule, Param, Trigger, compliant
from tests.conftest import LiveServer, config_client, start_custom_recording, start_server
from tests.helpers import row_counts
from tests.rules.helpers import CUSTOM

SSH = {"Owner": "AWS", "SourceIdentifier": "INCOMING_SSH_DISABLED"}
FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:f"


def _code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


def _put(config: Any, **rule: Any) -> None:
    config.put_config_rule(ConfigRule={"ConfigRuleName": "r", "Source": SSH, **rule})


def test_put_and_describe_round_trip(config: Any) -> None:
    start_custom_recording(config)
    config.put_config_rule(
        ConfigRule={
            "ConfigRuleName": "restricted-ssh",
            "Description": "no ssh from anywhere",
            "Scope": {"ComplianceResourceTypes": ["AWS::EC2::SecurityGroup"]},
            "Source": SSH,
            "MaximumExecutionFrequency": "Six_Hours",
        },
        Tags=[{"Key": "team", "Value": "sec"}],
    )
    rule = config.describe_config_rules(ConfigRuleNames=["restricted-ssh"])["ConfigRules"][0]
    assert rule["ConfigRuleId"].startswith("config-rule-") and len(rule["ConfigRuleId"]) == 18
    account = rule["ConfigRuleArn"].split(":")[4]
    assert rule["ConfigRuleArn"] == (
        f"arn:aws:config:us-east-1:{account}:config-rule/{rule['ConfigRuleId']}"
    )
    assert rule["Description"] == "no ssh from anywhere"
    assert rule["Scope"] == {"ComplianceResourceTypes": ["AWS::EC2::SecurityGroup"]}
    assert rule["Source"] == SSH
    assert rule["MaximumExecutionFrequency"] == "Six_Hours"
    assert rule["ConfigRuleState"] == "ACTIVE"
    assert rule["EvaluationModes"] == [{"Mode": "DETECTIVE"}]
    tags = config.list_tags_for_resource(ResourceArn=rule["ConfigRuleArn"])["Tags"]
    assert tags == [{"Key": "team", "Value": "sec"}]

    # An update by ARN keeps name and id; tags given on update are ignored.
    config.put_config_rule(
        ConfigRule={"ConfigRuleArn": rule["ConfigRuleArn"], "Source": SSH, "Description": "v2"},
        Tags=[{"Key": "other", "Value": "x"}],
    )
    updated = config.describe_config_rules()["ConfigRules"]
    assert [(r["ConfigRuleName"], r["ConfigRuleId"], r.get("Description")) for r in updated] == [
        ("restricted-ssh", rule["ConfigRuleId"], "v2")
    ]
    assert "Scope" not in updated[0]
    assert config.list_tags_for_resource(ResourceArn=rule["ConfigRuleArn"])["Tags"] == tags

    config.delete_config_rule(ConfigRuleName="restricted-ssh")
    assert config.describe_config_rules()["ConfigRules"] == []
    with pytest.raises(ClientError) as error:
        config.list_tags_for_resource(ResourceArn=rule["ConfigRuleArn"])
    assert _code(error) == "ResourceNotFoundException"


def test_custom_lambda_and_policy_rules_are_stored_and_described(config: Any) -> None:
    start_custom_recording(config)
    lambda_source = {
        "Owner": "CUSTOM_LAMBDA",
        "SourceIdentifier": "arn:aws:lambda:us-east-1:123456789012:function:check",
        "SourceDetails": [
            {"EventSource": "aws.config", "MessageType": "ConfigurationItemChangeNotification"},
            {"EventSource": "aws.config", "MessageType": "ScheduledNotification"},
        ],
    }
    config.put_config_rule(
        ConfigRule={
            "ConfigRuleName": "lambda",
            "Source": lambda_source,
            "InputParameters": '{"a":"1"}',
        }
    )
    policy = 'rule ok when resourceType == "AWS::EC2::Volume" { configuration.encrypted == true }'
    config.put_config_rule(
        ConfigRule={
            "ConfigRuleName": "guard",
            "Scope": {"ComplianceResourceTypes": ["AWS::EC2::Volume"]},
            "Source": {
                "Owner": "CUSTOM_POLICY",
                "SourceDetails": [
                    {
                        "EventSource": "aws.config",
                        "MessageType": "ConfigurationItemChangeNotification",
                    }
                ],
                "CustomPolicyDetails": {"PolicyRuntime": "guard-2.x.x", "PolicyText": policy},
            },
        }
    )
    rules = {r["ConfigRuleName"]: r for r in config.describe_config_rules()["ConfigRules"]}
    described = rules["lambda"]["Source"]
    assert described["SourceIdentifier"] == lambda_source["SourceIdentifier"]
    assert described["SourceDetails"][1] == {
        "EventSource": "aws.config",
        "MessageType": "ScheduledNotification",
        "MaximumExecutionFrequency": "TwentyFour_Hours",
    }
    assert rules["lambda"]["InputParameters"] == '{"a":"1"}'
    assert rules["guard"]["Source"]["CustomPolicyDetails"] == {
        "PolicyRuntime": "guard-2.x.x",
        "EnableDebugLogDelivery": False,
    }
    assert config.get_custom_rule_policy(ConfigRuleName="guard")["PolicyText"] == policy


BAD_RULES = [
    ("unknown identifier", {"Source": {"Owner": "AWS", "SourceIdentifier": "NOT_A_RULE"}},
     "InvalidParameterValueException", "sourceIdentifier NOT_A_RULE is invalid"),
    ("unknown parameter", {"InputParameters": '{"port":"22"}'},
     "InvalidParameterValueException", "Unknown parameters"),
    ("parameters not JSON", {"InputParameters": "{port"},
     "InvalidParameterValueException", "Invalid json"),
    ("parameters not an object", {"InputParameters": "[1]"},
     "InvalidParameterValueException", "Invalid json"),
    ("source details on a managed rule",
     {"Source": {**SSH, "SourceDetails": [{"EventSource": "aws.config",
                 "MessageType": "ConfigurationItemChangeNotification"}]}},
     "InvalidParameterValueException", "SourceDetails should be null/empty"),
    ("lambda without source details",
     {"Source": {"Owner": "CUSTOM_LAMBDA", "SourceIdentifier": FUNCTION}},
     "InvalidParameterValueException", "SourceDetails should be provided"),
    ("frequency on a change trigger",
     {"Source": {"Owner": "CUSTOM_LAMBDA", "SourceIdentifier": FUNCTION,
                 "SourceDetails": [{"EventSource": "aws.config",
                                    "MessageType": "ConfigurationItemChangeNotification",
                                    "MaximumExecutionFrequency": "One_Hour"}]}},
     "InvalidParameterValueException", "maximum execution frequency is not allowed"),
    ("policy rule without its policy",
     {"Source": {"Owner": "CUSTOM_POLICY", "SourceDetails": [
         {"EventSource": "aws.config", "MessageType": "ConfigurationItemChangeNotification"}]}},
     "InvalidParameterValueException", "CustomPolicyDetails is required"),
    ("tag value without key", {"Scope": {"TagValue": "prod"}},
     "InvalidParameterValueException", "Tag key should not be empty"),
    ("tag and types", {"Scope": {"TagKey": "env", "ComplianceResourceTypes": [CUSTOM]}},
     "InvalidParameterValueException", "both resource and tag"),
    ("resource id with two types",
     {"Scope": {"ComplianceResourceId": "x",
                "ComplianceResourceTypes": [CUSTOM, "AWS::S3::Bucket"]}},
     "InvalidParameterValueException", "single resourceType"),
    ("id on create", {"ConfigRuleId": "config-rule-abcdef"},
     "InvalidParameterValueException", "can not be specified when creating"),
    ("created by", {"CreatedBy": "securityhub.amazonaws.com"},
     "InvalidParameterValueException", "CreatedBy"),
    ("bad frequency", {"MaximumExecutionFrequency": "Two_Hours"}, "ValidationException",
     "maximumExecutionFrequency"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "rule", "code", "text"), BAD_RULES, ids=[b[0] for b in BAD_RULES])
def test_bad_rules_get_aws_errors_and_write_nothing(
    backend: LiveServer, case: str, rule: dict[str, Any], code: str, text: str
) -> None:
    config = config_client(backend, validate=False)
    start_custom_recording(config)
    account = config.describe_configuration_recorders()["ConfigurationRecorders"][0]["arn"].split(
        ":"
    )[4]
    before = row_counts(backend.db_url, account)
    with pytest.raises(ClientError) as error:
        _put(config, **rule)
    assert _code(error) == code, case
    assert text in error.value.response["Error"]["Message"]
    assert row_counts(backend.db_url, account) == before


def test_a_rule_needs_a_recorder(config: Any) -> None:
    with pytest.raises(ClientError) as error:
        _put(config)
    assert _code(error) == "NoAvailableConfigurationRecorderException"


def test_rule_quota(tmp_path: Any) -> None:
    server = start_server(f"sqlite:///{tmp_path / 'q.db'}", max_config_rules=2)
    try:
        config = config_client(server)
        start_custom_recording(config)
        config.put_config_rule(ConfigRule={"ConfigRuleName": "a", "Source": SSH})
        config.put_config_rule(ConfigRule={"ConfigRuleName": "b", "Source": SSH})
        config.put_config_rule(ConfigRule={"ConfigRuleName": "a", "Source": SSH})  # an update
        with pytest.raises(ClientError) as error:
            config.put_config_rule(ConfigRule={"ConfigRuleName": "c", "Source": SSH})
        assert _code(error) == "MaxNumberOfConfigRulesExceededException"
        assert "maximum number of config rules: 2" in str(error.value)
    finally:
        server.stop()


def test_unknown_rules_are_refused_everywhere(config: Any) -> None:
    start_custom_recording(config)
    _put(config)
    calls = [
        lambda: config.describe_config_rules(ConfigRuleNames=["r", "nope"]),
        lambda: config.delete_config_rule(ConfigRuleName="nope"),
        lambda: config.delete_evaluation_results(ConfigRuleName="nope"),
        lambda: config.start_config_rules_evaluation(ConfigRuleNames=["nope"]),
        lambda: config.describe_config_rule_evaluation_status(ConfigRuleNames=["nope"]),
        lambda: config.get_compliance_details_by_config_rule(ConfigRuleName="nope"),
        lambda: config.describe_compliance_by_config_rule(ConfigRuleNames=["nope"]),
        lambda: config.put_external_evaluation(
            ConfigRuleName="nope",
            ExternalEvaluation={
                "ComplianceResourceType": "AWS::::Account",
                "ComplianceResourceId": "123456789012",
                "ComplianceType": "COMPLIANT",
                "OrderingTimestamp": 1,
            },
        ),
    ]
    for call in calls:
        with pytest.raises(ClientError) as error:
            call()
        assert _code(error) == "NoSuchConfigRuleException"
        assert "The ConfigRule 'nope' provided in the request is invalid" in str(error.value)


def test_bad_compliance_queries(backend: LiveServer) -> None:
    config = config_client(backend, validate=False)
    start_custom_recording(config)
    _put(config)
    cases = [
        lambda: config.get_compliance_details_by_resource(
            ResourceType=CUSTOM, ResourceId="x", ComplianceTypes=["INSUFFICIENT_DATA"]
        ),
        lambda: config.get_compliance_details_by_config_rule(
            ConfigRuleName="r", ComplianceTypes=["INSUFFICIENT_DATA"]
        ),
        lambda: config.describe_compliance_by_resource(ResourceId="x"),
        lambda: config.describe_compliance_by_config_rule(ComplianceTypes=["NOT_APPLICABLE"]),
        lambda: config.get_compliance_details_by_resource(ResourceType=CUSTOM),
        lambda: config.start_config_rules_evaluation(ConfigRuleNames=[]),
        lambda: config.put_evaluations(
            ResultToken="TESTMODE",
            TestMode=True,
            Evaluations=[
                {
                    "ComplianceResourceType": CUSTOM,
                    "ComplianceResourceId": "x",
                    "ComplianceType": "INSUFFICIENT_DATA",
                    "OrderingTimestamp": 1,
                }
            ],
        ),
        lambda: config.put_external_evaluation(
            ConfigRuleName="r",
            ExternalEvaluation={
                "ComplianceResourceType": "AWS::::Account",
                "ComplianceResourceId": "123456789012",
                "ComplianceType": "COMPLIANT",
                "OrderingTimestamp": 1,
            },
        ),
    ]
    for index, call in enumerate(cases):
        with pytest.raises(ClientError) as error:
            call()
        assert _code(error) in ("InvalidParameterValueException", "ValidationException"), index
    with pytest.raises(ClientError) as error:
        config.describe_compliance_by_resource(Limit=101)
    assert _code(error) in ("ValidationException", "InvalidLimitException")
    with pytest.raises(ClientError) as error:
        config.get_compliance_details_by_config_rule(ConfigRuleName="r", NextToken="forged")
    assert _code(error) == "InvalidNextTokenException"


def test_process_check_takes_external_evaluations(config: Any) -> None:
    start_custom_recording(config)
    config.put_config_rule(
        ConfigRule={
            "ConfigRuleName": "backups-reviewed",
            "Source": {"Owner": "AWS", "SourceIdentifier": "AWS_CONFIG_PROCESS_CHECK"},
        }
    )
    account = config.describe_config_rules()["ConfigRules"][0]["ConfigRuleArn"].split(":")[4]
    config.put_external_evaluation(
        ConfigRuleName="backups-reviewed",
        ExternalEvaluation={
            "ComplianceResourceType": "AWS::::Account",
            "ComplianceResourceId": account,
            "ComplianceType": "NON_COMPLIANT",
            "Annotation": "not reviewed this quarter",
            "OrderingTimestamp": 1_700_000_000,
        },
    )
    results = config.get_compliance_details_by_config_rule(ConfigRuleName="backups-reviewed")[
        "EvaluationResults"
    ]
    assert [(r["ComplianceType"], r["Annotation"]) for r in results] == [
        ("NON_COMPLIANT", "not reviewed this quarter")
    ]
    summary = config.get_compliance_summary_by_resource_type(ResourceTypes=["AWS::::Account"])
    counts = summary["ComplianceSummariesByResourceType"][0]["ComplianceSummary"]
    assert counts["NonCompliantResourceCount"] == {"CappedCount": 1, "CapExceeded": False}
    with pytest.raises(ClientError) as error:
        config.put_external_evaluation(
            ConfigRuleName="backups-reviewed",
            ExternalEvaluation={
                "ComplianceResourceType": CUSTOM,
                "ComplianceResourceId": "x",
                "ComplianceType": "COMPLIANT",
                "OrderingTimestamp": 1_700_000_001,
            },
        )
    assert _code(error) == "InvalidParameterValueException"


TYPED = ManagedRule(
    identifier="TYPED_RULE",
    resource_types=("AWS::S3::Bucket",),
    triggers=frozenset({Trigger.CHANGE}),
    evaluate=lambda rule_input: compliant(),
    parameters=(
        Param("maxAge", "int", optional=False),
        Param("ratio", "double", default="0.5"),
        Param("strict", "boolean", default="false"),
        Param("names", "CSV"),
        Param("labels", "StringMap"),
        Param("owner", "String"),
    ),
)


def test_parameters_are_parsed_to_catalogue_types() -> None:
    parsed = parse_parameters(
        TYPED,
        '{"maxAge":"90","strict":"TRUE","names":" a, b ,,c","labels":"{\\"k\\":\\"v\\"}"}',
    )
    assert parsed == {
        "maxAge": 90,
        "ratio": 0.5,
        "strict": True,
        "names": ["a", "b", "c"],
        "labels": {"k": "v"},
    }
    for bad, text in [
        ("{}", "The required parameter [maxAge] is not present"),
        ('{"maxAge":" "}', "The required parameter [maxAge] is not present"),
        ('{"maxAge":"ninety"}', "expected an integer"),
        ('{"maxAge":"1","ratio":"x"}', "expected a number"),
        ('{"maxAge":"1","strict":"yes"}', "expected true or false"),
        ('{"maxAge":"1","labels":"[1]"}', "JSON object"),
        ('{"maxAge":"1","extra":"1"}', "Unknown parameters"),
    ]:
        with pytest.raises(InvalidParameterValueException) as error:
            parse_parameters(TYPED, bad)
        assert text in error.value.message, bad
