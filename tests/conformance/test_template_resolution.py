"""The template resolver over named templates: each intrinsic in its short and long
form, parameters, conditions and mappings, and the errors that name what is wrong."""

from __future__ import annotations

from typing import Any

import pytest

from configledger.rules.conformance.template import Context, TemplateError, parse

CONTEXT = Context(
    account_id="123456789012",
    region="eu-west-1",
    stack_name="awsconfigconforms-p-conformance-pack-abcdefgh",
    stack_id="arn:aws:cloudformation:eu-west-1:123456789012:stack/s/1",
    rule_name=lambda name: f"{name}-conformance-pack-abcdefgh",
)

HEAD = """
Parameters:
  Names: {Type: CommaDelimitedList, Default: "a, b,c"}
  Env: {Type: String, Default: prod, AllowedValues: [prod, dev]}
  Age: {Type: Number, Default: 90}
Mappings:
  Sizes: {prod: {max: "10"}, dev: {max: "2"}}
Conditions:
  isProd: !Equals [!Ref Env, prod]
  isDev: {"Fn::Not": [{"Condition": isProd}]}
  both: !And [!Condition isProd, !Not [!Condition isDev]]
  either: {"Fn::Or": [{"Condition": isDev}, {"Condition": both}]}
Resources:
  Rule:
    Type: AWS::Config::ConfigRule
    Properties:
      ConfigRuleName: rule
      Source: {Owner: AWS, SourceIdentifier: AWS_CONFIG_PROCESS_CHECK}
"""


def resolved(properties: str, inputs: dict[str, str] | None = None) -> dict[str, Any]:
    body = (
        HEAD
        + "      Description: x\n"
        + "".join(f"      {line}\n" for line in properties.strip().splitlines())
    )
    [rule] = parse(body, inputs or {}, CONTEXT).rules
    return rule.properties


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Scope: {TagKey: !Sub '${AWS::Region}-${Env}'}", {"TagKey": "eu-west-1-prod"}),
        ("Scope: {TagKey: {'Fn::Sub': ['${x}!${!y}', {x: !Ref Age}]}}", {"TagKey": "90!${y}"}),
        ("Scope: {TagKey: !Join ['/', !Ref Names]}", {"TagKey": "a/b/c"}),
        ("Scope: {TagKey: !Select [1, !Split [',', 'x,y,z']]}", {"TagKey": "y"}),
        ("Scope: {TagKey: !FindInMap [Sizes, !Ref Env, max]}", {"TagKey": "10"}),
        ("Scope: {TagKey: !Base64 abc}", {"TagKey": "YWJj"}),
        ("Scope: {TagKey: !If [both, big, small]}", {"TagKey": "big"}),
        ("Scope: {TagKey: !If [either, big, small]}", {"TagKey": "big"}),
        ("Scope: {TagKey: !If [isDev, dev, !Ref 'AWS::NoValue']}", {}),
        ("Scope: {TagKey: !Ref 'AWS::AccountId', TagValue: !Ref 'AWS::Partition'}",
         {"TagKey": "123456789012", "TagValue": "aws"}),
        ("Scope: {ComplianceResourceTypes: [!Ref 'AWS::NoValue', AWS::S3::Bucket]}",
         {"ComplianceResourceTypes": ["AWS::S3::Bucket"]}),
    ],
)  # fmt: skip
def test_intrinsics_resolve(written: str, expected: dict[str, Any]) -> None:
    assert resolved(written)["Scope"] == expected


def test_inputs_override_defaults_and_feed_conditions() -> None:
    properties = resolved(
        "Scope: {TagKey: !If [isDev, !FindInMap [Sizes, !Ref Env, max], big]}", {"Env": "dev"}
    )
    assert properties["Scope"] == {"TagKey": "2"}


def test_a_rule_ref_is_its_deployed_name() -> None:
    body = HEAD + (
        "  Fix:\n    Type: AWS::Config::RemediationConfiguration\n    Properties:\n"
        "      ConfigRuleName: !Ref Rule\n      TargetType: SSM_DOCUMENT\n      TargetId: Doc\n"
    )
    template = parse(body, {}, CONTEXT)
    [fix] = template.remediations
    assert fix.properties["ConfigRuleName"] == "rule-conformance-pack-abcdefgh"
    assert template.rules[0].name == "rule-conformance-pack-abcdefgh"


def test_a_false_resource_condition_leaves_the_resource_out() -> None:
    body = HEAD + (
        "  DevOnly:\n    Type: AWS::Config::ConfigRule\n    Condition: isDev\n    Properties:\n"
        "      Source: {Owner: AWS, SourceIdentifier: AWS_CONFIG_PROCESS_CHECK}\n"
    )
    assert [r.logical_id for r in parse(body, {}, CONTEXT).rules] == ["Rule"]
    assert [r.logical_id for r in parse(body, {"Env": "dev"}, CONTEXT).rules] == ["Rule", "DevOnly"]


@pytest.mark.parametrize(
    ("written", "inputs", "message"),
    [
        ("Description: !GetAZs ''", {}, "Fn::GetAZs"),
        ("Description: {'Fn::Nope': 1}", {}, "encountered unsupported function: Fn::Nope"),
        ("Description: !If [missing, a, b]", {}, "unresolved condition dependency missing"),
        ("Description: !Select [9, [a]]", {}, "has no item 9"),
        ("Description: !FindInMap [Sizes, qa, max]", {}, "finds no Sizes/qa/max"),
        ("Description: !Join [',']", {}, "takes a list of 2 values"),
        ("Description: x", {"Env": "qa"}, "must be one of AllowedValues: prod, dev"),
        ("Description: x", {"Age": "old"}, "Parameter 'Age' must be a number"),
        ("Description: !Sub '${Rule.Arn}'", {}, "needs Fn::GetAtt"),
    ],
)
def test_errors_name_the_problem(written: str, inputs: dict[str, str], message: str) -> None:
    body = HEAD.replace("      Source:", f"      {written}\n      Source:")
    with pytest.raises(TemplateError) as caught:
        parse(body, inputs, CONTEXT)
    assert message in str(caught.value)


def test_circular_conditions_are_refused() -> None:
    body = HEAD.replace(
        "Conditions:\n", "Conditions:\n  a: !Not [!Condition b]\n  b: !Not [!Condition a]\n"
    ).replace("      Source:", "      Description: !If [a, x, y]\n      Source:")
    with pytest.raises(TemplateError) as caught:
        parse(body, {}, CONTEXT)
    assert "circular dependency" in str(caught.value)
