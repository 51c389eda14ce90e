"""What a Lambda rule's function sees of its runtime (environment, context, a warm
process), and that an invocation cut short by the server stopping runs again."""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import LiveServer, config_client, start_custom_recording, start_server
from tests.rules.custom import functions
from tests.rules.custom.test_lambda_rules import create_function, put_lambda_rule, results, wait_for
from tests.rules.helpers import put_custom


def test_environment_context_and_warm_reuse(server: LiveServer, account: str) -> None:
    config = config_client(server, account)
    start_custom_recording(config)
    put_custom(config, "a", {"n": 1})
    arn = create_function(server, account, "warm", functions.WARM, env={"GREETING": "hello"})
    put_lambda_rule(config, "warm", arn)
    first = wait_for(lambda: results(config, "warm").get("a"))
    assert first == ("COMPLIANT", "hello us-east-1 warm True 1")
    put_custom(config, "a", {"n": 2})
    second = wait_for(lambda: (got := results(config, "warm")["a"]) != first and got)
    assert second == ("COMPLIANT", "hello us-east-1 warm True 2")


def test_an_invocation_cut_short_by_a_stop_runs_after_the_restart(
    tmp_path: Path, account: str
) -> None:
    """The server stops (or dies) while a function runs: its invocation was not recorded,
    so the next server on the same store runs it again and its result lands."""
    db_url = f"sqlite:///{tmp_path / 'restart.db'}"
    marker = tmp_path / "first-invocation"
    first = start_server(db_url)
    try:
        config = config_client(first, account)
        start_custom_recording(config)
        put_custom(config, "victim", {"n": 1})
        arn = create_function(
            first, account, "hangs", functions.HANGS_ONCE, timeout=900,
            env={"MARKER": str(marker)},
        )  # fmt: skip
        put_lambda_rule(config, "hangs", arn)
        wait_for(lambda: marker.exists() and marker.read_text())
        hung = int(marker.read_text())
    finally:
        first.stop()
    # The runner of the cut-short invocation was ended with its server.
    wait_for(lambda: not _running(hung), timeout=30)
    # The sandbox's state is process-wide (moto), so the function is still there.
    second = start_server(db_url)
    try:
        config = config_client(second, account)
        found = wait_for(lambda: results(config, "hangs").get("victim"))
        assert found == ("NON_COMPLIANT", "after the restart")
        assert (
            "LastErrorCode"
            not in config.describe_config_rule_evaluation_status(ConfigRuleNames=["hangs"])[
                "ConfigRulesEvaluationStatus"
            ][0]
        )
    finally:
        second.stop()


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is not running
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False
