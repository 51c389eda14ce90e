"""The console script: `configledger --version` and `configledger serve` as a user runs them."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import urllib3

from configledger import __version__
from tests.conftest import config_client, free_port


def _configledger() -> list[str]:
    script = Path(sys.executable).parent / "configledger"
    return [str(script)] if script.exists() else [sys.executable, "-m", "configledger.cli.main"]


def test_version() -> None:
    done = subprocess.run(
        [*_configledger(), "--version"], capture_output=True, text=True, timeout=30, check=True
    )
    assert done.stdout.strip() == f"configledger {__version__}"


def test_serve_creates_the_store_and_answers(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [*_configledger(), "serve", "--port", str(port), "--log-level", "warning"],
        cwd=tmp_path,  # the default store is ./configledger.db
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        http = urllib3.PoolManager()
        deadline = time.monotonic() + 30
        while True:
            try:
                health = http.request(
                    "GET", f"http://127.0.0.1:{port}/_configledger/health", retries=False
                )
                break
            except urllib3.exceptions.HTTPError:
                assert process.poll() is None, process.stdout.read() if process.stdout else ""
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.1)
        assert health.status == 200

        class _Server:
            url = f"http://127.0.0.1:{port}"

        client = config_client(_Server)  # type: ignore[arg-type]
        client.put_retention_configuration(RetentionPeriodInDays=90)
        assert client.describe_retention_configurations()["RetentionConfigurations"] == [
            {"Name": "default", "RetentionPeriodInDays": 90}
        ]
        assert (tmp_path / "configledger.db").exists()
    finally:
        process.terminate()
        process.wait(timeout=30)
