"""A real account that throttles or refuses (DESIGN: never turn "could not look" into
"gone"): the recorder, with ``--source aws``, talks over HTTP to a gate in front of a
ConfigLedger sandbox standing in for AWS. The gate answers chosen EC2 calls itself, as
AWS does when it throttles (503 RequestLimitExceeded) or refuses (403
UnauthorizedOperation), and passes everything else through unchanged.

Throttled calls are retried with backoff until AWS answers; a listing that still fails
deletes nothing, the other types are recorded all the same, and the recorder's status
names the type that failed until a later sweep succeeds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import boto3
import pytest
import urllib3

from tests.conftest import LiveServer, config_client, new_account, start_server

REGION = "us-east-1"
SG = "AWS::EC2::SecurityGroup"
VPC = "AWS::EC2::VPC"
THROTTLED = (
    503,
    b"<Response><Errors><Error><Code>RequestLimitExceeded</Code>"
    b"<Message>Request limit exceeded.</Message></Error></Errors>"
    b"<RequestID>throttled</RequestID></Response>",
)
REFUSED = (
    403,
    b"<Response><Errors><Error><Code>UnauthorizedOperation</Code>"
    b"<Message>You are not authorized to perform this operation.</Message></Error></Errors>"
    b"<RequestID>refused</RequestID></Response>",
)
_HOP_HEADERS = {"connection", "transfer-encoding", "content-length", "keep-alive"}


class Gate:
    """The HTTP endpoint the recorder is given as AWS: per EC2 action, answers to give
    instead of AWS's (``pending``: the next few calls; ``always``: every call)."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.pending: dict[str, list[tuple[int, bytes]]] = {}
        self.always: dict[str, tuple[int, bytes]] = {}
        self.calls: list[tuple[str, int]] = []  # (action, status answered)
        self._lock = threading.Lock()
        self._http = urllib3.PoolManager(maxsize=16)
        gate = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                gate.handle(self, "POST")

            def do_GET(self) -> None:
                gate.handle(self, "GET")

            def do_PUT(self) -> None:
                gate.handle(self, "PUT")

            def do_DELETE(self) -> None:
                gate.handle(self, "DELETE")

            def do_HEAD(self) -> None:
                gate.handle(self, "HEAD")

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def count(self, action: str) -> list[int]:
        with self._lock:
            return [status for name, status in self.calls if name == action]

    def handle(self, request: BaseHTTPRequestHandler, method: str) -> None:
        body = request.rfile.read(int(request.headers.get("Content-Length") or 0))
        action = ""
        if request.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
            action = parse_qs(body.decode(errors="replace")).get("Action", [""])[0]
        with self._lock:
            queued = self.pending.get(action)
            canned = queued.pop(0) if queued else self.always.get(action)
        if canned is not None:
            status, payload = canned
            headers = {"Content-Type": "text/xml"}
        else:
            # Passed through as sent (Host included, so the signature still holds).
            answer = self._http.request(
                method,
                self.upstream + request.path,
                body=body,
                headers=dict(request.headers.items()),
                retries=False,
                redirect=False,
            )
            status, payload = answer.status, answer.data
            headers = {k: v for k, v in answer.headers.items() if k.lower() not in _HOP_HEADERS}
        with self._lock:
            self.calls.append((action, status))
        request.send_response(status)
        for key, value in headers.items():
            request.send_header(key, value)
        request.send_header("Content-Length", str(len(payload)))
        request.end_headers()
        if method != "HEAD":
            request.wfile.write(payload)


@pytest.fixture(scope="module")
def fake_aws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    path: Path = tmp_path_factory.mktemp("throttled-aws") / "aws.db"
    server = start_server(f"sqlite:///{path}", sweep_interval=0)
    yield server
    server.stop()


@pytest.fixture
def gated(
    fake_aws: LiveServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Gate, LiveServer, str]]:
    """(the gate, a recorder server describing "AWS" through it, the account)."""
    account = new_account()
    gate = Gate(fake_aws.url)
    # The recorder's default credential chain: environment variables, as in production.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", account)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    server = start_server(
        f"sqlite:///{tmp_path / 'recorder.db'}",
        source="aws",
        aws_endpoint_url=gate.url,
        assume_role=False,
        sweep_interval=0,
        cloudtrail_poll_interval=0,
    )
    yield gate, server, account
    server.stop()
    gate.close()


