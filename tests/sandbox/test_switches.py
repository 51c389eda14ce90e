"""--no-sandbox, and POST /moto-api/reset: the two switches a test suite reaches for."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
import urllib3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from sqlalchemy import create_engine, func, select

from configledger.store.schema import metadata
from tests.conftest import (
    ROLE_ARN,
    LiveServer,
    config_client,
    free_port,
    new_account,
    start_recording,
    start_server,
)
from tests.sandbox.conftest import aws_client, lookup

_http = urllib3.PoolManager()


def _signed(
    url: str, service: str, account: str, body: bytes, headers: dict[str, str]
) -> urllib3.BaseHTTPResponse:
    request = AWSRequest(method="POST", url=url + "/", data=body, headers=headers)
    SigV4Auth(Credentials(account, "test"), service, "us-east-1").add_auth(request)
    return _http.request(
        "POST", url + "/", body=body, headers=dict(request.prepare().headers), retries=False
    )


@pytest.fixture
def no_sandbox(tmp_path: Path) -> Iterator[LiveServer]:
    live = start_server(f"sqlite:///{tmp_path / 'plain.db'}", sandbox=False)
    yield live
    live.stop()


def test_without_the_sandbox_other_services_are_unknown(no_sandbox: LiveServer) -> None:
    assert no_sandbox.app.sandbox is None
    account = new_account()
    answer = _signed(
        no_sandbox.url,
        "ec2",
        account,
        b"Action=CreateVpc&Version=2016-11-15&CidrBlock=10.0.0.0%2F16",
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status == 400
    assert orjson.loads(answer.data)["__type"] == "UnknownOperationException"
    # Nothing reached a sandbox, so nothing was recorded.
    assert lookup(aws_client(no_sandbox, "cloudtrail", account)) == []


def test_without_the_sandbox_config_is_still_audited(no_sandbox: LiveServer) -> None:
    account = new_account()
    config = config_client(no_sandbox, account)
    config.put_configuration_recorder(
        ConfigurationRecorder={"name": "default", "roleARN": ROLE_ARN}
    )
    [put] = lookup(aws_client(no_sandbox, "cloudtrail", account), "ReadOnly", "false")
    assert put["EventName"] == "PutConfigurationRecorder"

    reset = _http.request("POST", no_sandbox.url + "/moto-api/reset", retries=False)
    assert reset.status == 400
    assert orjson.loads(reset.data)["__type"] == "UnknownOperationException"
    assert len(config.describe_configuration_recorders()["ConfigurationRecorders"]) == 1


def test_no_reset_where_the_store_records_real_accounts(tmp_path: Path) -> None:
    live = start_server(
        f"sqlite:///{tmp_path / 'real.db'}", source="aws", aws_endpoint_url="http://127.0.0.1:9"
    )
    try:
        account = new_account()
        config = config_client(live, account)
        config.put_retention_configuration(RetentionPeriodInDays=30)
        reset = _http.request("POST", live.url + "/moto-api/reset", retries=False)
        assert reset.status == 400
        assert orjson.loads(reset.data)["__type"] == "UnknownOperationException"
        assert len(config.describe_retention_configurations()["RetentionConfigurations"]) == 1
    finally:
        live.stop()


def test_the_cli_flag_turns_the_sandbox_off() -> None:
    from configledger.cli.main import _parser

    assert _parser().parse_args(["serve", "--no-sandbox"]).sandbox is False
    assert _parser().parse_args(["serve"]).sandbox is None  # the setting's default: on


# -- reset -------------------------------------------------------------------------------


class _Remote:
    def __init__(self, url: str) -> None:
        self.url = url


@pytest.fixture
def own_process(tmp_path: Path) -> Iterator[tuple[_Remote, str]]:
    """A server in its own process: moto's state is per process, and a reset here must not
    touch the moto state of the servers other tests share."""
    port = free_port()
    db_url = f"sqlite:///{tmp_path / 'reset.db'}"
    script = Path(sys.executable).parent / "configledger"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "configledger.cli.main"]
    log = tmp_path / "server.log"
    process = subprocess.Popen(
        [*command, "serve", "--port", str(port), "--db", db_url, "--log-level", "warning"],
        cwd=tmp_path,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            _http.request("GET", url + "/_configledger/health", retries=False)
            break
        except urllib3.exceptions.HTTPError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise AssertionError(f"server did not start: {log.read_text()[-2000:]}") from None
            time.sleep(0.1)
    try:
        yield _Remote(url), db_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            # A recorder sweep in flight delays a graceful exit; the test is not about that.
            process.kill()
            process.wait(timeout=10)


def _rows(db_url: str) -> dict[str, int]:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        counts = {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in metadata.sorted_tables
        }
    engine.dispose()
    return counts


def _wait_until_recorded(config: object) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status = config.describe_configuration_recorder_status()  # type: ignore[attr-defined]
        if status["ConfigurationRecordersStatus"][0].get("lastStatus") != "PENDING":
            return
        time.sleep(0.1)
    raise AssertionError("the first sweep did not finish")


def test_reset_clears_the_sandbox_and_configledger(own_process: tuple[_Remote, str]) -> None:
    server, db_url = own_process
    account = new_account()
    s3 = aws_client(server, "s3", account)  # type: ignore[arg-type]
    s3.create_bucket(Bucket=f"wiped-{account}")
    aws_client(server, "sqs", account).create_queue(QueueName="wiped")  # type: ignore[arg-type]
    config = config_client(server, account)  # type: ignore[arg-type]
    start_recording(config, bucket=f"wiped-{account}")  # the channel's bucket must exist
    config.put_retention_configuration(RetentionPeriodInDays=30)
    _wait_until_recorded(config)
    before = _rows(db_url)
    for table in ("recorders", "delivery_channels", "cloudtrail_events", "outbox"):
        assert before[table] > 0, table

    answer = _http.request("POST", server.url + "/moto-api/reset", retries=False)
    assert answer.status == 200
    assert orjson.loads(answer.data) == {"status": "ok"}

    after = _rows(db_url)
    assert {name for name, count in after.items() if count} <= {"server_state", "outbox_cursors"}
    assert after["server_state"] == before["server_state"]  # the token secret survives
    assert s3.list_buckets()["Buckets"] == []
    assert "QueueUrls" not in aws_client(server, "sqs", account).list_queues()  # type: ignore[arg-type]
    assert config.describe_configuration_recorders()["ConfigurationRecorders"] == []
    assert config.describe_retention_configurations()["RetentionConfigurations"] == []
    trail = aws_client(server, "cloudtrail", account)  # type: ignore[arg-type]
    assert [e["EventName"] for e in lookup(trail)] == [
        "DescribeRetentionConfigurations",
        "DescribeConfigurationRecorders",
    ]
