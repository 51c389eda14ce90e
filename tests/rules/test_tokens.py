"""PutEvaluations and its result tokens: the path a Lambda rule's results take. Tokens
are signed, bound to the rule (and its incarnation), the account and region, and expire;
TestMode validates without storing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from configledger.rules.tokens import Invocation, ResultTokens
from tests.rules.conftest import T0
from tests.rules.helpers import CUSTOM, lambda_rule, outbox_messages, record_only, token_for
from tests.rules.test_triggers import Clocked

HOUR = 3_600_000


def _evaluation(resource_id: str, compliance: str, at_ms: int, note: str | None = None) -> Any:
    out = {
        "ComplianceResourceType": CUSTOM,
        "ComplianceResourceId": resource_id,
        "ComplianceType": compliance,
        "OrderingTimestamp": datetime.fromtimestamp(at_ms / 1000, tz=UTC),
    }
    if note:
        out["Annotation"] = note
    return out


def _code(call: Any, **kwargs: Any) -> str:
    with pytest.raises(ClientError) as error:
        call(**kwargs)
    return str(error.value.response["Error"]["Code"])


def _results(config: Any, rule: str) -> list[tuple[str, str]]:
    found = config.get_compliance_details_by_config_rule(ConfigRuleName=rule, Limit=100)
    return [
        (
            r["EvaluationResultIdentifier"]["EvaluationResultQualifier"]["ResourceId"],
            r["ComplianceType"],
        )
        for r in found["EvaluationResults"]
    ]


def test_a_valid_token_stores_results(clocked: Clocked) -> None:
    config, clock, server, account = clocked
    record_only(config, "AWS::SNS::Topic")
    rule = lambda_rule(config, "fn")
    now = clock.now_ms()
    token = token_for(server, account, rule, now_ms=now, resource=(CUSTOM, "a"))
    answer = config.put_evaluations(
        ResultToken=token,
        Evaluations=[_evaluation("a", "NON_COMPLIANT", now, "port 22 open"),
                     _evaluation("b", "COMPLIANT", now)],
    )  # fmt: skip
    assert answer["FailedEvaluations"] == []
    found = config.get_compliance_details_by_config_rule(ConfigRuleName="fn")["EvaluationResults"]
    first = found[0]
    assert first["Annotation"] == "port 22 open"
    assert first["ResultToken"] == token
    assert first["ConfigRuleInvokedTime"].timestamp() * 1000 == now
    assert first["EvaluationResultIdentifier"]["EvaluationResultQualifier"] == {
        "ConfigRuleName": "fn",
        "ResourceType": CUSTOM,
        "ResourceId": "a",
        "EvaluationMode": "DETECTIVE",
    }
    # The same token may be used again (batches of 100); an older result never
    # overwrites a newer one.
    config.put_evaluations(ResultToken=token, Evaluations=[_evaluation("a", "COMPLIANT", now - 1)])
    config.put_evaluations(ResultToken=token, Evaluations=[])
    assert _results(config, "fn") == [("a", "NON_COMPLIANT"), ("b", "COMPLIANT")]
    config.put_evaluations(ResultToken=token, Evaluations=[_evaluation("a", "COMPLIANT", now + 1)])
    assert _results(config, "fn") == [("a", "COMPLIANT"), ("b", "COMPLIANT")]
    changes = [
        (m["resourceId"], m["newEvaluationResult"]["complianceType"])
        for m in outbox_messages(server, account, "ComplianceChanged")
    ]
    assert changes == [("a", "NON_COMPLIANT"), ("b", "COMPLIANT"), ("a", "COMPLIANT")]
    status = config.describe_config_rule_evaluation_status(ConfigRuleNames=["fn"])
    assert "LastSuccessfulEvaluationTime" in status["ConfigRulesEvaluationStatus"][0]


def test_forged_and_foreign_tokens_are_refused(clocked: Clocked) -> None:
    config, clock, server, account = clocked
    record_only(config, "AWS::SNS::Topic")
    rule = lambda_rule(config, "fn")
    now = clock.now_ms()
    good = token_for(server, account, rule, now_ms=now)
    evaluations = [_evaluation("a", "COMPLIANT", now)]
    tampered = good[:10] + ("A" if good[10] != "A" else "B") + good[11:]
    foreign_secret = ResultTokens(b"\x00" * 32).issue(
        Invocation(account, "us-east-1", "fn", rule["ConfigRuleId"], "ScheduledNotification",
                   None, None, now, now, now + HOUR)
    )  # fmt: skip
    other_account = token_for(server, "999999999999", rule, now_ms=now)
    other_region = token_for(server, account, rule, now_ms=now, region="eu-west-1")
    for token in ["garbage", "", "TESTMODE", tampered, foreign_secret, other_account, other_region]:
        assert _code(config.put_evaluations, ResultToken=token, Evaluations=evaluations) in (
            "InvalidResultTokenException",
            "ValidationException",  # the empty string breaks the model's minimum length
        ), token
    assert _results(config, "fn") == []


def test_tokens_expire(clocked: Clocked) -> None:
    config, clock, server, account = clocked
    record_only(config, "AWS::SNS::Topic")
    rule = lambda_rule(config, "fn")
    now = clock.now_ms()
    token = token_for(server, account, rule, now_ms=now, ttl_ms=HOUR)
    clock.advance(HOUR + 1)
    with pytest.raises(ClientError) as error:
        config.put_evaluations(ResultToken=token, Evaluations=[_evaluation("a", "COMPLIANT", now)])
    assert error.value.response["Error"]["Code"] == "InvalidResultTokenException"
    assert "expired" in error.value.response["Error"]["Message"]


def test_a_token_dies_with_its_rule(clocked: Clocked) -> None:
    config, clock, server, account = clocked
    record_only(config, "AWS::SNS::Topic")
    rule = lambda_rule(config, "fn")
    now = clock.now_ms()
    token = token_for(server, account, rule, now_ms=now)
    config.delete_config_rule(ConfigRuleName="fn")
    evaluations = [_evaluation("a", "COMPLIANT", now)]
    assert _code(config.put_evaluations, ResultToken=token, Evaluations=evaluations) == (
        "NoSuchConfigRuleException"
    )
    lambda_rule(config, "fn")  # the same name, another rule
    assert _code(config.put_evaluations, ResultToken=token, Evaluations=evaluations) == (
        "NoSuchConfigRuleException"
    )
    assert _results(config, "fn") == []


def test_test_mode_validates_without_storing(clocked: Clocked) -> None:
    config, clock, server, account = clocked
    record_only(config, "AWS::SNS::Topic")
    lambda_rule(config, "fn")
    now = clock.now_ms()
    answer = config.put_evaluations(
        ResultToken="TESTMODE", TestMode=True, Evaluations=[_evaluation("a", "COMPLIANT", now)]
    )
    assert answer["FailedEvaluations"] == []
    assert _results(config, "fn") == []
    assert outbox_messages(server, account, "ComplianceChanged") == []
    assert now >= T0
