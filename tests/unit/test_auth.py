"""SigV4 verification, checked against what botocore's own signers produce."""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

import pytest
from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth, SigV4Auth, SigV4QueryAuth, _host_from_url
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from configledger.api import auth
from configledger.api.auth import Caller, Credential, CredentialStore, authenticate
from configledger.errors import (
    AwsError,
    IncompleteSignatureException,
    InvalidSignatureException,
    MissingAuthenticationTokenException,
    UnrecognizedClientException,
)

NOW = datetime(2026, 1, 1, 12, 0, 0)  # naive UTC, as botocore's clock returns it
NOW_MS = calendar.timegm(NOW.timetuple()) * 1000
CONFIG_URL = "https://config.us-east-1.amazonaws.com/"
S3_URL = "https://s3.us-east-1.amazonaws.com"
STORE = CredentialStore()
MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details."
)
CONFIG_HEADERS = {
    "X-Amz-Target": "StarlingDoveService.DescribeConfigRules",
    "Content-Type": "application/x-amz-json-1.1",
}


def ms(moment: datetime) -> int:
    return calendar.timegm(moment.timetuple()) * 1000


def sign(
    url: str = CONFIG_URL,
    *,
    method: str = "POST",
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    params: Any = None,
    signer: type[SigV4Auth] = SigV4Auth,
    service: str = "config",
    region: str = "us-east-1",
    key: str = "test",
    secret: str = "test",
    token: str | None = None,
    at: datetime = NOW,
    context: dict[str, Any] | None = None,
    **signer_options: Any,
) -> dict[str, Any]:
    """Sign with botocore, then return the request as the HTTP layer would hand it over."""
    request = AWSRequest(
        method=method, url=url, data=body, headers=headers or {}, params=params or {}
    )
    request.context.update(context or {})
    with mock.patch("botocore.auth.get_current_datetime", return_value=at):
        signer(Credentials(key, secret, token), service, region, **signer_options).add_auth(request)
    prepared = request.prepare()
    split = urlsplit(prepared.url)
    wire_headers = {name.lower(): str(value) for name, value in prepared.headers.items()}
    wire_headers.setdefault("host", _host_from_url(prepared.url))
    wire_body = prepared.body or b""
    return {
        "method": prepared.method,
        "path": split.path,
        "query_string": split.query,
        "headers": wire_headers,
        "body": wire_body.encode() if isinstance(wire_body, str) else wire_body,
    }


def check(request: dict[str, Any], store: CredentialStore = STORE, now_ms: int = NOW_MS) -> Caller:
    return authenticate(**request, credentials=store, now_ms=now_ms)


def rejected(
    request: dict[str, Any],
    error: type[AwsError],
    store: CredentialStore = STORE,
    now_ms: int = NOW_MS,
) -> str:
    with pytest.raises(error) as raised:
        check(request, store, now_ms)
    assert type(raised.value) is error
    return raised.value.message


def with_headers(request: dict[str, Any], **changes: str) -> dict[str, Any]:
    return {**request, "headers": {**request["headers"], **changes}}


def config_request(**options: Any) -> dict[str, Any]:
    return sign(body=b'{"ConfigRuleNames": []}', headers=dict(CONFIG_HEADERS), **options)


# -- accepted requests ------------------------------------------------------------------


def test_config_json_request_is_accepted_and_names_the_caller() -> None:
    caller = check(config_request(region="eu-west-3"))
    assert caller.credential.account_id == "123456789012"
    assert caller.credential.principal_arn == "arn:aws:iam::123456789012:root"
    assert (caller.region, caller.service) == ("eu-west-3", "config")


