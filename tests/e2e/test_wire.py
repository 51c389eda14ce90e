"""The wire protocol and authentication as AWS speaks them (spec 1.1, 1.2)."""

from __future__ import annotations

import uuid
from pathlib import Path

import boto3
import pytest
from botocore.config import Config as BotoConfig
from botocore.exceptions import ClientError

from configledger.clock import FrozenClock, SystemClock
from tests.conftest import LiveServer, config_client, new_account, start_server
from tests.helpers import raw_call, row_counts


def test_every_answer_carries_a_request_id(server: LiveServer) -> None:
    status, body, headers = raw_call(server.url, "DescribeRetentionConfigurations", "{}")
    assert status == 200
    assert body == {"RetentionConfigurations": []}
    assert uuid.UUID(headers["x-amzn-requestid"])
    assert headers["content-type"] == "application/x-amz-json-1.1"
    status, body, headers = raw_call(server.url, "NoSuchOperation", "{}")
    assert status == 400
    assert uuid.UUID(headers["x-amzn-requestid"])


def test_boto3_reads_the_request_id(server: LiveServer) -> None:
    client = config_client(server)
    meta = client.describe_configuration_recorders()["ResponseMetadata"]
    assert uuid.UUID(meta["RequestId"])


def test_unknown_operation(server: LiveServer) -> None:
    status, body, _ = raw_call(server.url, "StarlingDoveService.FlyAway", "{}")
    assert status == 400
    assert body["__type"] == "UnknownOperationException"
    status, body, _ = raw_call(server.url, "SomeOtherService.PutConfigurationRecorder", "{}")
    assert body["__type"] == "UnknownOperationException"


@pytest.mark.parametrize(
    "payload",
    [b"{", b'{"ConfigurationRecorder": ', b"not json", b'{"a": 1,}', b"\xff\xfe"],
    ids=["unclosed", "truncated", "text", "trailing-comma", "not-utf8"],
)
def test_malformed_json_is_a_serialization_exception(server: LiveServer, payload: bytes) -> None:
    account = new_account()
    before = row_counts(server.db_url, account)
    status, body, _ = raw_call(server.url, "PutConfigurationRecorder", payload, access_key=account)
    assert status == 400
    assert body["__type"] == "SerializationException"
    assert body["message"]
    assert row_counts(server.db_url, account) == before


def test_a_non_object_body_is_a_serialization_exception(server: LiveServer) -> None:
    status, body, _ = raw_call(server.url, "DescribeConfigurationRecorders", b"[1, 2]")
    assert status == 400
    assert body["__type"] == "SerializationException"


def test_empty_body_means_no_members(server: LiveServer) -> None:
    status, body, _ = raw_call(server.url, "DescribeConfigurationRecorders", b"")
    assert status == 200
    assert body == {"ConfigurationRecorders": []}


def test_timestamps_are_epoch_seconds(server: LiveServer) -> None:
    account = new_account()
    client = config_client(server, account)
    client.put_configuration_recorder(
        ConfigurationRecorder={"name": "default", "roleARN": "arn:aws:iam::1:role/r"}
    )
    client.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "b"})
    client.start_configuration_recorder(ConfigurationRecorderName="default")
    _, body, _ = raw_call(
        server.url, "DescribeConfigurationRecorderStatus", "{}", access_key=account
    )
    started = body["ConfigurationRecordersStatus"][0]["lastStartTime"]
    assert isinstance(started, float | int)
    assert abs(started - SystemClock().now_ms() / 1000) < 60


# -- authentication ----------------------------------------------------------------------


def test_unsigned_request(server: LiveServer) -> None:
    status, body, _ = raw_call(server.url, "DescribeConfigurationRecorders", "{}", sign=False)
    assert status == 400
    assert body["__type"] == "MissingAuthenticationTokenException"
    assert body["message"] == "Missing Authentication Token"


