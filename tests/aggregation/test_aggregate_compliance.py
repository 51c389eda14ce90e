"""The aggregate compliance reads over three accounts and two regions, on both stores.

Each partition holds an AWS_CONFIG_PROCESS_CHECK rule (or a conformance pack of one)
whose result is put with PutExternalEvaluation. The aggregator sees its own account and
the sources that authorized it in a region; the rest stays out of every answer.

    partition  rule "reviewed"      authorized
    hub R1     COMPLIANT            (own account)
    hub R2     NON_COMPLIANT        (own account)
    b   R1     NON_COMPLIANT        yes
    b   R2     no result            no
    c   R1     COMPLIANT            yes
    c   R2     NON_COMPLIANT        no
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.aggregation.conftest import R1, R2, Estate
from tests.aggregation.test_aggregate_reads import aws_error
from tests.conftest import pack_settled

RULE = "reviewed"
PACK_TEMPLATE = """Resources:
  Check:
    Type: AWS::Config::ConfigRule
    Properties:
      ConfigRuleName: check
      Source: {Owner: AWS, SourceIdentifier: AWS_CONFIG_PROCESS_CHECK}
"""


def evaluate(client: Any, account: str, rule: str, compliance: str) -> None:
    client.put_external_evaluation(
        ConfigRuleName=rule,
        ExternalEvaluation={
            "ComplianceResourceType": "AWS::::Account",
            "ComplianceResourceId": account,
            "ComplianceType": compliance,
            "Annotation": f"{compliance} in {account}",
            "OrderingTimestamp": datetime.now(UTC),
        },
    )


@pytest.fixture
def rules(estate: Estate) -> Estate:
    plan = {
        (estate.hub, R1): "COMPLIANT",
        (estate.hub, R2): "NON_COMPLIANT",
        (estate.b, R1): "NON_COMPLIANT",
        (estate.b, R2): None,
        (estate.c, R1): "COMPLIANT",
        (estate.c, R2): "NON_COMPLIANT",
    }
    for (account, region), compliance in plan.items():
        client = estate.client(account, region)
        client.put_config_rule(
            ConfigRule={
                "ConfigRuleName": RULE,
                "Source": {"Owner": "AWS", "SourceIdentifier": "AWS_CONFIG_PROCESS_CHECK"},
            }
        )
        if compliance:
            evaluate(client, account, RULE, compliance)
    estate.put_aggregator()
    estate.authorize(estate.b, R1)
    estate.authorize(estate.c, R1)
    return estate


def by_rule(estate: Estate, **kwargs: Any) -> list[tuple[str, str, str, str]]:
    client = estate.client(estate.hub)
    found: list[tuple[str, str, str, str]] = []
    token = None
    while True:
        extra = {"NextToken": token} if token else {}
        page = client.describe_aggregate_compliance_by_config_rules(
            ConfigurationAggregatorName="all", **kwargs, **extra
        )
        found += [
            (e["AccountId"], e["AwsRegion"], e["ConfigRuleName"], e["Compliance"]["ComplianceType"])
            for e in page["AggregateComplianceByConfigRules"]
        ]
        token = page.get("NextToken")
        if not token:
            return found


def test_rule_compliance_across_accounts_leaves_out_unauthorized_sources(rules: Estate) -> None:
    e = rules
    expected = sorted(
        [
            (e.hub, R1, RULE, "COMPLIANT"),
            (e.hub, R2, RULE, "NON_COMPLIANT"),
            (e.b, R1, RULE, "NON_COMPLIANT"),
            (e.c, R1, RULE, "COMPLIANT"),
        ]
    )
    assert sorted(by_rule(e)) == expected
    assert sorted(by_rule(e, Limit=1)) == expected  # one per page, each once
    assert sorted(by_rule(e, Filters={"ComplianceType": "NON_COMPLIANT"})) == [
        x for x in expected if x[3] == "NON_COMPLIANT"
    ]
    assert by_rule(e, Filters={"AccountId": e.c}) == [(e.c, R1, RULE, "COMPLIANT")]
    assert sorted(by_rule(e, Filters={"AwsRegion": R2})) == [(e.hub, R2, RULE, "NON_COMPLIANT")]
    assert by_rule(e, Filters={"ConfigRuleName": "another"}) == []
    page = e.client(e.hub).describe_aggregate_compliance_by_config_rules(
        ConfigurationAggregatorName="all", Filters={"AccountId": e.b}
    )
    [entry] = page["AggregateComplianceByConfigRules"]
    assert entry["Compliance"]["ComplianceContributorCount"] == {
        "CappedCount": 1,
        "CapExceeded": False,
    }

    # c authorizes R2 too: its non-compliant rule shows up; b revokes R1: b is gone.
    e.authorize(e.c, R2)
    e.client(e.b, R1).delete_aggregation_authorization(
        AuthorizedAccountId=e.hub, AuthorizedAwsRegion=R1
    )
    assert sorted(by_rule(e)) == sorted(
        [x for x in expected if x[0] != e.b] + [(e.c, R2, RULE, "NON_COMPLIANT")]
    )


def test_details_of_a_source_rule(rules: Estate) -> None:
    e = rules
    client = e.client(e.hub)

    def details(account: str, region: str, **kwargs: Any) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = client.get_aggregate_compliance_details_by_config_rule(
            ConfigurationAggregatorName="all",
            ConfigRuleName=RULE,
            AccountId=account,
            AwsRegion=region,
            **kwargs,
        )["AggregateEvaluationResults"]
        return found

    [result] = details(e.b, R1)
    assert result["AccountId"] == e.b and result["AwsRegion"] == R1
    assert result["ComplianceType"] == "NON_COMPLIANT"
    assert result["Annotation"] == f"NON_COMPLIANT in {e.b}"
    qualifier = result["EvaluationResultIdentifier"]["EvaluationResultQualifier"]
    assert qualifier["ConfigRuleName"] == RULE
    assert (qualifier["ResourceType"], qualifier["ResourceId"]) == ("AWS::::Account", e.b)
    assert details(e.b, R1, ComplianceType="COMPLIANT") == []
    assert [r["ComplianceType"] for r in details(e.hub, R2)] == ["NON_COMPLIANT"]
    assert details(e.c, R2) == []  # c did not authorize R2: its result stays hidden
    assert details(e.b, R2) == []  # no result


def test_rule_summary_grouped_by_account_and_region(rules: Estate) -> None:
    e = rules
    client = e.client(e.hub)

    def summary(**kwargs: Any) -> dict[str, tuple[int, int]]:
        reply = client.get_aggregate_config_rule_compliance_summary(
            ConfigurationAggregatorName="all", **kwargs
        )
        if "GroupByKey" in kwargs:
            assert reply["GroupByKey"] == kwargs["GroupByKey"]
        return {
            g.get("GroupName", ""): (
                g["ComplianceSummary"]["CompliantResourceCount"]["CappedCount"],
                g["ComplianceSummary"]["NonCompliantResourceCount"]["CappedCount"],
            )
            for g in reply["AggregateComplianceCounts"]
        }

    assert summary(GroupByKey="ACCOUNT_ID") == {e.hub: (1, 1), e.b: (0, 1), e.c: (1, 0)}
    assert summary(GroupByKey="AWS_REGION") == {R1: (2, 1), R2: (0, 1)}
    assert summary(GroupByKey="AWS_REGION", Filters={"AccountId": e.hub}) == {
        R1: (1, 0),
        R2: (0, 1),
    }
    assert summary() == {"": (2, 2)}
    first = client.get_aggregate_config_rule_compliance_summary(
        ConfigurationAggregatorName="all", GroupByKey="ACCOUNT_ID", Limit=2
    )
    rest = client.get_aggregate_config_rule_compliance_summary(
        ConfigurationAggregatorName="all",
        GroupByKey="ACCOUNT_ID",
        Limit=2,
        NextToken=first["NextToken"],
    )
    names = [g["GroupName"] for g in first["AggregateComplianceCounts"]]
    names += [g["GroupName"] for g in rest["AggregateComplianceCounts"]]
    assert names == sorted(e.accounts) and "NextToken" not in rest


def test_conformance_packs_across_accounts(estate: Estate) -> None:
    e = estate
    plan = {(e.hub, R1): "COMPLIANT", (e.c, R1): "NON_COMPLIANT", (e.c, R2): "COMPLIANT"}
    for (account, region), compliance in plan.items():
        client = e.client(account, region)
        client.put_conformance_pack(ConformancePackName="fleet", TemplateBody=PACK_TEMPLATE)
        pack_settled(client, "fleet")
        [rule] = client.describe_conformance_pack_compliance(ConformancePackName="fleet")[
            "ConformancePackRuleComplianceList"
        ]
        evaluate(client, account, rule["ConfigRuleName"], compliance)
    e.client(e.b, R1).put_conformance_pack(ConformancePackName="idle", TemplateBody=PACK_TEMPLATE)
    pack_settled(e.client(e.b, R1), "idle")
    e.put_aggregator()
    e.authorize(e.b, R1)
    e.authorize(e.c, R1)  # c R2 stays unauthorized
    client = e.client(e.hub)

    def packs(**kwargs: Any) -> list[tuple[Any, ...]]:
        found = client.describe_aggregate_compliance_by_conformance_packs(
            ConfigurationAggregatorName="all", **kwargs
        )["AggregateComplianceByConformancePacks"]
        return [
            (
                p["AccountId"],
                p["AwsRegion"],
                p["ConformancePackName"],
                p["Compliance"]["ComplianceType"],
                p["Compliance"]["CompliantRuleCount"],
                p["Compliance"]["NonCompliantRuleCount"],
                p["Compliance"]["TotalRuleCount"],
            )
            for p in found
        ]

    expected = sorted(
        [
            (e.hub, R1, "fleet", "COMPLIANT", 1, 0, 1),
            (e.b, R1, "idle", "INSUFFICIENT_DATA", 0, 0, 1),
            (e.c, R1, "fleet", "NON_COMPLIANT", 0, 1, 1),
        ]
    )
    assert sorted(packs()) == expected
    assert packs(Filters={"ComplianceType": "NON_COMPLIANT"}) == [expected[-1]]
    assert sorted(packs(Filters={"ConformancePackName": "fleet"})) == [
        x for x in expected if x[2] == "fleet"
    ]
    assert packs(Filters={"AwsRegion": R2}) == []
    first = client.describe_aggregate_compliance_by_conformance_packs(
        ConfigurationAggregatorName="all", Limit=2
    )
    rest = client.describe_aggregate_compliance_by_conformance_packs(
        ConfigurationAggregatorName="all", Limit=2, NextToken=first["NextToken"]
    )
    assert len(first["AggregateComplianceByConformancePacks"]) == 2
    assert len(rest["AggregateComplianceByConformancePacks"]) == 1

    def summary(key: str) -> dict[str, tuple[int, int]]:
        reply = client.get_aggregate_conformance_pack_compliance_summary(
            ConfigurationAggregatorName="all", GroupByKey=key
        )
        assert reply["GroupByKey"] == key
        return {
            g["GroupName"]: (
                g["ComplianceSummary"]["CompliantConformancePackCount"],
                g["ComplianceSummary"]["NonCompliantConformancePackCount"],
            )
            for g in reply["AggregateConformancePackComplianceSummaries"]
        }

    assert summary("ACCOUNT_ID") == {e.hub: (1, 0), e.b: (0, 0), e.c: (0, 1)}
    assert summary("AWS_REGION") == {R1: (1, 1)}


def test_errors(rules: Estate) -> None:
    e = rules
    client = e.client(e.hub)
    calls: list[tuple[Any, dict[str, Any]]] = [
        (client.describe_aggregate_compliance_by_config_rules, {}),
        (client.get_aggregate_config_rule_compliance_summary, {}),
        (client.describe_aggregate_compliance_by_conformance_packs, {}),
        (client.get_aggregate_conformance_pack_compliance_summary, {}),
        (
            client.get_aggregate_compliance_details_by_config_rule,
            {"ConfigRuleName": RULE, "AccountId": e.b, "AwsRegion": R1},
        ),
    ]
    for call, extra in calls:
        code, message = aws_error(call, ConfigurationAggregatorName="nowhere", **extra)
        assert code == "NoSuchConfigurationAggregatorException"
        assert "does not exist" in message
        for token in ("forged", "QUJDREVGR0hJSktMTU5PUFFSU1RVVldY"):
            assert (
                aws_error(call, ConfigurationAggregatorName="all", NextToken=token, **extra)[0]
                == "InvalidNextTokenException"
            )
    # A token of one filter is not a token of another.
    first = client.describe_aggregate_compliance_by_config_rules(
        ConfigurationAggregatorName="all", Limit=1
    )
    assert (
        aws_error(
            client.describe_aggregate_compliance_by_config_rules,
            ConfigurationAggregatorName="all",
            Limit=1,
            Filters={"AccountId": e.hub},
            NextToken=first["NextToken"],
        )[0]
        == "InvalidNextTokenException"
    )
    for value in ("NOT_APPLICABLE", "INSUFFICIENT_DATA"):
        code, message = aws_error(
            client.describe_aggregate_compliance_by_config_rules,
            ConfigurationAggregatorName="all",
            Filters={"ComplianceType": value},
        )
        assert code == "ValidationException" and value in message
        code, _ = aws_error(
            client.get_aggregate_compliance_details_by_config_rule,
            ConfigurationAggregatorName="all",
            ConfigRuleName=RULE,
            AccountId=e.b,
            AwsRegion=R1,
            ComplianceType=value,
        )
        assert code == "ValidationException"
    assert (
        aws_error(
            client.describe_aggregate_compliance_by_config_rules,
            ConfigurationAggregatorName="all",
            Limit=1001,
        )[0]
        == "ValidationException"
    )
