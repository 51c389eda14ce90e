"""Retention configuration operations end to end (spec 2.11, 9.4), on both stores."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import LiveServer, config_client, new_account
from tests.helpers import raw_call, row_counts


def error(call: Callable[[], Any]) -> tuple[str, str]:
    """The (code, message) of the ClientError ``call`` raises; it must be an HTTP 400."""
    with pytest.raises(ClientError) as caught:
        call()
    response = caught.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert response["Error"]["Message"]
    return response["Error"]["Code"], response["Error"]["Message"]


def configurations(client: Any, **request: Any) -> list[dict[str, Any]]:
    found = client.describe_retention_configurations(**request)
    return found["RetentionConfigurations"]  # type: ignore[no-any-return]


def one_error(text: str) -> str:
    return "1 validation error detected: " + text


@pytest.mark.parametrize("days", [30, 365, 2557])
def test_put_creates_the_configuration_named_default(config: Any, days: int) -> None:
    answer = config.put_retention_configuration(RetentionPeriodInDays=days)
    assert answer["RetentionConfiguration"] == {"Name": "default", "RetentionPeriodInDays": days}
    assert configurations(config) == [{"Name": "default", "RetentionPeriodInDays": days}]


def test_put_again_updates_the_one_configuration(
    config: Any, backend: LiveServer, account: str
) -> None:
    config.put_retention_configuration(RetentionPeriodInDays=30)
    config.put_retention_configuration(RetentionPeriodInDays=400)
    assert configurations(config) == [{"Name": "default", "RetentionPeriodInDays": 400}]
    assert row_counts(backend.db_url, account)["retention_configurations"] == 1


@pytest.mark.parametrize(
    ("days", "text"),
    [
        (29, "Member must have value greater than or equal to 30"),
        (0, "Member must have value greater than or equal to 30"),
        (-5, "Member must have value greater than or equal to 30"),
        (2558, "Member must have value less than or equal to 2557"),
    ],
)
def test_put_outside_30_to_2557_days_is_a_validation_error(
    backend: LiveServer, account: str, days: int, text: str
) -> None:
    client = config_client(backend, account, validate=False)
    client.put_retention_configuration(RetentionPeriodInDays=100)
    code, message = error(lambda: client.put_retention_configuration(RetentionPeriodInDays=days))
    assert code == "ValidationException"
    assert message == one_error(
        f"Value '{days}' at 'retentionPeriodInDays' failed to satisfy constraint: {text}"
    )
    assert configurations(client) == [{"Name": "default", "RetentionPeriodInDays": 100}]


def test_describe_without_a_configuration_is_empty(config: Any) -> None:
    assert configurations(config) == []


def test_describe_by_name(config: Any) -> None:
    config.put_retention_configuration(RetentionPeriodInDays=90)
    named = configurations(config, RetentionConfigurationNames=["default"])
    assert named == [{"Name": "default", "RetentionPeriodInDays": 90}]


@pytest.mark.parametrize("exists", [True, False], ids=["other-exists", "none-exists"])
def test_describe_an_unknown_name_is_no_such_retention_configuration(
    config: Any, exists: bool
) -> None:
    if exists:
        config.put_retention_configuration(RetentionPeriodInDays=90)
    code, message = error(lambda: configurations(config, RetentionConfigurationNames=["weekly"]))
    assert code == "NoSuchRetentionConfigurationException"
    assert "weekly" in message
    if not exists:
        code, _ = error(lambda: configurations(config, RetentionConfigurationNames=["default"]))
        assert code == "NoSuchRetentionConfigurationException"


def test_describe_more_than_one_name_is_a_validation_error(
    backend: LiveServer, account: str
) -> None:
    client = config_client(backend, account, validate=False)
    client.put_retention_configuration(RetentionPeriodInDays=90)
    code, message = error(
        lambda: configurations(client, RetentionConfigurationNames=["default", "other"])
    )
    assert code == "ValidationException"
    assert message == one_error(
        "Value '[default, other]' at 'retentionConfigurationNames' failed to satisfy "
        "constraint: Member must have length less than or equal to 1"
    )


@pytest.mark.parametrize("token", ["forged", "of-another-operation"])
def test_describe_with_a_foreign_next_token_is_invalid_next_token(config: Any, token: str) -> None:
    config.put_retention_configuration(RetentionPeriodInDays=90)
    if token == "forged":
        token = "eyJwb3NpdGlvbiI6IDF9"
    else:  # genuine, but issued for ListTagsForResource
        config.put_configuration_recorder(
            ConfigurationRecorder={"name": "default", "roleARN": "arn:aws:iam::1:role/r"},
            Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}],
        )
        arn = config.describe_configuration_recorders()["ConfigurationRecorders"][0]["arn"]
        token = config.list_tags_for_resource(ResourceArn=arn, Limit=1)["NextToken"]
    code, message = error(lambda: configurations(config, NextToken=token))
    assert code == "InvalidNextTokenException"
    assert message == "The nextToken provided is invalid"


def test_delete_removes_the_configuration(config: Any, backend: LiveServer, account: str) -> None:
    config.put_retention_configuration(RetentionPeriodInDays=90)
    config.delete_retention_configuration(RetentionConfigurationName="default")
    assert configurations(config) == []
    assert row_counts(backend.db_url, account)["retention_configurations"] == 0
    code, message = error(
        lambda: config.delete_retention_configuration(RetentionConfigurationName="default")
    )
    assert code == "NoSuchRetentionConfigurationException"
    assert "default" in message
    # It can be put again afterwards.
    config.put_retention_configuration(RetentionPeriodInDays=31)
    assert configurations(config) == [{"Name": "default", "RetentionPeriodInDays": 31}]


def test_delete_an_unknown_name_is_no_such_retention_configuration(config: Any) -> None:
    config.put_retention_configuration(RetentionPeriodInDays=90)
    code, _ = error(
        lambda: config.delete_retention_configuration(RetentionConfigurationName="other")
    )
    assert code == "NoSuchRetentionConfigurationException"
    assert configurations(config) == [{"Name": "default", "RetentionPeriodInDays": 90}]


# -- bad input ---------------------------------------------------------------------------

BAD_INPUT: dict[str, tuple[str, dict[str, Any], str, str | None]] = {
    "put-missing-days": (
        "PutRetentionConfiguration",
        {},
        "ValidationException",
        one_error(
            "Value null at 'retentionPeriodInDays' failed to satisfy constraint: "
            "Member must not be null"
        ),
    ),
    "put-days-wrong-type": (
        "PutRetentionConfiguration",
        {"RetentionPeriodInDays": "90"},
        "SerializationException",
        "STRING_VALUE can not be converted to an Integer",
    ),
    "put-days-fractional": (
        "PutRetentionConfiguration",
        {"RetentionPeriodInDays": 90.5},
        "SerializationException",
        None,
    ),
    "put-days-too-big": (
        "PutRetentionConfiguration",
        {"RetentionPeriodInDays": 100000},
        "ValidationException",
        one_error(
            "Value '100000' at 'retentionPeriodInDays' failed to satisfy constraint: "
            "Member must have value less than or equal to 2557"
        ),
    ),
    "describe-names-wrong-type": (
        "DescribeRetentionConfigurations",
        {"RetentionConfigurationNames": "default"},
        "SerializationException",
        None,
    ),
    "describe-name-too-long": (
        "DescribeRetentionConfigurations",
        {"RetentionConfigurationNames": ["n" * 257]},
        "ValidationException",
        None,
    ),
    "describe-name-bad-pattern": (
        "DescribeRetentionConfigurations",
        {"RetentionConfigurationNames": ["not valid"]},
        "ValidationException",
        one_error(
            "Value '[not valid]' at 'retentionConfigurationNames' failed to satisfy "
            "constraint: Member must satisfy constraint: [Member must have length less than "
            "or equal to 256, Member must have length greater than or equal to 1, Member must "
            "satisfy regular expression pattern: [\\w\\-]+]"
        ),
    ),
    "describe-token-wrong-type": (
        "DescribeRetentionConfigurations",
        {"NextToken": 1},
        "SerializationException",
        None,
    ),
    "delete-missing-name": (
        "DeleteRetentionConfiguration",
        {},
        "ValidationException",
        one_error(
            "Value null at 'retentionConfigurationName' failed to satisfy constraint: "
            "Member must not be null"
        ),
    ),
    "delete-name-wrong-type": (
        "DeleteRetentionConfiguration",
        {"RetentionConfigurationName": ["default"]},
        "SerializationException",
        None,
    ),
    "delete-name-too-long": (
        "DeleteRetentionConfiguration",
        {"RetentionConfigurationName": "d" * 257},
        "ValidationException",
        None,
    ),
    "delete-name-bad-pattern": (
        "DeleteRetentionConfiguration",
        {"RetentionConfigurationName": "default!"},
        "ValidationException",
        one_error(
            "Value 'default!' at 'retentionConfigurationName' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [\\w\\-]+"
        ),
    ),
}


@pytest.mark.parametrize(
    ("target", "body", "code", "message"), BAD_INPUT.values(), ids=BAD_INPUT.keys()
)
def test_bad_input_is_refused_with_aws_errors_and_writes_nothing(
    backend: LiveServer,
    account: str,
    target: str,
    body: dict[str, Any],
    code: str,
    message: str | None,
) -> None:
    client = config_client(backend, account)
    client.put_retention_configuration(RetentionPeriodInDays=90)
    before = row_counts(backend.db_url, account)
    status, payload, _ = raw_call(backend.url, target, json.dumps(body), access_key=account)
    assert status == 400
    assert payload["__type"] == code
    assert payload["message"]
    if message is not None:
        assert payload["message"] == message
    assert row_counts(backend.db_url, account) == before
    assert configurations(client) == [{"Name": "default", "RetentionPeriodInDays": 90}]


# -- isolation ---------------------------------------------------------------------------


def test_retention_is_isolated_by_account_and_region(backend: LiveServer) -> None:
    account_a = new_account()
    a_east = config_client(backend, account_a)
    a_east.put_retention_configuration(RetentionPeriodInDays=60)
    for index, other in enumerate(
        (config_client(backend, new_account()), config_client(backend, account_a, "eu-west-1"))
    ):
        assert configurations(other) == []
        code, _ = error(
            partial(other.delete_retention_configuration, RetentionConfigurationName="default")
        )
        assert code == "NoSuchRetentionConfigurationException"
        other.put_retention_configuration(RetentionPeriodInDays=100 + index)
        assert configurations(other) == [{"Name": "default", "RetentionPeriodInDays": 100 + index}]
    assert configurations(a_east) == [{"Name": "default", "RetentionPeriodInDays": 60}]


# -- concurrency -------------------------------------------------------------------------


def test_concurrent_puts_all_succeed_and_leave_one_configuration(
    backend: LiveServer, account: str
) -> None:
    def put(index: int) -> int:
        body = {"RetentionPeriodInDays": 30 + index}
        return raw_call(
            backend.url, "PutRetentionConfiguration", json.dumps(body), access_key=account
        )[0]

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(put, range(8))) == [200] * 8
    [only] = configurations(config_client(backend, account))
    assert only["Name"] == "default"
    assert 30 <= only["RetentionPeriodInDays"] < 38
