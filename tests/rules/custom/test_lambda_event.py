"""The event a Lambda rule's function receives, as AWS Config sends it (spec 7.3), in
each of its three forms: a change, an oversized change, a scheduled notification. The
function writes what it got to a file; the test reads it back and holds each key to the
documented shape, and checks the process the function ran in: not the server's, with
the function's environment, its timeout, and credentials and an endpoint that lead back
to ConfigLedger."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import (
    LiveServer,
    config_client,
    new_account,
    start_custom_recording,
    start_server,
)
from tests.rules.custom import functions
from tests.rules.custom.test_lambda_rules import create_function, put_lambda_rule, results, wait_for
from tests.rules.helpers import CUSTOM, put_custom

EVENT_KEYS = {
    "version", "invokingEvent", "ruleParameters", "resultToken", "eventLeftScope",
    "executionRoleArn", "configRuleArn", "configRuleName", "configRuleId", "accountId",
}  # fmt: skip
# The stream form of a configuration item (spec 3.3), as change notifications carry it.
STREAM_ITEM_KEYS = {
    "configurationItemVersion", "configurationItemCaptureTime", "configurationStateId",
    "awsAccountId", "configurationItemStatus", "resourceType", "resourceId", "ARN",
    "awsRegion", "availabilityZone", "configurationStateMd5Hash", "tags", "relatedEvents",
    "relationships", "configuration", "supplementaryConfiguration",
}  # fmt: skip
SUMMARY_KEYS = {
    "changeType", "configurationItemVersion", "configurationItemCaptureTime",
    "configurationStateId", "awsAccountId", "configurationItemStatus", "resourceType",
    "resourceId", "resourceName", "ARN", "awsRegion", "availabilityZone",
    "configurationStateMd5Hash", "resourceCreationTime",
}  # fmt: skip
LIMIT = 2_000  # bytes of invokingEvent past which the change is sent oversized


@pytest.fixture
def small_events(tmp_path: Path) -> Iterator[LiveServer]:
    server = start_server(f"sqlite:///{tmp_path / 'events.db'}", lambda_event_limit=LIMIT)
    yield server
    server.stop()


def _dumped(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line]


def test_the_three_events_as_aws_sends_them(small_events: LiveServer, tmp_path: Path) -> None:
    server = small_events
    account = new_account()
    config = config_client(server, account)
    start_custom_recording(config)
    role_arn = config.describe_configuration_recorders()["ConfigurationRecorders"][0]["roleARN"]
    put_custom(config, "small", {"state": "on"}, Tags={"team": "blue"})
    put_custom(config, "big", {"state": "on", "padding": "x" * (LIMIT + 500)})
    changes, scheduled = tmp_path / "changes.jsonl", tmp_path / "scheduled.jsonl"
    arn = create_function(
        server, account, "dump", functions.DUMP, timeout=7,
        env={"DUMP": str(changes), "TEAM": "blue"},
    )  # fmt: skip
    put_lambda_rule(config, "dump", arn, InputParameters='{"maxAgents": "2"}')
    periodic_arn = create_function(
        server, account, "dump-periodic", functions.DUMP, env={"DUMP": str(scheduled)}
    )
    put_lambda_rule(
        config, "dump-periodic", periodic_arn,
        [{"EventSource": "aws.config", "MessageType": "ScheduledNotification",
          "MaximumExecutionFrequency": "One_Hour"}],
    )  # fmt: skip
    wait_for(lambda: len(results(config, "dump")) == 2 and results(config, "dump-periodic"))
    rules = {r["ConfigRuleName"]: r for r in config.describe_config_rules()["ConfigRules"]}

    by_resource: dict[str, dict[str, Any]] = {}
    for dumped in _dumped(changes):
        invoking = json.loads(dumped["event"]["invokingEvent"])
        item = invoking.get("configurationItem") or invoking["configurationItemSummary"]
        by_resource[item["resourceId"]] = dumped
    assert set(by_resource) == {"small", "big"}
    [periodic] = _dumped(scheduled)

    # Every form: the ten documented keys, strings where AWS sends JSON strings.
    for dumped, name in ((by_resource["small"], "dump"), (by_resource["big"], "dump"),
                         (periodic, "dump-periodic")):  # fmt: skip
        event = dumped["event"]
        rule = rules[name]
        assert set(event) == EVENT_KEYS, name
        assert event["version"] == "1.0"
        assert isinstance(event["invokingEvent"], str) and isinstance(event["ruleParameters"], str)
        assert event["eventLeftScope"] is False
        assert event["executionRoleArn"] == role_arn
        assert (event["configRuleArn"], event["configRuleName"], event["configRuleId"]) == (
            rule["ConfigRuleArn"], name, rule["ConfigRuleId"],
        )  # fmt: skip
        assert event["accountId"] == account
        assert isinstance(event["resultToken"], str) and event["resultToken"]
    assert json.loads(by_resource["small"]["event"]["ruleParameters"]) == {"maxAgents": "2"}
    assert periodic["event"]["ruleParameters"] == "{}"

    # A change: the whole item, in the stream form.
    invoking = json.loads(by_resource["small"]["event"]["invokingEvent"])
    assert set(invoking) == {
        "configurationItemDiff", "configurationItem", "notificationCreationTime", "messageType",
        "recordVersion",
    }  # fmt: skip
    assert (invoking["messageType"], invoking["recordVersion"]) == (
        "ConfigurationItemChangeNotification", "1.3",
    )  # fmt: skip
    item = invoking["configurationItem"]
    assert set(item) >= STREAM_ITEM_KEYS
    assert (item["resourceType"], item["resourceId"], item["awsAccountId"]) == (
        CUSTOM, "small", account,
    )  # fmt: skip
    assert item["configuration"] == {"state": "on"}  # an object, not the API's string
    assert item["tags"] == {"team": "blue"}
    assert item["configurationItemStatus"] == "ResourceDiscovered"
    stored = config.get_resource_config_history(resourceType=CUSTOM, resourceId="small")[
        "configurationItems"
    ][0]
    assert str(item["configurationStateId"]) == str(stored["configurationStateId"])

    # Oversized: the summary only, in AWS's own keys.
    invoking = json.loads(by_resource["big"]["event"]["invokingEvent"])
    assert len(by_resource["big"]["event"]["invokingEvent"]) <= LIMIT
    assert set(invoking) == {
        "configurationItemSummary", "messageType", "notificationCreationTime", "recordVersion",
    }  # fmt: skip
    assert invoking["messageType"] == "OversizedConfigurationItemChangeNotification"
    assert set(invoking["configurationItemSummary"]) == SUMMARY_KEYS
    assert invoking["configurationItemSummary"]["resourceId"] == "big"

    # Scheduled: the account and the time.
    invoking = json.loads(periodic["event"]["invokingEvent"])
    assert set(invoking) == {
        "awsAccountId", "notificationCreationTime", "messageType", "recordVersion",
    }  # fmt: skip
    assert (invoking["awsAccountId"], invoking["messageType"], invoking["recordVersion"]) == (
        account, "ScheduledNotification", "1.0",
    )  # fmt: skip
    assert results(config, "dump-periodic") == {account: ("COMPLIANT", "ScheduledNotification")}

    # The process: its own, with the function's environment and timeout, credentials and
    # an endpoint that lead back here (its PutEvaluations landed), in its code directory.
    run = by_resource["small"]
    assert run["pid"] != os.getpid()
    assert run["env"] == {
        "AWS_ACCESS_KEY_ID": account,
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": server.url,
        "AWS_LAMBDA_FUNCTION_NAME": "dump",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
        "LAMBDA_TASK_ROOT": run["cwd"],
        "TEAM": "blue",
    }
    assert run["function"] == "dump"
    assert 0 < run["remaining"] <= 7_000
    assert (Path(run["cwd"]) / "rule.py").exists()
    assert results(config, "dump") == {
        "small": ("COMPLIANT", "ConfigurationItemChangeNotification"),
        "big": ("COMPLIANT", "OversizedConfigurationItemChangeNotification"),
    }


def test_a_deleted_or_departed_resource_is_sent_to_the_function(
    small_events: LiveServer, tmp_path: Path
) -> None:
    """AWS invokes a Lambda rule with the ResourceDeleted item, and with eventLeftScope
    true when a resource leaves the rule's scope; the function (here RDK's template)
    reports NOT_APPLICABLE itself ("Managing Deleted Resources for AWS Config Custom
    Lambda Rules")."""
    server = small_events
    account = new_account()
    config = config_client(server, account)
    start_custom_recording(config)
    for name in ("stays", "leaves", "goes"):
        put_custom(config, name, {"agents": ["a"]}, Tags={"team": "blue"})
    scope = {"TagKey": "team", "TagValue": "blue"}
    dumped = tmp_path / "events.jsonl"
    dump_arn = create_function(server, account, "dump", functions.DUMP, env={"DUMP": str(dumped)})
    put_lambda_rule(config, "dump", dump_arn, Scope=scope)
    rdk_arn = create_function(server, account, "rdk-agents", functions.RDK_STYLE)
    put_lambda_rule(config, "agents", rdk_arn, Scope=scope, InputParameters='{"maxAgents": "2"}')
    wait_for(lambda: len(results(config, "agents")) == 3 and len(results(config, "dump")) == 3)

    put_custom(config, "leaves", {"agents": ["a"]}, Tags={"team": "red"})
    config.delete_resource_config(ResourceType=CUSTOM, ResourceId="goes")
    found = wait_for(
        lambda: (
            (got := results(config, "agents"))["leaves"][0] == "NOT_APPLICABLE"
            and got["goes"][0] == "NOT_APPLICABLE"
            and got
        )
    )
    assert found["stays"] == ("COMPLIANT", None)

    wait_for(lambda: len(_dumped(dumped)) == 5)
    events = {
        (item["resourceId"], item["configurationItemStatus"]): line["event"]
        for line in _dumped(dumped)
        for item in [json.loads(line["event"]["invokingEvent"])["configurationItem"]]
    }
    assert events[("leaves", "OK")]["eventLeftScope"] is True
    assert json.loads(events[("leaves", "OK")]["invokingEvent"])["configurationItem"]["tags"] == {
        "team": "red"
    }
    assert events[("goes", "ResourceDeleted")]["eventLeftScope"] is False
    assert events[("stays", "ResourceDiscovered")]["eventLeftScope"] is False