def test_aws_documented_get_vanilla_vector() -> None:
    store = CredentialStore(
        [
            Credential(
                "AKIDEXAMPLE",
                "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                "111122223333",
                "arn:aws:iam::111122223333:user/example",
            )
        ]
    )
    request = {
        "method": "GET",
        "path": "/",
        "query_string": "",
        "headers": {
            "host": "example.amazonaws.com",
            "x-amz-date": "20150830T123600Z",
            "authorization": "AWS4-HMAC-SHA256 "
            "Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        },
        "body": b"",
    }
    caller = check(request, store, ms(datetime(2015, 8, 30, 12, 36)))
    assert caller.credential.principal_arn == "arn:aws:iam::111122223333:user/example"


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/a%20b",
        "/a%2520b",
        "/%C3%BCn%C3%AFc%C3%B6de/%E2%9C%93",
        "/raw-ünïcödé",
        "/a%2Fb/c",
        "/a/./b/../c",
        "//double//slashes/",
        "/tilde~and%25percent",
        "/sub-delims!$&'()*+,;=:@",
    ],
)
def test_paths_of_other_services_are_normalized_and_encoded_again(path: str) -> None:
    request = sign(f"https://example.us-east-1.amazonaws.com{path}", method="GET", service="svc")
    assert request["path"] == path
    assert check(request).service == "svc"


@pytest.mark.parametrize(
    "path",
    [
        "/bucket/key%20with%20spaces",
        "/bucket/%E2%9C%93/%C3%BC",
        "/bucket/a/../b",
        "/bucket//double//",
        "/bucket/plus%2Bsign",
        "/bucket/tilde~",
    ],
)
def test_s3_paths_are_signed_as_sent(path: str) -> None:
    request = sign(S3_URL + path, method="GET", signer=S3SigV4Auth, service="s3")
    assert request["path"] == path
    assert check(request).service == "s3"


def test_equivalent_paths_verify_alike_except_for_s3() -> None:
    other = sign("https://example.amazonaws.com/a/../b", method="GET", service="svc")
    assert check({**other, "path": "//b"}).service == "svc"
    s3 = sign(S3_URL + "/bucket/a/../b", method="GET", signer=S3SigV4Auth, service="s3")
    assert rejected({**s3, "path": "/bucket/b"}, InvalidSignatureException) == MISMATCH


def test_query_params_with_repeats_and_special_characters() -> None:
    params = [
        ("b", "two words"),
        ("a", "x+y"),
        ("a", "&="),
        ("a", "/slash?"),
        ("c", "ünï~*'()"),
        ("empty", ""),
        ("Upper", "Z"),
    ]
    request = sign(method="GET", params=params, service="svc")
    assert "+" in request["query_string"]  # botocore sends spaces as '+' but signs '%20'
    assert check(request).service == "svc"


def test_query_string_in_url_with_repeated_keys_and_bare_key() -> None:
    url = S3_URL + "/bucket?list-type=2&prefix=a%20b%2Fc&delimiter=%2F&k=2&k=10&k=1&uploads"
    request = sign(url, method="GET", signer=S3SigV4Auth, service="s3")
    assert check(request).service == "s3"
    assert rejected(
        {**request, "query_string": request["query_string"] + "&k=3"}, InvalidSignatureException
    )


def test_header_values_are_trimmed_and_collapsed() -> None:
    request = sign(headers={**CONFIG_HEADERS, "X-Custom": "  spaced   out\tvalue "})
    assert check(request).service == "config"
    assert check(with_headers(request, **{"x-custom": "spaced out value"})).service == "config"
    assert rejected(
        with_headers(request, **{"x-custom": "spacedout value"}), InvalidSignatureException
    )


def test_unsigned_headers_may_change() -> None:
    request = config_request()
    assert "user-agent" not in request["headers"]["authorization"]
    assert check(with_headers(request, **{"user-agent": "anything/1.0"})).service == "config"


def test_date_header_instead_of_x_amz_date() -> None:
    request = sign(headers={**CONFIG_HEADERS, "Date": "placeholder"}, body=b"{}")
    assert "x-amz-date" not in request["headers"]
    assert request["headers"]["date"] == "Thu, 01 Jan 2026 12:00:00 -0000"
    assert check(request).service == "config"


