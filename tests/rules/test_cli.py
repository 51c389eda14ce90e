"""``configledger rules list`` and ``configledger compliance`` read the store a server
wrote and print its rules, their compliance and the counts."""

from __future__ import annotations

from pathlib import Path

import pytest

from configledger.cli.main import main
from tests.conftest import config_client, start_custom_recording, start_server
from tests.e2e_sandbox.helpers import wait_for
from tests.rules.helpers import CUSTOM, put_custom

OPEN = {"ipPermissions": [{"ipProtocol": "-1", "ipv4Ranges": [{"cidrIp": "0.0.0.0/0"}]}]}


def test_rules_list_and_compliance(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # a wide terminal: no cell is cut short
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert main(["rules", "list", "--db", url]) == 0
    assert "No config rules" in capsys.readouterr().out
    server = start_server(url)
    try:
        config = config_client(server)
        start_custom_recording(config)
        put_custom(config, "open", OPEN)
        put_custom(config, "shut", {})
        put_custom(config, "also-open", OPEN)
        config.put_config_rule(
            ConfigRule={
                "ConfigRuleName": "ssh",
                "Scope": {"ComplianceResourceTypes": [CUSTOM]},
                "Source": {"Owner": "AWS", "SourceIdentifier": "INCOMING_SSH_DISABLED"},
            }
        )
        wait_for(
            lambda: (
                len(
                    config.get_compliance_details_by_config_rule(ConfigRuleName="ssh")[
                        "EvaluationResults"
                    ]
                )
                == 3
            )
        )
    finally:
        server.stop()
    assert main(["rules", "list", "--db", url]) == 0
    listing = capsys.readouterr().out
    assert "INCOMING_SSH_DISABLED" in listing and "NON_COMPLIANT" in listing
    assert "change+24h" in listing
    row = next(line for line in listing.splitlines() if "ssh" in line and "ACTIVE" in line)
    assert "2" in [cell.strip() for cell in row.split("│")]  # two failing resources
    assert main(["compliance", "--db", url]) == 0
    summary = capsys.readouterr().out
    type_row = next(line for line in summary.splitlines() if CUSTOM in line)
    cells = [cell.strip() for cell in type_row.split("│") if cell.strip()]
    assert cells[-2:] == ["1", "2"]  # compliant, non-compliant