def test_malformed_authorization_header(server: LiveServer) -> None:
    status, body, _ = raw_call(
        server.url,
        "DescribeConfigurationRecorders",
        "{}",
        sign=False,
        extra_headers={"Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1"},
    )
    assert status == 400
    assert body["__type"] == "IncompleteSignatureException"
    assert "Signature" in body["message"]


def test_wrong_secret(server: LiveServer) -> None:
    account = new_account()
    before = row_counts(server.db_url, account)
    client = config_client(server, account, secret="not-the-secret")
    with pytest.raises(ClientError) as error:
        client.put_configuration_recorder(
            ConfigurationRecorder={"name": "default", "roleARN": "arn:aws:iam::1:role/r"}
        )
    assert error.value.response["Error"]["Code"] == "InvalidSignatureException"
    assert "signature we calculated does not match" in error.value.response["Error"]["Message"]
    assert row_counts(server.db_url, account) == before


def test_unknown_access_key(server: LiveServer) -> None:
    client = config_client(server, "AKIAUNKNOWNKEY000000")
    with pytest.raises(ClientError) as error:
        client.describe_configuration_recorders()
    assert error.value.response["Error"]["Code"] == "UnrecognizedClientException"
    assert error.value.response["Error"]["Message"] == (
        "The security token included in the request is invalid."
    )


def test_signed_for_another_service(server: LiveServer) -> None:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    from tests.helpers import _http

    request = AWSRequest(
        method="POST",
        url=server.url + "/",
        data=b"{}",
        headers={
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "StarlingDoveService.DescribeConfigurationRecorders",
        },
    )
    SigV4Auth(Credentials("test", "test"), "s3", "us-east-1").add_auth(request)
    prepared = request.prepare()
    response = _http.request("POST", server.url + "/", body=b"{}", headers=dict(prepared.headers))
    assert response.status == 400
    assert b"InvalidSignatureException" in response.data


@pytest.fixture
def server_in_the_future(tmp_path: Path):
    """A server whose clock runs 20 minutes ahead: every real signature is expired."""
    clock = FrozenClock(SystemClock().now_ms() + 20 * 60 * 1000)
    live = start_server(f"sqlite:///{tmp_path / 'future.db'}", clock=clock)
    yield live
    live.stop()


def test_expired_signature(server_in_the_future: LiveServer) -> None:
    client = config_client(server_in_the_future)
    with pytest.raises(ClientError) as error:
        client.describe_configuration_recorders()
    assert error.value.response["Error"]["Code"] == "InvalidSignatureException"
    assert error.value.response["Error"]["Message"].startswith("Signature expired:")


def test_credentials_file_and_no_sandbox_credentials(tmp_path: Path) -> None:
    credentials = tmp_path / "credentials.toml"
    credentials.write_text(
        "[[credentials]]\n"
        'access_key_id = "AKIAALICE0000000000"\n'
        'secret_access_key = "alice-secret"\n'
        'account_id = "111122223333"\n'
        'principal_arn = "arn:aws:iam::111122223333:user/alice"\n'
    )
    live = start_server(
        f"sqlite:///{tmp_path / 'creds.db'}",
        credentials_file=str(credentials),
        sandbox_credentials=False,
    )
    try:
        alice = boto3.client(
            "config",
            endpoint_url=live.url,
            region_name="eu-west-1",
            aws_access_key_id="AKIAALICE0000000000",
            aws_secret_access_key="alice-secret",
            config=BotoConfig(retries={"max_attempts": 1}),
        )
        alice.put_configuration_recorder(
            ConfigurationRecorder={"name": "default", "roleARN": "arn:aws:iam::1:role/r"}
        )
        arn = alice.describe_configuration_recorders()["ConfigurationRecorders"][0]["arn"]
        assert arn.startswith("arn:aws:config:eu-west-1:111122223333:configuration-recorder/")
        with pytest.raises(ClientError) as error:
            config_client(live, "test").describe_configuration_recorders()
        assert error.value.response["Error"]["Code"] == "UnrecognizedClientException"
    finally:
        live.stop()
