"""Evaluations come from the outbox: changes recorded while no server runs (or before a
crash let the worker finish) are evaluated when a server starts again, none lost, none
announced twice."""

from __future__ import annotations

import json
from pathlib import Path

from configledger.history.items import ResourceKey
from configledger.history.recording import Observation, record
from configledger.store.database import open_database
from tests.conftest import config_client, start_custom_recording, start_server
from tests.e2e_sandbox.helpers import wait_for
from tests.rules.helpers import CUSTOM, outbox_messages, put_custom

OPEN = {"ipPermissions": [{"ipProtocol": "-1", "ipv4Ranges": [{"cidrIp": "0.0.0.0/0"}]}]}


def test_changes_recorded_while_down_are_evaluated_on_start(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'replay.db'}"
    server = start_server(url)
    config = config_client(server)
    start_custom_recording(config)
    put_custom(config, "x", {})
    config.put_config_rule(
        ConfigRule={
            "ConfigRuleName": "ssh",
            "Scope": {"ComplianceResourceTypes": [CUSTOM]},
            "Source": {"Owner": "AWS", "SourceIdentifier": "INCOMING_SSH_DISABLED"},
        }
    )

    def results() -> dict[str, str]:
        found = config.get_compliance_details_by_config_rule(ConfigRuleName="ssh")
        return {
            r["EvaluationResultIdentifier"]["EvaluationResultQualifier"]["ResourceId"]: r[
                "ComplianceType"
            ]
            for r in found["EvaluationResults"]
        }

    wait_for(lambda: results() == {"x": "COMPLIANT"}, timeout=10)
    account = config.describe_config_rules()["ConfigRules"][0]["ConfigRuleArn"].split(":")[4]
    server.stop()

    # While no server runs, the recording path writes two changes (item + outbox event).
    database = open_database(url)
    for resource_id in ("x", "y"):
        record(
            database,
            Observation(
                key=ResourceKey(account, "us-east-1", CUSTOM, resource_id),
                configuration=json.dumps(OPEN),
            ),
            now_ms=2_000_000_000_000,
            custom=True,
        )
    database.dispose()

    server = start_server(url)
    try:
        config = config_client(server, account)
        wait_for(lambda: results() == {"x": "NON_COMPLIANT", "y": "NON_COMPLIANT"}, timeout=10)
        changes = [
            (m["resourceId"], m["newEvaluationResult"]["complianceType"])
            for m in outbox_messages(server, account, "ComplianceChanged")
        ]
        assert changes == [("x", "COMPLIANT"), ("x", "NON_COMPLIANT"), ("y", "NON_COMPLIANT")]
    finally:
        server.stop()