def test_security_token_is_a_signed_header() -> None:
    request = config_request(token="session-token")
    assert request["headers"]["x-amz-security-token"] == "session-token"
    assert check(request).credential.account_id == "123456789012"
    assert rejected(
        with_headers(request, **{"x-amz-security-token": "other"}), InvalidSignatureException
    )


def test_unsigned_payload_is_taken_literally() -> None:
    request = sign(
        S3_URL + "/bucket/key",
        method="PUT",
        body=b"data",
        headers={"Content-MD5": "jXd/OF09/siBXSD3SWAm3A=="},
        signer=S3SigV4Auth,
        service="s3",
        context={"has_streaming_input": True},
    )
    assert request["headers"]["x-amz-content-sha256"] == "UNSIGNED-PAYLOAD"
    assert check({**request, "body": b"other data"}).service == "s3"


def test_streaming_payload_marker_is_taken_literally() -> None:
    request = sign(
        S3_URL + "/bucket/key",
        method="PUT",
        body=b"chunked body",
        signer=S3SigV4Auth,
        service="s3",
        context={
            "checksum": {"request_algorithm": {"in": "trailer", "name": "x-amz-checksum-crc32"}}
        },
    )
    assert request["headers"]["x-amz-content-sha256"] == "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
    assert check(request).service == "s3"
    assert rejected(
        with_headers(request, **{"x-amz-content-sha256": "UNSIGNED-PAYLOAD"}),
        InvalidSignatureException,
    )


# -- presigned URLs ---------------------------------------------------------------------


def presigned(path: str = "/bucket/my%20key.txt", **options: Any) -> dict[str, Any]:
    return sign(
        S3_URL + path, method="GET", signer=S3SigV4QueryAuth, service="s3", expires=300, **options
    )


def test_s3_presigned_url_is_accepted_until_it_expires() -> None:
    request = presigned()
    assert "X-Amz-Signature=" in request["query_string"]
    assert "authorization" not in request["headers"]
    assert check(request).service == "s3"
    assert check(request, now_ms=NOW_MS + 300_000).service == "s3"
    assert (
        rejected(request, InvalidSignatureException, now_ms=NOW_MS + 300_001)
        == "Request has expired"
    )


def test_presigned_url_with_operation_params_and_token() -> None:
    request = presigned(
        params={"response-content-disposition": 'attachment; filename="a b.txt"'}, token="tok"
    )
    assert "X-Amz-Security-Token=tok" in request["query_string"]
    assert check(request).service == "s3"


def test_presigned_url_for_another_service() -> None:
    request = sign(method="GET", signer=SigV4QueryAuth, params={"Action": "Describe"}, expires=60)
    assert check(request).service == "config"


def test_tampered_presigned_url_is_rejected() -> None:
    request = presigned()
    assert (
        rejected({**request, "path": "/bucket/other-key.txt"}, InvalidSignatureException)
        == MISMATCH
    )
    extra = {**request, "query_string": request["query_string"] + "&versionId=1"}
    assert rejected(extra, InvalidSignatureException) == MISMATCH


def test_presigned_url_missing_a_parameter() -> None:
    request = presigned()
    query = "&".join(p for p in request["query_string"].split("&") if "X-Amz-Expires" not in p)
    message = rejected({**request, "query_string": query}, IncompleteSignatureException)
    assert message == (
        "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, "
        "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
    )


def test_presigned_url_expiry_over_a_week() -> None:
    request = presigned()
    query = request["query_string"].replace("X-Amz-Expires=300", "X-Amz-Expires=604801")
    message = rejected({**request, "query_string": query}, IncompleteSignatureException)
    assert message == "X-Amz-Expires must be less than a week (in seconds) that is 604800"


def test_presigned_url_and_authorization_header_together() -> None:
    request = with_headers(presigned(), authorization=config_request()["headers"]["authorization"])
    assert rejected(request, IncompleteSignatureException).startswith(
        "Only one auth mechanism allowed"
    )


# -- rejected requests ------------------------------------------------------------------


