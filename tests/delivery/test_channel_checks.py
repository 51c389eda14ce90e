"""PutDeliveryChannel reaches the bucket and the topic as AWS does (spec 6.1, 6.3, 12.2,
12.3); DeliverConfigSnapshot's refusals. A refused call writes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import LiveServer, config_client, new_account
from tests.delivery.conftest import (
    QUIET_GROUP,
    ROLE,
    aws,
    bodies,
    drain,
    gunzip_json,
    make_queue,
    objects,
    of_type,
    put_thing,
    unique,
    wait_for,
)
from tests.helpers import row_counts


def _error(call: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def _recorder(live: LiveServer, account: str) -> Any:
    config = config_client(live, account)
    config.put_configuration_recorder(
        ConfigurationRecorder={
            "name": "default",
            "roleARN": ROLE.format(account=account),
            "recordingGroup": QUIET_GROUP,
        }
    )
    return config


def _bucket_policy(bucket: str, source_account: str, prefix: str = "") -> str:
    """Spec 12.2's policy for the service principal."""
    condition = {"StringEquals": {"AWS:SourceAccount": source_account}}
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AWSConfigBucketPermissionsCheck",
                    "Effect": "Allow",
                    "Principal": {"Service": "config.amazonaws.com"},
                    "Action": "s3:GetBucketAcl",
                    "Resource": f"arn:aws:s3:::{bucket}",
                    "Condition": condition,
                },
                {
                    "Sid": "AWSConfigBucketExistenceCheck",
                    "Effect": "Allow",
                    "Principal": {"Service": "config.amazonaws.com"},
                    "Action": "s3:ListBucket",
                    "Resource": f"arn:aws:s3:::{bucket}",
                    "Condition": condition,
                },
                {
                    "Sid": "AWSConfigBucketDelivery",
                    "Effect": "Allow",
                    "Principal": {"Service": "config.amazonaws.com"},
                    "Action": "s3:PutObject",
                    "Resource": f"arn:aws:s3:::{bucket}/{prefix}AWSLogs/{source_account}/Config/*",
                    "Condition": {
                        "StringEquals": {
                            "s3:x-amz-acl": "bucket-owner-full-control",
                            "AWS:SourceAccount": source_account,
                        }
                    },
                },
            ],
        }
    )