def _ec2(fake_aws: LiveServer, account: str) -> Any:
    return boto3.client(
        "ec2",
        endpoint_url=fake_aws.url,
        region_name=REGION,
        aws_access_key_id=account,
        aws_secret_access_key="test",
    )


def _status(config: Any) -> dict[str, Any]:
    [status] = config.describe_configuration_recorder_status()["ConfigurationRecordersStatus"]
    return status  # type: ignore[no-any-return]


def _sweep(config: Any, first: bool = False) -> dict[str, Any]:
    """Start the recorder (stopping it first, unless ``first``) and wait for the sweep the
    start asks for; its status."""
    if first:
        config.put_configuration_recorder(
            ConfigurationRecorder={
                "name": "default",
                "roleARN": "arn:aws:iam::123456789012:role/config",
                "recordingGroup": {"allSupported": False, "resourceTypes": [SG, VPC]},
            }
        )
        config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "b"})
    else:
        config.stop_configuration_recorder(ConfigurationRecorderName="default")
    config.start_configuration_recorder(ConfigurationRecorderName="default")
    deadline = time.monotonic() + 60
    while (status := _status(config))["lastStatus"] == "PENDING":
        assert time.monotonic() < deadline, "the sweep did not finish"
        time.sleep(0.1)
    return status


def _statuses(config: Any, resource_type: str, resource_id: str) -> list[str]:
    items = config.get_resource_config_history(resourceType=resource_type, resourceId=resource_id)
    return [i["configurationItemStatus"] for i in items["configurationItems"]]


def test_a_throttled_listing_is_retried_until_aws_answers(
    fake_aws: LiveServer, gated: tuple[Gate, LiveServer, str]
) -> None:
    gate, server, account = gated
    ec2 = _ec2(fake_aws, account)
    vpc = ec2.create_vpc(CidrBlock="10.5.0.0/16")["Vpc"]["VpcId"]
    group = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    gate.pending["DescribeSecurityGroups"] = [THROTTLED, THROTTLED, THROTTLED]

    status = _sweep(config_client(server, account), first=True)

    assert status["lastStatus"] == "SUCCESS", status
    # Three throttled answers, then AWS's: one listing, retried, complete.
    assert gate.count("DescribeSecurityGroups") == [503, 503, 503, 200]
    config = config_client(server, account)
    assert _statuses(config, SG, group) == ["ResourceDiscovered"]
    listed = config.list_discovered_resources(resourceType=SG)["resourceIdentifiers"]
    assert group in {r["resourceId"] for r in listed}


def test_a_refused_listing_deletes_nothing_and_the_other_types_go_on(
    fake_aws: LiveServer, gated: tuple[Gate, LiveServer, str]
) -> None:
    gate, server, account = gated
    ec2 = _ec2(fake_aws, account)
    vpc = ec2.create_vpc(CidrBlock="10.6.0.0/16")["Vpc"]["VpcId"]
    group = ec2.create_security_group(GroupName="db", Description="db", VpcId=vpc)["GroupId"]
    config = config_client(server, account)
    assert _sweep(config, first=True)["lastStatus"] == "SUCCESS"
    assert _statuses(config, SG, group) == ["ResourceDiscovered"]

    # The group goes, and another VPC comes, while AWS refuses to list groups.
    ec2.delete_security_group(GroupId=group)
    later = ec2.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]
    gate.always["DescribeSecurityGroups"] = REFUSED
    status = _sweep(config)

    assert status["lastStatus"] == "FAILURE"
    assert status["lastErrorCode"] == "ListingFailed"
    assert status["lastErrorMessage"].startswith(f"{SG}: ")
    assert "UnauthorizedOperation" in status["lastErrorMessage"]
    assert VPC not in status["lastErrorMessage"]
    assert gate.count("DescribeSecurityGroups")[-1] == 403
    # Not listed is not gone: the group keeps its one item; the VPC type went on.
    assert _statuses(config, SG, group) == ["ResourceDiscovered"]
    assert _statuses(config, VPC, later) == ["ResourceDiscovered"]
    listed = config.list_discovered_resources(resourceType=SG)["resourceIdentifiers"]
    assert group in {r["resourceId"] for r in listed}

    # AWS answers again: the next sweep's complete listing records the deletion.
    del gate.always["DescribeSecurityGroups"]
    status = _sweep(config)
    assert status["lastStatus"] == "SUCCESS", status
    assert "lastErrorMessage" not in status
    assert _statuses(config, SG, group) == ["ResourceDeleted", "ResourceDiscovered"]