def test_tampered_body_is_rejected() -> None:
    request = config_request()
    assert (
        rejected({**request, "body": b'{"ConfigRuleNames": ["x"]}'}, InvalidSignatureException)
        == MISMATCH
    )


def test_tampered_signed_header_is_rejected() -> None:
    request = with_headers(
        config_request(), **{"x-amz-target": "StarlingDoveService.DeleteConfigRule"}
    )
    assert rejected(request, InvalidSignatureException) == MISMATCH


def test_missing_signed_header_is_rejected() -> None:
    request = config_request()
    headers = {k: v for k, v in request["headers"].items() if k != "x-amz-target"}
    assert rejected({**request, "headers": headers}, InvalidSignatureException) == MISMATCH


def test_wrong_method_is_rejected() -> None:
    assert rejected({**config_request(), "method": "PUT"}, InvalidSignatureException) == MISMATCH


def test_wrong_secret_is_rejected() -> None:
    assert rejected(config_request(secret="not-test"), InvalidSignatureException) == MISMATCH


def test_s3_body_that_does_not_match_its_declared_hash() -> None:
    request = sign(
        S3_URL + "/bucket/key", method="PUT", body=b"data", signer=S3SigV4Auth, service="s3"
    )
    assert check(request).service == "s3"
    message = rejected({**request, "body": b"evil"}, InvalidSignatureException)
    assert message == "The provided 'x-amz-content-sha256' header does not match what was computed."


def test_non_ascii_signature_is_a_mismatch_not_a_crash() -> None:
    request = config_request()
    authorization = request["headers"]["authorization"]
    forged = authorization[: authorization.index("Signature=") + 10] + "é" * 64
    assert (
        rejected(with_headers(request, authorization=forged), InvalidSignatureException) == MISMATCH
    )


def test_missing_authentication_token() -> None:
    request = config_request()
    headers = {k: v for k, v in request["headers"].items() if k != "authorization"}
    unsigned = {**request, "headers": headers, "query_string": "X-Amz-Date=20260101T120000Z"}
    message = rejected(unsigned, MissingAuthenticationTokenException)
    assert message == "Missing Authentication Token"


def test_unknown_access_key() -> None:
    message = rejected(config_request(key="AKIAUNKNOWN"), UnrecognizedClientException)
    assert message == "The security token included in the request is invalid."


REQUIRES = "Authorization header requires '{}' parameter."
REQUIRES_DATE = (
    "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
)
SCOPE = "Credential=test/20260101/us-east-1/config/aws4_request"


@pytest.mark.parametrize(
    ("authorization", "dated", "message"),
    [
        (
            "AWS4-HMAC-SHA256",
            False,
            " ".join(
                [
                    REQUIRES.format("Credential"),
                    REQUIRES.format("Signature"),
                    REQUIRES.format("SignedHeaders"),
                    REQUIRES_DATE,
                    "Authorization=AWS4-HMAC-SHA256",
                ]
            ),
        ),
        (
            f"AWS4-HMAC-SHA256 {SCOPE}",
            True,
            f"{REQUIRES.format('Signature')} {REQUIRES.format('SignedHeaders')} "
            "Authorization=AWS4-HMAC-SHA256",
        ),
        (
            f"AWS4-HMAC-SHA256 {SCOPE}, SignedHeaders=host, Signature=00",
            False,
            f"{REQUIRES_DATE} Authorization=AWS4-HMAC-SHA256",
        ),
        (
            "Bearer",
            False,
            f"{REQUIRES.format('Credential')} {REQUIRES.format('Signature')} "
            f"{REQUIRES.format('SignedHeaders')} {REQUIRES_DATE} Authorization=Bearer",
        ),
        ("AWS AKIDEXAMPLE:c2lnbmF0dXJl", True, "Unsupported AWS 'algorithm': 'AWS'."),
        (
            "AWS4-HMAC-SHA256 FooBar, BazBurp",
            True,
            "'FooBar' not a valid key=value pair (missing equal-sign) in Authorization header: "
            "'AWS4-HMAC-SHA256 FooBar, BazBurp'",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/aws4_request, "
            "SignedHeaders=host, Signature=00",
            True,
            "Credential must have exactly 5 slash-delimited elements, "
            "e.g. keyid/date/region/service/term, got 'test/20260101/us-east-1/aws4_request'",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/config/aws5_request, "
            "SignedHeaders=host, Signature=00",
            True,
            "Credential should be scoped with a valid terminator: 'aws4_request', "
            "not 'aws5_request'.",
        ),
    ],
)
def test_incomplete_signature(authorization: str, dated: bool, message: str) -> None:
    headers = {"host": "config.us-east-1.amazonaws.com", "authorization": authorization}
    if dated:
        headers["x-amz-date"] = "20260101T120000Z"
    request = {"method": "POST", "path": "/", "query_string": "", "headers": headers, "body": b""}
    assert rejected(request, IncompleteSignatureException) == message


