"""The embedded AWS on Config's port: real services through boto3, per account, signed."""

from __future__ import annotations

import time
import uuid

import pytest
import urllib3
from botocore.exceptions import ClientError

from tests.conftest import LiveServer, config_client, new_account
from tests.sandbox.conftest import Clients, aws_client

_http = urllib3.PoolManager()


def test_many_services_behind_the_one_endpoint(aws: Clients, account: str) -> None:
    ec2 = aws("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    group_id = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc_id)[
        "GroupId"
    ]
    ec2.authorize_security_group_ingress(
        GroupId=group_id,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
    )
    [group] = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"]
    assert group["VpcId"] == vpc_id
    assert group["IpPermissions"][0]["FromPort"] == 443

    s3 = aws("s3")
    bucket = f"bucket-{account}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="dir/a file.txt", Body=b"hello sandbox")
    assert s3.get_object(Bucket=bucket, Key="dir/a file.txt")["Body"].read() == b"hello sandbox"
    assert s3.head_object(Bucket=bucket, Key="dir/a file.txt")["ContentLength"] == 13

    iam = aws("iam")
    role = iam.create_role(RoleName="app", AssumeRolePolicyDocument="{}")["Role"]
    assert role["Arn"] == f"arn:aws:iam::{account}:role/app"

    topic = aws("sns").create_topic(Name="alerts")["TopicArn"]
    assert topic == f"arn:aws:sns:us-east-1:{account}:alerts"

    queue_url = aws("sqs").create_queue(QueueName="jobs")["QueueUrl"]
    assert queue_url.endswith(f"/{account}/jobs")

    dynamodb = aws("dynamodb")
    dynamodb.create_table(
        TableName="items",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    assert dynamodb.list_tables()["TableNames"] == ["items"]


def test_config_and_the_sandbox_share_the_port(
    server: LiveServer, aws: Clients, account: str
) -> None:
    aws("sqs").create_queue(QueueName="q")
    config = config_client(server, account)
    assert config.describe_configuration_recorders()["ConfigurationRecorders"] == []
    assert len(aws("sqs").list_queues()["QueueUrls"]) == 1


def test_moto_state_is_per_account(server: LiveServer) -> None:
    alice, bob = new_account(), new_account()
    aws_client(server, "s3", alice).create_bucket(Bucket=f"only-{alice}")
    vpc_id = aws_client(server, "ec2", alice).create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["VpcId"]
    aws_client(server, "sqs", alice).create_queue(QueueName="private")

    names = [b["Name"] for b in aws_client(server, "s3", alice).list_buckets()["Buckets"]]
    assert names == [f"only-{alice}"]
    assert aws_client(server, "s3", bob).list_buckets()["Buckets"] == []
    with pytest.raises(ClientError) as error:
        aws_client(server, "ec2", bob).describe_vpcs(VpcIds=[vpc_id])
    assert error.value.response["Error"]["Code"] == "InvalidVpcID.NotFound"
    assert "QueueUrls" not in aws_client(server, "sqs", bob).list_queues()


def test_a_client_cannot_choose_its_moto_account(server: LiveServer) -> None:
    """x-moto-account-id is ours to set: a client's own value, even signed, is replaced."""
    alice, bob = new_account(), new_account()
    s3 = aws_client(server, "s3", alice)

    def spoof(request: object, **_: object) -> None:
        request.headers["x-moto-account-id"] = bob  # type: ignore[attr-defined]

    s3.meta.events.register("before-sign.s3.CreateBucket", spoof)
    s3.create_bucket(Bucket=f"spoof-{alice}")
    assert aws_client(server, "s3", bob).list_buckets()["Buckets"] == []
    assert [b["Name"] for b in aws_client(server, "s3", alice).list_buckets()["Buckets"]] == [
        f"spoof-{alice}"
    ]


# -- authentication ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body", "headers", "status", "code"),
    [
        ("GET", "/", b"", {}, 403, b"<Code>AccessDenied</Code>"),
        (
            "POST",
            "/",
            b"Action=DescribeVpcs&Version=2016-11-15",
            {"Content-Type": "application/x-www-form-urlencoded"},
            403,
            b"<Code>MissingAuthenticationToken</Code>",
        ),
        (
            "POST",
            "/",
            b"{}",
            {
                "Content-Type": "application/x-amz-json-1.0",
                "X-Amz-Target": "DynamoDB_20120810.ListTables",
            },
            400,
            b'"__type":"MissingAuthenticationTokenException"',
        ),
    ],
    ids=["s3", "query", "json"],
)
def test_unsigned_requests_never_reach_moto(
    server: LiveServer,
    method: str,
    path: str,
    body: bytes,
    headers: dict[str, str],
    status: int,
    code: bytes,
) -> None:
    response = _http.request(method, server.url + path, body=body, headers=headers, retries=False)
    assert response.status == status
    assert code in response.data


