"""Compliance roll-ups over a mixed estate: 200 custom resources and 10 rules whose
results arrive through PutEvaluations, checked against counts worked out by hand from
the assignment below (spec 7.5: NON_COMPLIANT wins, NOT_APPLICABLE never counts,
INSUFFICIENT_DATA without an applicable result, counts capped at 100 resources / 25
rules)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from tests.conftest import LiveServer, config_client
from tests.rules.helpers import CUSTOM, lambda_rule, put_custom, record_only, token_for

RESOURCES = [f"r{i:03d}" for i in range(200)]
RULES = [f"rule-{k}" for k in range(10)]


def assigned(k: int, i: int) -> str | None:
    """rule-0 reports nothing; rule-1 only NOT_APPLICABLE; rule-2 all COMPLIANT;
    rule-3 fails three resources in four; rule-k (k >= 4) fails every k-th resource and
    does not apply to the one after it."""
    if k == 0:
        return None
    if k == 1:
        return "NOT_APPLICABLE"
    if k == 2:
        return "COMPLIANT"
    if k == 3:
        return "NON_COMPLIANT" if i % 4 != 3 else "COMPLIANT"
    if i % k == 0:
        return "NON_COMPLIANT"
    return "NOT_APPLICABLE" if i % k == 1 else "COMPLIANT"


def _estate(server: LiveServer) -> tuple[Any, str]:
    config = config_client(server)
    record_only(config, "AWS::SNS::Topic")
    account = config.describe_configuration_recorders()["ConfigurationRecorders"][0]["arn"].split(
        ":"
    )[4]
    for resource_id in RESOURCES:
        put_custom(config, resource_id, {"name": resource_id})
    now = int(time.time() * 1000)
    for k, name in enumerate(RULES):
        rule = lambda_rule(config, name)
        token = token_for(server, account, rule, now_ms=now)
        evaluations = [
            {
                "ComplianceResourceType": CUSTOM,
                "ComplianceResourceId": resource_id,
                "ComplianceType": compliance,
                "OrderingTimestamp": datetime.fromtimestamp(now / 1000, tz=UTC),
            }
            for i, resource_id in enumerate(RESOURCES)
            if (compliance := assigned(k, i)) is not None
        ]
        for start in range(0, len(evaluations), 100):
            config.put_evaluations(ResultToken=token, Evaluations=evaluations[start : start + 100])
    return config, account


def test_rollups_over_200_resources_and_10_rules(backend: LiveServer) -> None:
    config, _ = _estate(backend)

    # Rules: worked out by hand from ``assigned``.
    by_rule = {
        r["ConfigRuleName"]: r["Compliance"]
        for r in config.describe_compliance_by_config_rule()["ComplianceByConfigRules"]
    }

    def non(count: int, exceeded: bool = False) -> dict[str, Any]:
        return {
            "ComplianceType": "NON_COMPLIANT",
            "ComplianceContributorCount": {"CappedCount": count, "CapExceeded": exceeded},
        }

    assert by_rule == {
        "rule-0": {"ComplianceType": "INSUFFICIENT_DATA"},
        "rule-1": {"ComplianceType": "INSUFFICIENT_DATA"},
        "rule-2": {"ComplianceType": "COMPLIANT"},
        "rule-3": non(100, True),  # 150 failing resources, capped at 100
        "rule-4": non(50),
        "rule-5": non(40),
        "rule-6": non(34),
        "rule-7": non(29),
        "rule-8": non(25),
        "rule-9": non(23),
    }
    only_compliant = config.describe_compliance_by_config_rule(ComplianceTypes=["COMPLIANT"])
    assert [r["ConfigRuleName"] for r in only_compliant["ComplianceByConfigRules"]] == ["rule-2"]

    summary = config.get_compliance_summary_by_config_rule()["ComplianceSummary"]
    assert summary["NonCompliantResourceCount"] == {"CappedCount": 7, "CapExceeded": False}
    assert summary["CompliantResourceCount"] == {"CappedCount": 1, "CapExceeded": False}

    # Resources: r000 fails rules 3-9 (7); r003 fails none (3 % 4 == 3, and no k >= 4
    # divides 3): COMPLIANT; r035 fails rule-5 and rule-7 only.
    failing = {
        resource_id: sum(1 for k in range(10) if assigned(k, i) == "NON_COMPLIANT")
        for i, resource_id in enumerate(RESOURCES)
    }
    assert failing["r000"] == 7 and failing["r003"] == 0 and failing["r035"] == 2
    assert failing["r036"] == 4  # rule-3 (36 % 4 != 3), rule-4, rule-6 and rule-9
    listed: dict[str, dict[str, Any]] = {}
    token = None
    pages = 0
    while True:
        page = config.describe_compliance_by_resource(
            ResourceType=CUSTOM, Limit=37, **({"NextToken": token} if token else {})
        )
        pages += 1
        for entry in page["ComplianceByResources"]:
            listed[entry["ResourceId"]] = entry["Compliance"]
        token = page.get("NextToken")
        if not token:
            break
    assert pages == 6
    assert list(listed) == RESOURCES
    for resource_id, count in failing.items():
        expected = non(count) if count else {"ComplianceType": "COMPLIANT"}
        assert listed[resource_id] == expected, resource_id
    non_compliant = sum(1 for c in failing.values() if c)
    # 150 fail rule-3; of the 50 others (i % 4 == 3, all odd) 18 are multiples of 5
    # (10), 7 (7, two of them shared with 5) or 9 (5, two shared): 168 in all.
    assert non_compliant == 168

    by_type = config.get_compliance_summary_by_resource_type(
        ResourceTypes=[CUSTOM, "AWS::S3::Bucket"]
    )
    summaries = {
        s["ResourceType"]: s["ComplianceSummary"]
        for s in by_type["ComplianceSummariesByResourceType"]
    }
    assert summaries[CUSTOM]["NonCompliantResourceCount"] == {
        "CappedCount": 100,
        "CapExceeded": True,
    }
    assert summaries[CUSTOM]["CompliantResourceCount"] == {"CappedCount": 32, "CapExceeded": False}
    assert summaries["AWS::S3::Bucket"]["NonCompliantResourceCount"]["CappedCount"] == 0
    overall = config.get_compliance_summary_by_resource_type()["ComplianceSummariesByResourceType"]
    assert len(overall) == 1 and "ResourceType" not in overall[0]
    assert overall[0]["ComplianceSummary"]["CompliantResourceCount"]["CappedCount"] == 32

    # Details of one rule, filtered and paged; of one resource, filtered.
    seen = []
    token = None
    while True:
        page = config.get_compliance_details_by_config_rule(
            ConfigRuleName="rule-5", ComplianceTypes=["NON_COMPLIANT"], Limit=7,
            **({"NextToken": token} if token else {}),
        )  # fmt: skip
        seen += [
            r["EvaluationResultIdentifier"]["EvaluationResultQualifier"]["ResourceId"]
            for r in page["EvaluationResults"]
        ]
        token = page.get("NextToken")
        if not token:
            break
    assert seen == [f"r{i:03d}" for i in range(0, 200, 5)]
    details = config.get_compliance_details_by_resource(ResourceType=CUSTOM, ResourceId="r001")
    assert len(details["EvaluationResults"]) == 9  # every rule but rule-0
    not_applicable = config.get_compliance_details_by_resource(
        ResourceType=CUSTOM, ResourceId="r001", ComplianceTypes=["NOT_APPLICABLE"]
    )
    names = [
        r["EvaluationResultIdentifier"]["EvaluationResultQualifier"]["ConfigRuleName"]
        for r in not_applicable["EvaluationResults"]
    ]
    assert names == ["rule-1", "rule-4", "rule-5", "rule-6", "rule-7", "rule-8", "rule-9"]


def test_rule_counts_are_capped_at_25(server: LiveServer) -> None:
    """27 rules fail one resource: the resource's count and the summary's count of
    non-compliant rules stop at 25, with CapExceeded (spec 7.5)."""
    config = config_client(server)
    record_only(config, "AWS::SNS::Topic")
    account = config.describe_configuration_recorders()["ConfigurationRecorders"][0]["arn"].split(
        ":"
    )[4]
    put_custom(config, "hot", {"name": "hot"})
    put_custom(config, "cool", {"name": "cool"})
    now = int(time.time() * 1000)
    moment = datetime.fromtimestamp(now / 1000, tz=UTC)
    for k in range(27):
        rule = lambda_rule(config, f"cap-{k:02d}")
        config.put_evaluations(
            ResultToken=token_for(server, account, rule, now_ms=now),
            Evaluations=[
                {"ComplianceResourceType": CUSTOM, "ComplianceResourceId": "hot",
                 "ComplianceType": "NON_COMPLIANT", "OrderingTimestamp": moment},
                {"ComplianceResourceType": CUSTOM, "ComplianceResourceId": "cool",
                 "ComplianceType": "NON_COMPLIANT" if k < 3 else "COMPLIANT",
                 "OrderingTimestamp": moment},
            ],
        )  # fmt: skip

    def of(resource_id: str) -> dict[str, Any]:
        found = config.describe_compliance_by_resource(ResourceType=CUSTOM, ResourceId=resource_id)
        return found["ComplianceByResources"][0]["Compliance"]  # type: ignore[no-any-return]

    assert of("hot")["ComplianceContributorCount"] == {"CappedCount": 25, "CapExceeded": True}
    assert of("cool")["ComplianceContributorCount"] == {"CappedCount": 3, "CapExceeded": False}
    summary = config.get_compliance_summary_by_config_rule()["ComplianceSummary"]
    assert summary["NonCompliantResourceCount"] == {"CappedCount": 25, "CapExceeded": True}
    assert summary["CompliantResourceCount"] == {"CappedCount": 0, "CapExceeded": False}
    by_rule = config.describe_compliance_by_config_rule(ConfigRuleNames=["cap-00"])
    assert by_rule["ComplianceByConfigRules"][0]["Compliance"]["ComplianceContributorCount"] == {
        "CappedCount": 2,
        "CapExceeded": False,
    }