@pytest.mark.parametrize("date", ["2026-01-01T12:00:00Z", "2026011T120000Z", "yesterday"])
def test_x_amz_date_must_be_iso8601_basic(date: str) -> None:
    request = with_headers(config_request(), **{"x-amz-date": date})
    assert rejected(request, IncompleteSignatureException) == (
        f"Date must be in ISO-8601 'basic format'. Got '{date}'. "
        "See http://en.wikipedia.org/wiki/ISO_8601"
    )


def test_signature_expired() -> None:
    request = config_request(at=datetime(2026, 1, 1, 0, 0, 0))
    message = rejected(request, InvalidSignatureException, now_ms=ms(datetime(2026, 1, 1, 0, 30)))
    assert message == (
        "Signature expired: 20260101T000000Z is now earlier than 20260101T001500Z "
        "(20260101T003000Z - 15 min.)"
    )


def test_signature_not_yet_current() -> None:
    request = config_request(at=datetime(2026, 1, 1, 0, 30, 1))
    message = rejected(request, InvalidSignatureException, now_ms=ms(datetime(2026, 1, 1, 0, 15)))
    assert message == (
        "Signature not yet current: 20260101T003001Z is still later than 20260101T003000Z "
        "(20260101T001500Z + 15 min.)"
    )


def test_fifteen_minutes_of_skew_either_way_is_allowed() -> None:
    skew = timedelta(minutes=15)
    assert check(config_request(at=NOW - skew)).service == "config"
    assert check(config_request(at=NOW + skew)).service == "config"


def test_scope_date_must_match_request_date() -> None:
    request = config_request()
    authorization = request["headers"]["authorization"].replace("/20260101/", "/20251231/")
    message = rejected(
        with_headers(request, authorization=authorization), InvalidSignatureException
    )
    assert message == (
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
        "HTTP: '20251231' != '20260101', from '20260101T120000Z'."
    )


def test_host_must_be_signed() -> None:
    headers = {
        "host": "config.us-east-1.amazonaws.com",
        "x-amz-date": "20260101T120000Z",
        "authorization": f"AWS4-HMAC-SHA256 {SCOPE}, SignedHeaders=x-amz-date, Signature=00",
    }
    request = {"method": "POST", "path": "/", "query_string": "", "headers": headers, "body": b""}
    message = rejected(request, InvalidSignatureException)
    assert message == "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."


def test_signing_keys_are_cached() -> None:
    auth._signing_key.cache_clear()
    check(config_request())
    check(config_request(region="us-west-2"))
    check(config_request())
    info = auth._signing_key.cache_info()
    assert (info.misses, info.hits) == (2, 1)


# -- credential store -------------------------------------------------------------------


def test_sandbox_twelve_digit_access_key_is_that_account() -> None:
    caller = check(config_request(key="111122223333"))
    assert caller.credential.account_id == "111122223333"
    assert caller.credential.principal_arn == "arn:aws:iam::111122223333:root"
    assert rejected(config_request(key="11112222333"), UnrecognizedClientException)
    assert rejected(config_request(key="111122223333", secret="nope"), InvalidSignatureException)


