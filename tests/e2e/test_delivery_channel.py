"""Delivery channel operations end to end (spec 2.2, 6.1), shape only: S3 and SNS are not
reached in this version, so any well-formed bucket name and topic ARN are accepted."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import ROLE_ARN, LiveServer, config_client, new_account, start_recording
from tests.helpers import raw_call, row_counts

TOPIC = "arn:aws:sns:us-east-1:123456789012:config-topic"
KMS_KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def error(call: Callable[[], Any]) -> tuple[str, str]:
    """The (code, message) of the ClientError ``call`` raises; it must be an HTTP 400."""
    with pytest.raises(ClientError) as caught:
        call()
    response = caught.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert response["Error"]["Message"]
    return response["Error"]["Code"], response["Error"]["Message"]


def put_recorder(client: Any) -> None:
    client.put_configuration_recorder(
        ConfigurationRecorder={"name": "default", "roleARN": ROLE_ARN}
    )


def channels(client: Any, *names: str) -> list[dict[str, Any]]:
    if names:
        found = client.describe_delivery_channels(DeliveryChannelNames=list(names))
    else:
        found = client.describe_delivery_channels()
    return found["DeliveryChannels"]  # type: ignore[no-any-return]


def one_error(text: str) -> str:
    return "1 validation error detected: " + text


@pytest.fixture
def recorder(config: Any) -> Any:
    """The ``config`` client, its account holding a recorder (PutDeliveryChannel needs one)."""
    put_recorder(config)
    return config


# -- PutDeliveryChannel ------------------------------------------------------------------


def test_put_needs_a_recorder_first(config: Any, backend: LiveServer, account: str) -> None:
    code, message = error(
        lambda: config.put_delivery_channel(
            DeliveryChannel={"name": "default", "s3BucketName": "bucket"}
        )
    )
    assert code == "NoAvailableConfigurationRecorderException"
    assert message == "Configuration recorder is not available to put delivery channel."
    assert sum(row_counts(backend.db_url, account).values()) == 0
    put_recorder(config)
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "bucket"})
    assert [c["name"] for c in channels(config)] == ["default"]


def test_put_stores_every_field_and_describe_echoes_them(recorder: Any) -> None:
    channel = {
        "name": "main",
        "s3BucketName": "config-bucket",
        "s3KeyPrefix": "config/logs",
        "s3KmsKeyArn": KMS_KEY,
        "snsTopicARN": TOPIC,
        "configSnapshotDeliveryProperties": {"deliveryFrequency": "Six_Hours"},
    }
    recorder.put_delivery_channel(DeliveryChannel=channel)
    assert channels(recorder) == [channel]
    assert channels(recorder, "main") == [channel]


def test_put_without_a_name_creates_the_channel_named_default(recorder: Any) -> None:
    recorder.put_delivery_channel(DeliveryChannel={"s3BucketName": "bucket"})
    assert channels(recorder) == [{"name": "default", "s3BucketName": "bucket"}]


def test_put_with_the_same_name_replaces_the_channel(recorder: Any) -> None:
    recorder.put_delivery_channel(
        DeliveryChannel={"name": "default", "s3BucketName": "one", "snsTopicARN": TOPIC}
    )
    recorder.put_delivery_channel(
        DeliveryChannel={"name": "default", "s3BucketName": "two", "s3KeyPrefix": "p"}
    )
    assert channels(recorder) == [{"name": "default", "s3BucketName": "two", "s3KeyPrefix": "p"}]


def test_a_second_channel_name_is_refused(recorder: Any, backend: LiveServer, account: str) -> None:
    recorder.put_delivery_channel(DeliveryChannel={"name": "first", "s3BucketName": "bucket"})
    before = row_counts(backend.db_url, account)
    code, message = error(
        lambda: recorder.put_delivery_channel(
            DeliveryChannel={"name": "second", "s3BucketName": "bucket"}
        )
    )
    assert code == "MaxNumberOfDeliveryChannelsExceededException"
    assert message == (
        "Failed to put delivery channel 'second' because the maximum number of delivery "
        "channels: 1 is reached."
    )
    assert row_counts(backend.db_url, account) == before
    assert [c["name"] for c in channels(recorder)] == ["first"]


INVALID_CHANNELS: dict[str, tuple[dict[str, Any], str, str | None]] = {
    "blank-name": (
        {"name": "   ", "s3BucketName": "bucket"},
        "InvalidDeliveryChannelNameException",
        "The delivery channel name '   ' is not valid, blank string.",
    ),
    "missing-bucket": (
        {"name": "default"},
        "NoSuchBucketException",
        "Cannot find a S3 bucket with an empty bucket name.",
    ),
    "empty-bucket": (
        {"name": "default", "s3BucketName": ""},
        "NoSuchBucketException",
        "Cannot find a S3 bucket with an empty bucket name.",
    ),
    "empty-prefix": (
        {"name": "default", "s3BucketName": "bucket", "s3KeyPrefix": ""},
        "InvalidS3KeyPrefixException",
        "The s3 key prefix '' is not valid, empty s3 key prefix.",
    ),
    "kms-not-an-arn": (
        {"name": "default", "s3BucketName": "bucket", "s3KmsKeyArn": "my-key"},
        "InvalidS3KmsKeyArnException",
        None,
    ),
    "kms-arn-of-another-service": (
        {
            "name": "default",
            "s3BucketName": "bucket",
            "s3KmsKeyArn": "arn:aws:s3:::bucket/key/1234",
        },
        "InvalidS3KmsKeyArnException",
        None,
    ),
    "empty-topic": (
        {"name": "default", "s3BucketName": "bucket", "snsTopicARN": ""},
        "InvalidSNSTopicARNException",
        None,
    ),
    "topic-not-an-arn": (
        {"name": "default", "s3BucketName": "bucket", "snsTopicARN": "config-topic"},
        "InvalidSNSTopicARNException",
        None,
    ),
    "topic-in-another-region": (
        {
            "name": "default",
            "s3BucketName": "bucket",
            "snsTopicARN": "arn:aws:sns:eu-west-1:123456789012:config-topic",
        },
        "InvalidSNSTopicARNException",
        None,
    ),
    "frequency-outside-enum": (
        {
            "name": "default",
            "s3BucketName": "bucket",
            "configSnapshotDeliveryProperties": {"deliveryFrequency": "Two_Hours"},
        },
        "ValidationException",
        one_error(
            "Value 'Two_Hours' at 'deliveryChannel.configSnapshotDeliveryProperties."
            "deliveryFrequency' failed to satisfy constraint: Member must satisfy enum value "
            "set: [One_Hour, Three_Hours, Six_Hours, Twelve_Hours, TwentyFour_Hours]"
        ),
    ),
}


@pytest.mark.parametrize(
    ("channel", "code", "message"), INVALID_CHANNELS.values(), ids=INVALID_CHANNELS.keys()
)
def test_an_invalid_channel_is_refused_and_nothing_is_written(
    backend: LiveServer,
    account: str,
    channel: dict[str, Any],
    code: str,
    message: str | None,
) -> None:
    client = config_client(backend, account, validate=False)
    put_recorder(client)
    before = row_counts(backend.db_url, account)
    got_code, got_message = error(lambda: client.put_delivery_channel(DeliveryChannel=channel))
    assert got_code == code
    if message is not None:
        assert got_message == message
    assert row_counts(backend.db_url, account) == before
    assert channels(client) == []


def test_an_invalid_update_leaves_the_channel_as_it_was(recorder: Any) -> None:
    good = {"name": "default", "s3BucketName": "bucket", "snsTopicARN": TOPIC}
    recorder.put_delivery_channel(DeliveryChannel=good)
    code, _ = error(
        lambda: recorder.put_delivery_channel(
            DeliveryChannel={"name": "default", "s3BucketName": "bucket", "snsTopicARN": "x"}
        )
    )
    assert code == "InvalidSNSTopicARNException"
    assert channels(recorder) == [good]


def test_a_topic_of_another_account_in_the_same_region_is_accepted(recorder: Any) -> None:
    topic = "arn:aws:sns:us-east-1:210987654321:central-config"
    recorder.put_delivery_channel(
        DeliveryChannel={"name": "default", "s3BucketName": "bucket", "snsTopicARN": topic}
    )
    assert channels(recorder)[0]["snsTopicARN"] == topic


@pytest.mark.parametrize(
    "frequency", ["One_Hour", "Three_Hours", "Six_Hours", "Twelve_Hours", "TwentyFour_Hours"]
)
def test_every_delivery_frequency_is_accepted(recorder: Any, frequency: str) -> None:
    recorder.put_delivery_channel(
        DeliveryChannel={
            "name": "default",
            "s3BucketName": "bucket",
            "configSnapshotDeliveryProperties": {"deliveryFrequency": frequency},
        }
    )
    properties = channels(recorder)[0]["configSnapshotDeliveryProperties"]
    assert properties == {"deliveryFrequency": frequency}


# -- DescribeDeliveryChannels / DescribeDeliveryChannelStatus ---------------------------


def test_describe_without_a_channel_is_empty(config: Any) -> None:
    assert channels(config) == []
    assert config.describe_delivery_channel_status()["DeliveryChannelsStatus"] == []


@pytest.mark.parametrize(
    "operation", ["describe_delivery_channels", "describe_delivery_channel_status"]
)
def test_describe_an_unknown_name_is_no_such_channel(recorder: Any, operation: str) -> None:
    recorder.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "b"})
    code, message = error(
        lambda: getattr(recorder, operation)(DeliveryChannelNames=["default", "other"])
    )
    assert code == "NoSuchDeliveryChannelException"
    assert message == "Cannot find delivery channel with specified name 'other'."


def test_status_names_the_channel_and_each_delivery_kind(recorder: Any) -> None:
    recorder.put_delivery_channel(DeliveryChannel={"name": "main", "s3BucketName": "b"})
    for found in (
        recorder.describe_delivery_channel_status(),
        recorder.describe_delivery_channel_status(DeliveryChannelNames=["main"]),
    ):
        [status] = found["DeliveryChannelsStatus"]
        assert status["name"] == "main"
        for kind in (
            "configSnapshotDeliveryInfo",
            "configHistoryDeliveryInfo",
            "configStreamDeliveryInfo",
        ):
            assert status[kind]["lastStatus"] in ("SUCCESS", "FAILURE", "NOT_APPLICABLE")


# -- DeleteDeliveryChannel ---------------------------------------------------------------


def test_delete_is_refused_while_recording_and_works_after_stop(
    config: Any, backend: LiveServer, account: str
) -> None:
    start_recording(config)
    before = row_counts(backend.db_url, account)
    code, message = error(lambda: config.delete_delivery_channel(DeliveryChannelName="default"))
    assert code == "LastDeliveryChannelDeleteFailedException"
    assert "default" in message
    assert row_counts(backend.db_url, account) == before
    assert [c["name"] for c in channels(config)] == ["default"]

    config.stop_configuration_recorder(ConfigurationRecorderName="default")
    config.delete_delivery_channel(DeliveryChannelName="default")
    assert channels(config) == []
    assert row_counts(backend.db_url, account)["delivery_channels"] == 0
    # Without a channel the recorder cannot start again.
    code, _ = error(
        lambda: config.start_configuration_recorder(ConfigurationRecorderName="default")
    )
    assert code == "NoAvailableDeliveryChannelException"


def test_delete_an_unknown_channel_is_no_such_channel(recorder: Any) -> None:
    code, message = error(lambda: recorder.delete_delivery_channel(DeliveryChannelName="default"))
    assert code == "NoSuchDeliveryChannelException"
    assert message == "Cannot find delivery channel with specified name 'default'."
    recorder.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "b"})
    code, _ = error(lambda: recorder.delete_delivery_channel(DeliveryChannelName="other"))
    assert code == "NoSuchDeliveryChannelException"
    assert len(channels(recorder)) == 1


def test_a_channel_can_be_renamed_by_delete_and_create(recorder: Any) -> None:
    recorder.put_delivery_channel(DeliveryChannel={"name": "old", "s3BucketName": "b"})
    recorder.delete_delivery_channel(DeliveryChannelName="old")
    recorder.put_delivery_channel(DeliveryChannel={"name": "new", "s3BucketName": "b"})
    assert [c["name"] for c in channels(recorder)] == ["new"]


# -- bad input ---------------------------------------------------------------------------

LONG_NAME = "c" * 257

BAD_INPUT: dict[str, tuple[str, dict[str, Any], str, str | None]] = {
    "put-missing-channel": (
        "PutDeliveryChannel",
        {},
        "ValidationException",
        one_error(
            "Value null at 'deliveryChannel' failed to satisfy constraint: Member must not be null"
        ),
    ),
    "put-channel-wrong-type": (
        "PutDeliveryChannel",
        {"DeliveryChannel": ["default"]},
        "SerializationException",
        None,
    ),
    "put-bucket-wrong-type": (
        "PutDeliveryChannel",
        {"DeliveryChannel": {"name": "default", "s3BucketName": 5}},
        "SerializationException",
        "NUMBER_VALUE can not be converted to a String",
    ),
    "put-name-too-long": (
        "PutDeliveryChannel",
        {"DeliveryChannel": {"name": LONG_NAME, "s3BucketName": "b"}},
        "ValidationException",
        one_error(
            f"Value '{LONG_NAME}' at 'deliveryChannel.name' failed to satisfy constraint: "
            "Member must have length less than or equal to 256"
        ),
    ),
    "put-empty-name": (
        "PutDeliveryChannel",
        {"DeliveryChannel": {"name": "", "s3BucketName": "b"}},
        "ValidationException",
        one_error(
            "Value '' at 'deliveryChannel.name' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1"
        ),
    ),
    "put-frequency-outside-enum": (
        "PutDeliveryChannel",
        {
            "DeliveryChannel": {
                "name": "default",
                "s3BucketName": "b",
                "configSnapshotDeliveryProperties": {"deliveryFrequency": "Daily"},
            }
        },
        "ValidationException",
        None,
    ),
    "describe-names-wrong-type": (
        "DescribeDeliveryChannels",
        {"DeliveryChannelNames": "default"},
        "SerializationException",
        None,
    ),
    "describe-name-too-long": (
        "DescribeDeliveryChannels",
        {"DeliveryChannelNames": [LONG_NAME]},
        "ValidationException",
        None,
    ),
    "status-names-wrong-type": (
        "DescribeDeliveryChannelStatus",
        {"DeliveryChannelNames": [1]},
        "SerializationException",
        None,
    ),
    "status-name-too-long": (
        "DescribeDeliveryChannelStatus",
        {"DeliveryChannelNames": [LONG_NAME]},
        "ValidationException",
        None,
    ),
    "delete-missing-name": (
        "DeleteDeliveryChannel",
        {},
        "ValidationException",
        one_error(
            "Value null at 'deliveryChannelName' failed to satisfy constraint: "
            "Member must not be null"
        ),
    ),
    "delete-name-wrong-type": (
        "DeleteDeliveryChannel",
        {"DeliveryChannelName": {"name": "default"}},
        "SerializationException",
        None,
    ),
    "delete-name-too-long": (
        "DeleteDeliveryChannel",
        {"DeliveryChannelName": LONG_NAME},
        "ValidationException",
        None,
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
    put_recorder(client)
    channel = {"name": "default", "s3BucketName": "bucket"}
    client.put_delivery_channel(DeliveryChannel=channel)
    before = row_counts(backend.db_url, account)
    status, payload, _ = raw_call(backend.url, target, json.dumps(body), access_key=account)
    assert status == 400
    assert payload["__type"] == code
    assert payload["message"]
    if message is not None:
        assert payload["message"] == message
    assert row_counts(backend.db_url, account) == before
    assert channels(client) == [channel]


# -- isolation ---------------------------------------------------------------------------


def test_channels_are_isolated_by_account_and_region(backend: LiveServer) -> None:
    account_a = new_account()
    a_east = config_client(backend, account_a)
    put_recorder(a_east)
    a_east.put_delivery_channel(DeliveryChannel={"name": "alpha", "s3BucketName": "a"})
    for other in (
        config_client(backend, new_account()),
        config_client(backend, account_a, region="eu-west-1"),
    ):
        assert channels(other) == []
        code, _ = error(partial(channels, other, "alpha"))
        assert code == "NoSuchDeliveryChannelException"
        code, _ = error(partial(other.delete_delivery_channel, DeliveryChannelName="alpha"))
        assert code == "NoSuchDeliveryChannelException"
        # No recorder in that partition, whatever account A has elsewhere.
        code, _ = error(
            partial(
                other.put_delivery_channel, DeliveryChannel={"name": "beta", "s3BucketName": "b"}
            )
        )
        assert code == "NoAvailableConfigurationRecorderException"
        put_recorder(other)
        other.put_delivery_channel(DeliveryChannel={"name": "beta", "s3BucketName": "b"})
        assert [c["name"] for c in channels(other)] == ["beta"]
    assert channels(a_east) == [{"name": "alpha", "s3BucketName": "a"}]


# -- concurrency -------------------------------------------------------------------------


def test_concurrent_puts_of_different_names_create_exactly_one_channel(
    backend: LiveServer, account: str
) -> None:
    put_recorder(config_client(backend, account))

    def put_named(index: int) -> tuple[int, dict[str, Any]]:
        body = {"DeliveryChannel": {"name": f"channel-{index}", "s3BucketName": "b"}}
        status, payload, _ = raw_call(
            backend.url, "PutDeliveryChannel", json.dumps(body), access_key=account
        )
        return status, payload

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(put_named, range(8)))
    assert [status for status, _ in results].count(200) == 1
    assert {p["__type"] for s, p in results if s != 200} == {
        "MaxNumberOfDeliveryChannelsExceededException"
    }
    assert row_counts(backend.db_url, account)["delivery_channels"] == 1


def test_concurrent_puts_of_one_channel_all_succeed(backend: LiveServer, account: str) -> None:
    put_recorder(config_client(backend, account))

    def put_same(index: int) -> int:
        body = {"DeliveryChannel": {"name": "default", "s3BucketName": f"bucket-{index}"}}
        return raw_call(backend.url, "PutDeliveryChannel", json.dumps(body), access_key=account)[0]

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(put_same, range(8))) == [200] * 8
    assert row_counts(backend.db_url, account)["delivery_channels"] == 1
