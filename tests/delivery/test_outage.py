"""The bucket and the topic go away while items are recorded: delivery fails, says so in
the status, backs off, and delivers every item exactly once when they are back."""

from __future__ import annotations

from typing import Any

from tests.conftest import LiveServer
from tests.delivery.conftest import (
    about,
    collect,
    gunzip_json,
    make_queue,
    objects,
    put_thing,
    remove_bucket,
    setup_delivery,
    unique,
    wait_for,
)

THING = "Delivery::Test::Thing"
COUNT = 25


def _status(config: Any) -> dict[str, Any]:
    return dict(config.describe_delivery_channel_status()["DeliveryChannelsStatus"][0])


def _history_items(s3: Any, bucket: str) -> list[tuple[str, int]]:
    found = []
    for key, data in objects(s3, bucket).items():
        if "/ConfigHistory/" in key:
            for item in gunzip_json(data)["configurationItems"]:
                if item["resourceType"] == THING:
                    found.append((item["resourceId"], item["configurationStateId"]))
    return found


def test_everything_recorded_during_an_outage_is_delivered_once_it_ends(
    live: LiveServer,
) -> None:
    setup = setup_delivery(live)
    s3, sns = setup.s3(), setup.sns()
    # The outage: the topic is deleted, the bucket emptied and deleted.
    sns.delete_topic(TopicArn=setup.topic_arn)
    remove_bucket(s3, setup.bucket)

    for index in range(COUNT):
        put_thing(setup.config, f"down-{index:02d}", {"index": index})

    # Both kinds of delivery report the failure with AWS's error codes.
    stream = wait_for(
        lambda: (
            _status(setup.config)["configStreamDeliveryInfo"]
            if _status(setup.config)["configStreamDeliveryInfo"]["lastStatus"] == "FAILURE"
            else None
        )
    )
    assert stream["lastErrorCode"] == "NotFound"
    assert stream["lastErrorMessage"]
    history = wait_for(
        lambda: (
            _status(setup.config)["configHistoryDeliveryInfo"]
            if _status(setup.config)["configHistoryDeliveryInfo"]["lastStatus"] == "FAILURE"
            else None
        )
    )
    assert history["lastErrorCode"] == "NoSuchBucket"
    assert "lastSuccessfulTime" not in history
    assert history["lastAttemptTime"]

    # Back: the bucket is created again; the stream gets a new topic with its subscriber
    # first and the channel is pointed at it (a topic recreated under its old name would
    # take messages before anyone subscribed again, which SNS would not keep for anyone).
    s3.create_bucket(Bucket=setup.bucket)
    topic_arn = sns.create_topic(Name=unique("config-topic"))["TopicArn"]
    queue = make_queue(setup.url, setup.account, topic_arn)
    setup.config.put_delivery_channel(
        DeliveryChannel={"name": "default", "s3BucketName": setup.bucket, "snsTopicARN": topic_arn}
    )

    received = collect(
        setup.sqs(),
        queue,
        lambda found: len([b for b in found if about(THING)(b)]) >= COUNT,
        timeout=60,
    )
    notified = [b["configurationItem"]["resourceId"] for b in received if about(THING)(b)]
    assert sorted(notified) == [f"down-{i:02d}" for i in range(COUNT)]  # each exactly once

    wait_for(lambda: len(_history_items(s3, setup.bucket)) >= COUNT, timeout=90)
    archived = _history_items(s3, setup.bucket)
    assert sorted(i for i, _ in archived) == [f"down-{i:02d}" for i in range(COUNT)]
    assert len(set(archived)) == COUNT

    status = wait_for(
        lambda: (
            _status(setup.config)
            if _status(setup.config)["configStreamDeliveryInfo"]["lastStatus"] == "SUCCESS"
            and _status(setup.config)["configHistoryDeliveryInfo"]["lastStatus"] == "SUCCESS"
            else None
        ),
        timeout=90,
    )
    assert "lastErrorCode" not in status["configStreamDeliveryInfo"]
    history = status["configHistoryDeliveryInfo"]
    assert history["lastSuccessfulTime"] == history["lastAttemptTime"]