def _topic_policy(topic_arn: str, source_account: str) -> str:
    """Spec 12.3's service-principal form."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AWSConfigSNSPolicy",
                    "Effect": "Allow",
                    "Principal": {"Service": "config.amazonaws.com"},
                    "Action": "sns:Publish",
                    "Resource": topic_arn,
                    "Condition": {"StringEquals": {"AWS:SourceAccount": [source_account]}},
                }
            ],
        }
    )


def test_a_missing_bucket_is_no_such_bucket_and_nothing_is_written(live: LiveServer) -> None:
    account = new_account()
    config = _recorder(live, account)
    before = row_counts(live.db_url, account)
    missing = unique("no-such-bucket")
    code, message = _error(
        lambda: config.put_delivery_channel(
            DeliveryChannel={"name": "default", "s3BucketName": missing}
        )
    )
    assert code == "NoSuchBucketException"
    assert missing in message
    assert row_counts(live.db_url, account) == before
    assert config.describe_delivery_channels()["DeliveryChannels"] == []


def test_a_missing_topic_is_invalid_and_nothing_is_written(live: LiveServer) -> None:
    account = new_account()
    config = _recorder(live, account)
    bucket = unique("config-bucket")
    aws(live.url, "s3", account).create_bucket(Bucket=bucket)
    before = row_counts(live.db_url, account)
    topic = f"arn:aws:sns:us-east-1:{account}:no-such-topic"
    code, message = _error(
        lambda: config.put_delivery_channel(
            DeliveryChannel={"name": "default", "s3BucketName": bucket, "snsTopicARN": topic}
        )
    )
    assert code == "InvalidSNSTopicARNException"
    assert topic in message
    assert row_counts(live.db_url, account) == before


def test_the_writability_check_file_is_written_under_the_prefix(live: LiveServer) -> None:
    account = new_account()
    config = _recorder(live, account)
    bucket = unique("config-bucket")
    s3 = aws(live.url, "s3", account)
    s3.create_bucket(Bucket=bucket)
    config.put_delivery_channel(
        DeliveryChannel={"name": "default", "s3BucketName": bucket, "s3KeyPrefix": "team/a"}
    )
    key = f"team/a/AWSLogs/{account}/Config/ConfigWritabilityCheckFile"
    assert objects(s3, bucket) == {key: b""}
    assert s3.head_object(Bucket=bucket, Key=key)["ContentLength"] == 0


def test_a_bucket_of_another_account_needs_its_policy_to_let_config_write(
    live: LiveServer,
) -> None:
    account, owner = new_account(), new_account()
    config = _recorder(live, account)
    bucket = unique("central-config")
    owner_s3 = aws(live.url, "s3", owner)
    owner_s3.create_bucket(Bucket=bucket)
    channel = {"name": "default", "s3BucketName": bucket}

    # No policy at all: refused, nothing written anywhere.
    before = row_counts(live.db_url, account)
    code, _ = _error(lambda: config.put_delivery_channel(DeliveryChannel=channel))
    assert code == "InsufficientDeliveryPolicyException"
    assert objects(owner_s3, bucket) == {}
    assert row_counts(live.db_url, account) == before

    # A policy for some other source account: still refused.
    owner_s3.put_bucket_policy(Bucket=bucket, Policy=_bucket_policy(bucket, "111122223333"))
    code, _ = _error(lambda: config.put_delivery_channel(DeliveryChannel=channel))
    assert code == "InsufficientDeliveryPolicyException"

    # A policy that allows everything but the delivery path's PutObject: refused.
    narrow = json.loads(_bucket_policy(bucket, account))
    narrow["Statement"] = narrow["Statement"][:2]
    owner_s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(narrow))
    code, _ = _error(lambda: config.put_delivery_channel(DeliveryChannel=channel))
    assert code == "InsufficientDeliveryPolicyException"

    # An explicit Deny beats the Allow.
    denying = json.loads(_bucket_policy(bucket, account))
    denying["Statement"].append(
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": f"arn:aws:s3:::{bucket}/*",
        }
    )
    owner_s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(denying))
    code, _ = _error(lambda: config.put_delivery_channel(DeliveryChannel=channel))
    assert code == "InsufficientDeliveryPolicyException"
    assert objects(owner_s3, bucket) == {}

    # Spec 12.2's policy for this account: accepted, and the check file lands in the
    # owner's bucket under this account's folder.
    owner_s3.put_bucket_policy(Bucket=bucket, Policy=_bucket_policy(bucket, account))
    config.put_delivery_channel(DeliveryChannel=channel)
    assert objects(owner_s3, bucket) == {
        f"AWSLogs/{account}/Config/ConfigWritabilityCheckFile": b""
    }

    # And the history files then land there too, under this account's folder.
    config.start_configuration_recorder(ConfigurationRecorderName="default")
    put_thing(config, "cross-1", {"v": 1})
    [key] = wait_for(lambda: [k for k in objects(owner_s3, bucket) if "/ConfigHistory/" in k])
    assert key.startswith(f"AWSLogs/{account}/Config/us-east-1/")
    items = gunzip_json(objects(owner_s3, bucket)[key])["configurationItems"]
    assert [(i["awsAccountId"], i["resourceId"]) for i in items] == [(account, "cross-1")]


def test_a_topic_of_another_account_needs_its_policy_to_let_config_publish(
    live: LiveServer,
) -> None:
    account, owner = new_account(), new_account()
    config = _recorder(live, account)
    bucket = unique("config-bucket")
    aws(live.url, "s3", account).create_bucket(Bucket=bucket)
    owner_sns = aws(live.url, "sns", owner)
    topic_arn = owner_sns.create_topic(Name=unique("central-stream"))["TopicArn"]
    channel = {"name": "default", "s3BucketName": bucket, "snsTopicARN": topic_arn}

    # The default topic policy lets only the owner's account publish.
    before = row_counts(live.db_url, account)
    code, message = _error(lambda: config.put_delivery_channel(DeliveryChannel=channel))
    assert code == "InsufficientDeliveryPolicyException"
    assert topic_arn in message
    assert row_counts(live.db_url, account) == before

    owner_sns.set_topic_attributes(
        TopicArn=topic_arn, AttributeName="Policy", AttributeValue=_topic_policy(topic_arn, owner)
    )
    code, _ = _error(lambda: config.put_delivery_channel(DeliveryChannel=channel))
    assert code == "InsufficientDeliveryPolicyException"

    owner_sns.set_topic_attributes(
        TopicArn=topic_arn, AttributeName="Policy", AttributeValue=_topic_policy(topic_arn, account)
    )
    config.put_delivery_channel(DeliveryChannel=channel)

    # And the stream then reaches the owner's subscribers.
    queue = make_queue(live.url, owner, topic_arn)
    config.start_configuration_recorder(ConfigurationRecorderName="default")
    put_thing(config, "x-1", {"v": 1})
    [envelope] = drain(
        aws(live.url, "sqs", owner), queue, 1, match=of_type("ConfigurationItemChangeNotification")
    )
    [body] = bodies([envelope])
    assert body["configurationItem"]["awsAccountId"] == account
    assert envelope["TopicArn"] == topic_arn


def test_deliver_config_snapshot_refusals(live: LiveServer) -> None:
    account = new_account()
    config = config_client(live, account)
    code, _ = _error(lambda: config.deliver_config_snapshot(deliveryChannelName="default"))
    assert code == "NoSuchDeliveryChannelException"
    config = _recorder(live, account)
    bucket = unique("config-bucket")
    aws(live.url, "s3", account).create_bucket(Bucket=bucket)
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": bucket})
    before = row_counts(live.db_url, account)
    code, _ = _error(lambda: config.deliver_config_snapshot(deliveryChannelName="other"))
    assert code == "NoSuchDeliveryChannelException"
    code, message = _error(lambda: config.deliver_config_snapshot(deliveryChannelName="default"))
    assert code == "NoRunningConfigurationRecorderException"
    assert message
    assert row_counts(live.db_url, account) == before