def test_sandbox_defaults_can_be_disabled() -> None:
    store = CredentialStore(sandbox_defaults=False)
    assert store.lookup("test") is None
    assert store.lookup("123456789012") is None
    assert rejected(config_request(), UnrecognizedClientException, store=store)


def test_explicit_credentials_win_over_sandbox_defaults() -> None:
    bob = Credential("test", "bob-secret", "999988887777", "arn:aws:iam::999988887777:user/bob")
    store = CredentialStore([bob])
    assert store.lookup("test") == bob
    assert check(config_request(secret="bob-secret"), store).credential == bob
    assert rejected(config_request(), InvalidSignatureException, store=store) == MISMATCH
    assert store.lookup("123456789012") is not None


def test_duplicate_access_keys_are_refused() -> None:
    one = Credential("AKIA1", "s", "111122223333", "arn:aws:iam::111122223333:root")
    with pytest.raises(ValueError, match="duplicate"):
        CredentialStore([one, one])


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        (("", "s", "111122223333"), "access key"),
        (("AK/IA", "s", "111122223333"), "access key"),
        (("AKIA", "", "111122223333"), "secret"),
        (("AKIA", "s", "1111222233334"), "12 digits"),
        (("AKIA", "s", "11112222333x"), "12 digits"),
    ],
)
def test_credential_validation(fields: tuple[str, str, str], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        Credential(*fields, principal_arn="arn:aws:iam::111122223333:root")


def test_from_toml(tmp_path: Path) -> None:
    path = tmp_path / "credentials.toml"
    path.write_text(
        "[[credentials]]\n"
        'access_key_id = "AKIAALICE"\n'
        'secret_access_key = "alice-secret"\n'
        'account_id = "111122223333"\n'
        'principal_arn = "arn:aws:iam::111122223333:user/alice"\n'
        "\n"
        "[[credentials]]\n"
        'access_key_id = "AKIAROOT"\n'
        'secret_access_key = "root-secret"\n'
        'account_id = "444455556666"\n'
    )
    store = CredentialStore.from_toml(path, sandbox_defaults=False)
    assert store.lookup("AKIAALICE") == Credential(
        "AKIAALICE", "alice-secret", "111122223333", "arn:aws:iam::111122223333:user/alice"
    )
    root = store.lookup("AKIAROOT")
    assert root is not None and root.principal_arn == "arn:aws:iam::444455556666:root"
    assert store.lookup("test") is None
    caller = check(config_request(key="AKIAALICE", secret="alice-secret"), store)
    assert caller.credential.principal_arn.endswith(":user/alice")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('[[credentials]]\naccess_key_id = "A"\naccount_id = "111122223333"\n', "missing"),
        (
            '[[credentials]]\naccess_key_id = "A"\nsecret_access_key = "s"\naccount_id = "1111"\n',
            "12 digits",
        ),
        (
            '[[credentials]]\naccess_key_id = "A"\nsecret_access_key = "s"\n'
            "account_id = 111122223333\n",
            "must be a string",
        ),
        (
            '[[credentials]]\naccess_key_id = "A"\nsecret = "s"\naccount_id = "111122223333"\n',
            "unknown keys secret",
        ),
        ('credentials = "nope"\n', "array of tables"),
        ("[[credentials]\n", None),  # not TOML: tomllib's own error, a ValueError
    ],
)
def test_from_toml_rejects_malformed_files(tmp_path: Path, text: str, problem: str | None) -> None:
    path = tmp_path / "credentials.toml"
    path.write_text(text)
    with pytest.raises(ValueError, match=problem):
        CredentialStore.from_toml(path)


def test_from_toml_refuses_duplicates(tmp_path: Path) -> None:
    entry = (
        '[[credentials]]\naccess_key_id = "A"\nsecret_access_key = "s"\n'
        'account_id = "111122223333"\n'
    )
    path = tmp_path / "credentials.toml"
    path.write_text(entry + entry)
    with pytest.raises(ValueError, match="duplicate"):
        CredentialStore.from_toml(path)
