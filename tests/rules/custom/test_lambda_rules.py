"""CUSTOM_LAMBDA rules end to end: functions written against boto3 and the public event
format, zipped, created in the sandbox with ``lambda create-function``, invoked by
ConfigLedger in their own process, reporting through PutEvaluations."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import boto3
import orjson
import pytest

from tests.conftest import REGION, LiveServer, start_custom_recording
from tests.rules.custom import functions
from tests.rules.helpers import CUSTOM, put_custom

CHANGE = [
    {"EventSource": "aws.config", "MessageType": "ConfigurationItemChangeNotification"},
    {"EventSource": "aws.config", "MessageType": "OversizedConfigurationItemChangeNotification"},
]


def wait_for(check: Callable[[], Any], timeout: float = 90.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError("the condition did not hold in time")
        time.sleep(0.2)


def sandbox(server: LiveServer, account: str, service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=server.url,
        region_name=REGION,
        aws_access_key_id=account,
        aws_secret_access_key="test",
    )


def create_function(
    server: LiveServer, account: str, name: str, source: str, *, timeout: int = 30,
    permit: bool = True, env: dict[str, str] | None = None,
) -> str:  # fmt: skip
    iam = sandbox(server, account, "iam")
    role = iam.create_role(
        RoleName=f"{name}-role",
        AssumeRolePolicyDocument=orjson.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
             "Principal": {"Service": "lambda.amazonaws.com"}}]}
        ).decode(),
    )["Role"]["Arn"]  # fmt: skip
    lam = sandbox(server, account, "lambda")
    arn: str = lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role,
        Handler="rule.lambda_handler",
        Code={"ZipFile": functions.package(source)},
        Timeout=timeout,
        Environment={"Variables": env or {}},
    )["FunctionArn"]
    if permit:
        lam.add_permission(
            FunctionName=name,
            StatementId="config",
            Action="lambda:InvokeFunction",
            Principal="config.amazonaws.com",
            SourceAccount=account,
        )
    return arn


def put_lambda_rule(
    config: Any, name: str, arn: str, details: list[dict[str, str]] = CHANGE, **extra: Any
) -> None:
    rule: dict[str, Any] = {
        "ConfigRuleName": name,
        "Source": {"Owner": "CUSTOM_LAMBDA", "SourceIdentifier": arn, "SourceDetails": details},
        **extra,
    }
    if "Scope" not in extra and any("Change" in d["MessageType"] for d in details):
        rule["Scope"] = {"ComplianceResourceTypes": [CUSTOM]}
    config.put_config_rule(ConfigRule=rule)


def results(config: Any, rule: str) -> dict[str, tuple[str, str | None]]:
    found = config.get_compliance_details_by_config_rule(ConfigRuleName=rule)["EvaluationResults"]
    return {
        r["EvaluationResultIdentifier"]["EvaluationResultQualifier"]["ResourceId"]: (
            r["ComplianceType"], r.get("Annotation"))
        for r in found
    }  # fmt: skip


def status(config: Any, rule: str) -> dict[str, Any]:
    found: dict[str, Any] = config.describe_config_rule_evaluation_status(ConfigRuleNames=[rule])[
        "ConfigRulesEvaluationStatus"
    ][0]
    return found


def test_change_triggered_rule_runs_unmodified_and_flips(backend: LiveServer, account: str) -> None:
    from tests.conftest import config_client

    config = config_client(backend, account)
    start_custom_recording(config)
    put_custom(config, "good", {"state": "on"})
    put_custom(config, "bad", {"state": "off"})
    arn = create_function(backend, account, "state-check", functions.PLAIN)
    put_lambda_rule(config, "state-on", arn, InputParameters='{"key": "state", "want": "on"}')
    found = wait_for(lambda: len(got := results(config, "state-on")) == 2 and got)
    assert found == {
        "good": ("COMPLIANT", "change state-on False"),
        "bad": ("NON_COMPLIANT", "change state-on False"),
    }
    # A change of the resource invokes the function again and flips its compliance.
    put_custom(config, "bad", {"state": "on"})
    wait_for(lambda: results(config, "state-on")["bad"][0] == "COMPLIANT")
    summary = config.describe_compliance_by_config_rule(ConfigRuleNames=["state-on"])
    assert summary["ComplianceByConfigRules"][0]["Compliance"]["ComplianceType"] == "COMPLIANT"
    state = status(config, "state-on")
    assert "LastErrorCode" not in state
    assert state["FirstEvaluationStarted"] is True
    assert "LastSuccessfulInvocationTime" in state


def test_periodic_rule_gets_the_scheduled_event(server: LiveServer, account: str) -> None:
    from tests.conftest import config_client

    config = config_client(server, account)
    start_custom_recording(config)
    arn = create_function(server, account, "periodic", functions.PLAIN)
    put_lambda_rule(
        config, "every-hour", arn,
        [{"EventSource": "aws.config", "MessageType": "ScheduledNotification",
          "MaximumExecutionFrequency": "One_Hour"}],
    )  # fmt: skip
    found = wait_for(lambda: results(config, "every-hour"))
    assert found == {account: ("COMPLIANT", "periodic from periodic")}


def test_oversized_item_sends_the_summary(tmp_path: Any) -> None:
    from tests.conftest import config_client, new_account, start_server

    server = start_server(f"sqlite:///{tmp_path}/db.sqlite", lambda_event_limit=2_000)
    try:
        account = new_account()
        config = config_client(server, account)
        start_custom_recording(config)
        put_custom(config, "big", {"state": "on", "padding": "x" * 3_000})
        put_custom(config, "small", {"state": "off"})
        arn = create_function(server, account, "sized", functions.PLAIN)
        put_lambda_rule(config, "sized", arn, InputParameters='{"key": "state", "want": "on"}')
        found = wait_for(lambda: len(got := results(config, "sized")) == 2 and got)
        assert found == {
            "big": ("COMPLIANT", "oversized sized False"),
            "small": ("NON_COMPLIANT", "change sized False"),
        }
    finally:
        server.stop()


def test_rdk_style_rule(server: LiveServer, account: str) -> None:
    from tests.conftest import config_client

    config = config_client(server, account)
    start_custom_recording(config)
    put_custom(config, "few", {"agents": ["a"]})
    put_custom(config, "many", {"agents": ["a", "b", "c"]})
    arn = create_function(server, account, "rdk-agents", functions.RDK_STYLE)
    put_lambda_rule(config, "agents", arn, InputParameters='{"maxAgents": "2"}')
    found = wait_for(lambda: len(got := results(config, "agents")) == 2 and got)
    assert found == {"few": ("COMPLIANT", None), "many": ("NON_COMPLIANT", "more than 2 agents")}


@pytest.mark.parametrize(
    ("source", "timeout", "code", "message"),
    [
        (functions.RAISES, 30, "ValueError", "the rule is broken"),
        (functions.SLEEPS, 1, "Sandbox.Timedout", "Task timed out after 1.00 seconds"),
        (functions.SILENT, 30, "NoEvaluationsReported", "without calling PutEvaluations"),
    ],
    ids=["raises", "times-out", "silent"],
)
def test_failures_show_in_the_evaluation_status(
    server: LiveServer, account: str, source: str, timeout: int, code: str, message: str
) -> None:
    from tests.conftest import config_client

    config = config_client(server, account)
    start_custom_recording(config)
    put_custom(config, "one", {"state": "on"})
    arn = create_function(server, account, "failing", source, timeout=timeout)
    put_lambda_rule(config, "failing", arn, InputParameters='{"key": "state", "want": "on"}')
    state = wait_for(lambda: "LastErrorCode" in (got := status(config, "failing")) and got)
    assert state["LastErrorCode"] == code
    assert message in state["LastErrorMessage"]
    assert "LastFailedInvocationTime" in state
    assert results(config, "failing") == {}
    compliance = config.describe_compliance_by_config_rule(ConfigRuleNames=["failing"])
    assert compliance["ComplianceByConfigRules"][0]["Compliance"]["ComplianceType"] == (
        "INSUFFICIENT_DATA"
    )


def test_put_config_rule_refuses_functions_config_cannot_invoke(
    server: LiveServer, account: str
) -> None:
    from tests.conftest import config_client

    config = config_client(server, account)
    start_custom_recording(config)
    missing = f"arn:aws:lambda:{REGION}:{account}:function:nowhere"
    with pytest.raises(config.exceptions.InsufficientPermissionsException) as missing_error:
        put_lambda_rule(config, "missing", missing)
    assert missing in str(missing_error.value)
    unpermitted = create_function(server, account, "private", functions.PLAIN, permit=False)
    with pytest.raises(config.exceptions.InsufficientPermissionsException):
        put_lambda_rule(config, "private", unpermitted)
    assert config.describe_config_rules()["ConfigRules"] == []