@pytest.mark.parametrize(
    ("service", "call", "code"),
    [
        ("s3", lambda c: c.list_buckets(), "SignatureDoesNotMatch"),
        ("ec2", lambda c: c.describe_vpcs(), "SignatureDoesNotMatch"),
        ("iam", lambda c: c.list_roles(), "SignatureDoesNotMatch"),
        ("dynamodb", lambda c: c.list_tables(), "InvalidSignatureException"),
        ("sqs", lambda c: c.list_queues(), "InvalidSignatureException"),
        ("lambda", lambda c: c.list_functions(), "InvalidSignatureException"),
    ],
)
def test_a_wrong_secret_is_refused_in_each_protocol(
    server: LiveServer, service: str, call: object, code: str
) -> None:
    client = aws_client(server, service, new_account(), secret="not-the-secret")
    with pytest.raises(ClientError) as error:
        call(client)  # type: ignore[operator]
    assert error.value.response["Error"]["Code"] == code


@pytest.mark.parametrize(
    ("service", "call", "code"),
    [
        ("s3", lambda c: c.list_buckets(), "InvalidAccessKeyId"),
        ("sns", lambda c: c.list_topics(), "InvalidClientTokenId"),
        ("dynamodb", lambda c: c.list_tables(), "UnrecognizedClientException"),
    ],
)
def test_an_unknown_access_key_is_refused(
    server: LiveServer, service: str, call: object, code: str
) -> None:
    client = aws_client(server, service, "AKIANOSUCHKEY0000000")
    with pytest.raises(ClientError) as error:
        call(client)  # type: ignore[operator]
    assert error.value.response["Error"]["Code"] == code


def test_a_refused_write_changes_nothing(server: LiveServer, account: str) -> None:
    bucket = f"refused-{account}"
    with pytest.raises(ClientError):
        aws_client(server, "s3", account, secret="wrong").create_bucket(Bucket=bucket)
    assert aws_client(server, "s3", account).list_buckets()["Buckets"] == []
    trail = aws_client(server, "cloudtrail", account)
    assert trail.lookup_events()["Events"] == []


def test_signed_for_config_never_reaches_moto(server: LiveServer, account: str) -> None:
    """A Config-scoped signature with a foreign target is Config's unknown operation."""
    from tests.helpers import raw_call

    status, body, _ = raw_call(
        server.url, "AmazonSQS.CreateQueue", '{"QueueName": "x"}', access_key=account
    )
    assert (status, body["__type"]) == (400, "UnknownOperationException")
    assert "QueueUrls" not in aws_client(server, "sqs", account).list_queues()


# -- presigned URLs ----------------------------------------------------------------------


@pytest.fixture
def shared_object(server: LiveServer, account: str) -> tuple[str, str]:
    bucket, key = f"share-{account}", "reports/q1 final.csv"
    s3 = aws_client(server, "s3", account)
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key=key, Body=b"a,b\n1,2\n")
    return bucket, key


@pytest.mark.parametrize("signature_version", [None, "s3v4"], ids=["boto3-default", "s3v4"])
def test_presigned_urls_work_and_tampering_does_not(
    server: LiveServer, account: str, shared_object: tuple[str, str], signature_version: str | None
) -> None:
    bucket, key = shared_object
    extra = {"signature_version": signature_version} if signature_version else {}
    s3 = aws_client(server, "s3", account, **extra)
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key})
    response = _http.request("GET", url, retries=False)
    assert (response.status, response.data) == (200, b"a,b\n1,2\n")

    other_key = url.replace("q1%20final", "q2%20final")
    tampered = _http.request("GET", other_key, retries=False)
    assert tampered.status == 403
    assert b"<Code>SignatureDoesNotMatch</Code>" in tampered.data


def test_a_presigned_upload_lands_in_the_signers_account(
    server: LiveServer, account: str, shared_object: tuple[str, str]
) -> None:
    bucket, _ = shared_object
    s3 = aws_client(server, "s3", account, signature_version="s3v4")
    url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "upload.bin"})
    assert _http.request("PUT", url, body=b"\x00\x01", retries=False).status == 200
    assert s3.get_object(Bucket=bucket, Key="upload.bin")["Body"].read() == b"\x00\x01"


def test_an_expired_presigned_url_is_refused(
    server: LiveServer, account: str, shared_object: tuple[str, str]
) -> None:
    bucket, key = shared_object
    s3 = aws_client(server, "s3", account)
    url = s3.generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=1
    )
    time.sleep(2.1)
    response = _http.request("GET", url, retries=False)
    assert response.status == 403
    assert b"<Code>AccessDenied</Code>" in response.data
    assert b"Request has expired" in response.data


def test_moto_api_paths_other_than_reset_are_not_exposed(server: LiveServer) -> None:
    response = _http.request("GET", server.url + "/moto-api/data.json", retries=False)
    assert response.status == 400
    assert b"UnknownOperationException" in response.data
    assert str(uuid.UUID(response.headers["x-amzn-requestid"]))


def test_an_operation_moto_lacks_is_a_clear_501(aws: Clients) -> None:
    # Any operation moto has not implemented would do; this one is obscure enough to last.
    with pytest.raises(ClientError) as error:
        aws("ec2").describe_capacity_block_extension_history()
    assert error.value.response["Error"]["Code"] == "NotImplemented"
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert "has not been implemented" in error.value.response["Error"]["Message"]
